package io.vmgrid.scheduler.api;

/**
 * What the scheduler knows about one agent: Kamino's per-agent indicators.
 *
 * <p>The augmented cache is what the agent caches now plus every key its queued and in-flight
 * requests will bring in. {@link #queueTimeNanos()} is a running sum of the estimates stored with the
 * queued requests: the estimate is added on enqueue and the same stored value is subtracted on
 * dequeue. In the grid these are read through a near cache and may be slightly stale.
 */
public interface AgentIndicators {

  /** Whether the augmented cache holds a top-level entry for this request type. */
  boolean augmentedHasType(long typeKey);

  /** Whether the augmented cache holds a rule entry for this rule key. */
  boolean augmentedHasRule(long ruleKey);

  /** How many queued (not yet started) requests have this type. */
  int queuedOfType(long typeKey);

  /** How many requests are queued, not counting the one in progress. */
  int queueLength();

  /** Running sum of the stored estimates of the queued requests. */
  long queueTimeNanos();

  /** Whether a request is in progress. */
  boolean busy();

  /** When the request in progress started; meaningless when not {@link #busy()}. */
  long busySinceNanos();

  /** The stored estimate of the request in progress; meaningless when not {@link #busy()}. */
  long estimateAtStartNanos();

  /**
   * What reaching this agent adds to a request's latency beyond queueing and processing (on the
   * grid: the hop to another member); 0 by default, and in the simulator.
   */
  default long transferNanos() {
    return 0;
  }

  /** Kamino's remainingProcTime: {@code max(0, start + estimateAtStart - now)} while busy, else 0. */
  default long remainingNanos(long nowNanos) {
    return busy() ? Math.max(0, busySinceNanos() + estimateAtStartNanos() - nowNanos) : 0;
  }

  /** Queued requests plus the one in progress: the load that queue-length policies compare. */
  default int load() {
    return queueLength() + (busy() ? 1 : 0);
  }
}
