package io.vmgrid.scheduler.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmgrid.scheduler.api.ClassifiedRequest;
import io.vmgrid.scheduler.api.SchedulingPolicy;
import io.vmgrid.scheduler.estimate.EstimatorDefaults;
import io.vmgrid.scheduler.estimate.LatencyEstimator;
import io.vmgrid.scheduler.policy.PolicyContext;
import io.vmgrid.scheduler.policy.PolicyRegistry;
import io.vmgrid.scheduler.policy.PolicySettings;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AgentStateTest {

  /** A backend with an empty cache that never serves anything. */
  private static final class ColdBackend implements AgentBackend {
    @Override
    public void serve(SimRequest request, long nowNanos, long revision, ServiceOutcome out) {
      throw new UnsupportedOperationException();
    }

    @Override
    public boolean cachesType(long typeKey) {
      return false;
    }

    @Override
    public boolean cachesRule(long ruleKey) {
      return false;
    }

    @Override
    public long cacheBytes() {
      return 0;
    }

    @Override
    public void expire(long nowNanos) {}
  }

  private static SimRequest request(int index, long type) {
    ClassifiedRequest c = new ClassifiedRequest(index, type, new int[] {0, 1},
        new long[] {type * 10, 99});
    return new SimRequest(index, 0, c, new ModelClassifier.Traits(1, 2, 0, 0, 0));
  }

  @Test
  void aQueuedRequestOfTheSameTypeMakesALaterOneAHitInTheAugmentedCache() {
    AgentState a = new AgentState(new ColdBackend());
    AgentState b = new AgentState(new ColdBackend());
    SimRequest first = request(0, 5);
    assertThat(a.augmentedHasType(5)).isFalse();
    a.enqueue(first, 1_000_000, 0);
    assertThat(a.augmentedHasType(5)).isTrue();
    assertThat(a.augmentedHasRule(50)).isTrue();
    assertThat(a.queuedOfType(5)).isEqualTo(1);

    LatencyEstimator e = new LatencyEstimator(List.of("r0", "r1"), EstimatorDefaults.DEFAULTS);
    SchedulingPolicy kamino = PolicyRegistry.create("kamino-request",
        new PolicyContext(2, 1, PolicySettings.DEFAULTS));
    SimRequest later = request(1, 5);
    // agent 0: 1 ms queued + 2.5 ms hit = 3.5 ms; agent 1: idle, two rule misses = 13.4 ms
    assertThat(kamino.estimateNanos(later.classified(), a, e)).isEqualTo(e.topHitNanos());
    int chosen = kamino.select(later.classified(), new TestView(e, a, b));
    assertThat(chosen).isZero();

    a.dequeue();
    assertThat(a.augmentedHasType(5)).isFalse();
    assertThat(a.augmentedHasRule(99)).isFalse();
  }

  @Test
  void estimatesSubtractedOnDequeueEqualThoseAddedOnEnqueue() {
    AgentState a = new AgentState(new ColdBackend());
    SplittableRandom rnd = new SplittableRandom(3);
    List<Long> added = new ArrayList<>();
    long expected = 0;
    for (int round = 0; round < 2_000; round++) {
      if (rnd.nextInt(3) > 0 || a.queueLength() == 0) {
        long est = 1 + rnd.nextLong(50_000_000);
        a.enqueue(request(round, rnd.nextInt(20)), est, 0);
        added.add(est);
        expected += est;
      } else {
        long head = a.headEstimate();
        assertThat(head).isEqualTo(added.remove(0));
        a.dequeue();
        expected -= head;
      }
      assertThat(a.queueTimeNanos()).isEqualTo(expected);
    }
    while (a.queueLength() > 0) {
      a.dequeue();
    }
    assertThat(a.queueTimeNanos()).isZero();
    assertThat(a.augmentedHasRule(99)).isFalse();
  }

  private record TestView(LatencyEstimator e, AgentState a, AgentState b)
      implements io.vmgrid.scheduler.api.AgentsView {
    @Override
    public int size() {
      return 2;
    }

    @Override
    public io.vmgrid.scheduler.api.AgentIndicators agent(int index) {
      return index == 0 ? a : b;
    }

    @Override
    public long nowNanos() {
      return 0;
    }

    @Override
    public io.vmgrid.scheduler.api.LatencyEstimates estimates() {
      return e;
    }
  }
}
