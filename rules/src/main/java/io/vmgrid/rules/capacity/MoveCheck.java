package io.vmgrid.rules.capacity;

import java.util.List;

/**
 * Whether a {@link Move} is valid against an inventory's current state, and if not why: each problem
 * names the rule or field that failed, e.g. {@code cores-fit: needs 16 cores, 8 free}.
 *
 * @param move the move checked
 * @param problems what fails; empty if the move is valid
 */
public record MoveCheck(Move move, List<String> problems) {

  /** Copies the list. */
  public MoveCheck {
    problems = List.copyOf(problems);
  }

  /** Whether the move is valid. */
  public boolean valid() {
    return problems.isEmpty();
  }
}
