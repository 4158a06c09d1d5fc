package io.vmgrid.scheduler.policy;

import io.vmgrid.scheduler.api.AgentIndicators;
import io.vmgrid.scheduler.api.AgentsView;
import io.vmgrid.scheduler.api.ClassifiedRequest;
import io.vmgrid.scheduler.api.LatencyEstimates;
import java.util.HashSet;
import java.util.Set;

/** Hand-built agent indicators for policy tests: a fluent fixture. */
final class FakeAgents implements AgentsView {

  /** One hand-built agent. */
  static final class Agent implements AgentIndicators {
    final Set<Long> types = new HashSet<>();
    final Set<Long> rules = new HashSet<>();
    int queued;
    long queueTime;
    boolean busy;
    long busySince;
    long estimateAtStart;

    Agent caches(ClassifiedRequest r) {
      types.add(r.typeKey());
      for (int i = 0; i < r.ruleCount(); i++) {
        rules.add(r.ruleKey(i));
      }
      return this;
    }

    Agent cachesRule(long key) {
      rules.add(key);
      return this;
    }

    Agent queue(int n, long time) {
      queued = n;
      queueTime = time;
      return this;
    }

    Agent busy(long since, long estimate) {
      busy = true;
      busySince = since;
      estimateAtStart = estimate;
      return this;
    }

    @Override
    public boolean augmentedHasType(long typeKey) {
      return types.contains(typeKey);
    }

    @Override
    public boolean augmentedHasRule(long ruleKey) {
      return rules.contains(ruleKey);
    }

    @Override
    public int queuedOfType(long typeKey) {
      return 0;
    }

    @Override
    public int queueLength() {
      return queued;
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
  }

  /** Estimates: hit 1 ms, rule hit 0.1 ms, rule miss 2 ms for every rule. */
  static final LatencyEstimates ESTIMATES = new LatencyEstimates() {
    @Override
    public long topHitNanos() {
      return 1_000_000;
    }

    @Override
    public long ruleHitNanos(int ruleId) {
      return 100_000;
    }

    @Override
    public long ruleMissNanos(int ruleId) {
      return 2_000_000;
    }
  };

  final Agent[] agents;
  long now;

  FakeAgents(int n) {
    agents = new Agent[n];
    for (int i = 0; i < n; i++) {
      agents[i] = new Agent();
    }
  }

  Agent get(int i) {
    return agents[i];
  }

  @Override
  public int size() {
    return agents.length;
  }

  @Override
  public AgentIndicators agent(int index) {
    return agents[index];
  }

  @Override
  public long nowNanos() {
    return now;
  }

  @Override
  public LatencyEstimates estimates() {
    return ESTIMATES;
  }

  /** A request of type {@code type} with three rules whose keys are {@code type * 10 + i}. */
  static ClassifiedRequest request(long type) {
    return new ClassifiedRequest(type, type, new int[] {0, 1, 2},
        new long[] {type * 10, type * 10 + 1, type * 10 + 2});
  }
}
