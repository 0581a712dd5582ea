package org.autopilot.devicemanager.linearizability;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sequential specification of a set of independent compare-and-set registers, one per key
 * (Porcupine's and Jepsen's {@code cas-register}). In the DM test a key is a machine and the
 * register is its rack label: a read is {@code GET /machines/{id}}, a write is an unconditional
 * {@code PlaceMachine}, a compare-and-set is a {@code PlaceMachine} with the
 * {@code expectedVersion} that was seen together with the expected value. Every value written is
 * unique, so "the version is still v" and "the value is still the one seen at v" are the same
 * condition.
 *
 * @param initial every register's value before the first write
 */
public record CasRegister(String initial) implements Model<String, CasRegister.Input, CasRegister.Output> {
  /** What a client asked about one register. */
  public sealed interface Input permits Read, Write, Cas {
    /** The register. */
    String key();
  }

  /** Read the value. */
  public record Read(String key) implements Input {}

  /** Set the value, whatever it was. */
  public record Write(String key, String value) implements Input {}

  /** Set {@code value} only if the register holds {@code expected}. */
  public record Cas(String key, String expected, String value) implements Input {}

  /** How an operation ended. */
  public enum Ack {
    /** Done (a read: {@link Output#value} is what was read). */
    OK,
    /** A compare-and-set refused because the value was not the expected one. */
    STALE,
    /** Nobody knows whether it took effect (timeout, 503, connection lost). */
    UNKNOWN
  }

  /**
   * An answer.
   *
   * @param ack how it ended
   * @param value for a read that succeeded, the value read; else null
   */
  public record Output(Ack ack, String value) {
    /** A successful read of {@code value}. */
    public static Output read(String value) {
      return new Output(Ack.OK, value);
    }

    /** A write or compare-and-set that took effect. */
    public static final Output OK = new Output(Ack.OK, null);
    /** A compare-and-set refused. */
    public static final Output STALE = new Output(Ack.STALE, null);
    /** An outcome nobody knows. */
    public static final Output UNKNOWN = new Output(Ack.UNKNOWN, null);
  }

  @Override
  public String init() {
    return initial;
  }

  @Override
  public String step(String state, Input input, Output output) {
    if (input instanceof Read) {
      return output.ack() == Ack.UNKNOWN || state.equals(output.value()) ? state : null;
    }
    if (input instanceof Write w) {
      return output.ack() == Ack.STALE ? null : w.value();
    }
    Cas c = (Cas) input;
    boolean matches = state.equals(c.expected());
    switch (output.ack()) {
      case OK:
        return matches ? c.value() : null;
      case STALE:
        return matches ? null : state;
      default:
        return matches ? c.value() : state;
    }
  }

  @Override
  public List<List<Operation<Input, Output>>> partition(List<Operation<Input, Output>> history) {
    Map<String, List<Operation<Input, Output>>> byKey = new LinkedHashMap<>();
    for (Operation<Input, Output> op : history) {
      byKey.computeIfAbsent(op.input().key(), k -> new ArrayList<>()).add(op);
    }
    return new ArrayList<>(byKey.values());
  }

  @Override
  public String describe(Operation<Input, Output> op) {
    String what;
    if (op.input() instanceof Read r) {
      what = "read(" + r.key() + ")";
    } else if (op.input() instanceof Write w) {
      what = "write(" + w.key() + ", " + w.value() + ")";
    } else {
      Cas c = (Cas) op.input();
      what = "cas(" + c.key() + ", " + c.expected() + " -> " + c.value() + ")";
    }
    String out = op.output().ack() == Ack.OK && op.output().value() != null
        ? op.output().value() : op.output().ack().name().toLowerCase();
    return "client " + op.client() + " " + what + " -> " + out;
  }
}
