package io.vmgrid.rules.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmgrid.rules.api.Constraints;
import io.vmgrid.rules.api.EvalContext;
import io.vmgrid.rules.api.Health;
import io.vmgrid.rules.api.HostedVm;
import io.vmgrid.rules.api.Inventory;
import io.vmgrid.rules.api.InventoryChange;
import io.vmgrid.rules.api.Priority;
import io.vmgrid.rules.api.Resources;
import io.vmgrid.rules.api.VmRequest;
import io.vmgrid.rules.ruleset.RuleSet;
import io.vmgrid.rules.testing.FakeTicker;
import io.vmgrid.rules.trace.InventoryGenerator;
import io.vmgrid.rules.api.VmTypeCatalog;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The property behind the cache: after any sequence of requests, placements, releases and health
 * flips, the cached engine returns exactly the candidates (servers, keys, order, passing count) of a
 * fresh uncached evaluation, and so picks the same server.
 *
 * <p>Seeded; the seed is printed. Replay one with {@code -Dvmgrid.seed=<seed>} (and
 * {@code -Dvmgrid.steps=<n>} to change the length).
 */
class CachedEngineEquivalenceTest {
  private static final int STEPS = Integer.getInteger("vmgrid.steps", 6000);

  static Stream<Arguments> runs() {
    Long replay = Long.getLong("vmgrid.seed");
    LongStream seeds = replay != null ? LongStream.of(replay) : LongStream.of(1, 2, 3, 4, 5);
    return seeds.boxed().flatMap(s -> Stream.of(
        Arguments.of(s, RuleSet.Combination.LEXICOGRAPHIC, 0),
        Arguments.of(s, RuleSet.Combination.WEIGHTED, 0),
        Arguments.of(s, RuleSet.Combination.LEXICOGRAPHIC, RESERVE),
        Arguments.of(s, RuleSet.Combination.WEIGHTED, RESERVE)));
  }

  /** A reserve small enough to overflow now and then, so both refill paths run. */
  private static final int RESERVE = 24;

  @ParameterizedTest(name = "seed {0} {1} reserve {2}")
  @MethodSource("runs")
  void cachedEqualsFresh(long seed, RuleSet.Combination combination, int reserve) {
    System.out.println("CachedEngineEquivalenceTest seed=" + seed + " combination=" + combination
        + " reserve=" + reserve + " (replay: -Dvmgrid.seed=" + seed + ")");
    SplittableRandom rng = new SplittableRandom(seed);
    InventoryGenerator gen = new InventoryGenerator(480, seed, 8, 5, 3, 4,
        InventoryGenerator.syntheticTypes().stream()
            .map(t -> new InventoryGenerator.Weighted(t, 1.0)).toList(), 0.05, 0.1);
    VmTypeCatalog catalog = new VmTypeCatalog(java.util.Map.of(
        "v-large", java.util.Map.of(
            "gen5", new VmTypeCatalog.Fraction(0.25, 0.25, 0.05),
            "gen6", new VmTypeCatalog.Fraction(0.125, 0.125, 0.02)),
        "v-any", java.util.Map.of(
            "gen4", new VmTypeCatalog.Fraction(0.1, 0.1, 0.01),
            "gen5", new VmTypeCatalog.Fraction(0.0625, 0.0625, 0.01),
            "gen6", new VmTypeCatalog.Fraction(0.05, 0.05, 0.01))));
    Inventory inv = gen.generate(catalog, 48);
    RuleSet rules = RuleSet.defaults().withCombination(combination);
    EngineSettings settings = new EngineSettings(12, 5, 1, 4, 1_000_000_000L, reserve);
    FakeTicker ticker = new FakeTicker();
    RuleEngine cachedEngine = new RuleEngine(inv, rules, settings, new SplittableRandom(seed), ticker);
    RuleEngine freshEngine = new RuleEngine(inv, rules, settings, new SplittableRandom(seed), ticker);
    AgentCache cache = cachedEngine.newCache(new CacheSettings(400_000, 50_000_000L));
    List<VmRequest> pool = requestPool(rng, inv);
    List<String> placed = new ArrayList<>();
    int nextVm = 0;
    for (int step = 0; step < STEPS; step++) {
      String where = "seed=" + seed + " " + combination + " step=" + step;
      double u = rng.nextDouble();
      if (u < 0.5) {
        VmRequest r = pool.get(rng.nextInt(pool.size())).withId("vm-" + nextVm++);
        Candidates cached = cache.candidates(r);
        Candidates fresh = freshEngine.evaluate(r);
        assertSameAnswer(cached, fresh, where + " request " + r + " lookup " + cache.lastLookup());
        cache.checkInvariants();
        Optional<Decision> a = cachedEngine.choose(cached);
        Optional<Decision> b = freshEngine.choose(fresh);
        assertThat(a).as(where).isEqualTo(b);
        if (a.isPresent() && rng.nextDouble() < 0.8) {
          int s = a.get().server();
          Resources demand = new EvalContext(inv, r).demandOn(s);
          if (inv.fits(s, demand)) {
            inv.apply(new InventoryChange.Place(inv.serverId(s), r.toHostedVm(demand)));
            placed.add(r.id());
            cachedEngine.reportCommit();
            freshEngine.reportCommit();
          } else {
            cachedEngine.reportConflict();
            freshEngine.reportConflict();
          }
        }
      } else if (u < 0.78) {
        if (!placed.isEmpty()) {
          String vm = placed.remove(rng.nextInt(placed.size()));
          inv.apply(new InventoryChange.Release(inv.serverId(inv.serverOf(vm)), vm));
        }
      } else if (u < 0.83) {
        int s = rng.nextInt(inv.size());
        Health h = List.of(Health.HEALTHY, Health.MAINTENANCE_PENDING, Health.UNHEALTHY).get(rng.nextInt(3));
        inv.apply(new InventoryChange.SetHealth(inv.serverId(s), h));
      } else if (u < 0.97) {
        placeElsewhere(rng, inv, placed, "bg-" + step);
      } else {
        ticker.advance(rng.nextLong(30_000_000L));
      }
    }
    CacheStats stats = cache.stats();
    System.out.println("  stats " + stats + " revision " + inv.journal().revision());
    assertThat(stats.topHits()).isPositive();
    assertThat(stats.partialHits()).isPositive();
    assertThat(stats.misses()).isPositive();
    assertThat(stats.evictions()).isPositive();
    System.out.println("  rankings: " + cache.fullRankings() + " full, " + cache.reserveRankings()
        + " from the reserve; overlay scanned " + cache.overlayScannedClusters() + " clusters");
    assertThat(cache.overlayScannedClusters()).as("the overlay's scan path ran").isPositive();
    if (reserve > 0) {
      assertThat(cache.reserveRankings()).as("refills answered from the reserve").isPositive();
    } else {
      assertThat(cache.reserveRankings()).isZero();
    }
  }

  /**
   * The same servers in the same order with the same keys. The passing count equals the fresh one
   * unless an overlay server validator constrains the request (an availability set or anti-affinity
   * group in use): the overlay does not visit every server to subtract those it fails, so its count
   * may then be larger, never smaller.
   */
  static void assertSameAnswer(Candidates cached, Candidates fresh, String where) {
    assertThat(cached.size()).as(where + " size; fresh " + fresh + " cached " + cached)
        .isEqualTo(fresh.size());
    for (int rank = 0; rank < fresh.size(); rank++) {
      assertThat(cached.server(rank)).as(where + " server at rank " + rank + "; fresh " + fresh
          + " cached " + cached).isEqualTo(fresh.server(rank));
      assertThat(cached.key(rank)).as(where + " key at rank " + rank).isEqualTo(fresh.key(rank));
    }
    assertThat(cached.passing()).as(where + " passing").isGreaterThanOrEqualTo(fresh.passing());
  }

  /** A placement by "another agent": a random server where the VM fits, bypassing this agent. */
  private static void placeElsewhere(
      SplittableRandom rng, Inventory inv, List<String> placed, String id) {
    int s = rng.nextInt(inv.size());
    Resources d = new Resources(1 + rng.nextInt(16), 4 + rng.nextInt(64), rng.nextInt(200));
    if (inv.fits(s, d)) {
      String tenant = "t" + rng.nextInt(6);
      String set = rng.nextDouble() < 0.4 ? "as-" + tenant : null;
      String group = rng.nextDouble() < 0.3 ? "aa-" + tenant : null;
      inv.apply(new InventoryChange.Place(inv.serverId(s),
          new HostedVm(id, tenant, d, Priority.REGULAR, set, group)));
      placed.add(id);
    }
  }

  private static List<VmRequest> requestPool(SplittableRandom rng, Inventory inv) {
    List<VmRequest> pool = new ArrayList<>();
    long[] cores = {1, 2, 4, 8, 16, 32};
    for (int i = 0; i < 40; i++) {
      String tenant = "t" + rng.nextInt(6);
      long c = cores[rng.nextInt(cores.length)];
      Constraints k = Constraints.NONE;
      if (rng.nextDouble() < 0.4) {
        k = k.withAvailabilitySet("as-" + tenant);
      }
      if (rng.nextDouble() < 0.3) {
        k = k.withAntiAffinityGroup("aa-" + tenant);
      }
      if (rng.nextDouble() < 0.1) {
        k = k.withClusterPin(inv.clusterId(rng.nextInt(inv.clusterCount())));
      }
      if (rng.nextDouble() < 0.15) {
        k = k.withMachineTypes(Set.of("gen5", "gen6"));
      }
      if (rng.nextDouble() < 0.1) {
        k = k.withFeatures(Set.of("premium-ssd"));
      }
      Priority p = rng.nextDouble() < 0.2 ? Priority.LOW : Priority.REGULAR;
      String vmType = rng.nextDouble() < 0.15 ? (rng.nextBoolean() ? "v-large" : "v-any") : null;
      pool.add(new VmRequest("template-" + i, vmType, new Resources(c, c * 4, c * 10), tenant, p,
          k));
    }
    return pool;
  }
}
