/**
 * Login and roles: the users file (UsersFile) and Spring Security's configuration.
 */
package org.autopilot.cockpit.security;
