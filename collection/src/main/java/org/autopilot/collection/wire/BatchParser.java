package org.autopilot.collection.wire;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.autopilot.collection.model.CounterKey;
import org.autopilot.collection.model.LogLine;
import org.autopilot.manifests.Durations;

/**
 * Reads one batch strictly: gzip inflated with a bound (a body inflating past
 * {@link Limits#maxInflatedBytes} is refused, so a small bomb cannot fill memory), JSON read
 * with Jackson's streaming parser (no unknown or duplicate keys, no {@code NaN}, bounded
 * nesting and string length), every name checked, every time inside the accepted window,
 * counts bounded. Any fault refuses the whole batch with a message naming the place in the
 * document ({@code samples[3].points[7][1]}) and its line and column. Samples are collected
 * into primitive arrays per series: no object per sample. Thread-safe; one per service.
 */
public final class BatchParser {
  private static final JsonFactory JSON = JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(8)
          .maxStringLength(LogLine.MAX_TEXT * 6 + 64).maxNumberLength(64).build())
      .build();

  private final Limits limits;

  /** A parser enforcing {@code limits}. */
  public BatchParser(Limits limits) {
    this.limits = limits;
  }

  /** The limits enforced. */
  public Limits limits() {
    return limits;
  }

  /**
   * Parses a body as sent ({@code gzip}: whether it is gzip-compressed), checking times against
   * {@code now}.
   */
  public Batch parse(byte[] body, boolean gzip, Instant now) throws BadBatch {
    if (body.length > limits.maxBodyBytes()) {
      throw new BadBatch(413, "body of " + body.length + " bytes is larger than "
          + limits.maxBodyBytes());
    }
    InputStream in = new ByteArrayInputStream(body);
    try {
      if (gzip) {
        in = new Bounded(new GZIPInputStream(in, 8192), limits.maxInflatedBytes());
      }
      try (JsonParser p = JSON.createParser(in)) {
        return new Reader(p, now.toEpochMilli()).batch();
      }
    } catch (TooLarge e) {
      throw new BadBatch(413, "gzip body inflates past " + limits.maxInflatedBytes()
          + " bytes (" + body.length + " bytes sent); refused as a possible gzip bomb");
    } catch (ZipException | EOFException e) {
      throw new BadBatch(400, "body is not valid gzip: " + e.getMessage());
    } catch (StreamConstraintsException e) {
      throw new BadBatch(400, "JSON too deep or a value too long: " + e.getOriginalMessage());
    } catch (JsonParseException e) {
      throw new BadBatch(400, path(e) + "malformed JSON" + where(e.getLocation()) + ": "
          + e.getOriginalMessage().replaceAll(": enable `[A-Za-z_.]+` to allow", ""));
    } catch (IOException e) {
      throw new BadBatch(400, "unreadable body: " + e.getMessage());
    }
  }

  /** Where in the document a syntax error is, as {@code samples[1].points[0][1]: }, or empty. */
  private static String path(JsonParseException e) {
    JsonParser p = e.getProcessor();
    if (p == null || p.getParsingContext() == null) {
      return "";
    }
    StringBuilder b = new StringBuilder();
    for (com.fasterxml.jackson.core.JsonPointer ptr = p.getParsingContext().pathAsPointer();
        ptr != null && !ptr.matches(); ptr = ptr.tail()) {
      if (ptr.mayMatchElement()) {
        b.append('[').append(ptr.getMatchingIndex()).append(']');
      } else {
        b.append(b.length() == 0 ? "" : ".").append(ptr.getMatchingProperty());
      }
    }
    return b.length() == 0 ? "" : b + ": ";
  }

  private static String where(JsonLocation l) {
    return l == null ? "" : " at line " + l.getLineNr() + ", column " + l.getColumnNr();
  }

  /** One parse: the parser, the clock and the running totals. */
  private final class Reader {
    private final JsonParser p;
    private final long earliest;
    private final long latest;
    private int samples;
    private long minT = Long.MAX_VALUE;

    Reader(JsonParser p, long now) {
      this.p = p;
      this.earliest = now - limits.maxAge().toMillis();
      this.latest = now + limits.maxFuture().toMillis();
    }

    Batch batch() throws IOException, BadBatch {
      expect(p.nextToken(), JsonToken.START_OBJECT, "the body");
      String machine = null;
      List<Batch.SeriesSamples> series = new ArrayList<>();
      List<LogLine> logs = new ArrayList<>();
      List<PendingLog> pending = new ArrayList<>();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken t = p.nextToken();
        switch (field) {
          case "machine" -> {
            machine = string(t, "machine");
            if (!CounterKey.NAME.matcher(machine).matches()) {
              throw bad("machine", "'" + clip(machine) + "' is not a machine id");
            }
          }
          case "samples" -> samples(t, series);
          case "logs" -> logs(t, pending);
          default -> throw bad(field, "unknown field (known: machine, samples, logs)");
        }
      }
      if (p.nextToken() != null) {
        throw bad("the body", "trailing content after the JSON object");
      }
      if (machine == null) {
        throw bad("machine", "missing");
      }
      for (PendingLog l : pending) {
        logs.add(new LogLine(l.t, machine, l.app, l.level, l.text));
      }
      return new Batch(machine, List.copyOf(series), List.copyOf(logs), samples, minT);
    }

    private void samples(JsonToken t, List<Batch.SeriesSamples> out) throws IOException, BadBatch {
      expect(t, JsonToken.START_ARRAY, "samples");
      int i = 0;
      while (p.nextToken() != JsonToken.END_ARRAY) {
        expect(p.currentToken(), JsonToken.START_OBJECT, "samples[" + i + "]");
        String app = "";
        String counter = null;
        long[] times = null;
        double[] values = null;
        int n = 0;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String field = p.currentName();
          JsonToken v = p.nextToken();
          switch (field) {
            case "app" -> app = string(v, "samples[" + i + "].app");
            case "counter" -> counter = string(v, "samples[" + i + "].counter");
            case "points" -> {
              expect(v, JsonToken.START_ARRAY, "samples[" + i + "].points");
              times = new long[16];
              values = new double[16];
              while (p.nextToken() != JsonToken.END_ARRAY) {
                if (n == times.length) {
                  times = Arrays.copyOf(times, n * 2);
                  values = Arrays.copyOf(values, n * 2);
                }
                point(i, n, times, values);
                n++;
                if (++samples > limits.maxSamples()) {
                  throw new BadBatch(413, "batch holds more than " + limits.maxSamples() + " samples");
                }
              }
            }
            default -> throw bad("samples[" + i + "]." + field, "unknown field (known: app, counter, points)");
          }
        }
        if (counter == null) {
          throw bad("samples[" + i + "].counter", "missing");
        }
        if (!app.isEmpty() && !CounterKey.NAME.matcher(app).matches()) {
          throw bad("samples[" + i + "].app", "'" + clip(app) + "' must be empty or match " + CounterKey.NAME);
        }
        if (!CounterKey.COUNTER.matcher(counter).matches()) {
          throw bad("samples[" + i + "].counter", "'" + clip(counter) + "' must match " + CounterKey.COUNTER);
        }
        if (times == null) {
          throw bad("samples[" + i + "].points", "missing");
        }
        out.add(new Batch.SeriesSamples(app, counter, Arrays.copyOf(times, n), Arrays.copyOf(values, n)));
        i++;
      }
    }

    private void point(int i, int j, long[] times, double[] values) throws IOException, BadBatch {
      // no string is built here unless something is wrong: this runs once per sample
      if (p.currentToken() != JsonToken.START_ARRAY) {
        throw bad(pointAt(i, j, -1), "expected [time, value], found " + describe(p.currentToken()));
      }
      if (p.nextToken() != JsonToken.VALUE_NUMBER_INT) {
        throw bad(pointAt(i, j, 0), "expected the time as epoch milliseconds (an integer), found "
            + describe(p.currentToken()));
      }
      long t = p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? Long.MIN_VALUE : p.getLongValue();
      if (t < earliest || t > latest) {
        throw badTime(pointAt(i, j, 0), t);
      }
      JsonToken vt = p.nextToken();
      if (vt != JsonToken.VALUE_NUMBER_INT && vt != JsonToken.VALUE_NUMBER_FLOAT) {
        throw bad(pointAt(i, j, 1), "expected a number, found " + describe(vt));
      }
      double v = p.getDoubleValue();
      if (!Double.isFinite(v)) {
        throw bad(pointAt(i, j, 1), "value " + clip(p.getText()) + " is not a finite number");
      }
      if (p.nextToken() != JsonToken.END_ARRAY) {
        throw bad(pointAt(i, j, -1), "a point is exactly [time, value]");
      }
      minT = Math.min(minT, t);
      times[j] = t;
      values[j] = v;
    }

    private String pointAt(int i, int j, int k) {
      return "samples[" + i + "].points[" + j + "]" + (k < 0 ? "" : "[" + k + "]");
    }

    private void logs(JsonToken t, List<PendingLog> out) throws IOException, BadBatch {
      expect(t, JsonToken.START_ARRAY, "logs");
      int i = 0;
      while (p.nextToken() != JsonToken.END_ARRAY) {
        String at = "logs[" + i + "]";
        expect(p.currentToken(), JsonToken.START_OBJECT, at);
        if (out.size() >= limits.maxLogs()) {
          throw new BadBatch(413, "batch holds more than " + limits.maxLogs() + " log lines");
        }
        Long time = null;
        String app = "";
        String level = null;
        String text = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String field = p.currentName();
          JsonToken v = p.nextToken();
          switch (field) {
            case "t" -> {
              if (v != JsonToken.VALUE_NUMBER_INT) {
                throw bad(at + ".t", "expected epoch milliseconds (an integer), found " + describe(v));
              }
              time = time(at + ".t");
            }
            case "app" -> app = string(v, at + ".app");
            case "level" -> level = string(v, at + ".level");
            case "text" -> text = string(v, at + ".text");
            default -> throw bad(at + "." + field, "unknown field (known: t, app, level, text)");
          }
        }
        if (time == null || level == null || text == null) {
          throw bad(at, "t, level and text are required");
        }
        if (!app.isEmpty() && !CounterKey.NAME.matcher(app).matches()) {
          throw bad(at + ".app", "'" + clip(app) + "' must be empty or match " + CounterKey.NAME);
        }
        if (!LogLine.LEVELS.contains(level)) {
          throw bad(at + ".level", "'" + clip(level) + "' is not one of " + LogLine.LEVELS);
        }
        if (text.length() > LogLine.MAX_TEXT) {
          throw bad(at + ".text", text.length() + " characters, more than " + LogLine.MAX_TEXT);
        }
        if (text.indexOf('\0') >= 0) {
          throw bad(at + ".text", "contains a NUL character");
        }
        out.add(new PendingLog(time, app, level, text));
        i++;
      }
    }

    private long time(String at) throws IOException, BadBatch {
      long t = p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? Long.MIN_VALUE : p.getLongValue();
      if (t < earliest || t > latest) {
        throw badTime(at, t);
      }
      minT = Math.min(minT, t);
      return t;
    }

    private BadBatch badTime(String at, long t) throws IOException {
      if (t == Long.MIN_VALUE) {
        return bad(at, "time " + clip(p.getText()) + " is out of range");
      }
      return bad(at, "time " + t + " (" + (t >= -62135596800000L && t <= 253402300799999L
          ? Instant.ofEpochMilli(t).toString() : "not a date") + ") is outside the accepted window "
          + Instant.ofEpochMilli(earliest) + " .. " + Instant.ofEpochMilli(latest)
          + " (at most " + Durations.format(limits.maxAge()) + " old, "
          + Durations.format(limits.maxFuture()) + " ahead)");
    }

    private String string(JsonToken t, String at) throws IOException, BadBatch {
      if (t != JsonToken.VALUE_STRING) {
        throw bad(at, "expected a string, found " + describe(t));
      }
      return p.getText();
    }

    private void expect(JsonToken t, JsonToken want, String at) throws BadBatch {
      if (t != want) {
        throw bad(at, "expected " + describe(want) + ", found " + describe(t));
      }
    }

    private BadBatch bad(String at, String what) {
      return new BadBatch(400, at + where(p.currentLocation()) + ": " + what);
    }
  }

  /** A line before the machine is known (the field may come last). */
  private record PendingLog(long t, String app, String level, String text) {}

  private static String describe(JsonToken t) {
    if (t == null) {
      return "the end of the body";
    }
    return switch (t) {
      case START_OBJECT -> "an object";
      case START_ARRAY -> "an array";
      case END_ARRAY -> "the end of an array";
      case END_OBJECT -> "the end of an object";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> t.toString();
    };
  }

  private static String clip(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }

  /** Signals that the inflated body passed its bound. */
  private static final class TooLarge extends IOException {
    TooLarge() {
      super("inflated body too large", null);
    }
  }

  /** Counts what passes and fails once more than {@code max} bytes did. */
  private static final class Bounded extends FilterInputStream {
    private final long max;
    private long count;

    Bounded(InputStream in, long max) {
      super(in);
      this.max = max;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0 && ++count > max) {
        throw new TooLarge();
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0 && (count += n) > max) {
        throw new TooLarge();
      }
      return n;
    }
  }
}
