package io.vmgrid.rules.engine;

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
import io.vmgrid.rules.ruleset.RuleRegistry;
import io.vmgrid.rules.api.Trait;
import io.vmgrid.rules.api.Rule;
import io.vmgrid.rules.testing.FakeTicker;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Evaluation order and results, top-N0 under conflicts, explain, and the classifier. */
class RuleEngineTest {
  private final FakeTicker ticker = new FakeTicker();
  private final Inventory inv = anInventory().clusters(2).racks(2).serversPerRack(4).smallRacks(1)
      .build();

  private RuleEngine engine(EngineSettings settings) {
    return new RuleEngine(inv, RuleSet.defaults(), settings, new SplittableRandom(3), ticker);
  }

  private void place(String server, String id, long cores, String tenant) {
    inv.apply(new InventoryChange.Place(server,
        new HostedVm(id, tenant, new Resources(cores, cores, 0), Priority.REGULAR, null, null)));
  }

  @Test
  void bestFitThenTenantOrderingAndValidatorsFilter() {
    RuleEngine e = engine(EngineSettings.defaults());
    place("c1-r1-s2", "a", 32, "t1");
    inv.apply(new InventoryChange.SetHealth("c0-r1-s0", Health.UNHEALTHY));
    Candidates c = e.evaluate(aRequest().cores(16).tenant("t1").build());
    assertThat(c.passing()).as("16 cores fit only std servers, one unhealthy").isEqualTo(7);
    assertThat(c.serverIds(inv).get(0)).as("tenant's cluster first").isEqualTo("c1-r1-s2");
    assertThat(c.serverIds(inv)).doesNotContain("c0-r1-s0").noneMatch(s -> s.contains("-r0-"));
    Candidates other = e.evaluate(aRequest().cores(16).tenant("t2").build());
    assertThat(other.serverIds(inv).get(0)).as("best fit").isEqualTo("c1-r1-s2");
    assertThat(e.evaluate(aRequest().cores(100).build()).isEmpty()).isTrue();
    assertThat(e.choose(e.evaluate(aRequest().cores(100).build()))).isEmpty();
  }

  @Test
  void n0GrowsWithConflictsWithinTheWindowAndShrinksAfter() {
    RuleEngine e = engine(new EngineSettings(16, 8, 1, 8, 1_000));
    assertThat(e.currentN0()).isEqualTo(1);
    Candidates c = e.evaluate(aRequest().cores(1).build());
    assertThat(e.choose(c).orElseThrow().rank()).isZero();
    for (int i = 0; i < 4; i++) {
      e.reportCommit();
      e.reportConflict();
    }
    assertThat(e.currentN0()).isEqualTo(1 + (int) Math.ceil(0.5 * 7));
    Set<Integer> ranks = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      Decision d = e.choose(c).orElseThrow();
      assertThat(d.rank()).isLessThan(d.n0());
      ranks.add(d.rank());
    }
    assertThat(ranks).hasSize(e.currentN0());
    for (int i = 0; i < 10; i++) {
      e.reportConflict();
    }
    assertThat(e.currentN0()).isLessThanOrEqualTo(8);
    ticker.advance(2_000);
    assertThat(e.currentN0()).isEqualTo(1);
  }

  @Test
  void seededChoicesReplay() {
    List<Integer> a = picks(engine(new EngineSettings(16, 8, 8, 8, 1_000)));
    List<Integer> b = picks(engine(new EngineSettings(16, 8, 8, 8, 1_000)));
    assertThat(a).isEqualTo(b);
  }

  private List<Integer> picks(RuleEngine e) {
    Candidates c = e.evaluate(aRequest().cores(1).build());
    return java.util.stream.IntStream.range(0, 20).map(i -> e.choose(c).orElseThrow().server())
        .boxed().toList();
  }

  @Test
  void explainCountsWhatEachValidatorRemoved() {
    RuleEngine e = engine(EngineSettings.defaults());
    inv.apply(new InventoryChange.SetHealth("c0-r1-s0", Health.UNHEALTHY));
    Explanation x = e.explain(aRequest().cores(16).pin("c0").build());
    assertThat(x.servers()).isEqualTo(16);
    assertThat(x.passing()).isEqualTo(3);
    Explanation.ValidatorCount pin = x.validators().get(0);
    assertThat(pin.rule()).isEqualTo("cluster-pin");
    assertThat(pin.removed()).isEqualTo(8);
    Explanation.ValidatorCount health = x.validators().stream()
        .filter(v -> v.rule().equals("server-health")).findFirst().orElseThrow();
    assertThat(health.removed()).isEqualTo(1);
    assertThat(health.sampleReason()).contains("UNHEALTHY");

    inv.apply(new InventoryChange.SetHealth("c0-r1-s0", Health.MAINTENANCE));
    Explanation.ValidatorCount drained = e.explain(aRequest().cores(16).pin("c0").build())
        .validators().stream().filter(v -> v.rule().equals("server-health")).findFirst()
        .orElseThrow();
    assertThat(drained.removed()).as("a drained server takes nothing new").isEqualTo(1);
    assertThat(drained.sampleReason()).as("the word the operator set")
        .isEqualTo("c0-r1-s0: server is in MAINTENANCE");
    Explanation.ValidatorCount cores = x.validators().stream()
        .filter(v -> v.rule().equals("cores-fit")).findFirst().orElseThrow();
    assertThat(cores.failed()).isEqualTo(8);
    assertThat(cores.removed()).isEqualTo(4);
    assertThat(x.top()).hasSize(3);
    assertThat(x.top().get(0).rawScores()).containsKeys("best-fit", "prefer-non-empty");
    assertThat(x.toString()).contains("cluster-pin").contains("removed");
  }

  @Test
  void classifierKeysDependOnlyOnDeclaredTraits() {
    RequestClassifier k = new RequestClassifier(RuleSet.defaults());
    VmRequest a = aRequest().id("x").cores(4).tenant("t").build();
    VmRequest sameType = aRequest().id("y").cores(4).tenant("t").build();
    VmRequest otherTenant = aRequest().id("z").cores(4).tenant("u").availabilitySet("as-1").antiAffinity("aa-1")
        .build();
    VmRequest otherSize = aRequest().id("w").cores(8).tenant("t").build();
    assertThat(k.classify(a)).isEqualTo(k.classify(sameType));
    assertThat(k.classify(a)).as("tenant, availability set and group are overlay traits")
        .isEqualTo(k.classify(otherTenant));
    assertThat(k.typeKey(a)).isNotEqualTo(k.typeKey(otherSize));
    assertThat(k.typeTraits()).doesNotContain(Trait.TENANT, Trait.AVAILABILITY_SET,
        Trait.ANTI_AFFINITY_GROUP, Trait.CLUSTER_PIN);
    assertThat(k.ruleKeys(a)).contains(new RuleKey("cores-fit", "VM_TYPE=-|CORES=4"));
  }

  @Test
  void rulesDependingOnAPerRequestTraitAreTheOverlay() {
    RequestClassifier k = new RequestClassifier(RuleSet.defaults());
    assertThat(k.overlayRules()).extracting(Rule::name).containsExactly("cluster-pin",
        "fault-domain-spread", "update-domain-spread", "anti-affinity", "prefer-tenant-cluster");
    assertThat(k.cachedRules()).extracting(Rule::name).doesNotContain("prefer-tenant-cluster")
        .contains("cores-fit", "best-fit", "cluster-utilization-limit");
  }

  @Test
  void theSplitFollowsDeclaredTraitsNotNames() {
    RuleSet renamed = RuleSet.parse("""
        rules:
          - {name: keep-apart, rule: anti-affinity, kind: validator, level: server, priority: 1}
          - {name: fits, rule: resource-fit, kind: validator, level: server, priority: 2}
          - {name: near-tenant, rule: prefer-tenant-cluster, kind: preference, level: cluster,
             priority: 1}
          - {name: pack, rule: best-fit, kind: preference, level: server, priority: 2}
        """, "renamed.yaml", RuleRegistry.builtin());
    RequestClassifier k = new RequestClassifier(renamed);
    assertThat(k.overlayRules()).extracting(Rule::name).containsExactly("keep-apart",
        "near-tenant");
    assertThat(k.cachedRules()).extracting(Rule::name).containsExactly("fits", "pack");
  }
}
