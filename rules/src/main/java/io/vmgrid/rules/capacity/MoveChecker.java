package io.vmgrid.rules.capacity;

import io.vmgrid.rules.api.EvalContext;
import io.vmgrid.rules.api.HostedVm;
import io.vmgrid.rules.api.Inventory;
import io.vmgrid.rules.api.Level;
import io.vmgrid.rules.api.Resource;
import io.vmgrid.rules.api.Resources;
import io.vmgrid.rules.api.ValidatorRule;
import io.vmgrid.rules.api.VmRequest;
import io.vmgrid.rules.ruleset.RuleSet;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a move against an inventory's current state as it would be committed, collecting every
 * problem with its reason; the planner's move checks and its consolidation plans use it. Holds no
 * mutable state.
 */
final class MoveChecker {
  private final RuleSet moveRules;
  private final boolean sameClusterMoves;

  /**
   * Creates a checker.
   *
   * @param moveRules the validators a target must pass (the planner's rule set, for moves within a
   *     cluster without its utilization limits)
   * @param sameClusterMoves whether moves must stay in their cluster
   */
  MoveChecker(RuleSet moveRules, boolean sameClusterMoves) {
    this.moveRules = moveRules;
    this.sameClusterMoves = sameClusterMoves;
  }

  /** See {@link CapacityPlanner#check}. */
  MoveCheck check(Inventory inventory, Move move) {
    List<String> problems = new ArrayList<>();
    int from = inventory.indexOf(move.fromServerId());
    int to = inventory.indexOf(move.toServerId());
    if (from < 0) {
      problems.add("fromServerId: unknown server " + move.fromServerId());
    }
    if (to < 0) {
      problems.add("toServerId: unknown server " + move.toServerId());
    }
    HostedVm vm = inventory.vm(move.vmId());
    if (vm == null) {
      problems.add("vmId: VM " + move.vmId() + " is not in the inventory");
    } else if (from >= 0 && inventory.serverOf(move.vmId()) != from) {
      problems.add("vmId: VM " + move.vmId() + " is on server "
          + inventory.serverId(inventory.serverOf(move.vmId())) + ", not " + move.fromServerId());
    }
    if (!problems.isEmpty() || vm == null) {
      return new MoveCheck(move, problems);
    }
    if (!vm.used().equals(move.demand())) {
      problems.add("demand: VM " + vm.id() + " uses " + vm.used() + ", the move says "
          + move.demand());
    }
    if (sameClusterMoves && inventory.cluster(from) != inventory.cluster(to)) {
      problems.add("toServerId: server " + move.toServerId() + " is in cluster "
          + inventory.clusterId(inventory.cluster(to)) + ", moves stay in cluster "
          + inventory.clusterId(inventory.cluster(from)));
    }
    if (!inventory.fits(to, vm.used())) {
      problems.add("capacity: server " + move.toServerId() + " has " + free(inventory, to)
          + " free, VM " + vm.id() + " needs " + vm.used());
    }
    VmRequest req = Simulations.moveRequest(inventory, vm, from, sameClusterMoves);
    if (req == null) {
      problems.add("demand: VM " + vm.id() + " uses nothing; there is nothing to move");
      return new MoveCheck(move, problems);
    }
    EvalContext ctx = new EvalContext(inventory, req);
    for (RuleSet.Entry<ValidatorRule> e : moveRules.validators()) {
      ValidatorRule v = e.rule();
      int unit = v.level() == Level.CLUSTER ? inventory.cluster(to) : to;
      if (!v.passes(ctx, unit)) {
        problems.add(v.name() + ": " + v.reason(ctx, unit));
      }
    }
    return new MoveCheck(move, problems);
  }

  private static Resources free(Inventory inv, int i) {
    return new Resources(inv.free(Resource.CORES, i), inv.free(Resource.MEMORY, i),
        inv.free(Resource.SSD, i));
  }
}
