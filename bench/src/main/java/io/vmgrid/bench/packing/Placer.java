package io.vmgrid.bench.packing;

import io.vmgrid.rules.api.Health;
import io.vmgrid.rules.api.Inventory;
import io.vmgrid.rules.api.Resource;
import io.vmgrid.rules.api.VmRequest;
import io.vmgrid.rules.engine.AgentCache;
import io.vmgrid.rules.engine.CacheSettings;
import io.vmgrid.rules.engine.Decision;
import io.vmgrid.rules.engine.EngineSettings;
import io.vmgrid.rules.engine.PreemptionStats;
import io.vmgrid.rules.engine.RuleEngine;
import io.vmgrid.rules.ruleset.RuleSet;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * One placement policy of the benchmark: picks a server for a request, and the VMs to evict there
 * first if it preempts, or nothing to reject it.
 */
interface Placer {

  /** The policy's name in the results. */
  String name();

  /** The decision (server and victims, if any), or empty (no capacity). */
  Optional<Decision> choose(VmRequest request);

  /** The policy's preemption searches so far (zeros for a policy that never preempts). */
  default PreemptionStats preemptionStats() {
    return new PreemptionStats(0, 0, 0, 0);
  }

  /**
   * The rule engine with one agent's cache, always taking its best candidate (no conflicts); when no
   * server fits, the engine's preemption decision if the rule set's preemption is on.
   */
  static Placer rules(String name, Inventory inv, RuleSet ruleSet, long seed) {
    RuleEngine engine = new RuleEngine(inv, ruleSet, EngineSettings.defaults(),
        new SplittableRandom(seed), () -> 0L);
    AgentCache cache = engine.newCache(new CacheSettings(1L << 30, Long.MAX_VALUE / 4));
    return new Placer() {
      @Override public String name() {
        return name;
      }

      @Override public Optional<Decision> choose(VmRequest request) {
        return cache.decideOrPreempt(request);
      }

      @Override public PreemptionStats preemptionStats() {
        return engine.preemptionStats();
      }
    };
  }

  /**
   * Plain best fit: among servers not unhealthy with room for every resource, the one whose cores
   * would be fullest after placement; ties go to the lower index.
   */
  static Placer bestFit(Inventory inv) {
    return new Placer() {
      @Override public String name() {
        return "best-fit";
      }

      @Override public Optional<Decision> choose(VmRequest r) {
        int best = -1;
        double bestScore = -1;
        for (int i = 0; i < inv.size(); i++) {
          if (inv.health(i) != Health.UNHEALTHY && inv.fits(i, r.demand())) {
            double score = (inv.used(Resource.CORES, i) + r.demand().cores())
                / (double) inv.capacity(Resource.CORES, i);
            if (score > bestScore) {
              best = i;
              bestScore = score;
            }
          }
        }
        return best < 0 ? Optional.empty()
            : Optional.of(new Decision(best, inv.serverId(best), 0, 1));
      }
    };
  }

  /** Plain first fit: the lowest-index server not unhealthy with room for every resource. */
  static Placer firstFit(Inventory inv) {
    return new Placer() {
      @Override public String name() {
        return "first-fit";
      }

      @Override public Optional<Decision> choose(VmRequest r) {
        for (int i = 0; i < inv.size(); i++) {
          if (inv.health(i) != Health.UNHEALTHY && inv.fits(i, r.demand())) {
            return Optional.of(new Decision(i, inv.serverId(i), 0, 1));
          }
        }
        return Optional.empty();
      }
    };
  }
}
