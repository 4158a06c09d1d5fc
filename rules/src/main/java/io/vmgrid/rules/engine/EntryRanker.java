package io.vmgrid.rules.engine;

import io.vmgrid.rules.api.Inventory;
import io.vmgrid.rules.api.PreferenceRule;
import io.vmgrid.rules.ruleset.RuleSet;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Ranks the passing servers of {@link TypeEntry top-level entries} by combined preference key, and
 * keeps each entry's ranked list, reserve and cluster lists exact as servers change. The
 * {@link Evaluator} keeps the rule results and cluster passes current and touches every server a
 * change can concern; this re-checks the touched servers and re-ranks them. Not thread-safe (it
 * keeps scratch arrays); one per evaluator.
 */
final class EntryRanker {
  private final Inventory inventory;
  private final EngineSettings settings;
  private final boolean lexicographic;
  private final double[] weights;
  private final int bitsPerPreference;
  /** Servers touched in this refresh ({@code == epoch}); also scratch of reserve re-rankings. */
  private final int[] stamp;
  private int epoch;
  private final int[] touched;
  private int touchedCount;
  private final RankingHeap heap;
  private long fullRankings;
  private long reserveRankings;
  private long listRankedServers;

  /**
   * Creates a ranker.
   *
   * @param reserveTarget servers kept beyond topK by each entry's ranking (0: none; every refill
   *     scans)
   */
  EntryRanker(Inventory inventory, RuleSet ruleSet, EngineSettings settings, int reserveTarget) {
    this.inventory = inventory;
    this.settings = settings;
    this.lexicographic = ruleSet.combination() == RuleSet.Combination.LEXICOGRAPHIC;
    List<RuleSet.Entry<PreferenceRule>> prefs = ruleSet.preferences();
    this.weights = new double[prefs.size()];
    for (int i = 0; i < weights.length; i++) {
      weights[i] = prefs.get(i).weight();
    }
    int n = Math.max(1, weights.length);
    this.bitsPerPreference = n <= 3 ? 16 : Math.max(1, 63 / n);
    this.stamp = new int[inventory.size()];
    this.touched = new int[inventory.size()];
    this.heap = new RankingHeap(settings.topK() + reserveTarget);
  }

  /** Rankings that scanned every passing server (builds, recomputes and refills). */
  long fullRankings() {
    return fullRankings;
  }

  /** Servers ranked for cluster lists: builds, and updates of the servers refreshes touched. */
  long listRankedServers() {
    return listRankedServers;
  }

  /** Refills answered from an entry's ranked list and reserve alone. */
  long reserveRankings() {
    return reserveRankings;
  }

  // ---------------------------------------------------------------- keys

  /** The combined preference key of server {@code s}; higher is better. */
  long key(TypeEntry e, int s) {
    return key(e, s, null);
  }

  /**
   * The combined preference key of server {@code s}, with every preference the entry lacks (an
   * overlay preference) scored by {@code overlay[slot][cluster]}, or 0 if {@code overlay} is null.
   * The preferences combine in rule-set order, so a key with every slot filled equals the key of an
   * entry holding every rule; and for two servers with equal overlay scores, the keys with and
   * without the overlay order them alike (lexicographic: the same bits elsewhere; weighted: the same
   * sum but for one constant term).
   */
  long key(TypeEntry e, int s, char @Nullable [] @Nullable [] overlay) {
    RuleResult[] bySlot = e.bySlot;
    if (lexicographic) {
      long k = 0;
      int drop = 16 - bitsPerPreference;
      for (int i = 0; i < bySlot.length; i++) {
        int q = score(bySlot[i], s, overlay, i);
        if (weights[i] < 0) {
          q = RuleResult.SCALE - q;
        }
        k = (k << bitsPerPreference) | (q >>> drop);
      }
      return k;
    }
    double sum = 0.0;
    for (int i = 0; i < bySlot.length; i++) {
      int q = score(bySlot[i], s, overlay, i);
      sum += weights[i] * (q / (double) RuleResult.SCALE);
    }
    long bits = Double.doubleToLongBits(sum + 0.0);
    return bits ^ ((bits >> 63) & Long.MAX_VALUE);
  }

  private int score(
      @Nullable RuleResult p, int s, char @Nullable [] @Nullable [] overlay, int slot) {
    if (p != null) {
      return p.score(p.serverLevel ? s : inventory.cluster(s));
    }
    return overlay == null || overlay[slot] == null ? 0 : overlay[slot][inventory.cluster(s)];
  }

  // ---------------------------------------------------------------- touched servers

  /** Starts a refresh's set of touched servers, empty. */
  void startTouches() {
    nextEpoch();
    touchedCount = 0;
  }

  /** Notes that server {@code s}'s pass or key may have changed, for {@link #updateTouched}. */
  void touch(int s) {
    if (stamp[s] != epoch) {
      stamp[s] = epoch;
      touched[touchedCount++] = s;
    }
  }

  /** Re-checks every touched server: its pass bit, ranked list or reserve, and cluster list. */
  void updateTouched(TypeEntry e) {
    for (int i = 0; i < touchedCount; i++) {
      update(e, touched[i]);
      updateClusterList(e, touched[i]);
    }
  }

  private static boolean serverPasses(TypeEntry e, int s) {
    for (RuleResult r : e.serverValidators) {
      if (!r.pass(s)) {
        return false;
      }
    }
    return true;
  }

  private void update(TypeEntry e, int s) {
    boolean was = (e.pass[s >>> 6] & (1L << s)) != 0;
    for (int i = 0; was && i < e.topSize; i++) {
      if (e.topIdx[i] == s) {
        System.arraycopy(e.topIdx, i + 1, e.topIdx, i, e.topSize - i - 1);
        System.arraycopy(e.topKey, i + 1, e.topKey, i, e.topSize - i - 1);
        e.topSize--;
        break;
      }
    }
    int c = inventory.cluster(s);
    boolean now = e.clusterPass[c] && serverPasses(e, s);
    if (was && !now) {
      e.pass[s >>> 6] &= ~(1L << s);
      e.passCount--;
    } else if (!was && now) {
      e.pass[s >>> 6] |= 1L << s;
      e.passCount++;
    }
    if (!now) {
      return;
    }
    long k = key(e, s);
    int outside = e.passCount - e.topSize - 1;
    int last = e.topSize - 1;
    if (outside == 0 || (last >= 0 && TypeEntry.better(k, s, e.topKey[last], e.topIdx[last]))) {
      insert(e, s, k);
      if (e.topSize > settings.topK()) {
        e.topSize--;
        toReserve(e, e.topIdx[e.topSize], e.topKey[e.topSize]);
      }
    } else {
      toReserve(e, s, k);
    }
  }

  /** Inserts into the sorted top list: binary search for the place, then one array shift. */
  private static void insert(TypeEntry e, int s, long k) {
    int lo = 0;
    int hi = e.topSize;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (TypeEntry.better(k, s, e.topKey[mid], e.topIdx[mid])) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    System.arraycopy(e.topKey, lo, e.topKey, lo + 1, e.topSize - lo);
    System.arraycopy(e.topIdx, lo, e.topIdx, lo + 1, e.topSize - lo);
    e.topKey[lo] = k;
    e.topIdx[lo] = s;
    e.topSize++;
  }

  // ---------------------------------------------------------------- ranked list and reserve

  /**
   * Notes a passing server outside the ranked list. Only one that now ranks above the floor needs
   * noting; the others are like every server never touched. A full reserve is compacted (servers
   * gone, below the floor or repeated dropped), and given up if that frees too little: the next
   * refill then scans every server.
   */
  private void toReserve(TypeEntry e, int s, long k) {
    if (!e.reserveValid || !aboveFloor(e, k, s)) {
      return;
    }
    if (e.reserveSize == e.reserve.length) {
      compactReserve(e);
      if (e.reserveSize > e.reserve.length / 2) {
        e.reserveValid = false;
        return;
      }
    }
    e.reserve[e.reserveSize++] = s;
  }

  /** Drops reserve servers that no longer pass or rank above the floor, and repeats. */
  private void compactReserve(TypeEntry e) {
    nextEpoch(); // safe: called after the refresh has marked every touched server
    for (int i = 0; i < e.topSize; i++) {
      stamp[e.topIdx[i]] = epoch;
    }
    int kept = 0;
    for (int i = 0; i < e.reserveSize; i++) {
      int s = e.reserve[i];
      if (stamp[s] == epoch || (e.pass[s >>> 6] & (1L << s)) == 0) {
        continue;
      }
      stamp[s] = epoch;
      if (aboveFloor(e, key(e, s), s)) {
        e.reserve[kept++] = s;
      }
    }
    e.reserveSize = kept;
  }

  /**
   * Refills the ranked list: from the list and reserve when enough of them still rank above the
   * floor (the rest of the passing servers cannot), otherwise by scanning every passing server.
   */
  void refill(TypeEntry e) {
    if (e.reserveValid && e.reserveSize > 0 && rankReserve(e)) {
      return;
    }
    rankAll(e);
  }

  /** Ranks every passing server: the best topK become the list, the next ones the reserve. */
  void rankAll(TypeEntry e) {
    fullRankings++;
    RankingHeap heap = this.heap;
    heap.start();
    long[] pass = e.pass;
    for (int w = 0; w < pass.length; w++) {
      long word = pass[w];
      while (word != 0) {
        int s = (w << 6) + Long.numberOfTrailingZeros(word);
        word &= word - 1;
        heap.offer(s, key(e, s));
      }
    }
    heap.finish(e, settings.topK());
    e.floorNone = !heap.dropped();
    e.floorKey = heap.droppedKey();
    e.floorIdx = heap.droppedIdx();
  }

  /**
   * Re-ranks the list and reserve alone. Succeeds if at least as many of them rank above the floor
   * as the list must hold; the floor then rises to the best of them left out, if any.
   */
  private boolean rankReserve(TypeEntry e) {
    RankingHeap heap = this.heap;
    nextEpoch();
    heap.start();
    int above = 0;
    for (int i = 0; i < e.topSize; i++) {
      int s = e.topIdx[i];
      stamp[s] = epoch;
      if (aboveFloor(e, e.topKey[i], s)) {
        heap.offer(s, e.topKey[i]);
        above++;
      }
    }
    for (int i = 0; i < e.reserveSize; i++) {
      int s = e.reserve[i];
      if (stamp[s] == epoch || (e.pass[s >>> 6] & (1L << s)) == 0) {
        continue;
      }
      stamp[s] = epoch;
      long k = key(e, s);
      if (aboveFloor(e, k, s)) {
        heap.offer(s, k);
        above++;
      }
    }
    if (above < Math.min(settings.exactTop(), e.passCount)) {
      return false;
    }
    reserveRankings++;
    heap.finish(e, settings.topK());
    if (heap.dropped()) {
      e.floorNone = false;
      e.floorKey = heap.droppedKey();
      e.floorIdx = heap.droppedIdx();
    }
    return true;
  }

  private static boolean aboveFloor(TypeEntry e, long k, int s) {
    return e.floorNone || TypeEntry.better(k, s, e.floorKey, e.floorIdx);
  }

  private void nextEpoch() {
    epoch++;
    if (epoch == 0) {
      Arrays.fill(stamp, 0);
      epoch = 1;
    }
  }

  // ---------------------------------------------------------------- cluster lists

  /** Servers a cluster list keeps: twice what an answer holds, so a few changes do not empty it. */
  int clusterListCapacity() {
    return 2 * settings.exactTop();
  }

  /**
   * The cluster list of cluster {@code c} (a passing cluster), built by ranking its passing servers
   * if the entry does not keep one yet.
   */
  TypeEntry.ClusterList clusterList(TypeEntry e, int c) {
    TypeEntry.ClusterList l = e.clusterLists[c];
    if (l != null) {
      return l;
    }
    l = new TypeEntry.ClusterList(clusterListCapacity());
    int from = inventory.clusterStart(c);
    int to = inventory.clusterEnd(c);
    int passing = 0;
    for (int w = from >>> 6; from < to && w <= (to - 1) >>> 6; w++) {
      int lo = w << 6;
      long word = TypeEntry.inRange(e.pass[w], lo, from, to);
      while (word != 0) {
        int s = lo + Long.numberOfTrailingZeros(word);
        word &= word - 1;
        passing++;
        listRankedServers++;
        insert(l, s, key(e, s));
      }
    }
    l.complete = passing <= l.idx.length;
    e.clusterLists[c] = l;
    return l;
  }

  /** Keeps the cluster list of server {@code s}'s cluster exact after {@code s} changed. */
  private void updateClusterList(TypeEntry e, int s) {
    TypeEntry.ClusterList l = e.clusterLists[inventory.cluster(s)];
    if (l == null) {
      return;
    }
    for (int i = 0; i < l.size; i++) {
      if (l.idx[i] == s) {
        System.arraycopy(l.idx, i + 1, l.idx, i, l.size - i - 1);
        System.arraycopy(l.key, i + 1, l.key, i, l.size - i - 1);
        l.size--;
        break;
      }
    }
    if ((e.pass[s >>> 6] & (1L << s)) == 0) {
      return;
    }
    listRankedServers++;
    long k = key(e, s);
    if (l.complete
        || (l.size > 0 && TypeEntry.better(k, s, l.key[l.size - 1], l.idx[l.size - 1]))) {
      if (l.size == l.idx.length) {
        l.complete = false;
      }
      insert(l, s, k);
    }
  }

  /** Inserts into a sorted cluster list, dropping its worst server when it is full. */
  private static void insert(TypeEntry.ClusterList l, int s, long k) {
    int n = l.size;
    if (n == l.idx.length && !TypeEntry.better(k, s, l.key[n - 1], l.idx[n - 1])) {
      return;
    }
    int lo = 0;
    int hi = n;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (TypeEntry.better(k, s, l.key[mid], l.idx[mid])) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    int moved = Math.min(n, l.idx.length - 1) - lo;
    if (moved > 0) {
      System.arraycopy(l.key, lo, l.key, lo + 1, moved);
      System.arraycopy(l.idx, lo, l.idx, lo + 1, moved);
    }
    l.key[lo] = k;
    l.idx[lo] = s;
    if (n < l.idx.length) {
      l.size++;
    }
  }
}
