package io.vmgrid.node.commit;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vmgrid.client.wire.Eviction;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.client.wire.ServerState;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * Tells owners of the VMs the grid evicted: writes each eviction to the {@code evictions} map
 * (where clients list and subscribe to them), removes the evicted placement's record, and clears
 * the server's pending list. One per member ({@link #of}).
 *
 * <p>A preemption leaves its victims in the server's {@link ServerState#preempted()} list, in the
 * same entry processor that evicts them; the agent that committed it then calls {@link #settle}
 * at once, and the reconciler does for every server whose list is not empty (the agent's member
 * died in between). Every step is idempotent: the log entry is put if absent under the
 * eviction's key, a record is removed only while it still names that placement on that server,
 * and the clear removes only the keys logged. Two members settling one server at once write
 * each entry once.
 */
public final class Evictions {
  private static final Logger LOG = Logger.getLogger(Evictions.class.getName());
  private static final String CONTEXT_KEY = "vmgrid.evictions";

  private final IMap<String, ServerState> servers;
  private final IMap<Object, Object> placements;
  private final IMap<String, Eviction> log;
  private final Map<String, AtomicLong> logged = new ConcurrentHashMap<>();

  private Evictions(HazelcastInstance hz) {
    this.servers = hz.getMap(MapNames.SERVERS);
    this.placements = hz.getMap(MapNames.PLACEMENTS);
    this.log = hz.getMap(MapNames.EVICTIONS);
    logged.put(Eviction.PREEMPTED, new AtomicLong());
    logged.put(Eviction.OVER_CAPACITY_AFTER_MERGE, new AtomicLong());
  }

  /** The member's instance, created on first use. */
  public static Evictions of(HazelcastInstance hz) {
    return (Evictions) hz.getUserContext().computeIfAbsent(CONTEXT_KEY, k -> new Evictions(hz));
  }

  /**
   * Logs the preemptions pending on {@code s} (a state read from, or returned by, the store),
   * removes their victims' records and clears them from the server; returns how many it logged
   * first (0 when another caller had).
   */
  public int settle(ServerState s) {
    if (s.preempted().isEmpty()) {
      return 0;
    }
    int first = 0;
    Set<String> keys = new HashSet<>();
    for (Eviction e : s.preempted()) {
      if (record(e)) {
        first++;
      }
      placements.executeOnKey(e.vmId(), new DropRecordProcessor(e.serverId(), e.requestId()));
      keys.add(e.key());
    }
    servers.executeOnKey(s.serverId(), new ClearPreemptedProcessor(keys));
    return first;
  }

  /** Writes {@code e} to the log unless it is there; whether this call wrote it. */
  public boolean record(Eviction e) {
    if (log.putIfAbsent(e.key(), e) != null) {
      return false;
    }
    logged.computeIfAbsent(e.reason(), k -> new AtomicLong()).incrementAndGet();
    LOG.info(() -> "evicted " + e.vmId() + " (tenant " + e.tenantId() + ", " + e.priority() + ", "
        + e.cores() + " cores) from " + e.serverId() + ": " + e.reason()
        + (e.byRequestId().isEmpty() ? "" : " by request " + e.byRequestId()));
    return true;
  }

  /** Eviction log entries this member wrote first, by reason. */
  public long logged(String reason) {
    AtomicLong n = logged.get(reason);
    return n == null ? 0 : n.get();
  }
}
