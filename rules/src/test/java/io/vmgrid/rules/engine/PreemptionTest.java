package io.vmgrid.rules.engine;

import static io.vmgrid.rules.testing.Inventories.anInventory;
import static io.vmgrid.rules.testing.Requests.aRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmgrid.rules.api.HostedVm;
import io.vmgrid.rules.api.Inventory;
import io.vmgrid.rules.api.InventoryChange;
import io.vmgrid.rules.api.Priority;
import io.vmgrid.rules.api.Resources;
import io.vmgrid.rules.api.ValidationException;
import io.vmgrid.rules.api.VmRequest;
import io.vmgrid.rules.ruleset.Preemption;
import io.vmgrid.rules.ruleset.RuleRegistry;
import io.vmgrid.rules.ruleset.RuleSet;
import io.vmgrid.rules.ruleset.RuleSetException;
import io.vmgrid.rules.testing.FakeTicker;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Preemption on hand-made inventories: who may be evicted, the cap, the switch, and that the rule
 * set's victim rules decide which VMs go. One cluster of two 64-core servers, {@code c0-r0-s0} and
 * {@code c0-r0-s1}; the cluster utilization limit is 1.0 unless a test says otherwise, so that a full
 * server, not the cluster's reserve, is what a request meets.
 */
class PreemptionTest {
  private static final String A = "c0-r0-s0";
  private static final String B = "c0-r0-s1";
  private static final RuleSet RULES = RuleSet.defaults().withClusterUtilizationLimit(1, 1);

  private final Inventory inv = anInventory().clusters(1).racks(1).serversPerRack(2).build();

  private void place(String server, String id, long cores, Priority p, String group) {
    inv.apply(new InventoryChange.Place(server, new HostedVm(id, "t-" + id,
        new Resources(cores, cores, 0), p, null, group.isEmpty() ? null : group)));
  }

  private void place(String server, String id, long cores, Priority p) {
    place(server, id, cores, p, "");
  }

  private Optional<Decision> decide(RuleSet rules, VmRequest r) {
    RuleEngine e = new RuleEngine(inv, rules, EngineSettings.defaults(), new SplittableRandom(1),
        new FakeTicker());
    return e.newCache(CacheSettings.defaults()).decideOrPreempt(r);
  }

  private static RuleSet victims(String yaml) {
    String text = "rules:\n"
        + "  - {name: cores-fit, rule: resource-fit, kind: validator, level: server, priority: 30}\n"
        + "  - {name: memory-fit, rule: resource-fit, kind: validator, level: server, priority: 31,"
        + " arguments: {resource: memory}}\n"
        + "  - {name: anti-affinity, kind: validator, level: server, priority: 50}\n"
        + "  - {name: best-fit, kind: preference, level: server, priority: 30}\n" + yaml;
    return RuleSet.parse(text, "test", RuleRegistry.builtin());
  }

  @Test
  void evictsTheFewestLowPriorityVmsWithLeastCoresAndOnlyWhenNothingFits() {
    place(A, "a-reg", 32, Priority.REGULAR);
    place(A, "a-low8", 8, Priority.LOW);
    place(A, "a-low24", 24, Priority.LOW);
    place(B, "b-reg", 48, Priority.REGULAR);
    place(B, "b-low16", 16, Priority.LOW);
    assertThat(decide(RULES, aRequest().cores(16).memory(16).build()).orElseThrow().victims())
        .as("one victim suffices on both servers: the one with fewer cores (16 on B, not 24 on A)")
        .containsExactly("b-low16");
    assertThat(decide(RULES, aRequest().cores(32).memory(32).build()).orElseThrow())
        .as("only A frees 32, with both its low VMs")
        .satisfies(d -> assertThat(d.serverId()).isEqualTo(A))
        .satisfies(d -> assertThat(d.victims()).containsExactlyInAnyOrder("a-low8", "a-low24"));
    inv.apply(new InventoryChange.Release(A, "a-low8"));
    assertThat(decide(RULES, aRequest().cores(8).memory(8).build()).orElseThrow().preempts())
        .as("a server with room: no eviction").isFalse();
  }

  @Test
  void neverEvictsItsOwnPriorityOrHigherAndLowRequestsNeverPreempt() {
    place(A, "a-reg", 64, Priority.REGULAR);
    place(B, "b-low", 64, Priority.LOW);
    assertThat(decide(RULES, aRequest().cores(8).memory(8).low().build())).isEmpty();
    Decision d = decide(RULES, aRequest().cores(8).memory(8).build()).orElseThrow();
    assertThat(d.serverId()).isEqualTo(B);
    assertThat(d.victims()).containsExactly("b-low");
  }

  @Test
  void theCapAndTheSwitch() {
    for (int i = 0; i < 8; i++) {
      place(A, "a" + i, 8, Priority.LOW);
      place(B, "b" + i, 8, Priority.REGULAR);
    }
    VmRequest r = aRequest().cores(24).memory(24).build();
    assertThat(decide(RULES, r).orElseThrow().victims()).hasSize(3);
    assertThat(decide(RULES.withPreemption(new Preemption(true, 2, 1000)), r))
        .as("three victims needed, two allowed").isEmpty();
    assertThat(decide(RULES.withPreemption(Preemption.defaults().withEnabled(false)), r))
        .as("preemption off").isEmpty();
  }

  @Test
  void evictionCanSatisfyValidatorsBesidesCapacity() {
    place(A, "a-low-g", 4, Priority.LOW, "g");
    place(B, "b-reg", 64, Priority.REGULAR);
    VmRequest r = aRequest().cores(4).memory(4).antiAffinity("g").build();
    Decision d = decide(RULES, r).orElseThrow();
    assertThat(d.serverId()).isEqualTo(A);
    assertThat(d.victims()).as("the group's low VM shares the only server with room")
        .containsExactly("a-low-g");
  }

  @Test
  void theClusterLimitCountsTheEvictedCapacity() {
    place(A, "a-low", 56, Priority.LOW);
    place(B, "b-low", 16, Priority.LOW);
    place(B, "b-reg", 40, Priority.REGULAR);
    // 112 of 128 cores used: the cluster is over 0.85 (108.8), so no server passes; evicting b-low
    // frees room on B and brings the cluster to 96, below the limit
    RuleSet limited = RULES.withClusterUtilizationLimit(0.85, 0.95);
    Decision d = decide(limited, aRequest().cores(16).memory(16).build()).orElseThrow();
    assertThat(d.victims()).containsExactly("b-low");
    // at 0.75 (96 cores) 96 is not below the limit: only evicting a-low (56) gets there
    RuleSet tight = RULES.withClusterUtilizationLimit(0.75, 0.95);
    Decision t = decide(tight, aRequest().cores(16).memory(16).build()).orElseThrow();
    assertThat(t.victims()).containsExactly("a-low");
  }

  @Test
  void aRuleSetChangesTheVictimOrder() {
    place(A, "a-old", 16, Priority.LOW);
    place(A, "a-new", 16, Priority.LOW);
    place(A, "a-reg", 32, Priority.REGULAR);
    place(B, "b-big", 32, Priority.LOW);
    place(B, "b-reg", 32, Priority.REGULAR);
    VmRequest r = aRequest().cores(16).memory(16).build();
    assertThat(decide(RULES, r).orElseThrow().victims())
        .as("default: least cores, then the newest").containsExactly("a-new");
    RuleSet oldest = victims(
        "  - {name: least-evicted-cores, rule: least-evicted-capacity, kind: victim, level: server,"
            + " priority: 10}\n"
            + "  - {name: oldest, rule: victim-age, kind: victim, level: server, priority: 20,"
            + " arguments: {newest: false}}\n");
    assertThat(decide(oldest, r).orElseThrow().victims()).containsExactly("a-old");
    RuleSet newestFirst = victims(
        "  - {name: newest, rule: victim-age, kind: victim, level: server, priority: 10}\n"
            + "  - {name: least-evicted-cores, rule: least-evicted-capacity, kind: victim,"
            + " level: server, priority: 20}\n");
    assertThat(decide(newestFirst, r).orElseThrow().victims())
        .as("age before capacity: the newest VM, though it has more cores")
        .containsExactly("b-big");
  }

  @Test
  void explainShowsWhatPreemptionWouldEvict() {
    place(A, "a-low", 64, Priority.LOW);
    place(B, "b-reg", 64, Priority.REGULAR);
    RuleEngine e = new RuleEngine(inv, RULES, EngineSettings.defaults(), new SplittableRandom(1),
        new FakeTicker());
    Explanation x = e.explain(aRequest().cores(8).memory(8).build());
    assertThat(x.passing()).isZero();
    assertThat(x.preemptServerId()).isEqualTo(A);
    assertThat(x.wouldEvict()).containsExactly("a-low");
    assertThat(x.toString()).contains("preemption: place on " + A + ", evicting a-low");
    assertThat(e.preemptionStats().found()).isEqualTo(1);
  }

  @Test
  void theRuleSetFileCarriesThePolicyAndNamesBadFields() {
    RuleSet rs = RuleSet.parse("preemption: {enabled: false, maxVictims: 3}\nrules: []\n", "t",
        RuleRegistry.builtin());
    assertThat(rs.preemption()).isEqualTo(new Preemption(false, 3, 200_000));
    assertThat(rs.victims()).extracting(v -> v.rule().name())
        .as("no victim rules named: the default order")
        .containsExactly("least-evicted-cores", "newest-victims");
    assertThat(RuleSet.defaults().preemption()).isEqualTo(Preemption.defaults());
    assertThatThrownBy(() -> RuleSet.parse("preemption: {maxVictims: 0, often: 1}\nrules: []\n",
        "t", RuleRegistry.builtin()))
        .isInstanceOf(RuleSetException.class)
        .hasMessageContaining("preemption.maxVictims")
        .hasMessageContaining("preemption.often: unknown field");
    assertThatThrownBy(() -> new Preemption(true, 8, 0))
        .isInstanceOf(ValidationException.class).hasMessageContaining("searchBudget");
    assertThat(List.of(RuleRegistry.Kind.values())).contains(RuleRegistry.Kind.VICTIM);
  }
}
