package io.vmgrid.bench.packing;

import io.vmgrid.rules.api.Health;
import io.vmgrid.rules.api.Inventory;
import io.vmgrid.rules.api.Resource;
import io.vmgrid.rules.api.VmRequest;
import io.vmgrid.rules.engine.AgentCache;
import io.vmgrid.rules.engine.CacheSettings;
import io.vmgrid.rules.engine.Decision;
import io.vmgrid.rules.engine.EngineSettings;
import io.vmgrid.rules.engine.RuleEngine;
import io.vmgrid.rules.ruleset.RuleSet;
import java.util.Optional;
import java.util.SplittableRandom;

/** One placement policy of the benchmark: picks a server for a request, or -1 to reject it. */
interface Placer {

  /** The policy's name in the results. */
  String name();

  /** The chosen server index, or -1 (no capacity). */
  int choose(VmRequest request);

  /** The rule engine with one agent's cache, always taking its best candidate (no conflicts). */
  static Placer rules(String name, Inventory inv, RuleSet ruleSet, long seed) {
    RuleEngine engine = new RuleEngine(inv, ruleSet, EngineSettings.defaults(),
        new SplittableRandom(seed), () -> 0L);
    AgentCache cache = engine.newCache(new CacheSettings(1L << 30, Long.MAX_VALUE / 4));
    return new Placer() {
      @Override public String name() {
        return name;
      }

      @Override public int choose(VmRequest request) {
        Optional<Decision> d = cache.decide(request);
        return d.isPresent() ? d.get().server() : -1;
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

      @Override public int choose(VmRequest r) {
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
        return best;
      }
    };
  }

  /** Plain first fit: the lowest-index server not unhealthy with room for every resource. */
  static Placer firstFit(Inventory inv) {
    return new Placer() {
      @Override public String name() {
        return "first-fit";
      }

      @Override public int choose(VmRequest r) {
        for (int i = 0; i < inv.size(); i++) {
          if (inv.health(i) != Health.UNHEALTHY && inv.fits(i, r.demand())) {
            return i;
          }
        }
        return -1;
      }
    };
  }
}
