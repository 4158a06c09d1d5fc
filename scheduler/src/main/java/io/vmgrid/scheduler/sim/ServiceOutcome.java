package io.vmgrid.scheduler.sim;

/**
 * What serving one request cost and what it found in the cache; filled in by an {@link AgentBackend}.
 * Mutable and reused by the simulator to avoid an allocation per request.
 */
public final class ServiceOutcome {
  private long costNanos;
  private boolean topHit;
  private int rules;
  private final boolean[] ruleHit;
  private final long[] ruleNanos;

  /** An outcome holder for requests with at most {@code maxRules} rules. */
  public ServiceOutcome(int maxRules) {
    ruleHit = new boolean[maxRules];
    ruleNanos = new long[maxRules];
  }

  /** Starts a new outcome: a top-level hit or not, with no rule records. */
  public void reset(boolean topLevelHit) {
    this.topHit = topLevelHit;
    this.rules = 0;
    this.costNanos = 0;
  }

  /** Records the evaluation of the request's next rule (in the request's rule order). */
  public void addRule(boolean hit, long nanos) {
    ruleHit[rules] = hit;
    ruleNanos[rules] = nanos;
    rules++;
  }

  /** Sets the total service time. */
  public void cost(long nanos) {
    this.costNanos = nanos;
  }

  /** The total service time. */
  public long costNanos() {
    return costNanos;
  }

  /** Whether the request was served from a top-level entry. */
  public boolean topHit() {
    return topHit;
  }

  /** How many rules were evaluated (0 on a top-level hit). */
  public int ruleCount() {
    return rules;
  }

  /** Whether the {@code i}-th evaluated rule was served from its cached result. */
  public boolean ruleHit(int i) {
    return ruleHit[i];
  }

  /**
   * Time attributed to the {@code i}-th evaluated rule: what the estimator learns for it. In engine
   * mode it includes the rule's share of the lookup and the entry build, so that the shares add up
   * to the whole service time, as the grid's estimator learns; in model mode it is the rule's own
   * time.
   */
  public long ruleNanos(int i) {
    return ruleNanos[i];
  }
}
