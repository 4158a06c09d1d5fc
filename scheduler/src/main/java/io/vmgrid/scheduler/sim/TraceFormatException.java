package io.vmgrid.scheduler.sim;

import java.nio.file.Path;

/** A malformed trace line, naming the file, the line number and the field. */
public final class TraceFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** A problem with {@code field} on line {@code line} (1-based) of {@code file}. */
  public TraceFormatException(Path file, long line, String field, String problem) {
    super(file + " line " + line + ", field '" + field + "': " + problem);
  }
}
