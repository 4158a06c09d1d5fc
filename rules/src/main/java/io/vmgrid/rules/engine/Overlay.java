package io.vmgrid.rules.engine;

import io.vmgrid.rules.api.EvalContext;
import io.vmgrid.rules.api.Inventory;
import io.vmgrid.rules.api.Level;
import io.vmgrid.rules.api.PreferenceRule;
import io.vmgrid.rules.api.Rule;
import io.vmgrid.rules.api.ValidatorRule;
import io.vmgrid.rules.ruleset.RuleSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Applies a request's overlay rules (see {@link RequestClassifier}) to a cached top-level entry built
 * from the other rules, and returns the same candidates as evaluating every rule from scratch.
 *
 * <p>Overlay validators remove clusters or servers; overlay preferences are cluster-level, so they
 * score every server of a cluster alike. Clusters with equal overlay scores form a group; inside a
 * group the combined order equals the cached entry's order. So the best servers of a group are the
 * first of its servers in the entry's ranked list that pass the overlay validators. A group with too
 * few of them there (the tenant's own clusters, typically) is completed from per-cluster lists the
 * entry keeps (built by ranking the cluster once, then kept exact by refreshes like the ranked
 * list), and only where the overlay validators fail too many of those, by visiting every passing
 * server of the cluster. The answer is the best {@code exactTop} over all groups.
 *
 * <p>{@link Candidates#passing()} counts servers passing every cached validator and the overlay's
 * cluster validators; servers failed by an overlay server validator are not subtracted (that would
 * visit every server), so it is an upper bound when one constrains the request. Not thread-safe (it
 * keeps scratch arrays); one per agent.
 */
final class Overlay {
  /** Groups looked up by linear search; a cluster whose scores match none of them is its own group. */
  private static final int SEARCHED_GROUPS = 16;

  private final Inventory inventory;
  private final EntryRanker ranker;
  private final int exactTop;
  private final ValidatorRule[] clusterValidators;
  private final ValidatorRule[] serverValidators;
  private final PreferenceRule[] preferences;
  private final int[] preferenceSlots;
  private final boolean packable;
  private final char[][] scores;
  private final boolean[] allowed;
  private final int[] groupOf;
  private final long[] groupVector;
  private final int[] found;
  private final boolean[] scan;
  private final ValidatorRule[] active;
  private int activeCount;
  /** Servers looked at in this answer ({@code == epoch}), and which of them passed. */
  private final int[] stamp;
  private final int[] passed;
  private int epoch;
  private final int[] topIdx;
  private final long[] topKey;
  private int topSize;
  private long scannedClusters;
  private long rankedServers;

  Overlay(Inventory inventory, RuleSet ruleSet, List<Rule> overlayRules, EntryRanker ranker,
      EngineSettings settings) {
    this.inventory = inventory;
    this.ranker = ranker;
    this.exactTop = settings.exactTop();
    List<ValidatorRule> cv = new ArrayList<>();
    List<ValidatorRule> sv = new ArrayList<>();
    List<PreferenceRule> pr = new ArrayList<>();
    for (Rule r : overlayRules) {
      if (r instanceof ValidatorRule v) {
        (v.level() == Level.CLUSTER ? cv : sv).add(v);
      } else if (r instanceof PreferenceRule p) {
        if (p.level() != Level.CLUSTER) {
          throw new IllegalArgumentException(
              "a server-level preference cannot be an overlay rule: " + p.name());
        }
        pr.add(p);
      }
    }
    this.clusterValidators = cv.toArray(new ValidatorRule[0]);
    this.serverValidators = sv.toArray(new ValidatorRule[0]);
    this.preferences = pr.toArray(new PreferenceRule[0]);
    List<String> slotNames = ruleSet.preferences().stream().map(e -> e.rule().name()).toList();
    this.preferenceSlots = new int[preferences.length];
    this.scores = new char[slotNames.size()][];
    int clusters = inventory.clusterCount();
    for (int j = 0; j < preferences.length; j++) {
      preferenceSlots[j] = slotNames.indexOf(preferences[j].name());
      scores[preferenceSlots[j]] = new char[clusters];
    }
    this.packable = preferences.length <= 4;
    this.allowed = new boolean[clusters];
    this.groupOf = new int[clusters];
    this.groupVector = new long[clusters];
    this.found = new int[clusters];
    this.scan = new boolean[clusters];
    this.active = new ValidatorRule[serverValidators.length];
    this.stamp = new int[inventory.size()];
    this.passed = new int[inventory.size()];
    this.topIdx = new int[exactTop];
    this.topKey = new long[exactTop];
  }

  /** Whether the rule set has overlay rules at all. */
  boolean isEmpty() {
    return clusterValidators.length == 0 && serverValidators.length == 0
        && preferences.length == 0;
  }

  /** The best candidates for the request of {@code ctx}, from {@code e} (refreshed). */
  Candidates apply(TypeEntry e, EvalContext ctx) {
    int clusters = inventory.clusterCount();
    int groups = 0;
    int excluded = 0;
    for (int c = 0; c < clusters; c++) {
      allowed[c] = e.clusterPass[c] && clusterAllowed(ctx, c);
      if (!allowed[c]) {
        if (e.clusterPass[c]) {
          excluded += passingIn(e, c);
        }
        groupOf[c] = -1;
        continue;
      }
      long vector = 0;
      for (int j = 0; j < preferences.length; j++) {
        PreferenceRule p = preferences[j];
        char q = RuleResult.quantize(p.score(ctx, c), p.minScore(), p.maxScore());
        scores[preferenceSlots[j]][c] = q;
        vector = (vector << 16) | q;
      }
      groupOf[c] = packable ? groupFor(vector, groups) : groups;
      if (groupOf[c] == groups) {
        groupVector[groups] = vector;
        found[groups] = 0;
        groups++;
      }
    }
    activeCount = 0;
    for (ValidatorRule v : serverValidators) {
      if (!v.passesEverywhere(ctx)) {
        active[activeCount++] = v;
      }
    }
    topSize = 0;
    nextEpoch();
    int pending = groups;
    for (int i = 0; i < e.topSize && pending > 0; i++) {
      int s = e.topIdx[i];
      int g = groupOf[inventory.cluster(s)];
      if (g < 0 || found[g] >= exactTop) {
        continue;
      }
      stamp[s] = epoch;
      if (serverPasses(ctx, s)) {
        passed[s] = epoch;
        rankedServers++;
        offer(s, ranker.key(e, s, scores));
        if (++found[g] == exactTop) {
          pending--;
        }
      }
    }
    if (pending > 0 && e.topSize < e.passCount) {
      for (int g = 0; g < groups; g++) {
        scan[g] = found[g] < exactTop;
      }
      for (int c = 0; c < clusters; c++) {
        if (groupOf[c] >= 0 && scan[groupOf[c]]) {
          fromCluster(e, ctx, c);
        }
      }
    }
    return new Candidates(Arrays.copyOf(topIdx, topSize), Arrays.copyOf(topKey, topSize),
        e.passCount - excluded, e.revision);
  }

  /** Servers whose combined key the overlay computed, outside cluster-list builds. */
  long rankedServers() {
    return rankedServers;
  }

  /**
   * Clusters whose every passing server was visited: to rank a cluster the entry kept no list for
   * yet, or because the overlay validators failed too many of the list's servers.
   */
  long scannedClusters() {
    return scannedClusters;
  }

  private boolean clusterAllowed(EvalContext ctx, int c) {
    for (ValidatorRule v : clusterValidators) {
      if (!v.passesEverywhere(ctx) && !v.passes(ctx, c)) {
        return false;
      }
    }
    return true;
  }

  private int groupFor(long vector, int groups) {
    for (int g = 0; g < Math.min(groups, SEARCHED_GROUPS); g++) {
      if (groupVector[g] == vector) {
        return g;
      }
    }
    return groups;
  }

  private boolean serverPasses(EvalContext ctx, int s) {
    for (int i = 0; i < activeCount; i++) {
      if (!active[i].passes(ctx, s)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Offers the best servers of cluster {@code c} that pass the overlay validators, from the entry's
   * list for the cluster (ranked now if the entry has none), or, if that list runs out first, from
   * every passing server of the cluster.
   */
  private void fromCluster(TypeEntry e, EvalContext ctx, int c) {
    if (e.clusterLists[c] == null) {
      scannedClusters++;
    }
    TypeEntry.ClusterList l = ranker.clusterList(e, c);
    int n = 0;
    for (int i = 0; i < l.size && n < exactTop; i++) {
      int s = l.idx[i];
      if (stamp[s] == epoch) {
        n += passed[s] == epoch ? 1 : 0;
        continue;
      }
      stamp[s] = epoch;
      if (serverPasses(ctx, s)) {
        passed[s] = epoch;
        rankedServers++;
        offer(s, ranker.key(e, s, scores));
        n++;
      }
    }
    if (n < exactTop && !l.complete) {
      scannedClusters++;
      scanCluster(e, ctx, c);
    }
  }

  /** Offers every passing server of cluster {@code c} not looked at yet. */
  private void scanCluster(TypeEntry e, EvalContext ctx, int c) {
    int from = inventory.clusterStart(c);
    int to = inventory.clusterEnd(c);
    if (from >= to) {
      return;
    }
    long[] pass = e.pass;
    for (int w = from >>> 6; w <= (to - 1) >>> 6; w++) {
      int lo = w << 6;
      long word = TypeEntry.inRange(pass[w], lo, from, to);
      while (word != 0) {
        int s = lo + Long.numberOfTrailingZeros(word);
        word &= word - 1;
        if (stamp[s] == epoch) {
          continue;
        }
        rankedServers++;
        long k = ranker.key(e, s, scores);
        if (topSize == exactTop
            && !TypeEntry.better(k, s, topKey[topSize - 1], topIdx[topSize - 1])) {
          continue;
        }
        if (serverPasses(ctx, s)) {
          offer(s, k);
        }
      }
    }
  }

  /** Servers of cluster {@code c} passing the entry's validators. */
  private int passingIn(TypeEntry e, int c) {
    int from = inventory.clusterStart(c);
    int to = inventory.clusterEnd(c);
    int n = 0;
    if (from >= to) {
      return 0;
    }
    for (int w = from >>> 6; w <= (to - 1) >>> 6; w++) {
      int lo = w << 6;
      long word = TypeEntry.inRange(e.pass[w], lo, from, to);
      n += Long.bitCount(word);
    }
    return n;
  }

  /** Inserts into the sorted answer, dropping the worst when it is full. */
  private void offer(int s, long k) {
    if (topSize == exactTop && !TypeEntry.better(k, s, topKey[topSize - 1], topIdx[topSize - 1])) {
      return;
    }
    int lo = 0;
    int hi = topSize;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (TypeEntry.better(k, s, topKey[mid], topIdx[mid])) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    int moved = Math.min(topSize, exactTop - 1) - lo;
    if (moved > 0) {
      System.arraycopy(topKey, lo, topKey, lo + 1, moved);
      System.arraycopy(topIdx, lo, topIdx, lo + 1, moved);
    }
    topKey[lo] = k;
    topIdx[lo] = s;
    if (topSize < exactTop) {
      topSize++;
    }
  }

  private void nextEpoch() {
    epoch++;
    if (epoch == 0) {
      Arrays.fill(stamp, 0);
      epoch = 1;
    }
  }
}
