/**
 * Commands: what a caller asks the Device Manager to do. A command is a request, not a fact;
 * {@link org.autopilot.devicemanager.core.FleetStateMachine#decide} either turns it into events
 * or rejects it with a reason. Commands are JSON with a {@code type} discriminator; new types
 * are only ever added. Depends on the model only.
 */
package org.autopilot.devicemanager.command;
