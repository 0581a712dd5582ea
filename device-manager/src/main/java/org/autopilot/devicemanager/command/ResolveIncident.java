package org.autopilot.devicemanager.command;

/**
 * A human fixed the common cause of an incident; the repairs it held may be handed out again.
 *
 * @param incident the incident id
 * @param cause what was done
 */
public record ResolveIncident(long incident, String cause) implements DmCommand {}
