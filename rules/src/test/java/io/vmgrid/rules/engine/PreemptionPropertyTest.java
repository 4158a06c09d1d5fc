package io.vmgrid.rules.engine;

import static io.vmgrid.rules.testing.Inventories.anInventory;
import static org.assertj.core.api.Assertions.assertThat;

import io.vmgrid.rules.api.EvalContext;
import io.vmgrid.rules.api.HostedVm;
import io.vmgrid.rules.api.Inventory;
import io.vmgrid.rules.api.InventoryChange;
import io.vmgrid.rules.api.Level;
import io.vmgrid.rules.api.Priority;
import io.vmgrid.rules.api.Resource;
import io.vmgrid.rules.api.Resources;
import io.vmgrid.rules.api.ValidatorRule;
import io.vmgrid.rules.api.VmRequest;
import io.vmgrid.rules.ruleset.Preemption;
import io.vmgrid.rules.ruleset.RuleSet;
import io.vmgrid.rules.testing.FakeTicker;
import io.vmgrid.rules.testing.Requests;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Preemption on random inventories, checked against brute force after every request: only VMs of
 * lower priority than the request are evicted, all on the chosen server, at most the cap; the request
 * passes every validator there once they are gone; no victim can be spared (the set without any one
 * of them fails); no server needs fewer victims (every smaller set of evictable VMs on every server
 * fails); among the sets of that size that work on any server, none evicts fewer cores (the default
 * rule set's first victim rule); a preemption is decided only when no server fits. After each
 * eviction and placement, every server's usage equals the sum of its VMs and stays within capacity,
 * and the agent cache still ranks the servers a fresh evaluation ranks. With preemption off nothing is evicted.
 *
 * <p>Seeded; each seed is printed. Replay one with {@code -Dvmgrid.seed=<seed>}.
 */
@Execution(ExecutionMode.SAME_THREAD)
class PreemptionPropertyTest {
  private static final int REQUESTS = 60;
  /** Brute force looks at most this many subsets per server and size. */
  private static final long BRUTE_LIMIT = 5_000;
  private static final AtomicLong PREEMPTIONS = new AtomicLong();
  private static final AtomicLong EVICTED = new AtomicLong();

  static LongStream seeds() {
    Long replay = Long.getLong("vmgrid.seed");
    return replay != null ? LongStream.of(replay) : LongStream.rangeClosed(1, 40);
  }

  @AfterAll
  static void nonVacuous() {
    if (Long.getLong("vmgrid.seed") == null) {
      System.out.println("PreemptionPropertyTest: " + PREEMPTIONS + " preemptions, " + EVICTED
          + " VMs evicted");
      assertThat(PREEMPTIONS.get()).as("the seeds must exercise preemption").isGreaterThan(100);
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void evictionsAreLowerPriorityMinimalByTheRuleAndConsistent(long seed) {
    System.out.println("PreemptionPropertyTest seed=" + seed + " (replay: -Dvmgrid.seed=" + seed
        + ")");
    run(seed, true);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void withPreemptionOffNothingIsEvicted(long seed) {
    System.out.println("PreemptionPropertyTest off seed=" + seed);
    run(seed, false);
  }

  private void run(long seed, boolean on) {
    SplittableRandom rng = new SplittableRandom(seed);
    Inventory inv = anInventory().clusters(2).racks(2).serversPerRack(3)
        .smallRacks(rng.nextInt(2)).build();
    RuleSet base = rng.nextBoolean() ? RuleSet.defaults()
        : RuleSet.defaults().withClusterUtilizationLimit(1, 1);
    Preemption p = new Preemption(on, 1 + rng.nextInt(6), 10_000_000);
    RuleSet rules = base.withPreemption(p);
    RuleEngine engine = new RuleEngine(inv, rules, EngineSettings.defaults(),
        new SplittableRandom(seed), new FakeTicker());
    AgentCache cache = engine.newCache(CacheSettings.defaults());
    List<String> placed = new ArrayList<>();
    int[] next = {0};
    for (int k = 0; k < 400; k++) {
      long cores = 1L << rng.nextInt(6);
      HostedVm vm = new HostedVm("f" + next[0]++, "t" + rng.nextInt(5),
          new Resources(cores, cores * (1 + rng.nextInt(4)), 0),
          rng.nextInt(2) == 0 ? Priority.LOW : Priority.REGULAR,
          rng.nextInt(10) == 0 ? "s" + rng.nextInt(2) : null,
          rng.nextInt(8) == 0 ? "g" + rng.nextInt(3) : null);
      int s = rng.nextInt(inv.size());
      if (inv.fits(s, vm.used())) {
        inv.apply(new InventoryChange.Place(inv.serverId(s), vm));
        placed.add(vm.id());
      }
    }
    for (int k = 0; k < REQUESTS; k++) {
      if (!placed.isEmpty() && rng.nextInt(5) == 0) {
        String id = placed.remove(rng.nextInt(placed.size()));
        if (inv.serverOf(id) >= 0) {
          inv.apply(new InventoryChange.Release(inv.serverId(inv.serverOf(id)), id));
        }
      }
      long cores = new long[] {2, 4, 8, 16, 32, 48}[rng.nextInt(6)];
      Requests b = Requests.aRequest().id("r" + seed + "-" + k).tenant("t" + rng.nextInt(5))
          .cores(cores).memory(cores * (1 + rng.nextInt(4)));
      if (rng.nextInt(7) == 0) {
        b.low();
      }
      if (rng.nextInt(6) == 0) {
        b.antiAffinity("g" + rng.nextInt(3));
      }
      if (rng.nextInt(10) == 0) {
        b.availabilitySet("s" + rng.nextInt(2));
      }
      VmRequest r = b.build();
      Candidates fresh = engine.evaluate(r);
      // the overlay's passing count is an upper bound (Overlay), so compare the ranked servers
      assertThat(cache.candidates(r).serverIds(inv)).as("seed %d request %d: cache", seed, k)
          .isEqualTo(fresh.serverIds(inv));
      Optional<Decision> d = cache.decideOrPreempt(r);
      String at = "seed " + seed + " request " + k + " " + r;
      if (d.isPresent() && d.get().preempts()) {
        assertThat(on).as(at + ": preemption is off").isTrue();
        check(inv, rules, r, d.get(), fresh, at);
        PREEMPTIONS.incrementAndGet();
        EVICTED.addAndGet(d.get().victims().size());
        for (String v : d.get().victims()) {
          inv.apply(new InventoryChange.Release(d.get().serverId(), v));
        }
      } else if (d.isEmpty() && on && r.priority() == Priority.REGULAR) {
        for (int s = 0; s < inv.size(); s++) {
          assertThat(smallestFitting(inv, rules, r, s, 1)).as(at + ": one eviction on "
              + inv.serverId(s) + " would have made it fit").isNull();
        }
      }
      if (d.isPresent()) {
        assertThat(inv.fits(d.get().server(), r.demand())).as(at + ": fits after evictions")
            .isTrue();
        inv.apply(new InventoryChange.Place(d.get().serverId(), r.toHostedVm(r.demand())));
        placed.add(r.id());
      }
      checkCapacity(inv, at);
    }
  }

  private static void check(Inventory inv, RuleSet rules, VmRequest r, Decision d,
      Candidates fresh, String at) {
    int s = d.server();
    List<String> victims = d.victims();
    assertThat(fresh.isEmpty()).as(at + ": preempted though a server fits").isTrue();
    assertThat(r.priority()).as(at).isEqualTo(Priority.REGULAR);
    assertThat(new HashSet<>(victims)).as(at + ": victims distinct").hasSize(victims.size());
    assertThat(victims.size()).as(at + ": cap").isLessThanOrEqualTo(rules.preemption().maxVictims());
    List<HostedVm> vms = new ArrayList<>();
    for (String v : victims) {
      assertThat(inv.serverOf(v)).as(at + ": victim " + v + " on the server").isEqualTo(s);
      HostedVm vm = java.util.Objects.requireNonNull(inv.vm(v));
      assertThat(r.priority().outranks(vm.priority())).as(at + ": victim " + v + " outranked")
          .isTrue();
      vms.add(vm);
    }
    assertThat(fitsAfter(inv, rules, r, s, vms)).as(at + ": fits once victims are gone").isTrue();
    for (int i = 0; i < vms.size(); i++) {
      List<HostedVm> fewer = new ArrayList<>(vms);
      fewer.remove(i);
      assertThat(fitsAfter(inv, rules, r, s, fewer))
          .as(at + ": victim " + vms.get(i).id() + " could be spared").isFalse();
    }
    long chosenCores = vms.stream().mapToLong(v -> v.used().cores()).sum();
    for (int t = 0; t < inv.size(); t++) {
      if (victims.size() > 1) {
        assertThat(smallestFitting(inv, rules, r, t, victims.size() - 1))
            .as(at + ": fewer victims would do on " + inv.serverId(t)).isNull();
      }
      Long cores = leastCoresFitting(inv, rules, r, t, victims.size());
      if (cores != null) {
        assertThat(chosenCores).as(at + ": a set of as many VMs with fewer cores on "
            + inv.serverId(t)).isLessThanOrEqualTo(cores);
      }
    }
  }

  /** Whether {@code r} passes every validator on server {@code s} once {@code victims} are gone. */
  static boolean fitsAfter(Inventory inv, RuleSet rules, VmRequest r, int s, List<HostedVm> victims) {
    Inventory copy = inv.copy(16);
    for (HostedVm v : victims) {
      copy.apply(new InventoryChange.Release(copy.serverId(s), v.id()));
    }
    EvalContext ctx = new EvalContext(copy, r);
    for (RuleSet.Entry<ValidatorRule> e : rules.validators()) {
      ValidatorRule v = e.rule();
      if (!v.passes(ctx, v.level() == Level.CLUSTER ? copy.cluster(s) : s)) {
        return false;
      }
    }
    return true;
  }

  private static List<HostedVm> evictable(Inventory inv, VmRequest r, int s) {
    return inv.vmsOn(s).stream().filter(v -> r.priority().outranks(v.priority())).toList();
  }

  /** A set of at most {@code max} evictable VMs on {@code s} that makes {@code r} fit, or null. */
  private static List<HostedVm> smallestFitting(Inventory inv, RuleSet rules, VmRequest r, int s,
      int max) {
    List<HostedVm> e = evictable(inv, r, s);
    for (int m = 1; m <= Math.min(max, e.size()); m++) {
      List<List<HostedVm>> sets = subsets(e, m);
      for (List<HostedVm> set : sets) {
        if (fitsAfter(inv, rules, r, s, set)) {
          return set;
        }
      }
    }
    return null;
  }

  /** The fewest cores any {@code m}-set of evictable VMs on {@code s} that fits frees, or null. */
  private static Long leastCoresFitting(Inventory inv, RuleSet rules, VmRequest r, int s, int m) {
    Long best = null;
    for (List<HostedVm> set : subsets(evictable(inv, r, s), m)) {
      long cores = set.stream().mapToLong(v -> v.used().cores()).sum();
      if ((best == null || cores < best) && fitsAfter(inv, rules, r, s, set)) {
        best = cores;
      }
    }
    return best;
  }

  private static List<List<HostedVm>> subsets(List<HostedVm> e, int m) {
    List<List<HostedVm>> out = new ArrayList<>();
    collect(e, m, 0, new ArrayList<>(), out);
    assertThat((long) out.size()).as("brute force size").isLessThanOrEqualTo(BRUTE_LIMIT);
    return out;
  }

  private static void collect(List<HostedVm> e, int m, int start, List<HostedVm> cur,
      List<List<HostedVm>> out) {
    if (cur.size() == m) {
      out.add(List.copyOf(cur));
      return;
    }
    for (int i = start; i < e.size() && out.size() <= BRUTE_LIMIT; i++) {
      cur.add(e.get(i));
      collect(e, m, i + 1, cur, out);
      cur.remove(cur.size() - 1);
    }
  }

  private static void checkCapacity(Inventory inv, String at) {
    for (int s = 0; s < inv.size(); s++) {
      for (Resource res : Resource.values()) {
        long sum = 0;
        for (HostedVm vm : inv.vmsOn(s)) {
          sum += vm.used().get(res);
        }
        assertThat(inv.used(res, s)).as(at + ": usage of " + inv.serverId(s)).isEqualTo(sum);
        assertThat(sum).as(at + ": capacity of " + inv.serverId(s))
            .isLessThanOrEqualTo(inv.capacity(res, s));
      }
    }
  }
}
