package io.vmgrid.scheduler.sim;

/**
 * One simulated agent's worker: serves a request against its private two-level cache and says what
 * it cost. The seam between the simulator and a cost source: model mode implements it with a cost
 * model; engine mode implements it with a real rules engine and cache per agent.
 */
public interface AgentBackend {

  /**
   * Serves {@code request} starting at {@code nowNanos}, with the inventory at revision
   * {@code revision}; updates the cache and fills {@code out} with the cost and the cache events.
   */
  void serve(SimRequest request, long nowNanos, long revision, ServiceOutcome out);

  /**
   * The request being served completes at {@code nowNanos}: engine mode commits its placement to the
   * shared inventory here. Nothing by default.
   */
  default void complete(long nowNanos) {}

  /** Whether the cache holds a top-level entry for this type key. */
  boolean cachesType(long typeKey);

  /** Whether the cache holds a rule entry for this rule key. */
  boolean cachesRule(long ruleKey);

  /** Bytes the cache holds now. */
  long cacheBytes();

  /** Applies age-based eviction at time {@code nowNanos}. */
  void expire(long nowNanos);
}
