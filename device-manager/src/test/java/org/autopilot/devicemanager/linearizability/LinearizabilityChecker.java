package org.autopilot.devicemanager.linearizability;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Decides whether a concurrent history is linearizable with respect to a {@link Model}: a port of
 * Porcupine (Anish Athalye, MIT licence, github.com/anishathalye/porcupine, {@code checker.go}),
 * which implements the Wing &amp; Gong search with Lowe's memoisation (the "WGL" algorithm of
 * Lowe, "Testing for linearizability", 2017) and checks each part of a partitioned history on its
 * own (P-compositionality, Horn &amp; Kroening 2015).
 *
 * <p>The history becomes a doubly linked list of call and return entries in time order (a call
 * sorts before a return at the same instant: intervals are closed). The search walks the list:
 * at a call it tries to linearize that operation now, i.e. applies it to the model state; if the
 * model accepts and the pair (set of linearized operations, new state) has not been seen before,
 * the call and its return are unlinked from the list and the search restarts from the head. At a
 * return whose call is still in the list, no pending operation can be linearized before it, so the
 * search backtracks: it undoes the most recent linearization and tries the next candidate. The
 * history is linearizable iff the list empties; it is not iff the search backtracks out of the
 * first choice. Operations whose outcome is unknown return at {@link Operation#NEVER}, so they
 * never force a backtrack and can be linearized anywhere after their call.
 */
public final class LinearizabilityChecker {
  /** The answer. */
  public enum Verdict {
    /** Some total order consistent with real time explains every answer. */
    LINEARIZABLE,
    /** None does. */
    NOT_LINEARIZABLE,
    /** The time budget ran out first. */
    UNKNOWN
  }

  /**
   * A verdict with evidence.
   *
   * @param verdict the answer
   * @param partitions parts checked
   * @param failed for {@link Verdict#NOT_LINEARIZABLE}, the operations of the first part that
   *     is not, in call order; else empty
   * @param longest for a failed part, the longest order found that explains a prefix of it
   * @param took time spent checking
   */
  public record Result<I, O>(Verdict verdict, int partitions, List<Operation<I, O>> failed,
      List<Operation<I, O>> longest, Duration took) {
    /** Whether the history is linearizable. */
    public boolean ok() {
      return verdict == Verdict.LINEARIZABLE;
    }
  }

  private LinearizabilityChecker() {}

  /** Checks {@code history} against {@code model}, giving up after {@code timeout}. */
  public static <S, I, O> Result<I, O> check(Model<S, I, O> model, List<Operation<I, O>> history,
      Duration timeout) {
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    List<List<Operation<I, O>>> parts = model.partition(history);
    boolean timedOut = false;
    for (List<Operation<I, O>> part : parts) {
      Search<S, I, O> s = new Search<>(model, part, deadline);
      Verdict v = s.run();
      if (v == Verdict.NOT_LINEARIZABLE) {
        List<Operation<I, O>> sorted = new ArrayList<>(part);
        sorted.sort(Comparator.comparingLong(Operation::call));
        return new Result<>(v, parts.size(), sorted, s.longest(),
            Duration.ofNanos(System.nanoTime() - start));
      }
      timedOut |= v == Verdict.UNKNOWN;
    }
    return new Result<>(timedOut ? Verdict.UNKNOWN : Verdict.LINEARIZABLE, parts.size(), List.of(),
        List.of(), Duration.ofNanos(System.nanoTime() - start));
  }

  /** A call or return entry of the linked list; a call knows its return ({@code match}). */
  private static final class Node {
    final int id;
    final Node match;
    Node prev;
    Node next;

    Node(int id, Node match) {
      this.id = id;
      this.match = match;
    }
  }

  /** A memoised configuration: which operations are linearized, and the state they lead to. */
  private record Config<S>(BitSet linearized, S state) {}

  /** A linearization decision, to undo on backtracking. */
  private record Frame<S>(Node call, S before) {}

  /** The search over one part of the history. */
  private static final class Search<S, I, O> {
    private final Model<S, I, O> model;
    private final List<Operation<I, O>> ops;
    private final long deadline;
    private List<Integer> longest = List.of();

    Search(Model<S, I, O> model, List<Operation<I, O>> ops, long deadline) {
      this.model = model;
      this.ops = ops;
      this.deadline = deadline;
    }

    List<Operation<I, O>> longest() {
      return longest.stream().map(ops::get).toList();
    }

    Verdict run() {
      Node head = linkedEntries();
      BitSet linearized = new BitSet(ops.size());
      Set<Config<S>> seen = new HashSet<>();
      Deque<Frame<S>> calls = new ArrayDeque<>();
      S state = model.init();
      Node entry = head.next;
      long steps = 0;
      while (head.next != null) {
        if ((++steps & 0x3ff) == 0 && System.nanoTime() - deadline > 0) {
          return Verdict.UNKNOWN;
        }
        if (entry.match != null) {
          Operation<I, O> op = ops.get(entry.id);
          S next = model.step(state, op.input(), op.output());
          if (next != null) {
            linearized.set(entry.id);
            if (seen.add(new Config<>((BitSet) linearized.clone(), next))) {
              calls.push(new Frame<>(entry, state));
              state = next;
              lift(entry);
              entry = head.next;
              continue;
            }
            linearized.clear(entry.id);
          }
          entry = entry.next;
        } else {
          if (calls.isEmpty()) {
            return Verdict.NOT_LINEARIZABLE;
          }
          if (calls.size() > longest.size()) {
            List<Integer> order = new ArrayList<>();
            calls.descendingIterator().forEachRemaining(f -> order.add(f.call().id));
            longest = order;
          }
          Frame<S> top = calls.pop();
          entry = top.call();
          state = top.before();
          linearized.clear(entry.id);
          unlift(entry);
          entry = entry.next;
        }
      }
      return Verdict.LINEARIZABLE;
    }

    /** The entries in time order, a call before a return at the same instant, after a head. */
    private Node linkedEntries() {
      int n = ops.size();
      Integer[] entries = new Integer[2 * n];
      for (int i = 0; i < 2 * n; i++) {
        entries[i] = i;
      }
      // entry e: operation e / 2, a call if e is even
      java.util.Arrays.sort(entries, Comparator.<Integer>comparingLong(e -> time(e))
          .thenComparingInt(e -> e % 2));
      Node[] returns = new Node[n];
      Node first = null;
      for (int i = 2 * n - 1; i >= 0; i--) {
        int e = entries[i];
        int id = e / 2;
        Node node;
        if (e % 2 == 1) {
          node = new Node(id, null);
          returns[id] = node;
        } else {
          node = new Node(id, returns[id]);
        }
        node.next = first;
        if (first != null) {
          first.prev = node;
        }
        first = node;
      }
      Node head = new Node(-1, null);
      head.next = first;
      if (first != null) {
        first.prev = head;
      }
      return head;
    }

    private long time(int entry) {
      Operation<I, O> op = ops.get(entry / 2);
      return entry % 2 == 0 ? op.call() : op.ret();
    }
  }

  /** Takes a call and its return out of the list; they keep their own links for unlift. */
  private static void lift(Node call) {
    call.prev.next = call.next;
    call.next.prev = call.prev;
    Node ret = call.match;
    ret.prev.next = ret.next;
    if (ret.next != null) {
      ret.next.prev = ret.prev;
    }
  }

  /** Puts back what {@link #lift} took out, in reverse order. */
  private static void unlift(Node call) {
    Node ret = call.match;
    ret.prev.next = ret;
    if (ret.next != null) {
      ret.next.prev = ret;
    }
    call.prev.next = call;
    call.next.prev = call;
  }
}
