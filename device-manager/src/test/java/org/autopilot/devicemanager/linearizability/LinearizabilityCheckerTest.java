package org.autopilot.devicemanager.linearizability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.autopilot.devicemanager.linearizability.CasRegister.Cas;
import org.autopilot.devicemanager.linearizability.CasRegister.Input;
import org.autopilot.devicemanager.linearizability.CasRegister.Output;
import org.autopilot.devicemanager.linearizability.CasRegister.Read;
import org.autopilot.devicemanager.linearizability.CasRegister.Write;
import org.autopilot.devicemanager.linearizability.LinearizabilityChecker.Result;
import org.autopilot.devicemanager.linearizability.LinearizabilityChecker.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The checker against histories whose verdict is known: hand-made ones and Jepsen's. */
class LinearizabilityCheckerTest {
  static final CasRegister REGISTER = new CasRegister("0");
  static final long NEVER = Operation.NEVER;

  static Operation<Input, Output> op(int client, Input in, long call, Output out, long ret) {
    return new Operation<>(client, in, call, out, ret);
  }

  static Result<Input, Output> check(List<Operation<Input, Output>> history) {
    return LinearizabilityChecker.check(REGISTER, history, Duration.ofSeconds(10));
  }

  @Test
  void anEmptyHistoryAndSequentialOnesThatFollowTheModelAreLinearizable() {
    assertThat(check(List.of()).verdict()).isEqualTo(Verdict.LINEARIZABLE);
    assertThat(check(List.of(
        op(0, new Read("x"), 0, Output.read("0"), 1),
        op(0, new Write("x", "a"), 2, Output.OK, 3),
        op(1, new Cas("x", "a", "b"), 4, Output.OK, 5),
        op(1, new Cas("x", "a", "c"), 6, Output.STALE, 7),
        op(0, new Read("x"), 8, Output.read("b"), 9))).verdict())
        .isEqualTo(Verdict.LINEARIZABLE);
  }

  @Test
  void concurrentOperationsMayTakeEffectInEitherOrder() {
    // write a [0, 10] overlaps both reads; the first read sees the old value, the second the new
    assertThat(check(List.of(
        op(0, new Write("x", "a"), 0, Output.OK, 10),
        op(1, new Read("x"), 1, Output.read("0"), 2),
        op(1, new Read("x"), 3, Output.read("a"), 4))).ok()).isTrue();
    // intervals are closed: a read that starts the instant a write returns may still precede it
    assertThat(check(List.of(
        op(0, new Write("x", "a"), 0, Output.OK, 5),
        op(1, new Read("x"), 5, Output.read("0"), 6))).ok()).isTrue();
  }

  @Test
  void aStaleReadAfterACompletedWriteIsNotLinearizable() {
    Result<Input, Output> r = check(List.of(
        op(0, new Write("x", "a"), 0, Output.OK, 1),
        op(1, new Read("x"), 2, Output.read("0"), 3)));
    assertThat(r.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
    assertThat(r.failed()).hasSize(2);
    assertThat(r.longest()).extracting(o -> o.input()).containsExactly(new Write("x", "a"));
  }

  @Test
  void aReadMustNotGoBackwardsEvenWhenBothOverlapTheWrite() {
    assertThat(check(List.of(
        op(0, new Write("x", "a"), 0, Output.OK, 10),
        op(1, new Read("x"), 1, Output.read("a"), 2),
        op(1, new Read("x"), 3, Output.read("0"), 4))).verdict())
        .isEqualTo(Verdict.NOT_LINEARIZABLE);
  }

  @Test
  void twoSuccessfulCompareAndSetsFromTheSameValueAreNotLinearizable() {
    assertThat(check(List.of(
        op(0, new Cas("x", "0", "a"), 0, Output.OK, 10),
        op(1, new Cas("x", "0", "b"), 1, Output.OK, 9))).verdict())
        .isEqualTo(Verdict.NOT_LINEARIZABLE);
    // one of them refused: fine, in the order that refuses it
    assertThat(check(List.of(
        op(0, new Cas("x", "0", "a"), 0, Output.OK, 10),
        op(1, new Cas("x", "0", "b"), 1, Output.STALE, 9))).ok()).isTrue();
  }

  @Test
  void aCompareAndSetRefusedWhileItsExpectedValueWasCertainlyThereIsNotLinearizable() {
    assertThat(check(List.of(
        op(0, new Write("x", "a"), 0, Output.OK, 1),
        op(1, new Cas("x", "a", "b"), 2, Output.STALE, 3))).verdict())
        .isEqualTo(Verdict.NOT_LINEARIZABLE);
  }

  @Test
  void anOperationOfUnknownOutcomeMayTakeEffectLateOrNever() {
    // the write's answer was lost; a later read sees it: it took effect
    assertThat(check(List.of(
        op(0, new Write("x", "a"), 0, Output.UNKNOWN, NEVER),
        op(1, new Read("x"), 5, Output.read("a"), 6))).ok()).isTrue();
    // ... or does not see it: it has not (yet) taken effect
    assertThat(check(List.of(
        op(0, new Write("x", "a"), 0, Output.UNKNOWN, NEVER),
        op(1, new Read("x"), 5, Output.read("0"), 6),
        op(1, new Read("x"), 7, Output.read("a"), 8),
        op(1, new Read("x"), 9, Output.read("a"), 10))).ok()).isTrue();
    // but once seen it cannot be unseen
    assertThat(check(List.of(
        op(0, new Write("x", "a"), 0, Output.UNKNOWN, NEVER),
        op(1, new Read("x"), 5, Output.read("a"), 6),
        op(1, new Read("x"), 7, Output.read("0"), 8))).verdict())
        .isEqualTo(Verdict.NOT_LINEARIZABLE);
    // and it cannot take effect before it was invoked
    assertThat(check(List.of(
        op(1, new Read("x"), 0, Output.read("a"), 1),
        op(0, new Write("x", "a"), 2, Output.UNKNOWN, NEVER))).verdict())
        .isEqualTo(Verdict.NOT_LINEARIZABLE);
  }

  @Test
  void keysAreCheckedApartAndAViolationOnOneIsFound() {
    List<Operation<Input, Output>> history = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      history.add(op(0, new Write("k" + i, "v" + i), 10L * i, Output.OK, 10L * i + 5));
      history.add(op(1, new Read("k" + i), 10L * i + 2, Output.read(i % 2 == 0 ? "0" : "v" + i), 10L * i + 3));
    }
    Result<Input, Output> ok = check(history);
    assertThat(ok.ok()).isTrue();
    assertThat(ok.partitions()).isEqualTo(50);
    history.add(op(1, new Read("k7"), 1000, Output.read("0"), 1001));
    Result<Input, Output> bad = check(history);
    assertThat(bad.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
    assertThat(bad.failed()).allMatch(o -> o.input().key().equals("k7"));
  }

  @Test
  void manyConcurrentClientsOfACorrectRegisterStayLinearizable() {
    // a simulated atomic register: each op takes effect at a random instant inside its interval
    Random random = new Random(42);
    List<Operation<Input, Output>> history = new ArrayList<>();
    String value = "0";
    long t = 0;
    int unique = 0;
    for (int i = 0; i < 400; i++) {
      long call = t + random.nextInt(5);
      long at = call + random.nextInt(5);
      long ret = at + random.nextInt(20);
      int kind = random.nextInt(3);
      Input in;
      Output out;
      if (kind == 0) {
        in = new Read("x");
        out = Output.read(value);
      } else if (kind == 1) {
        in = new Write("x", "w" + ++unique);
        value = "w" + unique;
        out = random.nextInt(10) == 0 ? Output.UNKNOWN : Output.OK;
      } else {
        String expected = random.nextBoolean() ? value : "nope";
        in = new Cas("x", expected, "c" + ++unique);
        out = expected.equals(value) ? Output.OK : Output.STALE;
        if (expected.equals(value)) {
          value = "c" + unique;
        }
      }
      history.add(op(i % 6, in, call, out, out.ack() == CasRegister.Ack.UNKNOWN ? NEVER : ret));
      t = at + 1;
    }
    assertThat(check(history).verdict()).isEqualTo(Verdict.LINEARIZABLE);
  }

  @Test
  void theTimeBudgetRunningOutIsUnknownNotAVerdict() {
    List<Operation<Input, Output>> history = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      history.add(op(i, new Write("x", "v" + i), 0, Output.UNKNOWN, NEVER));
    }
    history.add(op(99, new Read("x"), 1, Output.read("never written"), 2));
    Result<Input, Output> r = LinearizabilityChecker.check(REGISTER, history, Duration.ofMillis(200));
    assertThat(r.verdict()).isEqualTo(Verdict.UNKNOWN);
  }

  @ParameterizedTest(name = "etcd_{0} linearizable: {1}")
  @CsvSource({"000,false", "001,false", "002,true", "003,false", "005,true", "006,false",
      "007,true", "018,true", "025,true", "031,true"})
  void reachesPorcupinesVerdictsOnJepsensEtcdHistories(String n, boolean linearizable)
      throws IOException {
    Result<Input, Output> r = LinearizabilityChecker.check(new CasRegister("nil"),
        jepsenLog("/porcupine-jepsen/etcd_" + n + ".txt"), Duration.ofSeconds(30));
    assertThat(r.verdict()).isEqualTo(linearizable ? Verdict.LINEARIZABLE : Verdict.NOT_LINEARIZABLE);
  }

  private static final Pattern LINE = Pattern.compile(
      "^INFO\\s+jepsen\\.util\\s+-\\s+(\\d+)\\s+:(invoke|ok|fail|info)\\s+:(read|write|cas)\\s+(.*)$");

  /**
   * A Jepsen log as a history: each line is one instant; an invocation never answered with
   * {@code :ok} or {@code :fail} is pending forever; a read that failed is unknown.
   */
  static List<Operation<Input, Output>> jepsenLog(String resource) throws IOException {
    record Pending(Input input, long call) {}
    Map<Integer, Pending> pending = new HashMap<>();
    List<Operation<Input, Output>> ops = new ArrayList<>();
    long t = 0;
    try (BufferedReader in = new BufferedReader(new InputStreamReader(
        LinearizabilityCheckerTest.class.getResourceAsStream(resource), StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine(), t++) {
        Matcher m = LINE.matcher(line);
        if (!m.matches()) {
          continue;
        }
        int process = Integer.parseInt(m.group(1));
        String type = m.group(2);
        String f = m.group(3);
        String arg = m.group(4).trim();
        if (type.equals("invoke")) {
          Input input;
          if (f.equals("read")) {
            input = new Read("r");
          } else if (f.equals("write")) {
            input = new Write("r", arg);
          } else {
            String[] fromTo = arg.replace("[", "").replace("]", "").split("\\s+");
            input = new Cas("r", fromTo[0], fromTo[1]);
          }
          pending.put(process, new Pending(input, t));
        } else if (type.equals("ok") || type.equals("fail")) {
          Pending p = pending.remove(process);
          Output out;
          if (f.equals("read")) {
            out = type.equals("ok") ? Output.read(arg) : Output.UNKNOWN;
          } else if (f.equals("write")) {
            out = Output.OK;
          } else {
            out = type.equals("ok") ? Output.OK : Output.STALE;
          }
          ops.add(op(process, p.input(), p.call(), out, t));
        }
      }
    }
    pending.forEach((process, p) -> ops.add(op(process, p.input(), p.call(), Output.UNKNOWN, NEVER)));
    return ops;
  }
}
