/**
 * Cockpit: web dashboards over the DM and the collection service, run as its own Spring Boot
 * process ({@code cockpit.jar}). It reads the DM through {@code DmClient} only (never its server
 * or replication engine: Javalin, Jetty server and Ratis are excluded from this module) and
 * holds an in-memory copy of the fleet ({@code fleet}); pages ({@code web}) render from that
 * copy; operator actions ({@code action}) become DM commands sent on the user's behalf.
 */
package org.autopilot.cockpit;
