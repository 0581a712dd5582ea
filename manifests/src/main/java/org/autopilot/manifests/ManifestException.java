package org.autopilot.manifests;

/**
 * A manifest that cannot be read, with where: file, line and column (1-based; 0 when unknown)
 * and the field path, e.g. {@code files[2].sha256}.
 */
public final class ManifestException extends Exception {
  private final String file;
  private final int line;
  private final int column;
  private final String field;
  private final String problem;

  /** A problem at a position in {@code file}. */
  public ManifestException(String file, int line, int column, String field, String problem) {
    super(file + (line > 0 ? ":" + line + ":" + column : "")
        + (field == null || field.isEmpty() ? "" : " (" + field + ")") + ": " + problem);
    this.file = file;
    this.line = line;
    this.column = column;
    this.field = field;
    this.problem = problem;
  }

  /** The file named when reading. */
  public String file() {
    return file;
  }

  /** 1-based line, 0 when unknown. */
  public int line() {
    return line;
  }

  /** 1-based column, 0 when unknown. */
  public int column() {
    return column;
  }

  /** Path of the offending field, or empty. */
  public String field() {
    return field == null ? "" : field;
  }

  /** What is wrong, without the position. */
  public String problem() {
    return problem;
  }
}
