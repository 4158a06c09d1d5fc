package io.vmgrid.rules.capacity;

import io.vmgrid.rules.api.Health;
import io.vmgrid.rules.api.HostedVm;
import io.vmgrid.rules.api.Inventory;
import io.vmgrid.rules.api.InventoryChange;
import io.vmgrid.rules.api.MachineType;
import io.vmgrid.rules.api.ServerSpec;
import io.vmgrid.rules.api.ValidationException;
import io.vmgrid.rules.api.VmRequest;
import io.vmgrid.rules.engine.Candidates;
import io.vmgrid.rules.engine.RuleEngine;
import io.vmgrid.rules.ruleset.RuleSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Evaluates the planner's what-if changes on a private copy of an inventory: rule-set changes,
 * added servers and drains (with or without evacuation), and headroom before and after them. Holds
 * no mutable state.
 */
final class WhatIfAnalysis {
  private final RuleSet ruleSet;
  private final HeadroomCounter headroom;

  WhatIfAnalysis(RuleSet ruleSet, HeadroomCounter headroom) {
    this.ruleSet = ruleSet;
    this.headroom = headroom;
  }

  /** See {@link CapacityPlanner#whatIf}. */
  WhatIfReport run(Inventory inventory, List<WhatIf> changes, List<VmRequest> templates) {
    long revision = inventory.journal().revision();
    HeadroomReport before = headroom.report(inventory, ruleSet, templates, revision);
    RuleSet rules = ruleSet;
    List<String> notes = new ArrayList<>();
    for (WhatIf change : changes) {
      if (change instanceof WhatIf.ChangeUtilizationLimit d) {
        String was = limitText(rules);
        rules = rules.withClusterUtilizationLimitChangedBy(d.delta());
        notes.add("cluster utilization limit " + was + " -> " + limitText(rules));
      } else if (change instanceof WhatIf.SetUtilizationLimit l) {
        String was = limitText(rules);
        rules = rules.withClusterUtilizationLimit(l.limit(), l.lowPriorityLimit());
        notes.add("cluster utilization limit " + was + " -> " + limitText(rules));
      } else if (change instanceof WhatIf.UseRuleSet u) {
        rules = u.ruleSet();
        notes.add("rule set " + u.ruleSet().source());
      }
    }
    Inventory sim = inventory.copy(Simulations.JOURNAL);
    for (WhatIf change : changes) {
      if (change instanceof WhatIf.AddServers a) {
        boolean fresh = sim.clusterIndexOf(a.cluster()) < 0;
        sim = withServers(sim, a);
        notes.add("added " + a.count() + " servers of machine type " + a.machineType()
            + (fresh ? " as a new cluster " + a.cluster() + " (no cluster of that name exists)"
                : " to cluster " + a.cluster()));
      }
    }
    int evacuated = 0;
    int failures = 0;
    for (WhatIf change : changes) {
      if (change instanceof WhatIf.Drain d) {
        int[] result = drain(sim, rules, d);
        evacuated += result[0];
        failures += result[1];
        notes.add("drained " + d.serverIds().size() + " servers to " + d.health()
            + (d.evacuate() ? ": " + result[0] + " VMs moved, " + result[1] + " found no server"
                : " (VMs stay)"));
      }
    }
    HeadroomReport after = headroom.report(sim, rules, templates, revision);
    return new WhatIfReport(changes, before, after, evacuated, failures, notes);
  }

  private static String limitText(RuleSet rules) {
    return rules.clusterUtilizationLimit().isPresent()
        ? String.format(Locale.ROOT, "%.3f", rules.clusterUtilizationLimit().getAsDouble())
        : "none";
  }

  /** Rebuilds {@code src}'s topology with the added servers and replays its state onto it. */
  private static Inventory withServers(Inventory src, WhatIf.AddServers add) {
    if (src.machineTypeIndexOf(add.machineType()) < 0) {
      throw new ValidationException("machineType", "unknown machine type " + add.machineType()
          + " (known: " + String.join(", ",
              src.machineTypes().stream().map(MachineType::id).toList()) + ")");
    }
    Inventory.Builder b = Inventory.builder().vmTypes(src.vmTypes())
        .journalCapacity(src.journal().capacity());
    src.machineTypes().forEach(b::machineType);
    for (int i = 0; i < src.size(); i++) {
      b.server(src.serverSpec(i));
    }
    int c = src.clusterIndexOf(add.cluster());
    int faultDomains = 1;
    int updateDomains = 1;
    int perRack = 40;
    if (c >= 0) {
      Set<Integer> racks = new HashSet<>();
      for (int i = src.clusterStart(c); i < src.clusterEnd(c); i++) {
        faultDomains = Math.max(faultDomains, src.localFaultDomain(i) + 1);
        updateDomains = Math.max(updateDomains, src.localUpdateDomain(i) + 1);
        racks.add(src.rack(i));
      }
      int servers = src.clusterEnd(c) - src.clusterStart(c);
      perRack = Math.max(1, (servers + racks.size() - 1) / Math.max(1, racks.size()));
    }
    String rackPrefix = "whatif" + src.size() + "-r";
    int k = 0;
    for (int added = 0; added < add.count(); k++) {
      String id = add.cluster() + "-whatif-" + k;
      if (src.indexOf(id) >= 0) {
        continue;
      }
      int rack = added / perRack;
      b.server(new ServerSpec(id, add.cluster(), rackPrefix + rack, rack % faultDomains,
          (added % perRack) % updateDomains, add.machineType()));
      added++;
    }
    Inventory out = b.build();
    for (int i = 0; i < src.size(); i++) {
      String id = src.serverId(i);
      for (HostedVm vm : src.vmsOn(i)) {
        out.apply(new InventoryChange.Place(id, vm));
      }
      if (src.health(i) != Health.HEALTHY) {
        out.apply(new InventoryChange.SetHealth(id, src.health(i)));
      }
    }
    return out;
  }

  /** Drains on {@code sim}; returns {evacuated, failures}. */
  private static int[] drain(Inventory sim, RuleSet rules, WhatIf.Drain d) {
    Set<Integer> drained = new HashSet<>();
    for (String id : new TreeSet<>(d.serverIds())) {
      int i = sim.indexOf(id);
      if (i < 0) {
        throw new ValidationException("serverIds", "unknown server " + id);
      }
      drained.add(i);
      sim.apply(new InventoryChange.SetHealth(id, d.health()));
    }
    int[] result = new int[2];
    if (!d.evacuate()) {
      return result;
    }
    RuleEngine engine = Simulations.engine(sim, rules, Simulations.RANKED);
    for (String id : new TreeSet<>(d.serverIds())) {
      int src = sim.indexOf(id);
      for (HostedVm vm : Simulations.largestFirst(sim.vmsOn(src))) {
        VmRequest req = Simulations.moveRequest(sim, vm, src, false);
        int target = -1;
        if (req != null) {
          Candidates c = engine.evaluate(req);
          for (int rank = 0; rank < c.size() && target < 0; rank++) {
            int t = c.server(rank);
            if (!drained.contains(t) && sim.fits(t, vm.used())) {
              target = t;
            }
          }
        }
        sim.apply(new InventoryChange.Release(id, vm.id()));
        if (target >= 0) {
          sim.apply(new InventoryChange.Place(sim.serverId(target), vm));
          result[0]++;
        } else {
          result[1]++;
        }
      }
    }
    return result;
  }
}
