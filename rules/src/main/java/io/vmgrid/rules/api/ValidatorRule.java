package io.vmgrid.rules.api;

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

  /** The verdict for {@code index}: the rule's name, pass or fail, and a reason. */
  default Verdict verdict(EvalContext ctx, int index) {
    return passes(ctx, index)
        ? new Verdict(name(), true, "passed")
        : new Verdict(name(), false, reason(ctx, index));
  }
}
