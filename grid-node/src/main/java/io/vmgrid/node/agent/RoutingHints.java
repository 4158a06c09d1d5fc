package io.vmgrid.node.agent;

/**
 * What the scheduler's router knows of a request it sends to an agent: the fingerprints of its type
 * and rule keys (as in {@link io.vmgrid.scheduler.api.ClassifiedRequest}) and the estimate it stored
 * with it. The agent keeps them in its Kamino indicators: the estimate in its queue time while the
 * request waits, the keys in its queued and (once processed) cached key summaries.
 *
 * @param typeKey fingerprint of the request type, 0 if unknown
 * @param ruleKeys fingerprints of the request's rule keys
 * @param estimateNanos the router's estimate of the request's processing time
 */
@SuppressWarnings("ArrayRecordComponent") // never modified after routing
public record RoutingHints(long typeKey, long[] ruleKeys, long estimateNanos) {
  /** A request that came by the direct path: nothing known. */
  public static final RoutingHints NONE = new RoutingHints(0, new long[0], 0);
}
