package io.vmgrid.rules.capacity;

import static io.vmgrid.rules.testing.Inventories.anInventory;
import static io.vmgrid.rules.testing.Requests.aRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmgrid.rules.api.Health;
import io.vmgrid.rules.api.HostedVm;
import io.vmgrid.rules.api.Inventory;
import io.vmgrid.rules.api.InventoryChange;
import io.vmgrid.rules.api.Priority;
import io.vmgrid.rules.api.Resources;
import io.vmgrid.rules.api.ValidationException;
import io.vmgrid.rules.api.VmRequest;
import io.vmgrid.rules.ruleset.RuleSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** What-if analysis leaves the live inventory untouched and reports what the change would do. */
class WhatIfTest {
  private static final CapacityPlanner PLANNER =
      new CapacityPlanner(RuleSet.defaults(), CapacitySettings.defaults());
  private static final VmRequest T16 = aRequest().id("16c").cores(16).memory(16).build();

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {21, 22, 23, 24, 25, 26, 27, 28})
  void whatIfNeverTouchesTheLiveInventory(long seed) {
    System.out.println("WhatIfTest seed=" + seed);
    SplittableRandom rng = new SplittableRandom(seed);
    Inventory live = Fixtures.random(seed, 0.5);
    List<String> before = Fixtures.snapshot(live);
    List<String> drained = new ArrayList<>();
    for (int i = 0; i < live.size(); i++) {
      if (rng.nextInt(4) == 0) {
        drained.add(live.serverId(i));
      }
    }
    drained.add(live.serverId(0));
    List<WhatIf> changes = List.of(
        new WhatIf.ChangeUtilizationLimit(0.01 * (1 + rng.nextInt(5))),
        new WhatIf.AddServers(live.clusterId(rng.nextInt(live.clusterCount())), "std",
            1 + rng.nextInt(6)),
        new WhatIf.AddServers("new-cluster", "small", 3),
        new WhatIf.Drain(Set.copyOf(drained), Health.UNHEALTHY, rng.nextBoolean()));

    WhatIfReport r = PLANNER.whatIf(live, changes, HeadroomTest.templates());

    assertThat(Fixtures.snapshot(live)).as("live inventory untouched").isEqualTo(before);
    assertThat(r.before()).isEqualTo(PLANNER.headroom(live, HeadroomTest.templates()));
    assertThat(r.notes()).hasSize(4);
    assertThat(r.notes()).anySatisfy(n -> assertThat(n).isEqualTo("added 3 servers of machine type"
        + " small as a new cluster new-cluster (no cluster of that name exists)"));
    r.notes().forEach(n -> System.out.println("  " + n));
    r.deltas().forEach(d -> System.out.println("  " + d));
  }

  @Test
  void drainingByDefaultMeansMaintenance() {
    WhatIf.Drain d = WhatIf.Drain.of(Set.of("c0-r0-s0"));
    assertThat(d.health()).isEqualTo(Health.MAINTENANCE);
    WhatIfReport r = PLANNER.whatIf(Fixtures.random(3, 0.5), List.of(d), List.of(T16));
    assertThat(r.notes().get(0)).startsWith("drained 1 servers to MAINTENANCE");
  }

  @Test
  void raisingTheLimitAddsHeadroomAndDensity() {
    Inventory live = anInventory().serversPerRack(4).build(); // 256 cores, limit 0.85 → 14 × 16

    WhatIfReport plus1 = PLANNER.whatIf(live,
        List.of(new WhatIf.ChangeUtilizationLimit(0.01)), List.of(T16));
    WhatIfReport plus3 = PLANNER.whatIf(live,
        List.of(new WhatIf.ChangeUtilizationLimit(0.03)), List.of(T16));
    WhatIfReport set = PLANNER.whatIf(live,
        List.of(new WhatIf.SetUtilizationLimit(1, 1)), List.of(T16));

    // at 224 used cores: 0.86 × 256 = 220.2 refuses a 15th, 0.88 × 256 = 225.3 admits it
    assertThat(plus1.deltas().get(0).headroomAfter()).isEqualTo(14);
    assertThat(plus3.deltas().get(0).headroomAfter()).isEqualTo(15);
    assertThat(plus3.notes()).containsExactly("cluster utilization limit 0.850 -> 0.880");
    assertThat(set.deltas().get(0).headroomChange()).isEqualTo(2);
    assertThat(set.deltas().get(0).densityWhenFullAfter()).isEqualTo(1.0);
    assertThat(set.after().ruleSet()).isEqualTo(set.before().ruleSet());
  }

  @Test
  void addingAndDrainingServersMoveHeadroomAndDensity() {
    Inventory live = anInventory().serversPerRack(4).build();
    RuleSet noLimit = RuleSet.defaults().withClusterUtilizationLimit(1, 1);
    live.apply(new InventoryChange.Place("c0-r0-s0", new HostedVm("v1", "t",
        new Resources(16, 16, 0), Priority.REGULAR, null, null)));
    live.apply(new InventoryChange.Place("c0-r0-s1", new HostedVm("v2", "t",
        new Resources(16, 16, 0), Priority.REGULAR, null, null)));

    WhatIfReport added = PLANNER.whatIf(live, List.of(new WhatIf.UseRuleSet(noLimit),
        new WhatIf.AddServers("c0", "std", 2)), List.of(T16));
    WhatIfReport drained = PLANNER.whatIf(live, List.of(new WhatIf.UseRuleSet(noLimit),
        new WhatIf.Drain(Set.of("c0-r0-s1"), Health.UNHEALTHY, true)), List.of(T16));

    // before: the default limit admits placements while used < 217.6 cores: 32 + 12 × 16 = 224
    assertThat(added.deltas().get(0).headroomBefore()).isEqualTo(12);
    assertThat(added.deltas().get(0).headroomAfter()).isEqualTo(16 - 2 + 8);
    assertThat(added.after().templates().get(0).perCluster()).isEqualTo(Map.of("c0", 22L));
    // draining s1 moves v2 next to v1 (best fit): s1 is lost (4 slots), the move costs nothing
    assertThat(drained.evacuated()).isEqualTo(1);
    assertThat(drained.evacuationFailures()).isZero();
    assertThat(drained.deltas().get(0).headroomAfter()).isEqualTo(12 - 2);
    assertThat(drained.before().packing().density()).isEqualTo(32 / 128.0);
    assertThat(drained.after().packing().density()).isEqualTo(32 / 64.0);
    assertThat(drained.densityChange()).isEqualTo(0.25);
  }

  @Test
  void badChangesNameTheField() {
    Inventory live = anInventory().build();

    assertThatThrownBy(() -> PLANNER.whatIf(live,
        List.of(new WhatIf.AddServers("c0", "gen9", 1)), List.of(T16)))
        .isInstanceOf(ValidationException.class)
        .hasMessage("machineType: unknown machine type gen9 (known: std, small)");
    assertThatThrownBy(() -> PLANNER.whatIf(live,
        List.of(WhatIf.Drain.of(Set.of("nope"))), List.of(T16)))
        .hasMessage("serverIds: unknown server nope");
    assertThatThrownBy(() -> new WhatIf.SetUtilizationLimit(1.2, 1))
        .hasMessage("limit: must be in [0, 1], was 1.2");
    assertThatThrownBy(() -> new WhatIf.Drain(Set.of("x"), Health.HEALTHY, false))
        .hasMessageStartingWith("health: ");
    RuleSet none = new RuleSet("none.yaml", RuleSet.Combination.LEXICOGRAPHIC, List.of(),
        List.of());
    assertThatThrownBy(() -> new CapacityPlanner(none, CapacitySettings.defaults()).whatIf(live,
        List.of(new WhatIf.ChangeUtilizationLimit(0.01)), List.of(T16)))
        .hasMessage("ruleSet: none.yaml has no cluster-utilization-limit validator to change");
  }

  @Test
  void ruleSetLimitVariantsChangeOnlyTheLimitRules() {
    RuleSet d = RuleSet.defaults();

    RuleSet up = d.withClusterUtilizationLimitChangedBy(0.2);

    assertThat(d.clusterUtilizationLimit()).hasValue(0.85);
    assertThat(up.clusterUtilizationLimit()).hasValue(1.0); // 1.05 clamped
    assertThat(up.clusterUtilizationLimitRules()).containsExactly("cluster-utilization-limit");
    assertThat(up.preferences()).isEqualTo(d.preferences());
    assertThat(up.validators()).hasSameSizeAs(d.validators());
    assertThat(d.withClusterUtilizationLimit(0.9, 0.97).clusterUtilizationLimit()).hasValue(0.9);
    assertThatThrownBy(() -> d.withClusterUtilizationLimit(0.9, -0.1))
        .hasMessage("lowPriorityLimit: must be in [0, 1], was -0.1");
    assertThatThrownBy(() -> d.withClusterUtilizationLimitChangedBy(Double.NaN))
        .hasMessageStartingWith("delta: ");
  }
}
