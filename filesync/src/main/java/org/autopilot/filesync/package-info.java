/**
 * Content-addressed file transfer: a {@link org.autopilot.filesync.ContentStore} of files named
 * by their SHA-256, a {@link org.autopilot.filesync.BlobServer} that serves them (and the
 * verified chunks of files still arriving) over HTTP with range requests, a bandwidth cap and a
 * transfer cap, and can host a {@link org.autopilot.filesync.Tracker} of who holds which chunks.
 * Two ways in: {@link org.autopilot.filesync.BlobFetcher} downloads from one source at a time
 * in order, resuming and falling back to the next source; {@link org.autopilot.filesync.SwarmFetcher}
 * downloads chunks in parallel from seeds and peers (rarest first, seeds only for what no peer
 * has), so a fan-out is not limited by one server's uplink. Both verify every chunk and the
 * whole file. Depends on Javalin/Jetty, the JDK HTTP client, Jackson and Bucket4j only.
 */
package org.autopilot.filesync;
