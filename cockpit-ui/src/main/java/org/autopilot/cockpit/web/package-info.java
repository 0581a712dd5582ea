/**
 * Spring MVC controllers of the pages, the live overview stream (server-sent events) and the JSON the pages' scripts read. Reads only the fleet copy and the collection client; acts only through the action package.
 */
package org.autopilot.cockpit.web;
