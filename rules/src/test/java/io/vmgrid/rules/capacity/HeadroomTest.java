package io.vmgrid.rules.capacity;

import static io.vmgrid.rules.testing.Inventories.anInventory;
import static io.vmgrid.rules.testing.Requests.aRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmgrid.rules.api.EvalContext;
import io.vmgrid.rules.api.Inventory;
import io.vmgrid.rules.api.InventoryChange;
import io.vmgrid.rules.api.Resources;
import io.vmgrid.rules.api.ValidationException;
import io.vmgrid.rules.api.VmRequest;
import io.vmgrid.rules.engine.Decision;
import io.vmgrid.rules.engine.EngineSettings;
import io.vmgrid.rules.engine.RuleEngine;
import io.vmgrid.rules.ruleset.RuleSet;
import io.vmgrid.rules.testing.FakeTicker;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Headroom is exactly what placing copies one by one with a fresh, uncached engine achieves. */
class HeadroomTest {
  private static final CapacityPlanner PLANNER =
      new CapacityPlanner(RuleSet.defaults(), CapacitySettings.defaults());

  /** Several kinds of template: explicit shapes, catalogued types, low priority, constraints. */
  static List<VmRequest> templates() {
    return List.of(
        aRequest().id("4c").cores(4).memory(16).tenant(Templates.TENANT).build(),
        aRequest().id("16c").cores(16).memory(64).tenant(Templates.TENANT).build(),
        aRequest().id("2c-low").cores(2).memory(4).low().tenant(Templates.TENANT).build(),
        aRequest().id("8c-set").cores(8).memory(8).availabilitySet("probe-set")
            .tenant(Templates.TENANT).build(),
        aRequest().id("4c-anti").cores(4).memory(8).antiAffinity("probe-group")
            .tenant(Templates.TENANT).build(),
        aRequest().id("2c-pinned").cores(2).memory(2).pin("c1").tenant(Templates.TENANT).build(),
        Templates.ofType("d2"),
        Templates.ofType("d8"),
        Templates.ofType("d32"));
  }

  /** Copies placed one by one on a copy by a fresh engine (no cache), per cluster id and total. */
  static Map<String, Long> reference(Inventory live, RuleSet rules, VmRequest t) {
    Inventory copy = live.copy();
    RuleEngine engine = new RuleEngine(copy, rules, EngineSettings.defaults(),
        new SplittableRandom(1), new FakeTicker());
    EvalContext ctx = new EvalContext(copy, t);
    Map<String, Long> out = new LinkedHashMap<>();
    for (int c = 0; c < copy.clusterCount(); c++) {
      out.put(copy.clusterId(c), 0L);
    }
    long total = 0;
    while (true) {
      Optional<Decision> d = engine.choose(engine.evaluate(t));
      if (d.isEmpty()) {
        break;
      }
      int s = d.get().server();
      Resources demand = ctx.demandOn(s);
      assertThat(copy.fits(s, demand)).as("engine chose a server that fits").isTrue();
      copy.apply(new InventoryChange.Place(copy.serverId(s),
          t.withId("ref-" + total).toHostedVm(demand)));
      out.merge(copy.clusterId(copy.cluster(s)), 1L, Long::sum);
      total++;
    }
    out.put("total", total);
    return out;
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
  void headroomEqualsCopiesThatSucceedOneByOne(long seed) {
    System.out.println("HeadroomTest seed=" + seed);
    Inventory live = Fixtures.random(seed, 0.2 + 0.6 * new SplittableRandom(seed).nextDouble());
    List<String> before = Fixtures.snapshot(live);

    HeadroomReport report = PLANNER.headroom(live, templates());

    assertThat(Fixtures.snapshot(live)).as("live inventory untouched").isEqualTo(before);
    assertThat(report.revision()).isEqualTo(live.journal().revision());
    for (Headroom h : report.templates()) {
      Map<String, Long> expected = reference(live, RuleSet.defaults(), h.template());
      Map<String, Long> actual = new LinkedHashMap<>(h.perCluster());
      actual.put("total", h.total());
      assertThat(actual).as("seed %d template %s", seed, h.templateId()).isEqualTo(expected);
      assertThat(h.capped()).isFalse();
      System.out.println("  " + h.templateId() + " " + h.total() + " " + h.perCluster());
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {31, 32, 33, 34})
  void perClusterHeadroomIsWhatThatClusterAloneTakes(long seed) {
    System.out.println("HeadroomTest per-cluster seed=" + seed);
    Inventory live = Fixtures.random(seed, 0.5);
    for (VmRequest t : List.of(templates().get(0), templates().get(1), templates().get(6))) {
      Headroom all = PLANNER.headroom(live, t);
      for (int c = 0; c < live.clusterCount(); c++) {
        String cluster = live.clusterId(c);
        VmRequest pinned = t.withConstraints(t.constraints().withClusterPin(cluster));
        assertThat(PLANNER.headroom(live, pinned).total())
            .as("seed %d template %s cluster %s", seed, t.id(), cluster)
            .isEqualTo(all.inCluster(cluster));
      }
    }
  }

  @Test
  void utilizationLimitStopsACluster() {
    // 4 × 64 cores; the limit admits placements while used < 0.85 × 256 = 217.6: 14 × 16 cores.
    Inventory inv = anInventory().serversPerRack(4).build();
    VmRequest t = aRequest().id("16c").cores(16).memory(16).build();

    assertThat(PLANNER.headroom(inv, t).total()).isEqualTo(14);
    assertThat(new CapacityPlanner(RuleSet.defaults().withClusterUtilizationLimit(1, 1),
        CapacitySettings.defaults()).headroom(inv, t).total()).isEqualTo(16);
    assertThat(PLANNER.headroom(inv, t).whenFull().density()).isEqualTo(224 / 256.0);
  }

  @Test
  void catalogTemplatesAreSizedPerMachineType() {
    Inventory inv = anInventory().serversPerRack(2).racks(2).smallRacks(1)
        .vmTypes(Fixtures.CATALOG).build();
    CapacityPlanner noLimit = new CapacityPlanner(
        RuleSet.defaults().withClusterUtilizationLimit(1, 1), CapacitySettings.defaults());

    HeadroomReport r = noLimit.headroom(inv);

    assertThat(r.templates()).extracting(Headroom::templateId).containsExactly("d2", "d32", "d8");
    // d2: 32 per std server (2 cores of 64), 4 per small server (2 of 8)
    assertThat(r.find("d2").orElseThrow().total()).isEqualTo(2 * 32 + 2 * 4);
    assertThat(r.find("d8").orElseThrow().total()).isEqualTo(2 * 8);
    assertThat(r.find("d32").orElseThrow().total()).isEqualTo(2 * 2);
  }

  @Test
  void capStopsCountingAndSaysSo() {
    Inventory inv = anInventory().build();
    CapacityPlanner capped = new CapacityPlanner(RuleSet.defaults(),
        CapacitySettings.defaults().withMaxCopiesPerTemplate(5));

    Headroom h = capped.headroom(inv, aRequest().cores(1).memory(1).build());

    assertThat(h.total()).isEqualTo(5);
    assertThat(h.capped()).isTrue();
  }

  @Test
  void badTemplatesAreRejectedNamingTheField() {
    Inventory inv = anInventory().build();
    VmRequest unknown = Templates.ofType("no-such-type");
    VmRequest a = aRequest().id("same").build();

    assertThatThrownBy(() -> PLANNER.headroom(inv, List.of(unknown)))
        .isInstanceOf(ValidationException.class)
        .hasMessageStartingWith("templates[0].vmType: unknown VM type no-such-type");
    assertThatThrownBy(() -> PLANNER.headroom(inv, List.of(a, a)))
        .hasMessageStartingWith("templates[1].id: duplicate template id same");
  }

  @Test
  void templatesFromRequestsAreTheMostFrequentShapes() {
    List<VmRequest> recent = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      recent.add(aRequest().id("a" + i).cores(4).memory(16).tenant("t" + i).build());
    }
    recent.add(aRequest().id("b").cores(8).memory(32).build());
    recent.add(aRequest().id("c").cores(2).memory(4).low().build());
    recent.add(aRequest().id("c2").cores(2).memory(4).low().build());

    List<VmRequest> t = Templates.fromRequests(recent, 2);

    assertThat(t).extracting(VmRequest::id).containsExactly("4c16m", "2c4m-low");
    assertThat(t.get(0).tenant()).isEqualTo(Templates.TENANT);
  }
}
