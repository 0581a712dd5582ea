/**
 * Operator actions (ActionKind) and how they become DM commands sent on a user's behalf (OperatorActions). Decides nothing: the DM accepts or refuses.
 */
package org.autopilot.cockpit.action;
