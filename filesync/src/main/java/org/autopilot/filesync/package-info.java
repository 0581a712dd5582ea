/**
 * Content-addressed file transfer: a {@link org.autopilot.filesync.ContentStore} of files named
 * by their SHA-256, a {@link org.autopilot.filesync.BlobServer} that serves them over HTTP with
 * range requests and a bandwidth cap, and a {@link org.autopilot.filesync.BlobFetcher} that
 * downloads into a store from several sources, resuming partial downloads and verifying every
 * chunk, falling back to another source on corrupt, truncated or refused data. Depends on
 * Javalin/Jetty, Jackson and Bucket4j only.
 */
package org.autopilot.filesync;
