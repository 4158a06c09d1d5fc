package io.vmgrid.rules.engine;

import static io.vmgrid.rules.testing.Inventories.anInventory;
import static io.vmgrid.rules.testing.Requests.aRequest;
import static org.assertj.core.api.Assertions.assertThat;

import io.vmgrid.rules.api.HostedVm;
import io.vmgrid.rules.api.Inventory;
import io.vmgrid.rules.api.InventoryChange;
import io.vmgrid.rules.api.Priority;
import io.vmgrid.rules.api.Resources;
import io.vmgrid.rules.api.VmRequest;
import io.vmgrid.rules.ruleset.RuleSet;
import io.vmgrid.rules.testing.FakeTicker;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The two-level cache: lookups and counters, journal replay and truncation, eviction. */
class AgentCacheTest {
  private final FakeTicker ticker = new FakeTicker();
  private final Inventory inv = anInventory().clusters(2).racks(3).serversPerRack(4).journal(8).build();
  private final RuleEngine engine = new RuleEngine(inv, RuleSet.defaults(), EngineSettings.defaults(),
      new SplittableRandom(1), ticker);

  private void place(int server, String id) {
    inv.apply(new InventoryChange.Place(inv.serverId(server),
        new HostedVm(id, "other", new Resources(2, 2, 0), Priority.REGULAR, null, null)));
  }

  @Test
  void missThenTopHitThenPartialHit() {
    AgentCache cache = engine.newCache(CacheSettings.defaults());
    VmRequest a = aRequest().tenant("t1").build();
    cache.candidates(a);
    assertThat(cache.lastLookup()).isEqualTo(Lookup.MISS);
    cache.candidates(a.withId("vm-2"));
    assertThat(cache.lastLookup()).isEqualTo(Lookup.TOP_HIT);
    cache.candidates(aRequest().tenant("t2").availabilitySet("as-2").build());
    assertThat(cache.lastLookup()).as("another tenant shares the entry").isEqualTo(Lookup.TOP_HIT);
    cache.candidates(aRequest().tenant("t2").cores(8).build());
    assertThat(cache.lastLookup()).as("another size reuses the size-free rules")
        .isEqualTo(Lookup.PARTIAL_HIT);
    CacheStats s = cache.stats();
    int cached = engine.classifier().cachedRules().size();
    assertThat(cached).isEqualTo(9);
    assertThat(s.misses()).isEqualTo(1);
    assertThat(s.topHits()).isEqualTo(2);
    assertThat(s.partialHits()).isEqualTo(1);
    assertThat(s.ruleMisses()).as("the two rules that depend on cores: cores-fit and best-fit")
        .isEqualTo(cached + 2);
    assertThat(s.ruleHits()).isEqualTo(cached - 2);
    assertThat(s.topEntries()).isEqualTo(2);
    assertThat(s.ruleEntries()).isEqualTo(cached + 2);
    assertThat(s.bytes()).isPositive();
  }

  @Test
  void hitReplaysNewerChangesAndTruncationForcesAMiss() {
    AgentCache cache = engine.newCache(CacheSettings.defaults());
    VmRequest a = aRequest().cores(8).build();
    Candidates before = cache.candidates(a);
    place(before.server(0), "x1");
    Candidates after = cache.candidates(a);
    assertThat(cache.lastLookup()).isEqualTo(Lookup.TOP_HIT);
    assertThat(after).isEqualTo(engine.evaluate(a));
    assertThat(after.server(0)).as("best fit prefers the now fuller server")
        .isEqualTo(before.server(0));
    for (int i = 0; i < 9; i++) {
      place(i, "y" + i);
    }
    assertThat(inv.journal().canReplayFrom(after.revision())).isFalse();
    Candidates recomputed = cache.candidates(a);
    assertThat(cache.lastLookup()).isEqualTo(Lookup.MISS);
    assertThat(recomputed).isEqualTo(engine.evaluate(a));
  }

  @Test
  void anEntryTooFarBehindIsRecomputedNotReplayed() {
    Inventory big = anInventory().clusters(2).racks(3).serversPerRack(4).journal(4_000).build();
    RuleEngine e = new RuleEngine(big, RuleSet.defaults(), EngineSettings.defaults(),
        new SplittableRandom(1), ticker);
    AgentCache cache = e.newCache(CacheSettings.defaults());
    VmRequest a = aRequest().cores(1).build();
    cache.candidates(a);
    long limit = Evaluator.replayLimit(big);
    long pairs = limit / 2 - 1; // place and release: 2 records each, limit - 2 in all
    for (int i = 0; i < pairs; i++) {
      big.apply(new InventoryChange.Place(big.serverId(i % big.size()),
          new HostedVm("r" + i, "other", new Resources(1, 1, 0), Priority.REGULAR, null, null)));
      big.apply(new InventoryChange.Release(big.serverId(i % big.size()), "r" + i));
    }
    RequestTypeKey type = e.classifier().typeKey(a);
    assertThat(cache.hitsType(type)).as("a router's prediction, within the limit").isTrue();
    cache.candidates(a.withId("vm-2"));
    assertThat(cache.lastLookup()).as("%s records behind, limit %s", 2 * pairs, limit)
        .isEqualTo(Lookup.TOP_HIT);
    for (int i = 0; i <= limit; i++) {
      big.apply(new InventoryChange.Place(big.serverId(i % big.size()),
          new HostedVm("q" + i, "other", new Resources(1, 1, 0), Priority.REGULAR, null, null)));
    }
    assertThat(big.journal().canReplayFrom(big.journal().revision() - limit - 1))
        .as("still replayable: the recompute is the limit's doing, not truncation").isTrue();
    assertThat(cache.containsType(type)).isTrue();
    assertThat(cache.hitsType(type)).as("a router's prediction, beyond the limit").isFalse();
    assertThat(cache.hitTypeKeys()).doesNotContain(type);
    assertThat(cache.ruleKeys()).containsAll(e.classifier().ruleKeys(a));
    assertThat(cache.hitRuleKeys()).as("rule results beyond the limit are recomputed too")
        .doesNotContainAnyElementsOf(e.classifier().ruleKeys(a));
    for (RuleKey k : e.classifier().ruleKeys(a)) {
      assertThat(cache.containsRule(k)).as("held: %s", k).isTrue();
      assertThat(cache.hitsRule(k)).as("but recomputed: %s", k).isFalse();
    }
    Candidates recomputed = cache.candidates(a.withId("vm-3"));
    assertThat(cache.lastLookup()).isEqualTo(Lookup.MISS);
    assertThat(cache.hitsType(type)).isTrue();
    assertThat(cache.hitTypeKeys()).containsExactly(type);
    assertThat(cache.hitRuleKeys()).containsAll(e.classifier().ruleKeys(a));
    assertThat(e.classifier().ruleKeys(a)).allMatch(cache::hitsRule);
    assertThat(recomputed).isEqualTo(e.evaluate(a.withId("vm-3")));
  }

  @Test
  void sizeBudgetEvictsLeastRecentlyUsedAndKeepsPinnedRules() {
    AgentCache probe = engine.newCache(CacheSettings.defaults());
    probe.candidates(aRequest().tenant("t0").build());
    long oneType = probe.stats().bytes();
    AgentCache cache = engine.newCache(new CacheSettings(oneType + oneType / 4, Long.MAX_VALUE));
    VmRequest t0 = aRequest().tenant("t0").build();
    VmRequest t1 = aRequest().tenant("t1").cores(8).build();
    cache.candidates(t0);
    cache.candidates(t1);
    CacheStats s = cache.stats();
    assertThat(s.bytes()).isLessThanOrEqualTo(oneType + oneType / 4);
    assertThat(s.evictions()).isPositive();
    RequestClassifier classifier = engine.classifier();
    assertThat(cache.containsType(classifier.typeKey(t1))).isTrue();
    assertThat(cache.containsType(classifier.typeKey(t0))).isFalse();
    for (RuleKey k : classifier.ruleKeys(t1)) {
      assertThat(cache.containsRule(k)).as("pinned " + k).isTrue();
    }
  }

  @Test
  void entriesOlderThanMaxAgeAreEvicted() {
    AgentCache cache = engine.newCache(new CacheSettings(1L << 30, 1_000));
    VmRequest a = aRequest().build();
    cache.candidates(a);
    ticker.advance(500);
    cache.candidates(aRequest().tenant("t9").cores(8).build());
    ticker.advance(600);
    cache.cleanUp();
    assertThat(cache.containsType(engine.classifier().typeKey(a))).isFalse();
    assertThat(cache.stats().topEntries()).isEqualTo(1);
    ticker.advance(2_000);
    cache.cleanUp();
    assertThat(cache.stats().topEntries()).isZero();
    assertThat(cache.stats().ruleEntries()).isZero();
    assertThat(cache.stats().bytes()).isZero();
  }

  @Test
  void refreshAllBringsIdleEntriesUpToDate() {
    AgentCache cache = engine.newCache(CacheSettings.defaults());
    VmRequest a = aRequest().build();
    cache.candidates(a);
    place(3, "z");
    cache.refreshAll();
    assertThat(cache.candidates(a)).isEqualTo(engine.evaluate(a));
    assertThat(cache.lastLookup()).isEqualTo(Lookup.TOP_HIT);
  }

  /** A rule that depends on state it does not declare, so it says it cannot be cached. */
  record EvenVmCount(String name) implements io.vmgrid.rules.api.ValidatorRule {
    @Override public io.vmgrid.rules.api.Level level() {
      return io.vmgrid.rules.api.Level.SERVER;
    }

    @Override public java.util.Set<io.vmgrid.rules.api.Trait> traits() {
      return java.util.Set.of();
    }

    @Override public java.util.Set<io.vmgrid.rules.api.ChangeKind> affectedBy() {
      return java.util.Set.of();
    }

    @Override public boolean cacheable() {
      return false;
    }

    @Override public boolean passes(io.vmgrid.rules.api.EvalContext ctx, int i) {
      return ctx.inventory().vmCount(i) % 2 == 0;
    }
  }

  @Test
  void aRuleThatCannotBeCachedIsRecomputedOnEveryUse() {
    io.vmgrid.rules.ruleset.RuleRegistry registry = io.vmgrid.rules.ruleset.RuleRegistry.builtin()
        .register("even-vm-count", io.vmgrid.rules.ruleset.RuleRegistry.Kind.VALIDATOR,
            java.util.Set.of(io.vmgrid.rules.api.Level.SERVER), (name, level, args) -> new EvenVmCount(name));
    RuleSet rules = RuleSet.parse("""
        rules:
          - {name: even, rule: even-vm-count, kind: validator, level: server, priority: 1}
          - {name: best-fit, kind: preference, level: server, priority: 1}
        """, "t.yaml", registry);
    RuleEngine e = new RuleEngine(inv, rules, EngineSettings.defaults(), new SplittableRandom(1),
        ticker);
    AgentCache cache = e.newCache(CacheSettings.defaults());
    VmRequest a = aRequest().build();
    cache.candidates(a);
    for (int i = 0; i < 3; i++) {
      place(i, "u" + i);
      assertThat(cache.candidates(a)).isEqualTo(e.evaluate(a));
      assertThat(cache.lastLookup()).isEqualTo(Lookup.MISS);
    }
  }
}
