package io.vmgrid.node.agent;

import io.vmgrid.scheduler.api.AgentIndicators;
import io.vmgrid.scheduler.jet.AgentLoad;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One agent's Kamino indicators as they are at this instant, kept up to date by the agent and read
 * by this member's router directly (no copy, no publication): the queue (length, the running sum
 * of the router's stored estimates, the type and rule keys of what is queued or in progress), the
 * group in progress (since when, with which estimate), and the summary of the cache. Other
 * members see {@link #snapshot} as published.
 *
 * <p>Updated by submitters and the agent thread, read by routers; each value is consistent on its
 * own, not with the others (the router tolerates a request counted in the queue a moment late).
 */
final class LiveIndicators implements AgentIndicators {
  private final AtomicInteger queueLength = new AtomicInteger();
  private final AtomicLong queueTimeNanos = new AtomicLong();
  private final AtomicLong version = new AtomicLong();
  private volatile long busySinceNanos;
  private volatile long estimateAtStartNanos;
  /** Type and rule key fingerprints of queued and in-progress requests, with their counts. */
  private final Map<Long, Integer> queuedTypes = new ConcurrentHashMap<>();
  private final Map<Long, Integer> queuedRules = new ConcurrentHashMap<>();
  /** Fingerprints of the types and rule keys the cache holds (its key summary). */
  private final Set<Long> cachedTypes = ConcurrentHashMap.newKeySet();
  private final Set<Long> cachedRules = ConcurrentHashMap.newKeySet();

  /** A request joined the queue. */
  void enqueued(RoutingHints h) {
    queueLength.incrementAndGet();
    queueTimeNanos.addAndGet(h.estimateNanos());
    count(h, 1);
    version.incrementAndGet();
  }

  /** A request left the queue without being processed (the agent stopped). */
  void dropped(RoutingHints h) {
    queueLength.decrementAndGet();
    queueTimeNanos.addAndGet(-h.estimateNanos());
    count(h, -1);
    version.incrementAndGet();
  }

  /** A group of queued requests, with {@code estimateNanos} in all, is now in progress. */
  void started(int requests, long estimateNanos) {
    queueLength.addAndGet(-requests);
    queueTimeNanos.addAndGet(-estimateNanos);
    estimateAtStartNanos = estimateNanos;
    busySinceNanos = AgentLoad.nowNanos();
    version.incrementAndGet();
  }

  /** A request in progress is done: its keys are now in the cache. */
  void finished(RoutingHints h) {
    count(h, -1);
    if (h.typeKey() != 0) {
      cachedTypes.add(h.typeKey());
      for (long k : h.ruleKeys()) {
        cachedRules.add(k);
      }
    }
  }

  /** The group in progress is done. */
  void idle() {
    busySinceNanos = 0;
    version.incrementAndGet();
  }

  /** Replaces the cache summary with what a rebuild found. */
  void cacheSummary(Set<Long> types, Set<Long> rules) {
    cachedTypes.retainAll(types);
    cachedTypes.addAll(types);
    cachedRules.retainAll(rules);
    cachedRules.addAll(rules);
    version.incrementAndGet();
  }

  /** Adds a cached type found in the agent's records. */
  void cachedType(long typeKey) {
    cachedTypes.add(typeKey);
  }

  private void count(RoutingHints h, int delta) {
    if (h.typeKey() == 0) {
      return;
    }
    queuedTypes.merge(h.typeKey(), delta, (a, b) -> a + b == 0 ? null : a + b);
    for (long k : h.ruleKeys()) {
      queuedRules.merge(k, delta, (a, b) -> a + b == 0 ? null : a + b);
    }
  }

  /** Changes whenever the indicators change. */
  long version() {
    return version.get();
  }

  /** The indicators as published to other members. */
  AgentLoad snapshot(String agentId, String member) {
    return new AgentLoad(agentId, member, version.get(), AgentLoad.nowNanos(), queueLength(),
        queueTimeNanos(), busySinceNanos, busy() ? estimateAtStartNanos : 0, toArray(cachedTypes),
        toArray(cachedRules), expand(queuedTypes), expand(queuedRules));
  }

  private static long[] toArray(Set<Long> keys) {
    return keys.stream().mapToLong(Long::longValue).toArray();
  }

  /** Each key as often as it is counted (the published form counts repeats). */
  private static long[] expand(Map<Long, Integer> counts) {
    return counts.entrySet().stream()
        .flatMapToLong(e -> java.util.stream.LongStream.generate(e::getKey)
            .limit(Math.max(0, e.getValue())))
        .toArray();
  }

  @Override
  public boolean augmentedHasType(long typeKey) {
    return cachedTypes.contains(typeKey) || queuedTypes.containsKey(typeKey);
  }

  @Override
  public boolean augmentedHasRule(long ruleKey) {
    return cachedRules.contains(ruleKey) || queuedRules.containsKey(ruleKey);
  }

  @Override
  public int queuedOfType(long typeKey) {
    return queuedTypes.getOrDefault(typeKey, 0);
  }

  @Override
  public int queueLength() {
    return Math.max(0, queueLength.get());
  }

  @Override
  public long queueTimeNanos() {
    return Math.max(0, queueTimeNanos.get());
  }

  @Override
  public boolean busy() {
    return busySinceNanos != 0;
  }

  @Override
  public long busySinceNanos() {
    return busySinceNanos;
  }

  @Override
  public long estimateAtStartNanos() {
    return estimateAtStartNanos;
  }
}
