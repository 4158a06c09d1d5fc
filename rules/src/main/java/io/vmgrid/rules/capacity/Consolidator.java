package io.vmgrid.rules.capacity;

import io.vmgrid.rules.api.HostedVm;
import io.vmgrid.rules.api.Inventory;
import io.vmgrid.rules.api.Resource;
import io.vmgrid.rules.api.VmRequest;
import io.vmgrid.rules.engine.Candidates;
import io.vmgrid.rules.engine.RuleEngine;
import io.vmgrid.rules.ruleset.RuleSet;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Plans consolidations for the planner (see {@link CapacityPlanner#consolidate}): empties lightly
 * used servers by moving their VMs onto servers already in use, and keeps a server's moves only if
 * they raise the usable free cores. Simulates on a private copy; holds no mutable state.
 */
final class Consolidator {
  private final RuleSet ruleSet;
  private final RuleSet moveRules;
  private final CapacitySettings settings;
  private final MoveChecker checker;

  /**
   * Creates a consolidator.
   *
   * @param ruleSet the rules usable free cores are counted under
   * @param moveRules the rules targets are ranked and checked under
   */
  Consolidator(RuleSet ruleSet, RuleSet moveRules, CapacitySettings settings, MoveChecker checker) {
    this.ruleSet = ruleSet;
    this.moveRules = moveRules;
    this.settings = settings;
    this.checker = checker;
  }

  /** See {@link CapacityPlanner#consolidate}. */
  ConsolidationPlan plan(Inventory inventory, List<VmRequest> templates) {
    Templates.check(inventory, templates);
    Inventory sim = inventory.copy(Simulations.JOURNAL);
    FragmentationReport before = UsableCores.fragmentation(sim, ruleSet, templates);
    PackingStats packingBefore = PackingStats.of(sim);
    UsableCores usable = new UsableCores(sim, ruleSet, templates);
    long[] usableNow = new long[sim.size()];
    List<Integer> sources = sources(sim, usable, usableNow);
    RuleEngine engine = Simulations.engine(sim, moveRules, Simulations.RANKED);
    Set<Integer> emptied = new HashSet<>();
    Set<Integer> targets = new HashSet<>();
    List<Move> moves = new ArrayList<>();
    List<String> emptiedIds = new ArrayList<>();
    for (int src : sources.subList(0, Math.min(sources.size(), settings.maxSourceServers()))) {
      List<HostedVm> vms = Simulations.largestFirst(sim.vmsOn(src));
      if (targets.contains(src) || vms.isEmpty()
          || moves.size() + vms.size() > settings.maxMoves()) {
        continue;
      }
      List<Move> local = new ArrayList<>();
      Map<Integer, Long> touched = new LinkedHashMap<>();
      touched.put(src, usableNow[src]);
      boolean ok = true;
      for (HostedVm vm : vms) {
        int t = target(sim, engine, vm, src, emptied);
        if (t < 0) {
          ok = false;
          break;
        }
        Move m = new Move(vm.id(), sim.serverId(src), sim.serverId(t), vm.used());
        CapacityPlanner.applyTo(sim, m);
        touched.putIfAbsent(t, usableNow[t]);
        local.add(m);
      }
      long gain = 0;
      if (ok) {
        for (Map.Entry<Integer, Long> e : touched.entrySet()) {
          gain += usable.on(e.getKey()) - e.getValue();
        }
      }
      if (ok && gain > 0) {
        moves.addAll(local);
        emptied.add(src);
        emptiedIds.add(sim.serverId(src));
        for (int k : touched.keySet()) {
          usableNow[k] = usable.on(k);
          if (k != src) {
            targets.add(k);
          }
        }
      } else {
        undo(sim, local);
      }
    }
    return new ConsolidationPlan(moves, emptiedIds, before,
        UsableCores.fragmentation(sim, ruleSet, templates), packingBefore, PackingStats.of(sim));
  }

  /**
   * The servers that could be emptied (hosting VMs, in service), fewest used cores first; fills
   * {@code usableNow} with every server's usable free cores.
   */
  private static List<Integer> sources(Inventory sim, UsableCores usable, long[] usableNow) {
    List<Integer> sources = new ArrayList<>();
    for (int i = 0; i < sim.size(); i++) {
      usableNow[i] = usable.on(i);
      if (sim.vmCount(i) > 0 && !sim.health(i).outOfService()) {
        sources.add(i);
      }
    }
    sources.sort(Comparator.comparingLong((Integer i) -> sim.used(Resource.CORES, i))
        .thenComparingInt(i -> i));
    return sources;
  }

  /** Moves {@code local}'s VMs back, newest move first. */
  private static void undo(Inventory sim, List<Move> local) {
    for (int k = local.size() - 1; k >= 0; k--) {
      Move m = local.get(k);
      CapacityPlanner.applyTo(sim,
          new Move(m.vmId(), m.toServerId(), m.fromServerId(), m.demand()));
    }
  }

  private int target(Inventory sim, RuleEngine engine, HostedVm vm, int src, Set<Integer> emptied) {
    VmRequest req = Simulations.moveRequest(sim, vm, src, settings.sameClusterMoves());
    if (req == null) {
      return -1;
    }
    Candidates c = engine.evaluate(req);
    for (int rank = 0; rank < c.size(); rank++) {
      int t = c.server(rank);
      if (t == src || emptied.contains(t) || sim.vmCount(t) == 0) {
        continue;
      }
      Move m = new Move(vm.id(), sim.serverId(src), sim.serverId(t), vm.used());
      if (checker.check(sim, m).valid()) {
        return t;
      }
    }
    return -1;
  }
}
