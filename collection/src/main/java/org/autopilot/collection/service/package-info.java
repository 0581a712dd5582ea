/**
 * The collection service, a satellite: replicas that each take machines' batches and answer
 * queries over HTTP (Javalin), with no leader (they may share one database; the rollup pass
 * takes turns through row locks). Machine tokens are checked with the DM's
 * {@code TokenAuthenticator} and the DM's machine secret; readers use hashed tokens like the
 * DM's. Depends on {@code store}, {@code wire}, {@code model} and the DM's {@code api} package.
 */
package org.autopilot.collection.service;
