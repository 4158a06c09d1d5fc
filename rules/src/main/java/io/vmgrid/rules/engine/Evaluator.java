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
import org.jspecify.annotations.Nullable;

/**
 * Builds and incrementally refreshes {@link TypeEntry top-level entries}. Not thread-safe (it keeps
 * scratch arrays); one per agent.
 */
final class Evaluator {
  private final Inventory inventory;
  private final EngineSettings settings;
  private final boolean lexicographic;
  private final double[] weights;
  /** Preference names in rule-set order: a preference's slot in the combined key. */
  private final List<String> slots;
  private final int bitsPerPreference;
  private final int[] stamp;
  private int epoch;
  private final int[] touched;
  private int touchedCount;
  /** Servers kept beyond topK by each entry's ranking (0: none; every refill scans). */
  private final int reserveTarget;
  /** Ranking scratch: a bounded heap, worst ranked at the root. */
  private final long[] heapKey;
  private final int[] heapIdx;
  private int heapSize;
  private boolean dropped;
  private long droppedKey;
  private int droppedIdx;
  private long fullRankings;
  private long reserveRankings;
  private long listRankedServers;

  Evaluator(Inventory inventory, RuleSet ruleSet, EngineSettings settings) {
    this.inventory = inventory;
    this.settings = settings;
    this.lexicographic = ruleSet.combination() == RuleSet.Combination.LEXICOGRAPHIC;
    List<RuleSet.Entry<io.vmgrid.rules.api.PreferenceRule>> prefs = ruleSet.preferences();
    this.weights = new double[prefs.size()];
    for (int i = 0; i < weights.length; i++) {
      weights[i] = prefs.get(i).weight();
    }
    this.slots = prefs.stream().map(p -> p.rule().name()).toList();
    int n = Math.max(1, weights.length);
    this.bitsPerPreference = n <= 3 ? 16 : Math.max(1, 63 / n);
    this.stamp = new int[inventory.size()];
    this.touched = new int[inventory.size()];
    this.reserveTarget = settings.reserveFor(inventory.size());
    this.heapKey = new long[settings.topK() + reserveTarget];
    this.heapIdx = new int[settings.topK() + reserveTarget];
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
        2 * reserveTarget, clusterListCapacity());
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
    rankAll(e);
    Arrays.fill(e.clusterLists, null);
    e.revision = inventory.journal().revision();
  }

  /**
   * {@code word}, the bits of servers {@code lo} to {@code lo + 63}, with the bits of servers outside
   * {@code [from, to)} cleared.
   */
  static long inRange(long word, int lo, int from, int to) {
    long w = word;
    if (lo < from) {
      w &= -1L << (from - lo);
    }
    if (lo + 64 > to) {
      w &= -1L >>> (lo + 64 - to);
    }
    return w;
  }

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
      long word = inRange(e.pass[w], lo, from, to);
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
    if (l.complete || (l.size > 0 && better(k, s, l.key[l.size - 1], l.idx[l.size - 1]))) {
      if (l.size == l.idx.length) {
        l.complete = false;
      }
      insert(l, s, k);
    }
  }

  /** Inserts into a sorted cluster list, dropping its worst server when it is full. */
  private static void insert(TypeEntry.ClusterList l, int s, long k) {
    int n = l.size;
    if (n == l.idx.length && !better(k, s, l.key[n - 1], l.idx[n - 1])) {
      return;
    }
    int lo = 0;
    int hi = n;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (better(k, s, l.key[mid], l.idx[mid])) {
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

  private void collectPassing(TypeEntry e, int from, int to) {
    for (int w = from >>> 6; w <= (to - 1) >>> 6; w++) {
      long acc = inRange(-1L, w << 6, from, to);
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
    nextEpoch();
    for (RuleResult r : e.all) {
      if (!r.replayable()) {
        compute(e);
        return false;
      }
    }
    touchedCount = 0;
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
          touch(s);
        }
      }
    }
    for (int i = 0; i < touchedCount; i++) {
      update(e, touched[i]);
      updateClusterList(e, touched[i]);
    }
    if (e.topSize < Math.min(settings.exactTop(), e.passCount)) {
      refill(e);
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
   * marks the servers whose pass or key it can have changed for this entry.
   */
  private void replay(TypeEntry e, JournalRecord rec) {
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
      touch(s);
    }
    if (fd) {
      for (int m : inventory.faultDomainMembers(inventory.faultDomain(s))) {
        touch(m);
      }
    }
    if (ud) {
      for (int m : inventory.updateDomainMembers(inventory.updateDomain(s))) {
        touch(m);
      }
    }
  }

  private void touch(int s) {
    if (stamp[s] != epoch) {
      stamp[s] = epoch;
      touched[touchedCount++] = s;
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

  private static boolean serverPasses(TypeEntry e, int s) {
    for (RuleResult r : e.serverValidators) {
      if (!r.pass(s)) {
        return false;
      }
    }
    return true;
  }

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

  static boolean better(long k1, int s1, long k2, int s2) {
    return k1 > k2 || (k1 == k2 && s1 < s2);
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
    if (outside == 0 || (last >= 0 && better(k, s, e.topKey[last], e.topIdx[last]))) {
      insert(e, s, k);
      if (e.topSize > settings.topK()) {
        e.topSize--;
        toReserve(e, e.topIdx[e.topSize], e.topKey[e.topSize]);
      }
    } else {
      toReserve(e, s, k);
    }
  }

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
  private void refill(TypeEntry e) {
    if (e.reserveValid && e.reserveSize > 0 && rankReserve(e)) {
      return;
    }
    rankAll(e);
  }

  /** Ranks every passing server: the best topK become the list, the next ones the reserve. */
  private void rankAll(TypeEntry e) {
    fullRankings++;
    startRanking();
    long[] pass = e.pass;
    for (int w = 0; w < pass.length; w++) {
      long word = pass[w];
      while (word != 0) {
        int s = (w << 6) + Long.numberOfTrailingZeros(word);
        word &= word - 1;
        offer(s, key(e, s));
      }
    }
    finishRanking(e);
    e.floorNone = !dropped;
    e.floorKey = droppedKey;
    e.floorIdx = droppedIdx;
  }

  /**
   * Re-ranks the list and reserve alone. Succeeds if at least as many of them rank above the floor
   * as the list must hold; the floor then rises to the best of them left out, if any.
   */
  private boolean rankReserve(TypeEntry e) {
    nextEpoch();
    startRanking();
    int above = 0;
    for (int i = 0; i < e.topSize; i++) {
      int s = e.topIdx[i];
      stamp[s] = epoch;
      if (aboveFloor(e, e.topKey[i], s)) {
        offer(s, e.topKey[i]);
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
        offer(s, k);
        above++;
      }
    }
    if (above < Math.min(settings.exactTop(), e.passCount)) {
      return false;
    }
    reserveRankings++;
    finishRanking(e);
    if (dropped) {
      e.floorNone = false;
      e.floorKey = droppedKey;
      e.floorIdx = droppedIdx;
    }
    return true;
  }

  private static boolean aboveFloor(TypeEntry e, long k, int s) {
    return e.floorNone || better(k, s, e.floorKey, e.floorIdx);
  }

  private void nextEpoch() {
    epoch++;
    if (epoch == 0) {
      Arrays.fill(stamp, 0);
      epoch = 1;
    }
  }

  private void startRanking() {
    heapSize = 0;
    dropped = false;
  }

  /** Offers a server to the bounded heap; the best server it leaves out is remembered. */
  private void offer(int s, long k) {
    if (heapSize < heapKey.length) {
      int i = heapSize++;
      while (i > 0) { // sift up: the root is the worst
        int parent = (i - 1) >>> 1;
        if (!better(heapKey[parent], heapIdx[parent], k, s)) {
          break;
        }
        heapKey[i] = heapKey[parent];
        heapIdx[i] = heapIdx[parent];
        i = parent;
      }
      heapKey[i] = k;
      heapIdx[i] = s;
      return;
    }
    if (better(k, s, heapKey[0], heapIdx[0])) {
      drop(heapKey[0], heapIdx[0]);
      siftDown(0, k, s);
    } else {
      drop(k, s);
    }
  }

  private void drop(long k, int s) {
    if (!dropped || better(k, s, droppedKey, droppedIdx)) {
      dropped = true;
      droppedKey = k;
      droppedIdx = s;
    }
  }

  private void siftDown(int i, long k, int s) {
    int n = heapSize;
    while (true) {
      int child = 2 * i + 1;
      if (child >= n) {
        break;
      }
      if (child + 1 < n && better(heapKey[child], heapIdx[child], heapKey[child + 1],
          heapIdx[child + 1])) {
        child++; // the worse child
      }
      if (!better(k, s, heapKey[child], heapIdx[child])) {
        break;
      }
      heapKey[i] = heapKey[child];
      heapIdx[i] = heapIdx[child];
      i = child;
    }
    heapKey[i] = k;
    heapIdx[i] = s;
  }

  /** Empties the heap, worst first: the best topK become the ranked list, the rest the reserve. */
  private void finishRanking(TypeEntry e) {
    int n = heapSize;
    int inTop = Math.min(n, settings.topK());
    e.topSize = inTop;
    e.reserveSize = 0;
    e.reserveValid = e.reserve.length > 0;
    while (heapSize > 0) {
      int pos = heapSize - 1;
      long k = heapKey[0];
      int s = heapIdx[0];
      heapSize--;
      if (heapSize > 0) {
        siftDown(0, heapKey[heapSize], heapIdx[heapSize]);
      }
      if (pos < inTop) {
        e.topKey[pos] = k;
        e.topIdx[pos] = s;
      } else if (e.reserveSize < e.reserve.length) {
        e.reserve[e.reserveSize++] = s;
      }
    }
  }

  /** Inserts into the sorted top list: binary search for the place, then one array shift. */
  private static void insert(TypeEntry e, int s, long k) {
    int lo = 0;
    int hi = e.topSize;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (better(k, s, e.topKey[mid], e.topIdx[mid])) {
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
}
