package io.vmgrid.scheduler.sim;

import java.util.Arrays;

/**
 * Counts per 64-bit key with open addressing (linear probing, backward-shift deletion); a key whose
 * count drops to zero is removed. Used for the queued type and rule key counts.
 */
final class KeyCounts {
  private long[] keys = new long[16];
  private int[] counts = new int[16];
  private int size;

  int get(long key) {
    int mask = keys.length - 1;
    for (int i = slot(key, mask); ; i = (i + 1) & mask) {
      if (counts[i] == 0) {
        return 0;
      }
      if (keys[i] == key) {
        return counts[i];
      }
    }
  }

  void increment(long key) {
    if ((size + 1) * 2 > keys.length) {
      grow();
    }
    int mask = keys.length - 1;
    for (int i = slot(key, mask); ; i = (i + 1) & mask) {
      if (counts[i] == 0) {
        keys[i] = key;
        counts[i] = 1;
        size++;
        return;
      }
      if (keys[i] == key) {
        counts[i]++;
        return;
      }
    }
  }

  void decrement(long key) {
    int mask = keys.length - 1;
    int i = slot(key, mask);
    while (true) {
      if (counts[i] == 0) {
        throw new IllegalStateException("decrementing an absent key");
      }
      if (keys[i] == key) {
        break;
      }
      i = (i + 1) & mask;
    }
    if (--counts[i] > 0) {
      return;
    }
    size--;
    int hole = i;
    for (int j = (hole + 1) & mask; counts[j] != 0; j = (j + 1) & mask) {
      int home = slot(keys[j], mask);
      boolean movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
      if (movable) {
        keys[hole] = keys[j];
        counts[hole] = counts[j];
        counts[j] = 0;
        hole = j;
      }
    }
  }

  int size() {
    return size;
  }

  private static int slot(long key, int mask) {
    return (int) (key ^ (key >>> 32)) & mask;
  }

  private void grow() {
    long[] oldKeys = keys;
    int[] oldCounts = counts;
    keys = new long[oldKeys.length * 2];
    counts = new int[oldKeys.length * 2];
    int mask = keys.length - 1;
    for (int k = 0; k < oldKeys.length; k++) {
      if (oldCounts[k] != 0) {
        int i = slot(oldKeys[k], mask);
        while (counts[i] != 0) {
          i = (i + 1) & mask;
        }
        keys[i] = oldKeys[k];
        counts[i] = oldCounts[k];
      }
    }
  }

  @Override
  public String toString() {
    return "KeyCounts[size=" + size + ", capacity=" + keys.length + ", sample="
        + Arrays.toString(Arrays.copyOf(counts, Math.min(4, counts.length))) + "]";
  }
}
