package io.vmgrid.rules.engine;

import io.vmgrid.rules.api.ChangeJournal;
import io.vmgrid.rules.api.EvalContext;
import io.vmgrid.rules.api.Inventory;
import io.vmgrid.rules.api.JournalRecord;
import io.vmgrid.rules.api.Scope;
import io.vmgrid.rules.ruleset.RuleSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Builds and incrementally refreshes {@link TypeEntry top-level entries}: keeps their rule results,
 * cluster passes and passing servers current by replaying the journal, and leaves ranking to its
 * {@link EntryRanker}. Not thread-safe (its ranker keeps scratch arrays); one per agent.
 */
final class Evaluator {
  private final Inventory inventory;
  private final EngineSettings settings;
  /** Preference names in rule-set order: a preference's slot in the combined key. */
  private final List<String> slots;
  /** Servers kept beyond topK by each entry's ranking (0: none; every refill scans). */
  private final int reserveTarget;
  private final EntryRanker ranker;

  Evaluator(Inventory inventory, RuleSet ruleSet, EngineSettings settings) {
    this.inventory = inventory;
    this.settings = settings;
    this.slots = ruleSet.preferences().stream().map(p -> p.rule().name()).toList();
    this.reserveTarget = settings.reserveFor(inventory.size());
    this.ranker = new EntryRanker(inventory, ruleSet, settings, reserveTarget);
  }

  /** The ranker keeping this evaluator's entries ranked (the overlay ranks by its keys too). */
  EntryRanker ranker() {
    return ranker;
  }

  /** Rankings that scanned every passing server (builds, recomputes and refills). */
  long fullRankings() {
    return ranker.fullRankings();
  }

  /** Servers ranked for cluster lists: builds, and updates of the servers refreshes touched. */
  long listRankedServers() {
    return ranker.listRankedServers();
  }

  /** Refills answered from an entry's ranked list and reserve alone. */
  long reserveRankings() {
    return ranker.reserveRankings();
  }

  /** Builds an entry from rule results given in rule-set order (validators, then preferences). */
  TypeEntry build(RequestTypeKey key, EvalContext ctx, RuleResult[] results) {
    List<RuleResult> cv = new ArrayList<>();
    List<RuleResult> sv = new ArrayList<>();
    List<RuleResult> pr = new ArrayList<>();
    for (RuleResult r : results) {
      if (!r.validator) {
        pr.add(r);
      } else if (r.serverLevel) {
        sv.add(r);
      } else {
        cv.add(r);
      }
    }
    RuleResult[] bySlot = new RuleResult[slots.size()];
    for (RuleResult r : pr) {
      bySlot[slots.indexOf(r.rule.name())] = r;
    }
    TypeEntry e = new TypeEntry(key, ctx, results, cv.toArray(new RuleResult[0]),
        sv.toArray(new RuleResult[0]), pr.toArray(new RuleResult[0]), bySlot, settings.topK(),
        2 * reserveTarget, ranker.clusterListCapacity());
    compute(e);
    return e;
  }

  /** Recomputes an entry from its (refreshed) rule results. */
  void compute(TypeEntry e) {
    for (RuleResult r : e.all) {
      r.refresh();
    }
    Arrays.fill(e.pass, 0L);
    e.passCount = 0;
    e.topSize = 0;
    for (int c = 0; c < inventory.clusterCount(); c++) {
      e.clusterPass[c] = clusterPasses(e, c);
      for (int k = 0; k < e.preferences.length; k++) {
        if (!e.preferences[k].serverLevel) {
          e.clusterScores[k][c] = (char) e.preferences[k].score(c);
        }
      }
      if (!e.clusterPass[c]) {
        continue;
      }
      ensureCluster(e, c);
      collectPassing(e, inventory.clusterStart(c), inventory.clusterEnd(c));
    }
    ranker.rankAll(e);
    Arrays.fill(e.clusterLists, null);
    e.revision = inventory.journal().revision();
  }

  private void collectPassing(TypeEntry e, int from, int to) {
    for (int w = from >>> 6; w <= (to - 1) >>> 6; w++) {
      long acc = TypeEntry.inRange(-1L, w << 6, from, to);
      for (RuleResult r : e.serverValidators) {
        acc &= r.bits[w];
      }
      e.pass[w] |= acc;
      e.passCount += Long.bitCount(acc);
    }
  }

  /**
   * The most journal records a refresh replays; an entry or rule result further behind is
   * recomputed instead, which is then cheaper. Replaying costs per record and rule (each rule checks
   * whether the record concerns it), recomputing per server: `bench rules` measured 1,000 records
   * at 237 µs against a miss at 511 µs on 10,000 servers (378 against 3,399 µs on 100,000), and on
   * the grid, where a rarely requested type falls thousands of placements behind, replay was 65% of
   * the agents' CPU (JFR, `bench e2e` at 50/s with kamino-request). The break-even point is about
   * one record per 5 servers at 10,000 and one per 11 at 100,000; one per 8 lies between. Below
   * 8,192 servers the limit stays at 1,024 records: replaying that many costs 0.24–0.4 ms, within
   * about 2× of a miss there, and a moderately stale entry stays a hit, which is what Kamino's
   * routing counts on (with a floor of 64, a moved agent's warm cache looked cold after a few
   * hundred placements in AgentClusterTest).
   */
  static long replayLimit(Inventory inventory) {
    return Math.max(1_024, inventory.size() / 8);
  }

  /**
   * Brings an entry up to the journal's revision, replaying only newer changes.
   *
   * @return false if it had to recompute from scratch (journal truncated, more than
   *     {@link #replayLimit} records behind, or a rule not cacheable)
   */
  boolean refresh(TypeEntry e) {
    ChangeJournal journal = inventory.journal();
    if (e.revision == journal.revision()) {
      return true;
    }
    if (!journal.canReplayFrom(e.revision) || !allCacheable(e)
        || journal.revision() - e.revision > replayLimit(inventory)) {
      compute(e);
      return false;
    }
    EntryRanker ranker = this.ranker;
    ranker.startTouches();
    for (RuleResult r : e.all) {
      if (!r.replayable()) {
        compute(e);
        return false;
      }
    }
    journal.replay(e.revision, rec -> replay(e, rec));
    long latest = journal.revision();
    for (RuleResult r : e.all) {
      r.revision = latest;
    }
    for (int c = 0; c < inventory.clusterCount(); c++) {
      boolean now = clusterPasses(e, c);
      boolean changed = now != e.clusterPass[c];
      for (int k = 0; k < e.preferences.length; k++) {
        if (!e.preferences[k].serverLevel) {
          char q = (char) e.preferences[k].score(c);
          if (q != e.clusterScores[k][c]) {
            e.clusterScores[k][c] = q;
            changed = true;
          }
        }
      }
      if (changed) {
        e.clusterPass[c] = now;
        if (now) {
          ensureCluster(e, c);
        }
        int end = inventory.clusterEnd(c);
        for (int s = inventory.clusterStart(c); s < end; s++) {
          ranker.touch(s);
        }
      }
    }
    ranker.updateTouched(e);
    if (e.topSize < Math.min(settings.exactTop(), e.passCount)) {
      ranker.refill(e);
    }
    e.revision = journal.revision();
    return true;
  }

  Candidates candidates(TypeEntry e) {
    int n = Math.min(settings.exactTop(), e.topSize);
    return new Candidates(Arrays.copyOf(e.topIdx, n), Arrays.copyOf(e.topKey, n), e.passCount,
        e.revision);
  }

  private static boolean allCacheable(TypeEntry e) {
    for (RuleResult r : e.all) {
      if (!r.rule.cacheable()) {
        return false;
      }
    }
    return true;
  }

  /**
   * Applies one journal record: re-evaluates it in every rule result that has not seen it yet, and
   * touches the servers whose pass or key it can have changed for this entry.
   */
  private void replay(TypeEntry e, JournalRecord rec) {
    EntryRanker ranker = this.ranker;
    boolean self = false;
    boolean fd = false;
    boolean ud = false;
    for (RuleResult r : e.all) {
      if (!r.affected(rec)) {
        continue;
      }
      if (r.revision < rec.revision()) {
        r.applyAffected(rec);
      }
      if (r.serverLevel) {
        Scope scope = r.scope;
        self |= scope == Scope.SELF;
        fd |= scope == Scope.FAULT_DOMAIN;
        ud |= scope == Scope.UPDATE_DOMAIN;
      }
    }
    int s = rec.server();
    if (self) {
      ranker.touch(s);
    }
    if (fd) {
      for (int m : inventory.faultDomainMembers(inventory.faultDomain(s))) {
        ranker.touch(m);
      }
    }
    if (ud) {
      for (int m : inventory.updateDomainMembers(inventory.updateDomain(s))) {
        ranker.touch(m);
      }
    }
  }

  private static void ensureCluster(TypeEntry e, int c) {
    for (RuleResult r : e.serverValidators) {
      r.ensureCluster(c);
    }
    for (RuleResult r : e.preferences) {
      r.ensureCluster(c);
    }
  }

  private static boolean clusterPasses(TypeEntry e, int c) {
    for (RuleResult r : e.clusterValidators) {
      if (!r.pass(c)) {
        return false;
      }
    }
    return true;
  }
}
