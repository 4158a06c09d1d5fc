package io.vmgrid.rules.engine;

import io.vmgrid.rules.api.ChangeJournal;
import io.vmgrid.rules.api.EvalContext;
import io.vmgrid.rules.api.Inventory;
import io.vmgrid.rules.api.Rule;
import io.vmgrid.rules.api.VmRequest;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One agent's private two-level cache (Kamino): request type → consolidated ranked candidates (top
 * level), and rule key → that rule's result (lower level). Only the rule set's cached rules are
 * held; each answer applies the request's overlay rules (tenant, availability set, anti-affinity
 * group; see {@link RequestClassifier}) to the entry, so requests of every tenant share it. A top-level entry pins the rule entries it
 * was built from. Entries remember the journal revision they reflect and, when used, replay only the
 * newer changes; if the journal no longer reaches back, they are recomputed (counted as a miss).
 *
 * <p>Eviction: least recently used first, unpinned rule entries before top-level entries, while the
 * estimated bytes exceed the budget; and any entry unused for longer than the maximum age. Not
 * thread-safe: it belongs to one agent.
 */
public final class AgentCache {
  private final RuleEngine engine;
  private final Evaluator evaluator;
  private final Overlay overlay;
  private final CacheSettings settings;
  private final Ticker ticker;
  private final Inventory inventory;
  private final List<Rule> rules;
  private final LinkedHashMap<RequestTypeKey, TypeEntry> top = new LinkedHashMap<>(64, 0.75f, true);
  /** The same entries, for reads that must not count as a use (LRU order lives in {@code top}). */
  private final java.util.HashMap<RequestTypeKey, TypeEntry> peek = new java.util.HashMap<>();
  private final LinkedHashMap<RuleKey, RuleResult> ruleEntries =
      new LinkedHashMap<>(256, 0.75f, true);
  /** Rule entries no top-level entry pins, in the order they became unpinned (eviction order). */
  private final LinkedHashMap<RuleKey, RuleResult> unpinned = new LinkedHashMap<>();
  private long lastSweep;
  private boolean sweepDue = true;
  private long topHits;
  private long partialHits;
  private long misses;
  private long ruleHits;
  private long ruleMisses;
  private long evictions;
  private long bytes;
  private Lookup last = Lookup.MISS;

  AgentCache(RuleEngine engine, Evaluator evaluator, Overlay overlay, CacheSettings settings,
      Ticker ticker) {
    this.engine = engine;
    this.evaluator = evaluator;
    this.overlay = overlay;
    this.settings = settings;
    this.ticker = ticker;
    this.inventory = engine.inventory();
    this.rules = engine.cachedRules();
  }

  /** The ranked candidates for {@code request}, from the cache where possible. */
  public Candidates candidates(VmRequest request) {
    long now = ticker.read();
    evictExpired(now);
    RequestTypeKey type = engine.classifier().typeKey(request);
    TypeEntry e = top.get(type);
    if (e != null) {
      boolean incremental = evaluator.refresh(e);
      e.lastUsed = now;
      for (RuleResult r : e.all) {
        r.lastUsed = now;
      }
      if (incremental) {
        topHits++;
        last = Lookup.TOP_HIT;
      } else {
        // recomputed (journal truncated or too far behind): the entry's pinned rule entries were
        // looked up and reused (each refreshed, or re-evaluated if too far behind itself), which
        // counts as rule hits, as a partial hit counts the rule entries it reuses
        misses++;
        ruleHits += e.all.length;
        last = Lookup.MISS;
      }
      return answer(e, request, null);
    }
    List<RuleKey> keys = engine.classifier().ruleKeys(request);
    EvalContext ctx = new EvalContext(inventory, request);
    RuleResult[] results = new RuleResult[keys.size()];
    int hits = 0;
    for (int i = 0; i < results.length; i++) {
      RuleKey k = keys.get(i);
      RuleResult r = ruleEntries.get(k);
      if (r != null) {
        r.refresh();
        hits++;
        if (r.pins == 0) {
          unpinned.remove(k);
        }
      } else {
        r = new RuleResult(rules.get(i), k, ctx);
        ruleEntries.put(k, r);
        bytes += r.bytes;
      }
      r.pins++;
      r.lastUsed = now;
      results[i] = r;
    }
    ruleHits += hits;
    ruleMisses += results.length - hits;
    e = evaluator.build(type, ctx, results);
    e.lastUsed = now;
    top.put(type, e);
    peek.put(type, e);
    bytes += e.bytes;
    if (hits > 0) {
      partialHits++;
      last = Lookup.PARTIAL_HIT;
    } else {
      misses++;
      last = Lookup.MISS;
    }
    Candidates answer = answer(e, request, ctx);
    evictForSize();
    return answer;
  }

  /** The entry's candidates with the request's overlay rules applied. */
  private Candidates answer(TypeEntry e, VmRequest request, @Nullable EvalContext ctx) {
    if (overlay.isEmpty()) {
      return evaluator.candidates(e);
    }
    return overlay.apply(e, ctx != null ? ctx : new EvalContext(inventory, request));
  }

  /** Looks up candidates and picks a server with the engine's top-N0 policy. */
  public Optional<Decision> decide(VmRequest request) {
    return engine.choose(candidates(request));
  }

  /**
   * As {@link #decide}, and when no server fits, the engine's preemption decision ({@link
   * RuleEngine#preempt}): a server and the lower-priority VMs to evict there in the same commit.
   * The cache serves the common path as before; the preemption search bypasses it (it runs only when
   * the cached answer is empty, and reads the inventory without changing it).
   */
  public Optional<Decision> decideOrPreempt(VmRequest request) {
    Optional<Decision> d = engine.choose(candidates(request));
    return d.isPresent() ? d : engine.preempt(request);
  }

  /** How the last {@link #candidates} call was answered. */
  public Lookup lastLookup() {
    return last;
  }

  /** Whether a top-level entry for {@code type} is cached (does not count as a use). */
  public boolean containsType(RequestTypeKey type) {
    return top.containsKey(type);
  }

  /**
   * Whether a lookup of {@code type} now would be a top-level hit: an entry is cached and close
   * enough to the journal's revision to be brought up to date by replay, not recomputed (see {@link
   * Evaluator#replayLimit}). This is what a router predicting this agent's cost should ask; {@link
   * #containsType} also counts entries that would be recomputed (does not count as a use).
   */
  public boolean hitsType(RequestTypeKey type) {
    TypeEntry e = peek.get(type);
    return e != null && fresh(e);
  }

  private boolean fresh(TypeEntry e) {
    return fresh(e.revision);
  }

  /** Whether a cached result at {@code revision} would be replayed rather than recomputed. */
  private boolean fresh(long revision) {
    ChangeJournal journal = inventory.journal();
    return journal.canReplayFrom(revision)
        && journal.revision() - revision <= Evaluator.replayLimit(inventory);
  }

  /** The cached request types a lookup now would hit ({@link #hitsType}), in no particular order. */
  public Set<RequestTypeKey> hitTypeKeys() {
    Set<RequestTypeKey> out = new java.util.HashSet<>();
    for (TypeEntry e : peek.values()) {
      if (fresh(e)) {
        out.add(e.key);
      }
    }
    return out;
  }

  /**
   * The cached rule keys whose results a lookup now would reuse rather than recompute: replayable
   * and within the replay limit, like {@link #hitTypeKeys}. Far fewer than {@link #ruleKeys}: a
   * cache keeps the small cluster-level results of thousands of tenants it saw once.
   */
  public Set<RuleKey> hitRuleKeys() {
    Set<RuleKey> out = new java.util.HashSet<>();
    for (RuleResult r : ruleEntries.values()) {
      if (reusable(r)) {
        out.add(r.key);
      }
    }
    return out;
  }

  /**
   * Whether a lookup now would reuse the cached result for {@code key} rather than recompute it:
   * replayable and within the replay limit, as {@link #hitRuleKeys} (does not count as a use). A
   * router's prediction; {@link #containsRule} only says the entry is held.
   */
  public boolean hitsRule(RuleKey key) {
    RuleResult r = ruleEntries.get(key);
    return r != null && reusable(r);
  }

  private boolean reusable(RuleResult r) {
    return r.replayable() && fresh(r.revision);
  }

  /** Whether a rule entry for {@code key} is cached (does not count as a use). */
  public boolean containsRule(RuleKey key) {
    return ruleEntries.containsKey(key);
  }

  /** The cached request types, least recently used first. */
  public Set<RequestTypeKey> typeKeys() {
    return Set.copyOf(top.keySet());
  }

  /** The cached rule keys. */
  public Set<RuleKey> ruleKeys() {
    return Set.copyOf(ruleEntries.keySet());
  }

  /** The estimated bytes of the top-level entry for {@code type} (0 if absent). */
  public long entryBytes(RequestTypeKey type) {
    TypeEntry e = top.get(type);
    return e == null ? 0 : e.bytes;
  }

  /** The estimated bytes of the rule entry for {@code key} (0 if absent). */
  public long ruleEntryBytes(RuleKey key) {
    RuleResult r = ruleEntries.get(key);
    return r == null ? 0 : r.bytes;
  }

  /** Refreshes every top-level entry to the journal's revision (what an idle agent does). */
  public void refreshAll() {
    for (TypeEntry e : top.values()) {
      evaluator.refresh(e);
    }
  }

  /** Evicts entries older than the maximum age. */
  public void cleanUp() {
    sweepDue = true;
    evictExpired(ticker.read());
  }

  /** Drops every entry (counters are kept). */
  public void clear() {
    evictions += top.size() + ruleEntries.size();
    top.clear();
    peek.clear();
    ruleEntries.clear();
    unpinned.clear();
    bytes = 0;
  }

  /** The counters. */
  public CacheStats stats() {
    return new CacheStats(topHits, partialHits, misses, ruleHits, ruleMisses, evictions, bytes,
        top.size(), ruleEntries.size());
  }

  /**
   * Evicts top-level entries unused for longer than the maximum age (the access-ordered map's head is
   * the least recently used, so this stops at the first young one), and, at most every quarter of the
   * maximum age, sweeps the unpinned rule entries; so an entry goes within 1.25 × the maximum age.
   */
  private void evictExpired(long now) {
    long limit = settings.maxAgeNanos();
    for (Iterator<TypeEntry> it = top.values().iterator(); it.hasNext(); ) {
      TypeEntry e = it.next();
      if (now - e.lastUsed <= limit) {
        break;
      }
      it.remove();
      peek.remove(e.key);
      unpin(e);
    }
    if (!sweepDue && now - lastSweep < limit / 4) {
      return;
    }
    sweepDue = false;
    lastSweep = now;
    for (Iterator<RuleResult> it = unpinned.values().iterator(); it.hasNext(); ) {
      RuleResult r = it.next();
      if (now - r.lastUsed > limit) {
        it.remove();
        ruleEntries.remove(r.key);
        bytes -= r.bytes;
        evictions++;
      }
    }
  }

  private void unpin(TypeEntry e) {
    bytes -= e.bytes;
    evictions++;
    for (RuleResult r : e.all) {
      if (--r.pins == 0) {
        unpinned.put(r.key, r);
      }
    }
  }

  private void evictForSize() {
    while (bytes > settings.maxBytes()) {
      if (!evictUnpinnedRule()) {
        Iterator<Map.Entry<RequestTypeKey, TypeEntry>> it = top.entrySet().iterator();
        if (!it.hasNext()) {
          return;
        }
        TypeEntry e = it.next().getValue();
        it.remove();
        peek.remove(e.key);
        unpin(e);
      }
    }
  }

  private boolean evictUnpinnedRule() {
    Iterator<RuleResult> it = unpinned.values().iterator();
    if (!it.hasNext()) {
      return false;
    }
    RuleResult r = it.next();
    it.remove();
    ruleEntries.remove(r.key);
    bytes -= r.bytes;
    evictions++;
    return true;
  }

  /**
   * Checks the bookkeeping (for tests): bytes equal the sum of entry sizes, every rule entry's pin
   * count equals the number of top-level entries using it, and the unpinned set is exactly the
   * entries with no pin.
   *
   * @throws IllegalStateException naming the first inconsistency
   */
  /**
   * Rankings of every passing server by this cache's engine so far: entry builds, recomputes, and
   * refills the reserve could not answer (see {@link EngineSettings#reserve}).
   */
  public long fullRankings() {
    return evaluator.fullRankings();
  }

  /**
   * Clusters the overlay scanned so far because a group of clusters (the tenant's, typically) had
   * too few servers in an entry's ranked list (shared with other caches of the same engine).
   */
  public long overlayScannedClusters() {
    return overlay.scannedClusters();
  }

  /**
   * Servers whose combined key the overlay ranked so far: walking entries' lists, building and
   * updating per-cluster lists, and scanning clusters (shared with other caches of the same engine).
   */
  public long overlayRankedServers() {
    return overlay.rankedServers() + evaluator.listRankedServers();
  }

  /** Refills of a ranked list answered from the list and reserve alone. */
  public long reserveRankings() {
    return evaluator.reserveRankings();
  }

  void checkInvariants() {
    long sum = 0;
    java.util.IdentityHashMap<RuleResult, Integer> pins = new java.util.IdentityHashMap<>();
    java.util.IdentityHashMap<RuleResult, Boolean> cached = new java.util.IdentityHashMap<>();
    for (RuleResult r : ruleEntries.values()) {
      cached.put(r, Boolean.TRUE);
    }
    for (TypeEntry e : top.values()) {
      sum += e.bytes;
      for (RuleResult r : e.all) {
        pins.merge(r, 1, Integer::sum);
        if (!cached.containsKey(r)) {
          throw new IllegalStateException("pinned rule entry not cached: " + r.key);
        }
      }
    }
    for (RuleResult r : ruleEntries.values()) {
      sum += r.bytes;
      Integer counted = pins.get(r);
      int expected = counted == null ? 0 : counted;
      if (r.pins != expected) {
        throw new IllegalStateException(r.key + " pins " + r.pins + ", expected " + expected);
      }
      if ((expected == 0) != unpinned.containsKey(r.key)) {
        throw new IllegalStateException(r.key + " unpinned set wrong");
      }
    }
    if (unpinned.size() > ruleEntries.size()) {
      throw new IllegalStateException("unpinned holds evicted entries");
    }
    if (sum != bytes) {
      throw new IllegalStateException("bytes " + bytes + ", entries sum to " + sum);
    }
  }
}
