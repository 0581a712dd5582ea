package org.autopilot.appmanager;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Follows the apps' output files ({@code logs/APP.log}, written by {@link AppSupervisor}) and
 * turns new complete lines into log lines of app {@code APP}. Files present when the agent
 * starts are followed from their end (what they hold was written before); files that appear
 * later from their start; a file that shrank (rotated, truncated) from its start again. Each
 * read is bounded per file, a line longer than {@link #MAX_LINE} is cut, and the level is taken
 * from a level word near the line's start ({@code ERROR}, {@code WARN}, ...), {@code INFO}
 * otherwise.
 */
final class AppLogTail {
  /** Longest line kept (the collection service stores at most 8,192 characters). */
  static final int MAX_LINE = 8000;
  /** Most bytes read from one file per call. */
  static final int MAX_READ = 1 << 20;
  private static final Pattern LEVEL = Pattern.compile(
      "\\b(TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL|SEVERE|CRITICAL)\\b");

  /** Takes one line. */
  interface Lines {
    void line(String app, String level, String text);
  }

  private final Path dir;
  private final Map<Path, Long> offsets = new HashMap<>();
  private final Map<Path, StringBuilder> partial = new HashMap<>();
  private final Set<Path> known = new HashSet<>();
  private boolean first = true;

  AppLogTail(Path dir) {
    this.dir = dir;
  }

  /** Reads what was appended since the last call. */
  void poll(Lines out) {
    if (!Files.isDirectory(dir)) {
      first = false;
      return;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.log")) {
      for (Path f : files) {
        String name = f.getFileName().toString();
        String app = name.substring(0, name.length() - 4);
        if (known.add(f)) {
          offsets.put(f, first ? Files.size(f) : 0L);
        }
        read(f, app, out);
      }
    } catch (IOException e) {
      // the next poll tries again
    }
    first = false;
  }

  private void read(Path f, String app, Lines out) throws IOException {
    long size = Files.size(f);
    long offset = offsets.getOrDefault(f, 0L);
    if (size < offset) {
      offset = 0;
      partial.remove(f);
    }
    if (size == offset) {
      return;
    }
    int n = (int) Math.min(MAX_READ, size - offset);
    byte[] buf = new byte[n];
    try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "r")) {
      raf.seek(offset);
      raf.readFully(buf);
    }
    offsets.put(f, offset + n);
    String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
        .onUnmappableCharacter(CodingErrorAction.REPLACE).decode(java.nio.ByteBuffer.wrap(buf)).toString();
    StringBuilder carry = partial.computeIfAbsent(f, k -> new StringBuilder());
    int start = 0;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        carry.append(text, start, i);
        emit(app, carry, out);
        start = i + 1;
      }
    }
    carry.append(text, start, text.length());
    if (carry.length() > MAX_LINE) {
      emit(app, carry, out);
    }
  }

  private static void emit(String app, StringBuilder carry, Lines out) {
    String line = carry.length() > MAX_LINE ? carry.substring(0, MAX_LINE) : carry.toString();
    carry.setLength(0);
    if (line.endsWith("\r")) {
      line = line.substring(0, line.length() - 1);
    }
    line = line.replace('\0', '\uFFFD');
    if (!line.isBlank()) {
      out.line(app, level(line), line);
    }
  }

  /** The level a line names near its start, as the collection knows levels. */
  static String level(String line) {
    Matcher m = LEVEL.matcher(line.length() > 64 ? line.substring(0, 64) : line);
    if (!m.find()) {
      return "INFO";
    }
    return switch (m.group(1)) {
      case "WARNING" -> "WARN";
      case "FATAL", "SEVERE", "CRITICAL" -> "ERROR";
      default -> m.group(1);
    };
  }
}
