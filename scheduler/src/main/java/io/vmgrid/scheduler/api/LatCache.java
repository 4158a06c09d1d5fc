package io.vmgrid.scheduler.api;

/**
 * Kamino's LatCache estimate (PAPERS.md section 2):
 * {@code L(a, r) = queueTime(a) + processingTime(a, r) + remainingProcTime(a)}.
 */
public final class LatCache {
  private LatCache() {}

  /**
   * {@code processingTime(a, r)} judged against the agent's augmented cache: a top-level hit costs
   * the hit estimate; otherwise the sum over the request's rules of the rule-hit or rule-miss
   * estimate ({@code ruleVariant}), or of the rule-miss estimate for every rule (request variant);
   * either way plus the {@linkplain LatencyEstimates#commitNanos() commit estimate}.
   */
  public static long processingNanos(
      ClassifiedRequest r, AgentIndicators agent, LatencyEstimates e, boolean ruleVariant) {
    if (agent.augmentedHasType(r.typeKey())) {
      return e.topHitNanos() + e.commitNanos();
    }
    long sum = e.commitNanos();
    for (int i = 0; i < r.ruleCount(); i++) {
      int rule = r.ruleId(i);
      sum += ruleVariant && agent.augmentedHasRule(r.ruleKey(i))
          ? e.ruleHitNanos(rule)
          : e.ruleMissNanos(rule);
    }
    return sum;
  }

  /**
   * The full latency estimate {@code L(a, r)} of sending {@code r} to agent {@code a} now, with the
   * agent's {@linkplain AgentIndicators#transferNanos() transfer cost} (0 unless another member must
   * be reached first).
   */
  public static long latencyNanos(
      ClassifiedRequest r, AgentIndicators a, LatencyEstimates e, long nowNanos, boolean ruleVariant) {
    return a.queueTimeNanos() + processingNanos(r, a, e, ruleVariant) + a.remainingNanos(nowNanos)
        + a.transferNanos();
  }
}
