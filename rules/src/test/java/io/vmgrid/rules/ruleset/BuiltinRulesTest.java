package io.vmgrid.rules.ruleset;

import static io.vmgrid.rules.testing.Inventories.anInventory;
import static io.vmgrid.rules.testing.Requests.aRequest;
import static org.assertj.core.api.Assertions.assertThat;

import io.vmgrid.rules.api.EvalContext;
import io.vmgrid.rules.api.Health;
import io.vmgrid.rules.api.HostedVm;
import io.vmgrid.rules.api.Inventory;
import io.vmgrid.rules.api.InventoryChange;
import io.vmgrid.rules.api.Level;
import io.vmgrid.rules.api.PreferenceRule;
import io.vmgrid.rules.api.Priority;
import io.vmgrid.rules.api.Resource;
import io.vmgrid.rules.api.Resources;
import io.vmgrid.rules.api.Rule;
import io.vmgrid.rules.api.ValidatorRule;
import io.vmgrid.rules.api.VmRequest;
import io.vmgrid.rules.api.VmTypeCatalog;
import io.vmgrid.rules.testing.Requests;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Table-driven tests of every built-in rule. The inventory: clusters c0 and c1, each with rack r0 of
 * two {@code small} servers (8 cores, 32 memory, fault domain 0) and rack r1 of two {@code std}
 * servers (64 cores, 256 memory, fault domain 1); update domain = slot (s0, s1).
 */
class BuiltinRulesTest {

  /** One row: a rule, the inventory changes before, the request, the unit (server or cluster id). */
  record Case(
      String name,
      Rule rule,
      Consumer<Inventory> setup,
      Requests request,
      String unit,
      @Nullable Boolean passes,
      double score) {

    @Override
    public String toString() {
      return name;
    }
  }

  static Case pass(String name, Rule rule, Consumer<Inventory> setup, Requests r, String unit,
      boolean passes) {
    return new Case(name, rule, setup, r, unit, passes, Double.NaN);
  }

  static Case score(String name, Rule rule, Consumer<Inventory> setup, Requests r, String unit,
      double score) {
    return new Case(name, rule, setup, r, unit, null, score);
  }

  static final Consumer<Inventory> NOTHING = inv -> {};

  static Consumer<Inventory> place(String server, String vm, long cores, @Nullable String set,
      @Nullable String group, String tenant) {
    return inv -> inv.apply(new InventoryChange.Place(server,
        new HostedVm(vm, tenant, new Resources(cores, cores, 0), Priority.REGULAR, set, group)));
  }

  static Consumer<Inventory> health(String server, Health h) {
    return inv -> inv.apply(new InventoryChange.SetHealth(server, h));
  }

  static Stream<Case> cases() {
    Rule cores = new BuiltinRules.ResourceFit("cores-fit", Resource.CORES);
    Rule memory = new BuiltinRules.ResourceFit("memory-fit", Resource.MEMORY);
    Rule ssd = new BuiltinRules.ResourceFit("ssd-fit", Resource.SSD);
    Rule type = new BuiltinRules.MachineTypeCompatible("machine-type");
    Rule healthy = new BuiltinRules.ServerHealth("server-health", true);
    Rule strictHealth = new BuiltinRules.ServerHealth("server-health", false);
    Rule util = new BuiltinRules.ClusterUtilizationLimit("util", Resource.CORES, 0.1, 1.0);
    Rule fd = new BuiltinRules.DomainSpread("fd", true, 1);
    Rule ud = new BuiltinRules.DomainSpread("ud", false, 1);
    Rule aa = new BuiltinRules.AntiAffinity("aa");
    Rule pin = new BuiltinRules.ClusterPin("pin");
    Rule bestFit = new BuiltinRules.BestFit("best-fit", Resource.CORES);
    Rule nonEmpty = new BuiltinRules.PreferNonEmpty("non-empty");
    Rule tenantCluster = new BuiltinRules.PreferTenantCluster("tenant-cluster");
    Rule maintenance = new BuiltinRules.AvoidMaintenance("avoid-maintenance");
    return Stream.of(
        pass("cores fit on empty small", cores, NOTHING, aRequest().cores(8), "c0-r0-s0", true),
        pass("cores exceed small", cores, NOTHING, aRequest().cores(9), "c0-r0-s0", false),
        pass("cores exceed what is left", cores, place("c0-r0-s0", "x", 6, null, null, "t"),
            aRequest().cores(4), "c0-r0-s0", false),
        pass("memory exceeds small", memory, NOTHING, aRequest().memory(40), "c0-r0-s0", false),
        pass("memory fits std", memory, NOTHING, aRequest().memory(40), "c0-r1-s0", true),
        pass("ssd exceeds small", ssd, NOTHING, aRequest().ssd(101), "c0-r0-s0", false),
        pass("any type allowed", type, NOTHING, aRequest(), "c0-r0-s0", true),
        pass("type not allowed", type, NOTHING, aRequest().machineTypes("std"), "c0-r0-s0", false),
        pass("type allowed", type, NOTHING, aRequest().machineTypes("std"), "c0-r1-s0", true),
        pass("feature missing", type, NOTHING, aRequest().features("accelerated-networking"),
            "c0-r0-s0", false),
        pass("feature present", type, NOTHING, aRequest().features("accelerated-networking"),
            "c0-r1-s0", true),
        pass("vm type not sized for machine", type, NOTHING, aRequest().vmType("v-std-only"),
            "c0-r0-s0", false),
        pass("vm type sized for machine", type, NOTHING, aRequest().vmType("v-std-only"),
            "c0-r1-s0", true),
        pass("healthy", healthy, NOTHING, aRequest(), "c0-r0-s0", true),
        pass("unhealthy", healthy, health("c0-r0-s0", Health.UNHEALTHY), aRequest(), "c0-r0-s0",
            false),
        pass("drained for maintenance", healthy, health("c0-r0-s0", Health.MAINTENANCE),
            aRequest(), "c0-r0-s0", false),
        pass("maintenance allowed", healthy, health("c0-r0-s0", Health.MAINTENANCE_PENDING),
            aRequest(), "c0-r0-s0", true),
        pass("maintenance refused", strictHealth, health("c0-r0-s0", Health.MAINTENANCE_PENDING),
            aRequest(), "c0-r0-s0", false),
        pass("cluster below limit", util, NOTHING, aRequest(), "c0", true),
        pass("cluster at limit", util, place("c0-r1-s0", "x", 16, null, null, "t"), aRequest(),
            "c0", false),
        pass("other cluster unaffected", util, place("c0-r1-s0", "x", 16, null, null, "t"),
            aRequest(), "c1", true),
        pass("low priority has its own limit", util, place("c0-r1-s0", "x", 16, null, null, "t"),
            aRequest().low(), "c0", true),
        pass("no availability set", fd, place("c0-r1-s0", "x", 1, "as", null, "t"), aRequest(),
            "c0-r1-s1", true),
        pass("fault domain full", fd, place("c0-r1-s0", "x", 1, "as", null, "t"),
            aRequest().availabilitySet("as"), "c0-r1-s1", false),
        pass("other fault domain", fd, place("c0-r1-s0", "x", 1, "as", null, "t"),
            aRequest().availabilitySet("as"), "c0-r0-s1", true),
        pass("same fault domain number, other cluster", fd,
            place("c0-r1-s0", "x", 1, "as", null, "t"), aRequest().availabilitySet("as"),
            "c1-r1-s1", true),
        pass("other availability set", fd, place("c0-r1-s0", "x", 1, "as", null, "t"),
            aRequest().availabilitySet("other"), "c0-r1-s1", true),
        pass("update domain full", ud, place("c0-r1-s0", "x", 1, "as", null, "t"),
            aRequest().availabilitySet("as"), "c0-r0-s0", false),
        pass("other update domain", ud, place("c0-r1-s0", "x", 1, "as", null, "t"),
            aRequest().availabilitySet("as"), "c0-r1-s1", true),
        pass("group on server", aa, place("c0-r1-s0", "x", 1, null, "g", "t"),
            aRequest().antiAffinity("g"), "c0-r1-s0", false),
        pass("group elsewhere", aa, place("c0-r1-s0", "x", 1, null, "g", "t"),
            aRequest().antiAffinity("g"), "c0-r1-s1", true),
        pass("other group", aa, place("c0-r1-s0", "x", 1, null, "g", "t"),
            aRequest().antiAffinity("h"), "c0-r1-s0", true),
        pass("unpinned", pin, NOTHING, aRequest(), "c0", true),
        pass("pinned elsewhere", pin, NOTHING, aRequest().pin("c1"), "c0", false),
        pass("pinned here", pin, NOTHING, aRequest().pin("c1"), "c1", true),
        score("best fit empty", bestFit, NOTHING, aRequest().cores(4), "c0-r1-s0", 4 / 64.0),
        score("best fit half full", bestFit, place("c0-r1-s0", "x", 32, null, null, "t"),
            aRequest().cores(4), "c0-r1-s0", 36 / 64.0),
        score("empty server", nonEmpty, NOTHING, aRequest(), "c0-r1-s0", 0),
        score("non-empty server", nonEmpty, place("c0-r1-s0", "x", 1, null, null, "t"),
            aRequest(), "c0-r1-s0", 1),
        score("tenant's cluster", tenantCluster, place("c0-r1-s0", "x", 1, null, null, "t1"),
            aRequest().tenant("t1"), "c0", 1),
        score("not tenant's cluster", tenantCluster, place("c0-r1-s0", "x", 1, null, null, "t1"),
            aRequest().tenant("t1"), "c1", 0),
        score("other tenant", tenantCluster, place("c0-r1-s0", "x", 1, null, null, "t2"),
            aRequest().tenant("t1"), "c0", 0),
        score("maintenance avoided", maintenance,
            health("c0-r0-s0", Health.MAINTENANCE_PENDING), aRequest(), "c0-r0-s0", 0),
        score("healthy preferred", maintenance, NOTHING, aRequest(), "c0-r0-s0", 1));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void rule(Case c) {
    Inventory inv = anInventory().clusters(2).racks(2).serversPerRack(2).smallRacks(1)
        .vmTypes(new VmTypeCatalog(Map.of("v-std-only",
            Map.of("std", new VmTypeCatalog.Fraction(0.25, 0.25, 0.1)))))
        .build();
    c.setup().accept(inv);
    VmRequest request = c.request().build();
    EvalContext ctx = new EvalContext(inv, request);
    int unit = c.rule().level() == Level.CLUSTER ? inv.clusterIndexOf(c.unit()) : inv.indexOf(c.unit());
    assertThat(unit).as("unit " + c.unit()).isNotNegative();
    if (c.passes() != null) {
      ValidatorRule v = (ValidatorRule) c.rule();
      assertThat(v.passes(ctx, unit)).isEqualTo(c.passes());
      long[] bits = new long[1];
      v.evaluate(ctx, unit, unit + 1, bits);
      assertThat(bits[0] != 0).as("bulk evaluate agrees").isEqualTo(c.passes());
      if (!c.passes()) {
        assertThat(v.verdict(ctx, unit).reason()).isNotBlank();
        assertThat(v.verdict(ctx, unit).rule()).isEqualTo(v.name());
      }
    } else {
      PreferenceRule p = (PreferenceRule) c.rule();
      assertThat(p.score(ctx, unit)).isEqualTo(c.score());
      double[] out = new double[1];
      p.score(ctx, unit, unit + 1, out);
      assertThat(out[0]).as("bulk score agrees").isEqualTo(c.score());
    }
  }
}
