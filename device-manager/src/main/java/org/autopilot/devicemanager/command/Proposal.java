package org.autopilot.devicemanager.command;

/**
 * A command together with the authenticated principal that sent it; the unit the Raft log
 * carries.
 *
 * @param actor who asks: a user, satellite or machine principal, never blank
 * @param command what is asked
 */
public record Proposal(String actor, DmCommand command) {}
