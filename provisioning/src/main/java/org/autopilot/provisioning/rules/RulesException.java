package org.autopilot.provisioning.rules;

/** A machine-type rules file that cannot be read, with where: {@code file:line:column: problem}. */
public final class RulesException extends Exception {
  private final String file;
  private final int line;

  /** A problem at {@code line}:{@code column} (1-based; 0 when unknown) of {@code file}. */
  public RulesException(String file, int line, int column, String problem) {
    super(file + (line > 0 ? ":" + line + (column > 0 ? ":" + column : "") : "") + ": " + problem);
    this.file = file;
    this.line = line;
  }

  /** The file named when reading. */
  public String file() {
    return file;
  }

  /** 1-based line, 0 when unknown. */
  public int line() {
    return line;
  }
}
