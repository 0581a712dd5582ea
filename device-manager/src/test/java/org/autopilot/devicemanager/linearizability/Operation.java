package org.autopilot.devicemanager.linearizability;

/**
 * One operation of a history: what a client asked, what it got, and when.
 *
 * @param client the client (thread) that ran it, for reports only
 * @param input what was asked; the model reads it
 * @param call when it was invoked (any monotonic clock, e.g. {@link System#nanoTime()})
 * @param output what came back; for an operation whose outcome is unknown, whatever the model
 *     treats as "unknown"
 * @param ret when it returned, at or after {@code call}; {@link #NEVER} when the outcome is
 *     unknown: such an operation may take effect at any time after its call, or never
 * @param <I> input type
 * @param <O> output type
 */
public record Operation<I, O>(int client, I input, long call, O output, long ret) {
  /** The return time of an operation whose outcome is unknown: it is pending forever. */
  public static final long NEVER = Long.MAX_VALUE;

  /** Checks the interval. */
  public Operation {
    if (ret < call) {
      throw new IllegalArgumentException("returns at " + ret + " before its call at " + call);
    }
  }
}
