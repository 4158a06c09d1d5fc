package io.vmgrid.rules.api;

/** A hard constraint: a server (or cluster) passes or fails with a reason. */
public non-sealed interface ValidatorRule extends Rule {

  /** Whether {@code index} passes for the context's request. */
  boolean passes(EvalContext ctx, int index);

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
