package io.vmgrid.rules.capacity;

import io.vmgrid.rules.api.Constraints;
import io.vmgrid.rules.api.EvalContext;
import io.vmgrid.rules.api.HostedVm;
import io.vmgrid.rules.api.Inventory;
import io.vmgrid.rules.api.InventoryChange;
import io.vmgrid.rules.api.Resources;
import io.vmgrid.rules.api.VmRequest;
import io.vmgrid.rules.engine.AgentCache;
import io.vmgrid.rules.engine.Candidates;
import io.vmgrid.rules.engine.RuleEngine;
import io.vmgrid.rules.ruleset.RuleSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts headroom for the planner's headroom and what-if reports: how many copies of a template the
 * engine places, one by one on its best candidate, on a private copy of the inventory. Holds no
 * mutable state.
 */
final class HeadroomCounter {
  private final CapacitySettings settings;

  HeadroomCounter(CapacitySettings settings) {
    this.settings = settings;
  }

  /** Headroom of each template under {@code rules}, each counted on the same private copy. */
  HeadroomReport report(
      Inventory inventory, RuleSet rules, List<VmRequest> templates, long revision) {
    Templates.check(inventory, templates);
    List<Headroom> out = new ArrayList<>(templates.size());
    Inventory scratch = inventory.copy(Simulations.JOURNAL);
    for (VmRequest t : templates) {
      out.add(count(scratch, rules, t));
    }
    return new HeadroomReport(rules.source(), revision, PackingStats.of(inventory), out);
  }

  /**
   * Counts {@code template}'s headroom on {@code sim}, a private copy, and leaves {@code sim} in the
   * state it found it (the copies placed are released again, newest first), so that one copy serves
   * every template of a report: cheaper than a copy per template when headrooms are small.
   */
  Headroom count(Inventory sim, RuleSet rules, VmRequest template) {
    RuleEngine engine = Simulations.engine(sim, rules, Simulations.BEST_ONLY);
    AgentCache cache = engine.newCache(Simulations.UNBOUNDED);
    EvalContext ctx = new EvalContext(sim, template);
    Constraints c = template.constraints();
    long[] perCluster = new long[sim.clusterCount()];
    long n = 0;
    boolean capped = false;
    String prefix = "~" + template.id() + "#";
    List<String> placedIds = new ArrayList<>();
    List<String> placedOn = new ArrayList<>();
    boolean sized = false;
    for (int m = 0; m < sim.machineTypes().size(); m++) {
      sized |= ctx.sizedFor(m);
    }
    while (sized) {
      Candidates candidates = cache.candidates(template);
      if (candidates.isEmpty()) {
        break;
      }
      int s = candidates.server(0);
      Resources demand = ctx.demandOn(s);
      if (!sim.fits(s, demand)) {
        break; // a rule set without fit rules: the placement store would reject this placement
      }
      if (n >= settings.maxCopiesPerTemplate()) {
        capped = true;
        break;
      }
      String id = prefix + n;
      while (sim.serverOf(id) >= 0) {
        id = id + "'";
      }
      sim.apply(new InventoryChange.Place(sim.serverId(s), new HostedVm(id, template.tenant(),
          demand, template.priority(), c.availabilitySet(), c.antiAffinityGroup())));
      placedIds.add(id);
      placedOn.add(sim.serverId(s));
      perCluster[sim.cluster(s)]++;
      n++;
    }
    Map<String, Long> byCluster = new LinkedHashMap<>();
    for (int k = 0; k < perCluster.length; k++) {
      byCluster.put(sim.clusterId(k), perCluster[k]);
    }
    PackingStats whenFull = PackingStats.of(sim);
    for (int k = placedIds.size() - 1; k >= 0; k--) {
      sim.apply(new InventoryChange.Release(placedOn.get(k), placedIds.get(k)));
    }
    return new Headroom(template, n, byCluster, capped, whenFull);
  }
}
