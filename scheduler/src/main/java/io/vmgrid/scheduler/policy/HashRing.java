package io.vmgrid.scheduler.policy;

import io.vmgrid.scheduler.api.Keys;
import java.util.Arrays;

/** A consistent-hash ring with a fixed number of virtual nodes per agent; deterministic. */
final class HashRing {
  private final long[] points;
  private final int[] owners;

  HashRing(int agents, int virtualNodes) {
    int size = agents * virtualNodes;
    long[][] pairs = new long[size][];
    for (int a = 0; a < agents; a++) {
      for (int v = 0; v < virtualNodes; v++) {
        pairs[a * virtualNodes + v] = new long[] {Keys.mix(((long) a << 32) | v), a};
      }
    }
    Arrays.sort(pairs, (x, y) -> x[0] != y[0] ? Long.compare(x[0], y[0]) : Long.compare(x[1], y[1]));
    points = new long[size];
    owners = new int[size];
    for (int i = 0; i < size; i++) {
      points[i] = pairs[i][0];
      owners[i] = (int) pairs[i][1];
    }
  }

  /** Index of the first ring point at or after {@code key}'s hash (wrapping). */
  int firstPoint(long key) {
    long h = Keys.mix(key ^ 0x5bd1e9955bd1e995L);
    int i = Arrays.binarySearch(points, h);
    if (i < 0) {
      i = -i - 1;
    }
    return i == points.length ? 0 : i;
  }

  int size() {
    return points.length;
  }

  int owner(int point) {
    return owners[point];
  }
}
