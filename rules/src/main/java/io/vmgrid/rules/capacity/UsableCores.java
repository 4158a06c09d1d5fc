package io.vmgrid.rules.capacity;

import io.vmgrid.rules.api.EvalContext;
import io.vmgrid.rules.api.Inventory;
import io.vmgrid.rules.api.Level;
import io.vmgrid.rules.api.Resource;
import io.vmgrid.rules.api.Resources;
import io.vmgrid.rules.api.ValidatorRule;
import io.vmgrid.rules.api.VmRequest;
import io.vmgrid.rules.ruleset.RuleSet;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Usable free cores per server, the measure of the planner's fragmentation reports and
 * consolidation plans: for the template using most, copies that fit × their cores, on servers that
 * pass the rule set's server-level validators for it. Reads the inventory it was made for.
 */
final class UsableCores {
  private final Inventory inv;
  private final List<EvalContext> contexts = new ArrayList<>();
  private final List<ValidatorRule> validators = new ArrayList<>();

  UsableCores(Inventory inv, RuleSet ruleSet, List<VmRequest> templates) {
    this.inv = inv;
    for (VmRequest t : templates) {
      contexts.add(new EvalContext(inv, t));
    }
    for (RuleSet.Entry<ValidatorRule> e : ruleSet.validators()) {
      if (e.rule().level() == Level.SERVER) {
        validators.add(e.rule());
      }
    }
  }

  /** See {@link CapacityPlanner#fragmentation}. */
  static FragmentationReport fragmentation(
      Inventory inventory, RuleSet ruleSet, List<VmRequest> templates) {
    Templates.check(inventory, templates);
    UsableCores usable = new UsableCores(inventory, ruleSet, templates);
    long free = 0;
    long use = 0;
    long strandedCores = 0;
    List<Integer> stranded = new ArrayList<>();
    for (int i = 0; i < inventory.size(); i++) {
      if (inventory.health(i).outOfService()) {
        continue;
      }
      long f = inventory.free(Resource.CORES, i);
      long u = usable.on(i);
      free += f;
      use += u;
      if (f > 0 && u == 0) {
        stranded.add(i);
        strandedCores += f;
      }
    }
    stranded.sort(Comparator.comparingLong((Integer i) -> -inventory.free(Resource.CORES, i))
        .thenComparingInt(i -> i));
    List<StrandedServer> out = new ArrayList<>(stranded.size());
    for (int i : stranded) {
      out.add(new StrandedServer(inventory.serverId(i), inventory.clusterId(inventory.cluster(i)),
          new Resources(inventory.free(Resource.CORES, i), inventory.free(Resource.MEMORY, i),
              inventory.free(Resource.SSD, i))));
    }
    return new FragmentationReport(free, use, out, strandedCores);
  }

  /** Usable free cores on server {@code i} now (0 if it is out of service). */
  long on(int i) {
    if (inv.health(i).outOfService()) {
      return 0;
    }
    int m = inv.machineType(i);
    long freeCores = inv.free(Resource.CORES, i);
    long best = 0;
    for (EvalContext ctx : contexts) {
      if (!ctx.sizedFor(m)) {
        continue;
      }
      long copies = Long.MAX_VALUE;
      for (Resource r : Resource.values()) {
        long d = ctx.demand(r, m);
        if (d > 0) {
          copies = Math.min(copies, inv.free(r, i) / d);
        }
      }
      long cores = ctx.demand(Resource.CORES, m);
      if (copies == 0 || copies == Long.MAX_VALUE || cores == 0 || !passesAll(ctx, i)) {
        continue;
      }
      best = Math.max(best, Math.min(freeCores, copies * cores));
    }
    return best;
  }

  private boolean passesAll(EvalContext ctx, int i) {
    for (ValidatorRule v : validators) {
      if (!v.passes(ctx, i)) {
        return false;
      }
    }
    return true;
  }
}
