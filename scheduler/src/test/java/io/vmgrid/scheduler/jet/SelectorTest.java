package io.vmgrid.scheduler.jet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmgrid.scheduler.api.ClassifiedRequest;
import io.vmgrid.scheduler.estimate.EstimatorDefaults;
import io.vmgrid.scheduler.estimate.LatencyEstimator;
import io.vmgrid.scheduler.policy.PolicySettings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SelectorTest {
  private static final long NOW = 1_000_000_000_000L;
  private final LatencyEstimator estimates =
      new LatencyEstimator(List.of("a", "b"), EstimatorDefaults.DEFAULTS);

  private static ClassifiedRequest request(long type) {
    return new ClassifiedRequest(0, type, new int[] {0, 1}, new long[] {type * 10, type * 10 + 1});
  }

  private static AgentLoad load(String id, long publishedAt, long... cachedTypes) {
    return new AgentLoad(id, "m", 1, publishedAt, 0, 0, 0, 0, cachedTypes, new long[0],
        new long[0], new long[0]);
  }

  @Test
  void kaminoSendsATypeToTheAgentThatCachesIt() {
    Selector s = new Selector("kamino-request", 1, PolicySettings.DEFAULTS, estimates);
    List<AgentLoad> loads = List.of(load("a0", NOW), load("a1", NOW, 7L), load("a2", NOW));
    assertThat(s.select(request(7), loads, NOW).agentId()).isEqualTo("a1");
  }

  @Test
  void ownRoutingsCountUntilTheAgentPublishesThem() {
    Selector s = new Selector("jsq", 1, PolicySettings.DEFAULTS, estimates);
    List<AgentLoad> stale = List.of(load("a0", NOW), load("a1", NOW), load("a2", NOW));
    Map<String, Integer> burst = new HashMap<>();
    for (int i = 0; i < 9; i++) { // published loads say "idle" throughout the burst
      burst.merge(s.select(request(i), stale, NOW + i).agentId(), 1, Integer::sum);
    }
    assertThat(burst).containsOnly(Map.entry("a0", 3), Map.entry("a1", 3), Map.entry("a2", 3));
    Selector.Choice c = s.select(request(1), stale, NOW + 10);
    assertThat(c.believedQueue()).isEqualTo(3);
    assertThat(c.publishedQueue()).isZero();
    // once each agent published after the routings reached it, they no longer count twice
    long later = NOW + Selector.TRANSIT_NANOS + 1_000;
    List<AgentLoad> fresh = List.of(load("a0", later), load("a1", later), load("a2", later));
    assertThat(s.select(request(1), fresh, later).believedQueue()).isZero();
  }

  @Test
  void theAgentSetMayChangeAndSharedQueueFallsBackToRoundRobin() {
    Selector s = new Selector("shared-queue", 1, PolicySettings.DEFAULTS, estimates);
    List<String> seen = new ArrayList<>();
    List<AgentLoad> two = List.of(load("a0", NOW), load("a1", NOW));
    for (int i = 0; i < 4; i++) {
      seen.add(s.select(request(1), two, NOW).agentId());
    }
    assertThat(seen).containsExactly("a0", "a1", "a0", "a1");
    List<AgentLoad> three = List.of(load("a0", NOW), load("a1", NOW), load("a5", NOW));
    assertThat(s.select(request(1), three, NOW).agentId()).isIn("a0", "a1", "a5");
    assertThatThrownBy(() -> s.select(request(1), List.of(), NOW))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no agent");
    assertThatThrownBy(() -> new Selector("nope", 1, PolicySettings.DEFAULTS, estimates))
        .hasMessageContaining("unknown policy 'nope'");
  }

  @Test
  void indicatorsCountQueuedTypesAndRoundTripThroughTheirFields() {
    AgentLoad l = new AgentLoad("a", "m", 3, NOW, 2, 5, NOW - 10, 4, new long[] {9, 1},
        new long[] {5}, new long[] {4, 2, 4}, new long[0]);
    assertThat(l.queuedOfType(4)).isEqualTo(2);
    assertThat(l.queuedOfType(3)).isZero();
    assertThat(l.augmentedHasType(2)).isTrue();
    assertThat(l.augmentedHasType(9)).isTrue();
    assertThat(l.augmentedHasRule(5)).isTrue();
    assertThat(l.augmentedHasRule(6)).isFalse();
    assertThat(l.busy()).isTrue();
    assertThat(AgentLoad.idle("x", "m").busy()).isFalse();
  }
}
