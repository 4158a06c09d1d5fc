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

  private final HazelcastInstance hz;
  private final Map<String, AtomicLong> logged = new ConcurrentHashMap<>();

  /**
   * Touches no map: a member creates this while it starts, and creating a map's proxy may wait
   * for the cluster (a CI run had a starting member stuck there until a split, then fail).
   */
  private Evictions(HazelcastInstance hz) {
    this.hz = hz;
    logged.put(Eviction.PREEMPTED, new AtomicLong());
    logged.put(Eviction.OVER_CAPACITY_AFTER_MERGE, new AtomicLong());
  }

  /**
   * The member's instance, created on first use (outside the user context's lock: nothing that
   * may wait runs inside {@code computeIfAbsent}).
   */
  public static Evictions of(HazelcastInstance hz) {
    Object known = hz.getUserContext().get(CONTEXT_KEY);
    if (known != null) {
      return (Evictions) known;
    }
    Evictions fresh = new Evictions(hz);
    Object raced = hz.getUserContext().putIfAbsent(CONTEXT_KEY, fresh);
    return raced != null ? (Evictions) raced : fresh;
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
    IMap<Object, Object> placements = hz.getMap(MapNames.PLACEMENTS);
    IMap<String, ServerState> servers = hz.getMap(MapNames.SERVERS);
    IMap<String, Long> releases = hz.getMap(MapNames.RELEASES);
    int first = 0;
    Set<String> keys = new HashSet<>();
    for (Eviction e : s.preempted()) {
      if (record(e)) {
        first++;
      }
      // marked as a client's release would be: no merge brings the victim back (see Releases)
      releases.set(e.vmId(), ServerState.clientReleaseEntry(e.vmId(), e.requestId(), e.atMillis()));
      placements.executeOnKey(e.vmId(), new DropRecordProcessor(e.serverId(), e.requestId()));
      keys.add(e.key());
    }
    servers.executeOnKey(s.serverId(), new ClearPreemptedProcessor(keys));
    return first;
  }

  /** Writes {@code e} to the log unless it is there; whether this call wrote it. */
  public boolean record(Eviction e) {
    IMap<String, Eviction> log = hz.getMap(MapNames.EVICTIONS);
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
