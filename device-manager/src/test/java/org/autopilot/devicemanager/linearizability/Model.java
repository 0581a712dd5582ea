package org.autopilot.devicemanager.linearizability;

import java.util.List;

/**
 * A sequential specification, as in Porcupine: the state an object starts in, and what one
 * operation does to it. States are compared with {@code equals}/{@code hashCode}, so they must
 * be values (records, strings).
 *
 * @param <S> state
 * @param <I> operation input
 * @param <O> operation output
 */
public interface Model<S, I, O> {
  /** The state before any operation. Never null. */
  S init();

  /**
   * The state after {@code input} was applied to {@code state} and answered {@code output}, or
   * null if a correct object in {@code state} could not have answered {@code output}. Pure.
   */
  S step(S state, I input, O output);

  /**
   * Splits a history into independent parts checked separately (P-compositionality: a history
   * of independent objects is linearizable iff each object's sub-history is). By default, one
   * part.
   */
  default List<List<Operation<I, O>>> partition(List<Operation<I, O>> history) {
    return List.of(history);
  }

  /** The operation in words, for reports. */
  default String describe(Operation<I, O> op) {
    return op.input() + " -> " + op.output();
  }
}
