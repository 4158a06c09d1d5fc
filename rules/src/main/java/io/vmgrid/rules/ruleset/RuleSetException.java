package io.vmgrid.rules.ruleset;

import java.util.List;

/** A rule-set file is invalid; {@link #problems()} lists every problem found, each naming its place. */
public final class RuleSetException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  /** Creates the exception for {@code source} with {@code problems} ({@code "place: message"}). */
  public RuleSetException(String source, List<String> problems) {
    super("invalid rule set " + source + ":\n  " + String.join("\n  ", problems));
    this.problems = List.copyOf(problems);
  }

  /** Every problem, as {@code "source: place: message"}. */
  public List<String> problems() {
    return problems;
  }
}
