package io.vmgrid.node.agent;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import com.hazelcast.partition.PartitionAwareKey;
import io.vmgrid.client.wire.GridRequest;
import io.vmgrid.node.inventory.Mirrors;
import io.vmgrid.node.time.NodeClock;
import io.vmgrid.node.time.NodeTimings;
import io.vmgrid.node.time.Timing;
import io.vmgrid.rules.engine.AgentCache;
import io.vmgrid.rules.engine.RequestClassifier;
import io.vmgrid.rules.engine.RequestTypeKey;
import io.vmgrid.rules.ruleset.RuleSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The composition of one agent's cache as it lives in the {@code agent-cache} map: one record per
 * cached request type, holding an exemplar request, under the agent's partition key. Records are
 * written when a type enters the cache and deleted when it leaves, never on a hit, in batches: one
 * {@code putAll} and one delete call per agent and flush, each a single operation (the records share
 * the agent's partition).
 * When the agent's partition moves to another member, the records move with it, and the new owner
 * re-evaluates the exemplars against its own mirror before it serves: the cache's bitsets and
 * revisions belong to the old member's mirror and would be meaningless there.
 *
 * <p>Agent thread, except {@link #found} and {@link #exemplars} (synchronized).
 */
final class CacheRecords {
  private static final Logger LOG = Logger.getLogger(CacheRecords.class.getName());
  /** New records written together at the latest. */
  private static final int BATCH = 32;

  private final String agentId;
  private final RuleSet ruleSet;
  private final IMap<Object, GridRequest> map;
  /** Exemplar request per cached type key: what the records hold. */
  private final Map<String, GridRequest> exemplars = new LinkedHashMap<>();
  /**
   * Types adopted from moved records that no cache has been warmed from yet: {@link #sync} keeps
   * them, since they did not leave the cache, they have not entered it yet.
   */
  private final Set<String> unwarmed = new HashSet<>();
  /** Records not yet written. */
  private final Map<Object, GridRequest> unsaved = new HashMap<>();
  private final NodeClock clock;
  /** Longest new records are held unwritten ({@link Timing#CACHE_RECORD_FLUSH}). */
  private final long flushNanos;
  /** Longest a new agent waits for the records in its partition ({@link Timing#CACHE_RECORD_WAIT}). */
  private final long waitNanos;
  private long lastFlushNanos;
  private final CompletableFuture<List<GridRequest>> moved = new CompletableFuture<>();
  private final AtomicBoolean fetchClaimed = new AtomicBoolean();
  private volatile boolean rewarm;
  private volatile boolean flushRequested;
  /** Where adopted types are reported ({@link #awaitMoved}'s argument); null before it ran. */
  private volatile @org.jspecify.annotations.Nullable Consumer<String> adoptedTypes;

  CacheRecords(String agentId, RuleSet ruleSet, IMap<Object, GridRequest> map, NodeClock clock,
      NodeTimings timings) {
    this.agentId = agentId;
    this.ruleSet = ruleSet;
    this.map = map;
    this.clock = clock;
    this.lastFlushNanos = clock.nanoTime();
    this.flushNanos = timings.nanos(Timing.CACHE_RECORD_FLUSH);
    this.waitNanos = timings.nanos(Timing.CACHE_RECORD_WAIT);
  }

  /** Remembers {@code wire} as the exemplar of {@code type}, writing its record soon. */
  void remember(RequestTypeKey type, GridRequest wire, AgentCache cache) {
    boolean added;
    synchronized (this) {
      added = exemplars.putIfAbsent(type.value(), wire) == null;
    }
    if (added && cache.containsType(type)) {
      unsaved.put(key(type.value()), wire);
      if (unsaved.size() >= BATCH) {
        flush();
      }
    }
  }

  /** The exemplars, for warming a new cache: from now on every type is in the cache or left it. */
  synchronized List<GridRequest> exemplars() {
    unwarmed.clear();
    return new ArrayList<>(exemplars.values());
  }

  /** Request types with an exemplar. */
  synchronized int size() {
    return exemplars.size();
  }

  /** True once after records arrived that the cache has not been warmed from. */
  boolean takeRewarmRequest() {
    if (rewarm) {
      rewarm = false;
      return true;
    }
    return false;
  }

  /** Whether records arrived that the cache has not been warmed from. */
  boolean rewarmRequested() {
    return rewarm;
  }

  /**
   * Deletes the records (and exemplars) of types the cache no longer holds, in one call, then
   * flushes. Types adopted from moved records since the cache was built are kept: the cache has
   * not been warmed from them yet (records that arrived while a group was served, or an agent
   * stopped before it re-warmed), and deleting them would lose a moved cache for good.
   */
  void sync(Set<String> cached) {
    List<String> gone = new ArrayList<>();
    synchronized (this) {
      exemplars.keySet().removeIf(k -> {
        if (!cached.contains(k) && !unwarmed.contains(k)) {
          gone.add(k);
          return true;
        }
        return false;
      });
    }
    Set<Object> delete = new HashSet<>();
    for (String k : gone) {
      Object key = key(k);
      if (unsaved.remove(key) == null) {
        delete.add(key);
      }
    }
    if (!delete.isEmpty()) {
      var unused = map.submitToKeys(delete, new RemoveRecords());
    }
    flush();
  }

  /**
   * Asks for the unwritten records to be written at the agent's next turn, whatever their age
   * (partitions are about to move, and the records must move with them).
   */
  void requestFlush() {
    flushRequested = true;
  }

  /**
   * Writes records not written for {@link Timing#CACHE_RECORD_FLUSH}, or at once if asked to; errors are logged,
   * not thrown.
   */
  void flushIfDue() {
    if (!unsaved.isEmpty() && (flushRequested
        || clock.nanoTime() - lastFlushNanos > flushNanos)) {
      try {
        flush();
      } catch (RuntimeException e) {
        LOG.fine(() -> "agent " + agentId + ": cache records not written yet: " + e);
      }
    }
  }

  private void flush() {
    lastFlushNanos = clock.nanoTime();
    flushRequested = false;
    if (!unsaved.isEmpty()) {
      map.putAllAsync(new HashMap<>(unsaved));
      unsaved.clear();
    }
  }

  /** Removes the entries it runs on (records of evicted types); its backup does the same. */
  static final class RemoveRecords implements EntryProcessor<Object, GridRequest, Boolean> {
    private static final long serialVersionUID = 1L;

    @Override
    public Boolean process(Map.Entry<Object, GridRequest> entry) {
      boolean present = entry.getValue() != null;
      entry.setValue(null);
      return present;
    }

    static final class Serializer implements CompactSerializer<RemoveRecords> {
      @Override
      public RemoveRecords read(CompactReader in) {
        return new RemoveRecords();
      }

      @Override
      public void write(CompactWriter out, RemoveRecords p) {}

      @Override
      public String getTypeName() {
        return "vmgrid.RemoveRecords";
      }

      @Override
      public Class<RemoveRecords> getCompactClass() {
        return RemoveRecords.class;
      }
    }
  }

  private Object key(String typeKey) {
    return new PartitionAwareKey<>(typeKey, agentId);
  }

  /** True once, for the caller that should fetch this agent's records. */
  boolean claimFetch() {
    return fetchClaimed.compareAndSet(false, true);
  }

  /** Hands over the records found in the agent's partition when it started (none if new). */
  void found(List<GridRequest> records) {
    moved.complete(records);
  }

  /**
   * Adopts the records read again a while after the agent started: the member the partition left
   * writes the records it had not flushed when it notices the move, which can be after the first
   * read (a scale-out run re-warmed 1 of 29 types). New types are warmed when the agent is next idle.
   */
  void foundLater(List<GridRequest> records) {
    Consumer<String> typeKeys = adoptedTypes;
    if (typeKeys != null && moved.isDone()) {
      adopt(records, typeKeys);
    }
  }

  /**
   * Waits (bounded) for the records found in the partition, then adopts them; records that arrive
   * later are adopted on arrival. {@code typeKeys} receives the fingerprints of adopted types.
   */
  void awaitMoved(java.util.function.BooleanSupplier running, Consumer<String> typeKeys) {
    adoptedTypes = typeKeys;
    long deadline = clock.nanoTime() + waitNanos;
    while (running.getAsBoolean() && !moved.isDone() && clock.nanoTime() < deadline) {
      try {
        moved.get(50, TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        // keep waiting while running
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (java.util.concurrent.ExecutionException e) {
        break; // the host completes it normally, with an empty list on failure
      }
    }
    if (!moved.isDone()) {
      LOG.info(() -> "agent " + agentId + ": serving before the cache records in its partition were"
          + " read; it re-warms when they arrive");
    }
    var unused = moved.thenAccept(found -> adopt(found, typeKeys));
  }

  private synchronized void adopt(List<GridRequest> found, Consumer<String> typeKeys) {
    RequestClassifier classifier = new RequestClassifier(ruleSet);
    int before = exemplars.size();
    for (GridRequest r : found) {
      try {
        String type = classifier.typeKey(Mirrors.request(r)).value();
        if (exemplars.putIfAbsent(type, r) == null) {
          unwarmed.add(type);
        }
        typeKeys.accept(type);
      } catch (RuntimeException e) {
        LOG.fine(() -> "agent " + agentId + ": ignoring unusable cache record " + r.requestId()
            + ": " + e);
      }
    }
    if (exemplars.size() > before) {
      rewarm = true;
    }
  }
}
