package io.vmgrid.rules.api;

import java.util.Set;

/** A hard constraint: a server (or cluster) passes or fails with a reason. */
public non-sealed interface ValidatorRule extends Rule {

  /** Whether {@code index} passes for the context's request. */
  boolean passes(EvalContext ctx, int index);

  /**
   * Evaluates indexes {@code from} (inclusive) to {@code to} (exclusive), setting or clearing bit
   * {@code i} of {@code bits} (bit {@code i & 63} of word {@code i >>> 6}) as {@link #passes} says.
   * Override only for speed; the result must equal calling {@link #passes} on each index.
   */
  default void evaluate(EvalContext ctx, int from, int to, long[] bits) {
    for (int i = from; i < to; i++) {
      set(bits, i, passes(ctx, i));
    }
  }

  /** Sets ({@code value} true) or clears bit {@code i} of {@code bits}. */
  static void set(long[] bits, int i, boolean value) {
    if (value) {
      bits[i >>> 6] |= 1L << i;
    } else {
      bits[i >>> 6] &= ~(1L << i);
    }
  }

  /**
   * Whether every index passes for the context's request, known without looking at them (a request
   * without an availability set passes every spread rule). The engine then skips the rule for this
   * request. Returning false is always safe; true must mean {@link #passes} is true everywhere.
   */
  default boolean passesEverywhere(EvalContext ctx) {
    return false;
  }

  /** Why {@code index} fails; called only for indexes that fail. */
  default String reason(EvalContext ctx, int index) {
    return "failed " + name();
  }

  /**
   * Whether this rule is about free capacity or health, so that when it alone rejects every server
   * the request waits for capacity ({@code NO_CAPACITY}) rather than asks for what the zone cannot
   * give ({@code CONSTRAINT_UNSATISFIABLE}). By default a rule whose result changes with a
   * server's usage or health ({@link #affectedBy()}): derived from what the rule declares, not from
   * its name, so a rule file that names its rules otherwise is classified the same.
   */
  default boolean capacityRule() {
    Set<ChangeKind> kinds = affectedBy();
    return kinds.contains(ChangeKind.USAGE) || kinds.contains(ChangeKind.HEALTH);
  }

  /** The verdict for {@code index}: the rule's name, pass or fail, and a reason. */
  default Verdict verdict(EvalContext ctx, int index) {
    return passes(ctx, index)
        ? new Verdict(name(), true, "passed")
        : new Verdict(name(), false, reason(ctx, index));
  }
}
