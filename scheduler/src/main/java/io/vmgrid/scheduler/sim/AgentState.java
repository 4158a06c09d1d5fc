package io.vmgrid.scheduler.sim;

import io.vmgrid.scheduler.api.AgentIndicators;
import io.vmgrid.scheduler.api.ClassifiedRequest;
import org.jspecify.annotations.Nullable;

/**
 * A simulated agent: its FIFO queue, its Kamino indicators, and its backend (worker plus cache).
 * The augmented cache is the backend's cache plus the keys of the queued requests (the request in
 * progress has already brought its entries into the cache when it started).
 */
final class AgentState implements AgentIndicators {
  final AgentBackend backend;
  private SimRequest[] queue = new SimRequest[64];
  private long[] estimates = new long[64];
  private long[] oracles = new long[64];
  private int head;
  private int size;
  private final KeyCounts queuedTypes = new KeyCounts();
  private final KeyCounts queuedRules = new KeyCounts();
  private long queueTime;
  private long oracleQueueTime;
  private boolean busy;
  private long busySince;
  private long estimateAtStart;
  long completionAt;
  @Nullable SimRequest current;

  AgentState(AgentBackend backend) {
    this.backend = backend;
  }

  @Override
  public boolean augmentedHasType(long typeKey) {
    return backend.cachesType(typeKey) || queuedTypes.get(typeKey) > 0;
  }

  @Override
  public boolean augmentedHasRule(long ruleKey) {
    return backend.cachesRule(ruleKey) || queuedRules.get(ruleKey) > 0;
  }

  @Override
  public int queuedOfType(long typeKey) {
    return queuedTypes.get(typeKey);
  }

  @Override
  public int queueLength() {
    return size;
  }

  @Override
  public long queueTimeNanos() {
    return queueTime;
  }

  @Override
  public boolean busy() {
    return busy;
  }

  @Override
  public long busySinceNanos() {
    return busySince;
  }

  @Override
  public long estimateAtStartNanos() {
    return estimateAtStart;
  }

  /** Sum of the oracle estimates of the queued requests. */
  long oracleQueueNanos() {
    return oracleQueueTime;
  }

  /** Appends a request with its stored estimate (and its oracle estimate). */
  void enqueue(SimRequest r, long estimate, long oracle) {
    if (size == queue.length) {
      grow();
    }
    int tail = (head + size) & (queue.length - 1);
    queue[tail] = r;
    estimates[tail] = estimate;
    oracles[tail] = oracle;
    size++;
    queueTime += estimate;
    oracleQueueTime += oracle;
    ClassifiedRequest c = r.classified();
    queuedTypes.increment(c.typeKey());
    for (int i = 0; i < c.ruleCount(); i++) {
      queuedRules.increment(c.ruleKey(i));
    }
  }

  /** The stored estimate of the head of the queue. */
  long headEstimate() {
    return estimates[head];
  }

  /** Removes the head of the queue, subtracting exactly the estimate stored with it. */
  SimRequest dequeue() {
    if (size == 0) {
      throw new IllegalStateException("queue is empty");
    }
    SimRequest r = queue[head];
    queueTime -= estimates[head];
    oracleQueueTime -= oracles[head];
    head = (head + 1) & (queue.length - 1);
    size--;
    ClassifiedRequest c = r.classified();
    queuedTypes.decrement(c.typeKey());
    for (int i = 0; i < c.ruleCount(); i++) {
      queuedRules.decrement(c.ruleKey(i));
    }
    return r;
  }

  void start(SimRequest r, long now, long estimate, long completion) {
    busy = true;
    busySince = now;
    estimateAtStart = estimate;
    completionAt = completion;
    current = r;
  }

  void finish() {
    busy = false;
    current = null;
  }

  private void grow() {
    int n = queue.length * 2;
    SimRequest[] q = new SimRequest[n];
    long[] e = new long[n];
    long[] o = new long[n];
    for (int i = 0; i < size; i++) {
      int j = (head + i) & (queue.length - 1);
      q[i] = queue[j];
      e[i] = estimates[j];
      o[i] = oracles[j];
    }
    queue = q;
    estimates = e;
    oracles = o;
    head = 0;
  }
}
