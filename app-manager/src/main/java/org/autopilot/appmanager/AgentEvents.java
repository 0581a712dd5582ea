package org.autopilot.appmanager;

/** The agent's own events (an app started, exited, a manifest switched), as log lines. */
interface AgentEvents {
  /** One event: {@code app} it concerns ({@code ""} for the agent), level, text. */
  void event(String app, String level, String text);

  /** Events go nowhere. */
  AgentEvents NONE = (app, level, text) -> {};
}
