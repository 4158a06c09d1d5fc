package io.vmgrid.rules.engine;

import io.vmgrid.rules.api.EvalContext;
import org.jspecify.annotations.Nullable;

/**
 * A top-level cache entry: the consolidated result for one request type. It pins the rule results it
 * was built from, keeps which servers pass every validator, and the best {@code topK} of them ranked.
 *
 * <p>In large inventories it also keeps a reserve: servers that may rank next. Every passing server
 * outside the ranked list and the reserve ranks below the floor (the best server left out at the
 * last ranking), because any server whose result changed since was added to the reserve; so while
 * enough of the list and reserve still rank above the floor, the list is refilled from them alone.
 */
final class TypeEntry {
  final RequestTypeKey key;
  final EvalContext ctx;
  final RuleResult[] all;
  final RuleResult[] clusterValidators;
  final RuleResult[] serverValidators;
  final RuleResult[] preferences;
  /** The preferences by their slot in the rule set (null: an overlay preference, not held). */
  final @Nullable RuleResult[] bySlot;
  final boolean[] clusterPass;
  final char[][] clusterScores;
  final long[] pass;
  int passCount;
  final int[] topIdx;
  final long[] topKey;
  int topSize;
  /** Servers that may rank next (with repeats; unordered); valid only while reserveValid. */
  final int[] reserve;
  int reserveSize;
  boolean reserveValid;
  /** Whether no passing server was left out of the list and reserve at the last ranking. */
  boolean floorNone;
  long floorKey;
  int floorIdx;
  /**
   * Per cluster, once the overlay needed it, the cluster's best passing servers by this entry's key
   * (null: not kept). Kept exact by refreshes like the ranked list; dropped by a recompute.
   */
  final @Nullable ClusterList[] clusterLists;
  long revision;
  long lastUsed;
  final long bytes;

  /**
   * One cluster's best passing servers, best first: exactly the best {@code size} of them, and all
   * of them if {@code complete}.
   */
  static final class ClusterList {
    final int[] idx;
    final long[] key;
    int size;
    boolean complete;

    ClusterList(int capacity) {
      idx = new int[capacity];
      key = new long[capacity];
    }

    static long bytes(int capacity) {
      return 32 + 12L * capacity;
    }
  }

  TypeEntry(
      RequestTypeKey key,
      EvalContext ctx,
      RuleResult[] all,
      RuleResult[] clusterValidators,
      RuleResult[] serverValidators,
      RuleResult[] preferences,
      @Nullable RuleResult[] bySlot,
      int topK,
      int reserveCapacity,
      int clusterListCapacity) {
    this.key = key;
    this.ctx = ctx;
    this.all = all;
    this.clusterValidators = clusterValidators;
    this.serverValidators = serverValidators;
    this.preferences = preferences;
    this.bySlot = bySlot;
    int clusters = ctx.inventory().clusterCount();
    int servers = ctx.inventory().size();
    this.clusterPass = new boolean[clusters];
    this.clusterScores = new char[preferences.length][];
    long b = 160 + 2L * key.value().length() + clusters + 8L * all.length;
    for (int i = 0; i < preferences.length; i++) {
      clusterScores[i] = preferences[i].serverLevel ? new char[0] : new char[clusters];
      b += 16 + 2L * clusterScores[i].length;
    }
    this.pass = new long[(servers + 63) >>> 6];
    this.topIdx = new int[topK + 1];
    this.topKey = new long[topK + 1];
    this.reserve = new int[reserveCapacity];
    this.clusterLists = new ClusterList[clusters];
    this.bytes = b + 8L * pass.length + 12L * (topK + 1) + 4L * reserveCapacity
        + (long) clusters * (8 + ClusterList.bytes(clusterListCapacity));
  }

  /**
   * Whether server {@code s1} with key {@code k1} ranks before {@code s2} with {@code k2}: the
   * order of every ranked list (a higher key first; ties go to the lower server index).
   */
  static boolean better(long k1, int s1, long k2, int s2) {
    return k1 > k2 || (k1 == k2 && s1 < s2);
  }

  /**
   * {@code word}, the bits of servers {@code lo} to {@code lo + 63} (a word of {@link #pass}), with
   * the bits of servers outside {@code [from, to)} cleared.
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
}
