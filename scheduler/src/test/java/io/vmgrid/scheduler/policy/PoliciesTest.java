package io.vmgrid.scheduler.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmgrid.scheduler.api.ClassifiedRequest;
import io.vmgrid.scheduler.api.Keys;
import io.vmgrid.scheduler.api.LatCache;
import io.vmgrid.scheduler.api.SchedulingPolicy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PoliciesTest {
  private static final ClassifiedRequest R = FakeAgents.request(7);

  private static SchedulingPolicy policy(String name, int agents) {
    return PolicyRegistry.create(name, new PolicyContext(agents, 1234, PolicySettings.DEFAULTS));
  }

  @Test
  void latCacheRequestVariantChargesHitOrAllMisses() {
    FakeAgents v = new FakeAgents(2);
    v.get(0).caches(R);
    v.get(1).cachesRule(R.ruleKey(0));
    assertThat(LatCache.processingNanos(R, v.get(0), FakeAgents.ESTIMATES, false)).isEqualTo(1_000_000);
    assertThat(LatCache.processingNanos(R, v.get(1), FakeAgents.ESTIMATES, false)).isEqualTo(6_000_000);
    assertThat(LatCache.processingNanos(R, v.get(1), FakeAgents.ESTIMATES, true))
        .isEqualTo(100_000 + 2 * 2_000_000);
  }

  @Test
  void latencyAddsQueueTimeAndRemainingTimeOfRequestInProgress() {
    FakeAgents v = new FakeAgents(1);
    v.now = 10_000_000;
    v.get(0).caches(R).queue(2, 3_000_000).busy(9_000_000, 4_000_000);
    // 3 ms queued + 1 ms hit + (9 + 4 - 10) = 3 ms remaining
    assertThat(LatCache.latencyNanos(R, v.get(0), FakeAgents.ESTIMATES, v.now, false))
        .isEqualTo(7_000_000);
    v.now = 20_000_000;
    assertThat(v.get(0).remainingNanos(v.now)).isZero();
  }

  @Test
  void kaminoPrefersTheAgentWhoseCacheHasTheTypeUntilItsQueueCostsMoreThanAMiss() {
    FakeAgents v = new FakeAgents(2);
    v.get(1).caches(R).queue(2, 4_000_000);
    assertThat(policy("kamino-request", 2).select(R, v)).isEqualTo(1); // 4 + 1 < 6
    v.get(1).queue(3, 5_500_000);
    assertThat(policy("kamino-request", 2).select(R, v)).isEqualTo(0); // 5.5 + 1 > 6
  }

  @Test
  void kaminoRuleVariantCreditsCachedRuleKeys() {
    FakeAgents v = new FakeAgents(2);
    v.get(0).queue(1, 1_000_000);
    v.get(1).cachesRule(R.ruleKey(0)).cachesRule(R.ruleKey(1)).queue(1, 3_000_000);
    // request variant: 1 + 6 = 7 vs 3 + 6 = 9 -> agent 0; rule variant: 7 vs 3 + 2.2 = 5.2 -> agent 1
    assertThat(policy("kamino-request", 2).select(R, v)).isEqualTo(0);
    assertThat(policy("kamino-rule", 2).select(R, v)).isEqualTo(1);
  }

  @Test
  void kaminoTiesAreBrokenDeterministicallyByTheTypeKey() {
    for (int n : new int[] {1, 2, 3, 4, 7}) {
      FakeAgents v = new FakeAgents(n);
      SchedulingPolicy p = policy("kamino-request", n);
      for (long type = 0; type < 50; type++) {
        ClassifiedRequest r = FakeAgents.request(type);
        int expected = Math.floorMod(Keys.mix(type), n);
        assertThat(p.select(r, v)).isEqualTo(expected);
        assertThat(policy("kamino-request", n).select(r, v)).isEqualTo(expected);
      }
    }
  }

  @Test
  void jsqPicksTheLeastLoadedAndTheLowestIndexOnTies() {
    FakeAgents v = new FakeAgents(3);
    v.get(0).queue(2, 0);
    v.get(1).queue(1, 0);
    v.get(2).queue(0, 0).busy(0, 1);
    assertThat(policy("jsq", 3).select(R, v)).isEqualTo(1);
  }

  @Test
  void roundRobinCycles() {
    FakeAgents v = new FakeAgents(3);
    SchedulingPolicy p = policy("round-robin", 3);
    List<Integer> got = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      got.add(p.select(R, v));
    }
    assertThat(got).containsExactly(0, 1, 2, 0, 1, 2);
  }

  @Test
  void randomizedPoliciesRepeatWithTheSameSeed() {
    FakeAgents v = new FakeAgents(5);
    for (String name : List.of("random", "power-of-two")) {
      SchedulingPolicy a = policy(name, 5);
      SchedulingPolicy b = policy(name, 5);
      for (int i = 0; i < 100; i++) {
        assertThat(a.select(R, v)).isEqualTo(b.select(R, v));
      }
    }
  }

  @Test
  void hashPoliciesAreStickyPerTypeAndHashWsStealsFromTheLongestQueue() {
    FakeAgents v = new FakeAgents(4);
    SchedulingPolicy p = policy("hash-ws", 4);
    int home = p.select(R, v);
    assertThat(p.select(FakeAgents.request(7), v)).isEqualTo(home);
    v.get(2).queue(5, 0);
    v.get(3).queue(5, 0);
    assertThat(p.stealFrom(0, v)).isEqualTo(2);
    assertThat(p.stealFrom(2, v)).isEqualTo(3);
    assertThat(policy("jsq", 4).stealFrom(0, v)).isEqualTo(SchedulingPolicy.NO_AGENT);
  }

  @Test
  void boundedHashLeavesTheHomeAgentWhenItIsOverTheBound() {
    FakeAgents v = new FakeAgents(4);
    SchedulingPolicy p = policy("bounded-hash", 4);
    int home = p.select(R, v);
    v.get(home).queue(3, 0); // bound = ceil(1.25 * 4 / 4) = 2
    int other = p.select(R, v);
    assertThat(other).isNotEqualTo(home);
    assertThat(v.get(other).load()).isLessThan(2);
  }

  @Test
  void sharedQueueDefersToTheSharedQueue() {
    assertThat(policy("shared-queue", 2).select(R, new FakeAgents(2)))
        .isEqualTo(SchedulingPolicy.SHARED_QUEUE);
  }

  static List<String> names() {
    return PolicyRegistry.names();
  }

  @ParameterizedTest
  @MethodSource("names")
  void everyPolicyNamesItselfAndStaysInRange(String name) {
    SchedulingPolicy p = policy(name, 3);
    assertThat(p.name()).isEqualTo(name);
    FakeAgents v = new FakeAgents(3);
    for (long t = 0; t < 30; t++) {
      int a = p.select(FakeAgents.request(t), v);
      assertThat(a == SchedulingPolicy.SHARED_QUEUE || (a >= 0 && a < 3)).isTrue();
    }
  }

  @Test
  void registryRejectsUnknownNamesListingTheKnownOnes() {
    assertThatThrownBy(() -> PolicyRegistry.parse("kamino-request,fastest"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown policy 'fastest'")
        .hasMessageContaining("kamino-request, kamino-rule, shared-queue");
    assertThat(PolicyRegistry.parse("all")).hasSize(9);
    assertThat(PolicyRegistry.parse("jsq, random,jsq")).containsExactly("jsq", "random");
  }
}
