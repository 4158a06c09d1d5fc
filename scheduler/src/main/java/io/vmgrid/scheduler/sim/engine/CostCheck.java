package io.vmgrid.scheduler.sim.engine;

import io.vmgrid.rules.api.Inventory;
import io.vmgrid.rules.api.InventoryChange;
import io.vmgrid.rules.api.VmRequest;
import io.vmgrid.rules.api.VmTypeCatalog;
import io.vmgrid.rules.engine.AgentCache;
import io.vmgrid.rules.engine.CacheSettings;
import io.vmgrid.rules.engine.Candidates;
import io.vmgrid.rules.engine.EngineSettings;
import io.vmgrid.rules.engine.Lookup;
import io.vmgrid.rules.engine.RequestTypeKey;
import io.vmgrid.rules.engine.RuleEngine;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;

/**
 * Checks engine mode's counted costs against measured time: replays the start of a workload through
 * {@code agents} caches over one inventory (each request to a random agent, placed on its best
 * candidate, the oldest of 3,000 live VMs released), times every cache lookup with the given clock,
 * and reports the median measured and counted cost per kind of lookup. The first pass warms the JIT;
 * only the second is reported. Medians, because a shared machine's pauses land in single lookups.
 */
public final class CostCheck {
  private CostCheck() {}

  /**
   * One group of lookups.
   *
   * @param kind partial hit or miss, or a top hit with so many journal records to replay
   * @param lookups how many
   * @param measuredMicros median measured time
   * @param countedMicros median counted cost
   * @param medianRecords median journal records the top-level entry replayed (0 for misses)
   */
  public record Row(String kind, int lookups, double measuredMicros, double countedMicros,
      long medianRecords) {}

  /** Runs the check on the first {@code requests} requests of {@code workload}. */
  public static List<Row> run(EngineWorkload workload, EngineCosts costs, int requests, int agents,
      long cacheBytes, long seed, LongSupplier clock) {
    CountingRules counting = new CountingRules(workload.ruleSet());
    Inventory inv = workload.inventory().generate(VmTypeCatalog.EMPTY, 20_000);
    long[] now = {0};
    RuleEngine[] engines = new RuleEngine[agents];
    AgentCache[] caches = new AgentCache[agents];
    List<Map<RequestTypeKey, Long>> typeRevision = new ArrayList<>();
    for (int a = 0; a < agents; a++) {
      engines[a] = new RuleEngine(inv, counting.ruleSet(), EngineSettings.defaults(),
          new SplittableRandom(seed + a), () -> now[0]);
      caches[a] = engines[a].newCache(new CacheSettings(cacheBytes, 30_000_000_000L));
      typeRevision.add(new HashMap<>());
    }
    String[] names = {"partial hit or miss", "top hit, 0 records", "top hit, 1-99 records",
        "top hit, 100-999 records", "top hit, 1000-4999 records", "top hit, >= 5000 records"};
    List<List<double[]>> samples = new ArrayList<>();
    for (int g = 0; g < names.length; g++) {
      samples.add(new ArrayList<>());
    }
    SplittableRandom rng = new SplittableRandom(seed);
    ArrayDeque<String> live = new ArrayDeque<>();
    int n = Math.min(requests, workload.requestCount());
    for (int pass = 0; pass < 2; pass++) {
      for (List<double[]> g : samples) {
        g.clear();
      }
      for (int i = 0; i < n; i++) {
        int a = rng.nextInt(agents);
        VmRequest r = workload.request(i).withId("check-" + pass + "-" + i);
        now[0] += 100_000;
        RequestTypeKey type = engines[a].classifier().typeKey(r);
        long rev = inv.journal().revision();
        Long since = typeRevision.get(a).get(type);
        long records = since != null && inv.journal().canReplayFrom(since) ? rev - since : 0;
        long units = total(counting);
        long ranked = caches[a].overlayRankedServers();
        long t0 = clock.getAsLong();
        Candidates c = caches[a].candidates(r);
        long t1 = clock.getAsLong();
        units = total(counting) - units;
        ranked = caches[a].overlayRankedServers() - ranked;
        boolean top = caches[a].lastLookup() == Lookup.TOP_HIT;
        double counted = counted(costs, units, ranked, top, records, c);
        samples.get(group(top, records)).add(new double[] {t1 - t0, counted, top ? records : 0});
        typeRevision.get(a).put(type, rev);
        place(inv, r, c, live);
      }
    }
    return rows(names, samples);
  }

  /** Engine mode's counted cost of one lookup, in nanoseconds. */
  private static double counted(EngineCosts costs, long units, long ranked, boolean top,
      long records, Candidates c) {
    return costs.lookupNanos() + costs.ruleUnitNanos() * units
        + costs.rankedServerNanos() * ranked + (top ? costs.journalRecordNanos() * records : costs.entryBuildNanos()
            + costs.rankedServerNanos() * c.passing());
  }

  /** The kind of lookup (index into the names) of a top hit or a miss replaying {@code records}. */
  private static int group(boolean top, long records) {
    return !top ? 0 : records == 0 ? 1 : records < 100 ? 2 : records < 1000 ? 3
        : records < 5000 ? 4 : 5;
  }

  /** Places {@code r} on its best candidate, if any; releases the oldest VM past 3,000 live. */
  private static void place(Inventory inv, VmRequest r, Candidates c, ArrayDeque<String> live) {
    if (!c.isEmpty()) {
      inv.apply(new InventoryChange.Place(inv.serverId(c.server(0)), r.toHostedVm(r.demand())));
      live.add(r.id());
    }
    if (live.size() > 3_000) {
      String vm = live.poll();
      inv.apply(new InventoryChange.Release(inv.serverId(inv.serverOf(vm)), vm));
    }
  }

  /** One row per kind of lookup that has samples, named by {@code names}. */
  private static List<Row> rows(String[] names, List<List<double[]>> samples) {
    List<Row> rows = new ArrayList<>();
    for (int g = 0; g < names.length; g++) {
      List<double[]> s = samples.get(g);
      if (!s.isEmpty()) {
        rows.add(new Row(names[g], s.size(), median(s, 0) / 1e3, median(s, 1) / 1e3,
            Math.round(median(s, 2))));
      }
    }
    return rows;
  }

  private static long total(CountingRules c) {
    long sum = 0;
    for (int i = 0; i < c.size(); i++) {
      sum += c.units(i);
    }
    return sum;
  }

  private static double median(List<double[]> g, int k) {
    double[] v = new double[g.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = g.get(i)[k];
    }
    Arrays.sort(v);
    return v[v.length / 2];
  }
}
