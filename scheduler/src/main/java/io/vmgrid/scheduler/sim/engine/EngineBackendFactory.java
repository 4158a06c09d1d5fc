package io.vmgrid.scheduler.sim.engine;

import io.vmgrid.rules.api.ChangeJournal;
import io.vmgrid.rules.api.HostedVm;
import io.vmgrid.rules.api.Inventory;
import io.vmgrid.rules.api.InventoryChange;
import io.vmgrid.rules.api.Rule;
import io.vmgrid.rules.api.VmRequest;
import io.vmgrid.rules.api.VmTypeCatalog;
import io.vmgrid.rules.engine.AgentCache;
import io.vmgrid.rules.engine.CacheSettings;
import io.vmgrid.rules.engine.CacheStats;
import io.vmgrid.rules.engine.Candidates;
import io.vmgrid.rules.engine.Decision;
import io.vmgrid.rules.engine.EngineSettings;
import io.vmgrid.rules.engine.Lookup;
import io.vmgrid.rules.engine.RequestClassifier;
import io.vmgrid.rules.engine.RequestTypeKey;
import io.vmgrid.rules.engine.RuleEngine;
import io.vmgrid.rules.engine.RuleKey;
import io.vmgrid.scheduler.api.AgentIndicators;
import io.vmgrid.scheduler.api.ClassifiedRequest;
import io.vmgrid.scheduler.api.Keys;
import io.vmgrid.scheduler.sim.AgentBackend;
import io.vmgrid.scheduler.sim.BackendFactory;
import io.vmgrid.scheduler.sim.RequestStream;
import io.vmgrid.scheduler.sim.ServiceOutcome;
import io.vmgrid.scheduler.sim.SimRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;

/**
 * Engine mode: each agent is a real {@link RuleEngine} with its own {@link AgentCache} over one
 * inventory that all agents share; a request's service time is the counted work of really processing
 * it, priced by {@link EngineCosts} (deterministic: the same seed gives the same run).
 *
 * <p>Per run ({@link #reset}): the inventory is generated afresh from the seed, the VMs already running
 * when the trace starts are placed on random servers where they fit, and the agents start with empty
 * caches. A request is looked up in its agent's cache when it starts; the engine picks a server (top
 * N0 when commits recently conflicted) and the placement is committed when it completes: if the server
 * no longer fits the VM (another agent filled it meanwhile) the commit conflicts and the next candidate
 * that fits is taken, else the placement fails. Every placement and every departure (at its trace
 * lifetime, scaled like the arrivals) is an inventory change that the other agents' cached entries
 * replay from the journal when next used. The cache clock is the simulated time.
 *
 * <p>Service time of a request = lookup cost + journal records replayed into the cached entries it used
 * + rule units evaluated (from scratch, newly needed clusters, re-evaluations during replay) + when a
 * type entry is built, a fixed build cost and the passing servers ranked. On a top-level miss each
 * rule's share (its units and replayed records) is reported as that rule's hit or miss time, like
 * model mode; the lookup, build and ranking are not attributed to a rule. The "oracle" used for {@code bestAgentChosenRatio} cannot run
 * the engine on every agent; it prices a request with this run's per-type and per-rule mean costs.
 */
public final class EngineBackendFactory implements BackendFactory {
  private final EngineWorkload workload;
  private final EngineModeSettings settings;
  private final RequestStream stream;
  private final long cacheBytes;
  private final long maxAgeNanos;
  private final long seed;
  private final CountingRules counting;
  private final boolean[] replaysJournal;
  /** Rules applied per request on top of the cached entry (by rule id), charged on every lookup. */
  private final boolean[] overlayRule;
  private final int rules;
  private final EngineCosts costs;
  private Inventory inventory;
  /** Whether {@link #inventory} is still as generated (no run has used it yet). */
  private boolean unused = true;
  private final List<EngineAgent> agents = new ArrayList<>();
  private long now;
  private final PriorityQueue<Departure> departures = new PriorityQueue<>();
  private long departureSeq;
  private long placementFailures;
  private long conflicts;
  private int initialPlaced;
  // This run's observed costs, for the oracle.
  private final Map<Long, double[]> typeCosts = new HashMap<>();
  private final double[] ruleHitSum;
  private final long[] ruleHitN;
  private final double[] ruleMissSum;
  private final long[] ruleMissN;
  private double topHitSum;
  private long topHitN;

  private record Departure(long at, long seq, String vmId) implements Comparable<Departure> {
    @Override
    public int compareTo(Departure o) {
      return at != o.at ? Long.compare(at, o.at) : Long.compare(seq, o.seq);
    }
  }

  /**
   * Engine backends for {@code stream}, which must have been built by {@code workload}.
   *
   * @param cacheBytes byte budget of each agent's cache (the cache's own estimates)
   * @param maxAgeNanos entries unused for longer are evicted
   */
  public EngineBackendFactory(EngineWorkload workload, RequestStream stream,
      EngineModeSettings settings, long cacheBytes, long maxAgeNanos, long seed) {
    this.workload = workload;
    this.stream = stream;
    this.settings = settings;
    this.costs = settings.costs();
    this.cacheBytes = cacheBytes;
    this.maxAgeNanos = maxAgeNanos;
    this.seed = seed;
    this.counting = new CountingRules(workload.ruleSet());
    List<Rule> all = workload.ruleSet().rules();
    this.rules = all.size();
    this.replaysJournal = new boolean[rules];
    this.overlayRule = new boolean[rules];
    for (int i = 0; i < rules; i++) {
      replaysJournal[i] = !all.get(i).affectedBy().isEmpty();
      overlayRule[i] = RequestClassifier.isOverlay(all.get(i));
    }
    this.ruleHitSum = new double[rules];
    this.ruleHitN = new long[rules];
    this.ruleMissSum = new double[rules];
    this.ruleMissN = new long[rules];
    this.inventory = freshInventory();
  }

  @Override
  public String mode() {
    return "engine";
  }

  /** Starts a run: a fresh inventory with the initial VMs, no departures pending, no statistics. */
  @Override
  public void reset() {
    now = 0;
    departures.clear();
    departureSeq = 0;
    placementFailures = 0;
    conflicts = 0;
    typeCosts.clear();
    Arrays.fill(ruleHitSum, 0);
    Arrays.fill(ruleHitN, 0);
    Arrays.fill(ruleMissSum, 0);
    Arrays.fill(ruleMissN, 0);
    topHitSum = 0;
    topHitN = 0;
    if (!unused) {
      inventory = freshInventory();
    }
    unused = false;
  }

  private Inventory freshInventory() {
    Inventory inv = workload.inventory().generate(VmTypeCatalog.EMPTY, settings.journalCapacity());
    SplittableRandom rng = new SplittableRandom(seed ^ 0x1417L);
    int placed = 0;
    for (int i = 0; i < workload.initialCount(); i++) {
      VmRequest r = workload.initialRequest(i);
      for (int attempt = 0; attempt < 64; attempt++) {
        int s = rng.nextInt(inv.size());
        if (inv.fits(s, r.demand())) {
          inv.apply(new InventoryChange.Place(inv.serverId(s), r.toHostedVm(r.demand())));
          placed++;
          scheduleDeparture(r.id(), workload.initialLifetime(i), 0);
          break;
        }
      }
    }
    initialPlaced = placed;
    return inv;
  }

  private void scheduleDeparture(String vmId, double lifetimeSeconds, long from) {
    if (Double.isInfinite(lifetimeSeconds)) {
      return;
    }
    long at = from + Math.round(lifetimeSeconds * stream.timeScale() * 1e9);
    departures.add(new Departure(at, departureSeq++, vmId));
  }

  /** Applies the departures due by {@code t} and moves the cache clock there. */
  private void advanceTo(long t) {
    now = Math.max(now, t);
    while (!departures.isEmpty() && departures.peek().at() <= now) {
      Departure d = departures.poll();
      int s = inventory.serverOf(d.vmId());
      if (s >= 0) {
        inventory.apply(new InventoryChange.Release(inventory.serverId(s), d.vmId()));
      }
    }
  }

  @Override
  public AgentBackend create(int agent) {
    EngineAgent a = new EngineAgent(agent);
    if (agent == 0) {
      agents.clear();
    }
    agents.add(a);
    return a;
  }

  /** The cache counters of the current run's agents (for tests). */
  List<CacheStats> cacheStats() {
    return agents.stream().map(a -> a.cache.stats()).toList();
  }

  @Override
  public long placementFailures() {
    return placementFailures;
  }

  /** Commits that found their chosen server full and took another candidate, this run. */
  public long conflicts() {
    return conflicts;
  }

  /** Initial VMs placed before this run's replay. */
  public int initialPlaced() {
    return initialPlaced;
  }

  /** The inventory of the current run (for tests). */
  Inventory inventory() {
    return inventory;
  }

  @Override
  public long oracleNanos(SimRequest request, AgentIndicators agent) {
    ClassifiedRequest c = request.classified();
    double[] t = typeCosts.get(c.typeKey());
    if (agent.augmentedHasType(c.typeKey())) {
      return Math.round(t != null && t[1] > 0 ? t[0] / t[1] : topHitN > 0 ? topHitSum / topHitN
          : costs.lookupNanos());
    }
    double sum = t != null && t[3] > 0 ? t[2] / t[3]
        : costs.lookupNanos() + costs.entryBuildNanos()
            + costs.rankedServerNanos() * inventory.size();
    for (int i = 0; i < c.ruleCount(); i++) {
      int r = c.ruleId(i);
      sum += agent.augmentedHasRule(c.ruleKey(i))
          ? (ruleHitN[r] > 0 ? ruleHitSum[r] / ruleHitN[r] : 0)
          : (ruleMissN[r] > 0 ? ruleMissSum[r] / ruleMissN[r]
              : costs.ruleUnitNanos() * inventory.size());
    }
    return Math.round(sum);
  }

  /** One agent: a rule engine and its cache, plus what it remembers to count replayed records. */
  private final class EngineAgent implements AgentBackend {
    private final RuleEngine engine;
    private final AgentCache cache;
    private final Map<RequestTypeKey, Long> typeRevision = new HashMap<>();
    private final Map<RuleKey, Long> ruleRevision = new HashMap<>();
    private final boolean[] ruleCached = new boolean[rules];
    private final long[] unitsBefore = new long[rules];
    private long lastSweep = Long.MIN_VALUE;
    private @Nullable VmRequest pending;
    private @Nullable Candidates pendingCandidates;
    private @Nullable Decision pendingDecision;
    private double pendingLifetime;

    EngineAgent(int agent) {
      this.engine = new RuleEngine(inventory, counting.ruleSet(), EngineSettings.defaults(),
          new SplittableRandom(Keys.mix(seed ^ (agent + 1L) * 0x5851F42D4C957F2DL)), () -> now);
      this.cache = engine.newCache(new CacheSettings(cacheBytes, maxAgeNanos));
    }

    /**
     * Runs the cache's age eviction at most every quarter of the maximum age, which is also when the
     * cache would sweep its rule entries on its own; so probes made right after it see what the next
     * lookup will see.
     */
    private void sweep() {
      if (lastSweep == Long.MIN_VALUE || now - lastSweep >= maxAgeNanos / 4) {
        cache.cleanUp();
        lastSweep = now;
      }
    }

    @Override
    public void serve(SimRequest request, long nowNanos, long revision, ServiceOutcome out) {
      advanceTo(nowNanos);
      sweep();
      VmRequest vm = workload.request(request.index());
      ClassifiedRequest c = request.classified();
      RequestTypeKey type = key(workload.typeKey(c.typeKey()), c.typeKey());
      ChangeJournal journal = inventory.journal();
      long rev = journal.revision();
      long topRecords = replayed(typeRevision.get(type), journal, rev);
      RuleKey[] keys = new RuleKey[c.ruleCount()];
      for (int i = 0; i < keys.length; i++) {
        keys[i] = key(workload.ruleKey(c.ruleKey(i)), c.ruleKey(i));
        ruleCached[i] = cache.containsRule(keys[i]);
      }
      for (int r = 0; r < rules; r++) {
        unitsBefore[r] = counting.units(r);
      }
      long rankedBefore = cache.overlayRankedServers();
      Candidates candidates = cache.candidates(vm);
      boolean topHit = cache.lastLookup() == Lookup.TOP_HIT;
      out.reset(topHit);
      double total = costs.lookupNanos() + overlayCost(rankedBefore);
      double[] t = typeCosts.computeIfAbsent(c.typeKey(), k -> new double[4]);
      if (topHit) {
        total = topHitCost(c, keys.length, total, topRecords, t);
      } else {
        total = missCost(c, keys, total, candidates, journal, rev, t, out);
      }
      typeRevision.put(type, rev);
      for (RuleKey k : keys) {
        ruleRevision.put(k, rev);
      }
      out.cost(Math.max(1, Math.round(total)));
      Optional<Decision> d = engine.choose(candidates);
      pending = vm;
      pendingCandidates = candidates;
      pendingDecision = d.orElse(null);
      pendingLifetime = workload.lifetime(request.index());
    }

    /**
     * What the overlay (tenant, spread and anti-affinity rules) cost in this lookup: it runs on every
     * lookup, hit or not.
     */
    private double overlayCost(long rankedBefore) {
      double overlay = costs.rankedServerNanos() * (cache.overlayRankedServers() - rankedBefore);
      for (int r = 0; r < rules; r++) {
        if (overlayRule[r]) {
          overlay += costs.ruleUnitNanos() * (counting.units(r) - unitsBefore[r]);
        }
      }
      return overlay;
    }

    /**
     * A top-level hit's cost: {@code total} (lookup and overlay) plus the {@code records} replayed
     * and the units its {@code ruleCount} rules evaluated; recorded in {@code t} and the top-hit sums
     * for the oracle.
     */
    private double topHitCost(ClassifiedRequest c, int ruleCount, double total, long records,
        double[] t) {
      double sum = total + costs.journalRecordNanos() * records;
      for (int i = 0; i < ruleCount; i++) {
        int r = c.ruleId(i);
        sum += costs.ruleUnitNanos() * (counting.units(r) - unitsBefore[r]);
      }
      t[0] += sum;
      t[1]++;
      topHitSum += sum;
      topHitN++;
      return sum;
    }

    /**
     * A top-level miss's cost: {@code total} (lookup and overlay) plus the entry's build and ranking
     * and each rule's units and replayed records; reports each rule's share to {@code out} and
     * records the costs in {@code t} and the per-rule sums for the oracle.
     */
    private double missCost(ClassifiedRequest c, RuleKey[] keys, double total,
        Candidates candidates, ChangeJournal journal, long rev, double[] t, ServiceOutcome out) {
      double consolidation = total + costs.entryBuildNanos()
          + costs.rankedServerNanos() * candidates.passing();
      t[2] += consolidation;
      t[3]++;
      double sum = consolidation;
      for (int i = 0; i < keys.length; i++) {
        int r = c.ruleId(i);
        long units = counting.units(r) - unitsBefore[r];
        long records = ruleCached[i] && replaysJournal[r]
            ? replayed(ruleRevision.get(keys[i]), journal, rev) : 0;
        double ruleCost = costs.ruleUnitNanos() * units + costs.ruleRecordNanos() * records;
        // What the estimator learns adds up to the request's whole cost, as in the grid
        // (Estimates.learn): the lookup, overlay and entry build are spread over the rules.
        // The oracle below keeps the rule's own cost: it adds the consolidation on its own.
        out.addRule(ruleCached[i],
            Math.max(1, Math.round(ruleCost + consolidation / keys.length)));
        long nanos = Math.max(1, Math.round(ruleCost));
        if (ruleCached[i]) {
          ruleHitSum[r] += nanos;
          ruleHitN[r]++;
        } else {
          ruleMissSum[r] += nanos;
          ruleMissN[r]++;
        }
        sum += ruleCost;
      }
      return sum;
    }

    private long replayed(@Nullable Long since, ChangeJournal journal, long rev) {
      return since != null && journal.canReplayFrom(since) ? rev - since : 0;
    }

    private <K> K key(@Nullable K k, long fingerprint) {
      if (k == null) {
        throw new IllegalStateException("request key " + Long.toHexString(fingerprint)
            + " was not classified by this workload");
      }
      return k;
    }

    @Override
    public void complete(long nowNanos) {
      advanceTo(nowNanos);
      VmRequest vm = pending;
      Candidates c = pendingCandidates;
      Decision d = pendingDecision;
      pending = null;
      pendingCandidates = null;
      pendingDecision = null;
      if (vm == null || c == null) {
        return;
      }
      int server = -1;
      if (d != null && inventory.fits(d.server(), vm.demand())) {
        server = d.server();
        engine.reportCommit();
      } else if (d != null) {
        engine.reportConflict();
        conflicts++;
        for (int rank = 0; rank < c.size() && server < 0; rank++) {
          if (inventory.fits(c.server(rank), vm.demand())) {
            server = c.server(rank);
          }
        }
      }
      if (server < 0) {
        placementFailures++;
        return;
      }
      HostedVm hosted = vm.toHostedVm(vm.demand());
      inventory.apply(new InventoryChange.Place(inventory.serverId(server), hosted));
      scheduleDeparture(vm.id(), pendingLifetime, now);
    }

    @Override
    public boolean cachesType(long typeKey) {
      RequestTypeKey k = workload.typeKey(typeKey);
      return k != null && cache.hitsType(k);
    }

    @Override
    public boolean cachesRule(long ruleKey) {
      RuleKey k = workload.ruleKey(ruleKey);
      return k != null && cache.hitsRule(k); // as the grid's agents publish: reusable results only
    }

    @Override
    public long cacheBytes() {
      return cache.stats().bytes();
    }

    @Override
    public void expire(long nowNanos) {
      advanceTo(nowNanos);
      sweep();
    }
  }
}
