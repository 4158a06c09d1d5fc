package io.vmgrid.scheduler.sim;

import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Model mode's two-level agent cache: top-level entries (request type) and rule entries (rule key) in
 * one LRU list under a byte budget, plus age-based eviction. A top-level entry pins the rule entries
 * it was built from; pinned rule entries are never evicted before their top-level entries.
 *
 * <p>Invariant: whenever a top-level entry is used, it is moved to the front first and its rule
 * entries after it, so a rule entry is always nearer the front than every top-level entry pinning it
 * and a scan from the back meets the top-level entry first.
 */
final class ModelCache {

  /** A cache entry; fields are managed by the cache. */
  static final class Entry {
    final long key;
    final boolean top;
    final long bytes;
    long lastUse;
    long revision;
    int pins;
    Entry @Nullable [] rules;
    @Nullable Entry prev;
    @Nullable Entry next;

    Entry(long key, boolean top, long bytes) {
      this.key = key;
      this.top = top;
      this.bytes = bytes;
    }
  }

  private final Map<Long, Entry> tops = new HashMap<>();
  private final Map<Long, Entry> rules = new HashMap<>();
  private final long budget;
  private final long maxAgeNanos;
  private @Nullable Entry head;
  private @Nullable Entry tail;
  private long bytes;

  ModelCache(long budgetBytes, long maxAgeNanos) {
    this.budget = budgetBytes;
    this.maxAgeNanos = maxAgeNanos;
  }

  @Nullable Entry top(long typeKey) {
    return tops.get(typeKey);
  }

  @Nullable Entry rule(long ruleKey) {
    return rules.get(ruleKey);
  }

  boolean hasTop(long typeKey) {
    return tops.containsKey(typeKey);
  }

  boolean hasRule(long ruleKey) {
    return rules.containsKey(ruleKey);
  }

  long bytes() {
    return bytes;
  }

  int size() {
    return tops.size() + rules.size();
  }

  /** Moves {@code e} to the front (most recently used). */
  void touch(Entry e, long now) {
    e.lastUse = now;
    if (head == e) {
      return;
    }
    unlink(e);
    linkFront(e);
  }

  /** Adds a new rule entry at the front. */
  Entry addRule(long key, long size, long now, long revision) {
    Entry e = new Entry(key, false, size);
    e.revision = revision;
    e.lastUse = now;
    rules.put(key, e);
    bytes += size;
    linkFront(e);
    return e;
  }

  /** Adds a new top-level entry pinning {@code ruleEntries}, then evicts down to the budget. */
  Entry addTop(long key, long size, Entry[] ruleEntries, long now, long revision) {
    Entry e = new Entry(key, true, size);
    e.revision = revision;
    e.lastUse = now;
    e.rules = ruleEntries;
    for (Entry r : ruleEntries) {
      r.pins++;
    }
    tops.put(key, e);
    bytes += size;
    linkFront(e);
    for (Entry r : ruleEntries) {
      touch(r, now);
    }
    evictToBudget(e);
    return e;
  }

  /** Removes an entry (a stale one, or one being evicted). A pinned rule entry cannot be removed. */
  void remove(Entry e) {
    if (e.pins > 0) {
      throw new IllegalStateException("rule entry is pinned");
    }
    unlink(e);
    bytes -= e.bytes;
    if (e.top) {
      tops.remove(e.key);
      Entry[] rs = e.rules;
      if (rs != null) {
        for (Entry r : rs) {
          r.pins--;
        }
      }
    } else {
      rules.remove(e.key);
    }
  }

  /** Evicts entries unused for longer than the maximum age. */
  void expire(long now) {
    long cutoff = now - maxAgeNanos;
    Entry e = tail;
    while (e != null && e.lastUse < cutoff) {
      Entry prev = e.prev;
      if (e.pins == 0) {
        remove(e);
      }
      e = prev;
    }
  }

  private void evictToBudget(Entry keep) {
    Entry e = tail;
    while (bytes > budget && e != null) {
      Entry prev = e.prev;
      if (e != keep && e.pins == 0) {
        remove(e);
      }
      e = prev;
    }
  }

  private void linkFront(Entry e) {
    e.prev = null;
    e.next = head;
    if (head != null) {
      head.prev = e;
    }
    head = e;
    if (tail == null) {
      tail = e;
    }
  }

  private void unlink(Entry e) {
    Entry p = e.prev;
    Entry n = e.next;
    if (p != null) {
      p.next = n;
    } else if (head == e) {
      head = n;
    }
    if (n != null) {
      n.prev = p;
    } else if (tail == e) {
      tail = p;
    }
    e.prev = null;
    e.next = null;
  }
}
