package io.vmgrid.node.agent;

import io.vmgrid.client.api.Reason;
import io.vmgrid.client.wire.GridRequest;
import io.vmgrid.node.inventory.InventoryMirror;
import io.vmgrid.node.inventory.Mirrors;
import io.vmgrid.node.time.NodeClock;
import io.vmgrid.rules.api.Inventory;
import io.vmgrid.rules.api.ValidatorRule;
import io.vmgrid.rules.api.VmRequest;
import io.vmgrid.rules.engine.AgentCache;
import io.vmgrid.rules.engine.CacheSettings;
import io.vmgrid.rules.engine.CacheStats;
import io.vmgrid.rules.engine.Candidates;
import io.vmgrid.rules.engine.EngineSettings;
import io.vmgrid.rules.engine.Explanation;
import io.vmgrid.rules.engine.Lookup;
import io.vmgrid.rules.engine.RequestTypeKey;
import io.vmgrid.rules.engine.RuleEngine;
import io.vmgrid.rules.ruleset.RuleSet;
import io.vmgrid.scheduler.api.Keys;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * One agent's rule engine and two-level cache over this member's {@link InventoryMirror}: picks a
 * server for a request (the best, or one of the top N0 while commits conflict), says why there is
 * none, and summarises what the cache holds for the agent's Kamino indicators. A rebuilt mirror (a
 * new epoch) gets a new engine and cache, re-warmed from the agent's cache records. Agent thread
 * only, except the stats readers.
 */
final class AgentEngine {
  private static final Logger LOG = Logger.getLogger(AgentEngine.class.getName());

  private final String agentId;
  private final InventoryMirror mirror;
  private final NodeClock clock;
  private final RuleSet ruleSet;
  /**
   * Names of the validators about free capacity or health, as each rule declares it: one of them
   * failing every server means no capacity; any other rule failing every server on its own means
   * the request cannot be met.
   */
  private final Set<String> capacityRules = new HashSet<>();
  private final CacheSettings cacheSettings;
  private final CacheRecords records;
  private final SplittableRandom random;
  private long epoch = -1;
  private @Nullable RuleEngine engine;
  private volatile @Nullable AgentCache cache;
  private volatile @Nullable CacheStats statsBeforeEpoch;
  private long prewarmed;
  /** Fingerprints of the keys the last summary rebuild saw. */
  private Map<Object, Long> fingerprints = new HashMap<>();

  /**
   * A server chosen for a request.
   *
   * @param index the server's index in the mirror's inventory
   * @param serverId the server
   * @param clusterId its cluster
   */
  record Choice(int index, String serverId, String clusterId) {}

  AgentEngine(String agentId, InventoryMirror mirror, RuleSet ruleSet, CacheSettings cacheSettings,
      CacheRecords records, NodeClock clock) {
    this.agentId = agentId;
    this.clock = clock;
    this.mirror = mirror;
    this.ruleSet = ruleSet;
    for (RuleSet.Entry<ValidatorRule> e : ruleSet.validators()) {
      if (e.rule().capacityRule()) {
        capacityRules.add(e.rule().name());
      }
    }
    this.cacheSettings = cacheSettings;
    this.records = records;
    this.random = new SplittableRandom(agentId.hashCode());
  }

  /**
   * Under the mirror's read lock: a server for {@code request} that is not in {@code excluded} and
   * still fits once this member's commits {@code inFlight} land, or null if none; with several
   * members preferably one this member holds ({@link Locality#pick}).
   */
  @Nullable Choice choose(Inventory inv, VmRequest request, GridRequest wire, Set<String> excluded,
      InFlight inFlight, Locality locality) {
    AgentCache c = cacheFor(inv);
    RuleEngine e = Objects.requireNonNull(engine);
    Candidates candidates = c.candidates(request);
    if (c.lastLookup() != Lookup.TOP_HIT) {
      records.remember(e.classifier().typeKey(request), wire, c);
    }
    int n0 = Math.max(1, e.currentN0());
    int server = Locality.pick(candidates.size(), candidates::server,
        s -> !excluded.contains(inv.serverId(s)) && inFlight.fits(inv, s, request),
        s -> locality.local(inv.serverId(s)), locality.members(), n0, random);
    return server < 0 ? null : choice(inv, server);
  }

  /**
   * Under the mirror's read lock, after {@link #choose} found nothing: the server where evicting
   * the fewest lower-priority VMs makes {@code request} fit, and those VMs ({@link
   * RuleEngine#preempt}; the rule set's preemption policy applies), or null if there is none.
   * Never a server in {@code excluded} or one this member has a commit in flight to (its state is
   * about to change: every agent's search would pick the same victims there); with several members
   * a server this member holds if one will do, so members do not preempt on the same server.
   */
  @Nullable Preemption preempt(Inventory inv, VmRequest request, Set<String> excluded,
      InFlight inFlight, Locality locality) {
    cacheFor(inv);
    RuleEngine e = Objects.requireNonNull(engine);
    java.util.function.IntPredicate open = s -> {
      String id = inv.serverId(s);
      return !excluded.contains(id) && !inFlight.claimed(id);
    };
    java.util.Optional<io.vmgrid.rules.engine.Decision> d = locality.members() > 1
        ? e.preempt(request, s -> open.test(s) && locality.local(inv.serverId(s)))
        : java.util.Optional.empty();
    if (d.isEmpty()) {
      d = e.preempt(request, open);
    }
    return d.map(x -> new Preemption(choice(inv, x.server()), x.victims())).orElse(null);
  }

  /**
   * A server for a request that fits only by evicting lower-priority VMs.
   *
   * @param choice the server
   * @param victims ids of the VMs to evict there in the same commit
   */
  record Preemption(Choice choice, List<String> victims) {}

  private static Choice choice(Inventory inv, int server) {
    return new Choice(server, inv.serverId(server), inv.clusterId(inv.cluster(server)));
  }

  /** How the cache answered the last lookup. */
  Lookup lastLookup() {
    AgentCache c = cache;
    return c == null ? Lookup.MISS : c.lastLookup();
  }

  /** The cache for the mirror's current epoch; a new epoch gets a new engine, re-warmed. */
  AgentCache cacheFor(Inventory inv) {
    long now = mirror.epoch();
    AgentCache c = cache;
    // taken on every build: a first cache built from records that just arrived has used them
    boolean recordsArrived = records.takeRewarmRequest();
    if (c != null && now == epoch && !recordsArrived) {
      return c;
    }
    if (c != null) {
      statsBeforeEpoch = c.stats();
    }
    RuleEngine e = new RuleEngine(inv, ruleSet, EngineSettings.defaults(), random.split(), clock);
    AgentCache fresh = e.newCache(cacheSettings);
    List<GridRequest> warm = records.exemplars();
    long t0 = clock.nanoTime();
    for (GridRequest r : warm) {
      try {
        fresh.candidates(Mirrors.request(r));
      } catch (RuntimeException ex) {
        LOG.fine(() -> "agent " + agentId + ": exemplar " + r.requestId() + " not re-warmed: " + ex);
      }
    }
    prewarmed += warm.size();
    if (!warm.isEmpty()) {
      long ms = TimeUnit.NANOSECONDS.toMillis(clock.nanoTime() - t0);
      LOG.info(() -> "agent " + agentId + ": re-warmed " + warm.size() + " cache entries in " + ms
          + " ms (epoch " + now + ")");
    }
    engine = e;
    cache = fresh;
    epoch = now;
    return fresh;
  }

  /**
   * The reason and one-line message for an empty candidate list: {@code CONSTRAINT_UNSATISFIABLE}
   * when the request can never be placed here ({@link Impossible}: a pin to an unknown cluster, a
   * VM larger than every server; the message says so) or one rule that is not about free capacity
   * or health fails every server on its own, {@code NO_CAPACITY} otherwise; the message names the
   * rules that removed the most servers. Reads the mirror (takes the read lock).
   */
  Rejection rejection(VmRequest request) {
    String[] impossible = new String[1];
    Explanation x = mirror.read(inv -> {
      cacheFor(inv);
      impossible[0] = inv.size() == 0 ? null : Impossible.why(inv, request);
      return Objects.requireNonNull(engine).explain(request);
    });
    if (x.servers() == 0) {
      return new Rejection(Reason.NO_CAPACITY, "the inventory is empty: load servers first");
    }
    if (impossible[0] != null) {
      return new Rejection(Reason.CONSTRAINT_UNSATISFIABLE, impossible[0]);
    }
    Reason reason = Reason.NO_CAPACITY;
    for (Explanation.ValidatorCount v : x.validators()) {
      if (v.failed() == x.servers() && !capacityRules.contains(v.rule())) {
        reason = Reason.CONSTRAINT_UNSATISFIABLE;
      }
    }
    List<Explanation.ValidatorCount> worst = new ArrayList<>(x.validators());
    worst.sort(Comparator.comparingInt(Explanation.ValidatorCount::removed).reversed());
    StringBuilder sb = new StringBuilder("no server satisfies the rules (" + x.servers()
        + " servers); removed most: ");
    int shown = 0;
    for (Explanation.ValidatorCount v : worst) {
      if (v.removed() == 0 || shown == 3) {
        break;
      }
      sb.append(shown++ == 0 ? "" : ", ").append(v.rule()).append(" ").append(v.removed());
    }
    return new Rejection(reason, sb.toString());
  }

  /**
   * Why a request was rejected.
   *
   * @param reason the reason
   * @param message for people
   */
  record Rejection(Reason reason, String message) {}

  /** Feeds the engine's conflict window. */
  void reportCommit(boolean ok) {
    RuleEngine e = engine;
    if (e != null) {
      if (ok) {
        e.reportCommit();
      } else {
        e.reportConflict();
      }
    }
  }

  /**
   * Fingerprints of the request types and rule keys a lookup would now reuse (evicted ones, and
   * ones so far behind the journal that they would be recomputed, are left out), for the Kamino
   * indicators. A rebuild sees every cached key, so fingerprints of the previous rebuild are
   * reused instead of hashing every key's string again.
   */
  void summarize(Set<Long> types, Set<Long> rules) {
    AgentCache c = cache;
    if (c == null) {
      return;
    }
    Map<Object, Long> known = new HashMap<>();
    c.hitTypeKeys().forEach(k -> types.add(fingerprint(known, k, k.value())));
    c.hitRuleKeys().forEach(k -> rules.add(fingerprint(known, k, k.toString())));
    fingerprints = known;
  }

  private long fingerprint(Map<Object, Long> known, Object key, String canonical) {
    Long f = fingerprints.get(key);
    long v = f != null ? f : Keys.fingerprint(canonical);
    known.put(key, v);
    return v;
  }

  /** The request types the current cache holds (for syncing the cache records). */
  Set<String> cachedTypes() {
    AgentCache c = cache;
    Set<String> out = new HashSet<>();
    if (c != null) {
      c.typeKeys().forEach(k -> out.add(k.value()));
    }
    return out;
  }

  /** Whether the current cache holds {@code type}. */
  boolean caches(RequestTypeKey type) {
    AgentCache c = cache;
    return c != null && c.containsType(type);
  }

  /** Cache entries re-evaluated from exemplars so far. */
  long prewarmed() {
    return prewarmed;
  }

  /** Cache statistics of the current epoch's cache (null before the first request). */
  @Nullable CacheStats stats() {
    AgentCache c = cache;
    return c == null ? statsBeforeEpoch : c.stats();
  }
}
