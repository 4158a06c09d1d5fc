package io.vmgrid.scheduler.sim.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmgrid.rules.api.Constraints;
import io.vmgrid.rules.api.Inventory;
import io.vmgrid.rules.api.Priority;
import io.vmgrid.rules.api.Resources;
import io.vmgrid.rules.api.VmRequest;
import io.vmgrid.rules.api.VmTypeCatalog;
import io.vmgrid.rules.engine.AgentCache;
import io.vmgrid.rules.engine.CacheSettings;
import io.vmgrid.rules.engine.EngineSettings;
import io.vmgrid.rules.engine.Lookup;
import io.vmgrid.rules.engine.RuleEngine;
import io.vmgrid.rules.ruleset.RuleSet;
import io.vmgrid.rules.trace.InventoryGenerator;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CountingRulesTest {

  private static VmRequest request(String tenant) {
    return new VmRequest("vm-" + tenant, null, new Resources(4, 16, 40), tenant, Priority.REGULAR,
        Constraints.NONE.withAvailabilitySet("as-" + tenant));
  }

  @Test
  void countedRulesGiveTheSameCandidatesAndCountOnlyRealWork() {
    Inventory inv = InventoryGenerator.defaults(2_000, 1).generate(VmTypeCatalog.EMPTY, 1024);
    CountingRules counting = new CountingRules(RuleSet.defaults());
    assertThat(counting.ruleSet().rules()).extracting(r -> r.name())
        .containsExactlyElementsOf(RuleSet.defaults().rules().stream().map(r -> r.name()).toList());
    RuleEngine plain = new RuleEngine(inv, RuleSet.defaults(), EngineSettings.defaults(),
        new SplittableRandom(1), () -> 0);
    RuleEngine counted = new RuleEngine(inv, counting.ruleSet(), EngineSettings.defaults(),
        new SplittableRandom(1), () -> 0);
    AgentCache cache = counted.newCache(CacheSettings.defaults());
    VmRequest r = request("t1");
    assertThat(cache.candidates(r)).isEqualTo(plain.evaluate(r));
    assertThat(cache.lastLookup()).isEqualTo(Lookup.MISS);
    long afterMiss = total(counting);
    // Every server-level rule evaluated every server once: at least servers × 8.
    assertThat(afterMiss).isGreaterThanOrEqualTo(8L * inv.size());
    cache.candidates(r);
    assertThat(cache.lastLookup()).isEqualTo(Lookup.TOP_HIT);
    assertThat(total(counting))
        .as("a hit evaluates only the overlay: the tenant preference once per cluster (the"
            + " request's availability set is unused, so the spread rules are skipped)")
        .isEqualTo(afterMiss + inv.clusterCount());
  }

  private static long total(CountingRules c) {
    long sum = 0;
    for (int i = 0; i < c.size(); i++) {
      sum += c.units(i);
    }
    return sum;
  }
}
