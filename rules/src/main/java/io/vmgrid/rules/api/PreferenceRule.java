package io.vmgrid.rules.api;

/**
 * A soft rule: a raw score per server (or cluster), higher is better. The engine maps raw scores to
 * {@code [0, 1]} with the rule's declared {@link #minScore()} and {@link #maxScore()} and combines them;
 * scores outside the range are clamped.
 */
public non-sealed interface PreferenceRule extends Rule {

  /** The raw score of {@code index} for the context's request. */
  double score(EvalContext ctx, int index);

  /**
   * Writes the raw scores of indexes {@code from} (inclusive) to {@code to} (exclusive) to
   * {@code out[i - from]}. Override only for speed; the result must equal {@link #score} per index.
   */
  default void score(EvalContext ctx, int from, int to, double[] out) {
    for (int i = from; i < to; i++) {
      out[i - from] = score(ctx, i);
    }
  }

  /** The lowest raw score; 0 by default. */
  default double minScore() {
    return 0;
  }

  /** The highest raw score; 1 by default. */
  default double maxScore() {
    return 1;
  }
}
