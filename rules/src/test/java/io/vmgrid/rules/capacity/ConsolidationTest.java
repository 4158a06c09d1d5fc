package io.vmgrid.rules.capacity;

import static io.vmgrid.rules.testing.Inventories.anInventory;
import static io.vmgrid.rules.testing.Requests.aRequest;
import static org.assertj.core.api.Assertions.assertThat;

import io.vmgrid.rules.api.Health;
import io.vmgrid.rules.api.HostedVm;
import io.vmgrid.rules.api.Inventory;
import io.vmgrid.rules.api.InventoryChange;
import io.vmgrid.rules.api.Priority;
import io.vmgrid.rules.api.Resources;
import io.vmgrid.rules.api.VmRequest;
import io.vmgrid.rules.ruleset.RuleSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Fragmentation reports and consolidation plans: every move valid in order, nothing over-committed. */
class ConsolidationTest {
  private static final CapacityPlanner PLANNER =
      new CapacityPlanner(RuleSet.defaults(), CapacitySettings.defaults());
  private static final List<VmRequest> DEMAND = List.of(
      aRequest().id("32c").cores(32).memory(64).build(),
      aRequest().id("16c").cores(16).memory(32).build());

  private static void place(Inventory inv, String server, String vm, long cores, String set) {
    inv.apply(new InventoryChange.Place(server, new HostedVm(vm, "t",
        new Resources(cores, cores, 0), Priority.REGULAR, set, null)));
  }

  @Test
  void strandedServersAreThoseNoTemplateFits() {
    Inventory inv = anInventory().serversPerRack(4).build();
    place(inv, "c0-r0-s0", "a", 56, null); // 8 free: nothing in demand fits
    place(inv, "c0-r0-s1", "b", 40, null); // 24 free: one 16c
    inv.apply(new InventoryChange.SetHealth("c0-r0-s3", Health.UNHEALTHY)); // not counted

    FragmentationReport f = PLANNER.fragmentation(inv, DEMAND);

    assertThat(f.stranded()).extracting(StrandedServer::serverId).containsExactly("c0-r0-s0");
    assertThat(f.stranded().get(0).free()).isEqualTo(new Resources(8, 200, 1000));
    assertThat(f.freeCores()).isEqualTo(8 + 24 + 64);
    assertThat(f.usableCores()).isEqualTo(16 + 64);
    assertThat(f.strandedCores()).isEqualTo(8 + 8);
    assertThat(f.strandedServerCores()).isEqualTo(8);
  }

  @Test
  void aPlanEmptiesALightServerOntoAFullerOne() {
    Inventory inv = anInventory().serversPerRack(2).build();
    place(inv, "c0-r0-s0", "a", 48, null); // 16 free
    place(inv, "c0-r0-s1", "b", 8, null);  // 56 free: one 32c
    place(inv, "c0-r0-s1", "c", 8, null);  // 48 free
    List<String> live = Fixtures.snapshot(inv);

    // only 32c in demand: s0's 16 free cores are stranded, s1 holds one 32c in its 48
    ConsolidationPlan plan = PLANNER.consolidate(inv, DEMAND.subList(0, 1));

    assertThat(Fixtures.snapshot(inv)).isEqualTo(live);
    assertThat(plan.moves()).containsExactly(
        new Move("b", "c0-r0-s1", "c0-r0-s0", new Resources(8, 8, 0)),
        new Move("c", "c0-r0-s1", "c0-r0-s0", new Resources(8, 8, 0)));
    assertThat(plan.emptiedServers()).containsExactly("c0-r0-s1");
    assertThat(plan.before().usableCores()).isEqualTo(32);
    assertThat(plan.after().usableCores()).isEqualTo(64);
    assertThat(plan.packingAfter().density()).isEqualTo(1.0);
  }

  @Test
  void movesRespectSpreadAndTheChecksNameTheRule() {
    Inventory inv = anInventory().racks(2).serversPerRack(2).build();
    place(inv, "c0-r0-s0", "a1", 40, "as"); // fault domain 0 (rack r0) holds 2 of set "as"
    place(inv, "c0-r0-s1", "a2", 24, "as");
    place(inv, "c0-r0-s1", "x", 8, null);
    Move intoFullDomain = new Move("a2", "c0-r0-s1", "c0-r0-s0", new Resources(24, 24, 0));
    Move toOtherDomain = new Move("a2", "c0-r0-s1", "c0-r1-s0", new Resources(24, 24, 0));
    Move tooBig = new Move("a1", "c0-r0-s0", "c0-r0-s1", new Resources(40, 40, 0));

    assertThat(PLANNER.check(inv, toOtherDomain).valid()).isTrue();
    assertThat(PLANNER.check(inv, intoFullDomain).problems())
        .containsExactly("fault-domain-spread: fault domain already holds 2 VMs of availability"
            + " set as");
    assertThat(PLANNER.check(inv, tooBig).problems()).anySatisfy(p ->
        assertThat(p).startsWith("capacity: server c0-r0-s1 has Resources[cores=32"));
    assertThat(PLANNER.check(inv, new Move("zz", "c0-r0-s0", "c0-r0-s1", new Resources(1, 1, 0)))
        .problems()).containsExactly("vmId: VM zz is not in the inventory");
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56})
  void everyMoveIsValidInOrderAndNothingIsOverCommitted(long seed) {
    System.out.println("ConsolidationTest seed=" + seed);
    Inventory live = Fixtures.random(seed, 0.3 + 0.04 * (seed % 10));
    List<String> before = Fixtures.snapshot(live);
    List<VmRequest> demand = List.of(Templates.ofType("d32"), Templates.ofType("d8"),
        aRequest().id("24c").cores(24).memory(24).build());

    ConsolidationPlan plan = PLANNER.consolidate(live, demand);

    assertThat(Fixtures.snapshot(live)).as("live inventory untouched").isEqualTo(before);
    assertThat(plan.moves().size()).isLessThanOrEqualTo(PLANNER.settings().maxMoves());
    Inventory replay = live.copy();
    for (Move m : plan.moves()) {
      MoveCheck check = PLANNER.check(replay, m);
      assertThat(check.valid()).as("seed %d %s: %s", seed, m, check.problems()).isTrue();
      CapacityPlanner.applyTo(replay, m);
      assertThat(Fixtures.overCommitted(replay)).as("seed %d after %s", seed, m).isFalse();
    }
    for (String s : plan.emptiedServers()) {
      assertThat(replay.vmCount(replay.indexOf(s))).isZero();
    }
    assertThat(PLANNER.fragmentation(replay, demand)).isEqualTo(plan.after());
    assertThat(PackingStats.of(replay)).isEqualTo(plan.packingAfter());
    if (!plan.isEmpty()) {
      assertThat(plan.usableCoresGained()).isPositive();
    }
    System.out.printf("  %d moves, %d emptied, usable cores %d -> %d, density %.3f -> %.3f%n",
        plan.moves().size(), plan.emptiedServers().size(), plan.before().usableCores(),
        plan.after().usableCores(), plan.packingBefore().density(),
        plan.packingAfter().density());
  }
}
