package io.vmgrid.rules.trace;

import java.util.List;

/** A trace file is malformed; {@link #problems()} lists every problem found (up to a cap). */
public final class TraceFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final List<TraceProblem> problems;

  /** Creates the exception; {@code problems} must not be empty. */
  public TraceFormatException(List<TraceProblem> problems, long total) {
    super(total + " problem(s), first: " + problems.get(0)
        + (problems.size() > 1 ? " (and " + (total - 1) + " more)" : ""));
    this.problems = List.copyOf(problems);
  }

  /** The problems, in file order. */
  public List<TraceProblem> problems() {
    return problems;
  }
}
