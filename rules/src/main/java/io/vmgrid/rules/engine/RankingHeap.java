package io.vmgrid.rules.engine;

/**
 * The bounded heap a full or reserve ranking offers servers to: it keeps the best of them by
 * combined key, worst at the root, and remembers the best server it left out, which becomes the
 * entry's floor. Scratch of one {@link EntryRanker}; not thread-safe.
 */
final class RankingHeap {
  private final long[] keys;
  private final int[] servers;
  private int size;
  private boolean dropped;
  private long droppedKey;
  private int droppedIdx;

  /** A heap holding at most {@code capacity} servers (an entry's topK plus its reserve target). */
  RankingHeap(int capacity) {
    this.keys = new long[capacity];
    this.servers = new int[capacity];
  }

  /** Empties the heap and forgets the server left out, for a new ranking. */
  void start() {
    size = 0;
    dropped = false;
  }

  /** Whether this ranking left a server out (then {@link #droppedKey} is the best of them). */
  boolean dropped() {
    return dropped;
  }

  /** The key of the best server left out; meaningful only if {@link #dropped}. */
  long droppedKey() {
    return droppedKey;
  }

  /** The best server left out; meaningful only if {@link #dropped}. */
  int droppedIdx() {
    return droppedIdx;
  }

  /** Offers a server to the bounded heap; the best server it leaves out is remembered. */
  void offer(int s, long k) {
    if (size < keys.length) {
      int i = size++;
      while (i > 0) { // sift up: the root is the worst
        int parent = (i - 1) >>> 1;
        if (!TypeEntry.better(keys[parent], servers[parent], k, s)) {
          break;
        }
        keys[i] = keys[parent];
        servers[i] = servers[parent];
        i = parent;
      }
      keys[i] = k;
      servers[i] = s;
      return;
    }
    if (TypeEntry.better(k, s, keys[0], servers[0])) {
      drop(keys[0], servers[0]);
      siftDown(0, k, s);
    } else {
      drop(k, s);
    }
  }

  private void drop(long k, int s) {
    if (!dropped || TypeEntry.better(k, s, droppedKey, droppedIdx)) {
      dropped = true;
      droppedKey = k;
      droppedIdx = s;
    }
  }

  private void siftDown(int i, long k, int s) {
    int n = size;
    while (true) {
      int child = 2 * i + 1;
      if (child >= n) {
        break;
      }
      if (child + 1 < n && TypeEntry.better(keys[child], servers[child], keys[child + 1],
          servers[child + 1])) {
        child++; // the worse child
      }
      if (!TypeEntry.better(k, s, keys[child], servers[child])) {
        break;
      }
      keys[i] = keys[child];
      servers[i] = servers[child];
      i = child;
    }
    keys[i] = k;
    servers[i] = s;
  }

  /**
   * Empties the heap, worst first: the best {@code topK} become {@code e}'s ranked list, the rest
   * its reserve (as far as it holds them).
   */
  void finish(TypeEntry e, int topK) {
    int n = size;
    int inTop = Math.min(n, topK);
    e.topSize = inTop;
    e.reserveSize = 0;
    e.reserveValid = e.reserve.length > 0;
    while (size > 0) {
      int pos = size - 1;
      long k = keys[0];
      int s = servers[0];
      size--;
      if (size > 0) {
        siftDown(0, keys[size], servers[size]);
      }
      if (pos < inTop) {
        e.topKey[pos] = k;
        e.topIdx[pos] = s;
      } else if (e.reserveSize < e.reserve.length) {
        e.reserve[e.reserveSize++] = s;
      }
    }
  }
}
