package io.vmgrid.rules.trace;

/**
 * One malformed line or value in a trace file.
 *
 * @param file the file name
 * @param line the 1-based line number
 * @param field the column or key
 * @param message what is wrong
 */
public record TraceProblem(String file, long line, String field, String message) {

  @Override
  public String toString() {
    return file + ":" + line + ": " + field + ": " + message;
  }
}
