package io.vmgrid.node.recovery;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vmgrid.client.wire.Eviction;
import io.vmgrid.client.wire.ForeignEntries;
import io.vmgrid.client.wire.HostedVm;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.client.wire.Placement;
import io.vmgrid.client.wire.Repair;
import io.vmgrid.client.wire.ServerState;
import io.vmgrid.node.commit.CommitResult;
import io.vmgrid.node.commit.Evictions;
import io.vmgrid.node.commit.ReleaseVmProcessor;
import io.vmgrid.node.time.NodeClock;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * The repairs a {@link Reconciler} pass (and {@link PartitionLoss}) carries out, one finding each,
 * and the repair log they write. Every step rereads what it changes and is compare-and-set, so a
 * finding another member repaired meanwhile, or that resolved itself (a commit writing its record,
 * a release finishing), is left as it is.
 */
final class RepairSteps {
  private static final Logger LOG = Logger.getLogger(Reconciler.class.getName());

  private final HazelcastInstance hazelcast;
  private final NodeClock clock;
  private final IMap<String, ServerState> servers;
  private final IMap<String, Placement> placements;
  private final IMap<String, Repair> repairs;
  private final ForeignEntries foreign;
  private final AtomicLong repaired = new AtomicLong();

  RepairSteps(HazelcastInstance hz) {
    this.hazelcast = hz;
    this.clock = NodeClock.of(hz);
    this.servers = hz.getMap(MapNames.SERVERS);
    this.placements = hz.getMap(MapNames.PLACEMENTS);
    this.repairs = hz.getMap(MapNames.REPAIRS);
    this.foreign = ForeignEntries.of(hz);
  }

  /** Repair log entries written so far. */
  long repaired() {
    return repaired.get();
  }

  /**
   * Releases {@code vm}'s copy on {@code serverId} and removes its record {@code p}, the copy of a
   * placement a client released elsewhere ({@code RELEASED_COPY_REMOVED}).
   */
  void removeRecordedReleased(HostedVm vm, String serverId, Placement p) {
    Object done = servers.executeOnKey(serverId, new ReleaseVmProcessor(vm.vmId(), true));
    if (done instanceof CommitResult r && r.status() == CommitResult.Status.RELEASED) {
      placements.remove(vm.vmId(), p);
      log(vm, serverId, "RELEASED_COPY_REMOVED");
    }
  }

  /** Releases a stale copy of a released placement ({@code RELEASED_COPY_REMOVED}). */
  void removeReleased(HostedVm vm, String serverId) {
    Placement p = placement(vm.vmId());
    if (p != null && p.serverId().equals(serverId)) {
      return; // recorded there meanwhile: not an orphan any more
    }
    Object done = servers.executeOnKey(serverId, new ReleaseVmProcessor(vm.vmId()));
    if (done instanceof CommitResult r && r.status() == CommitResult.Status.RELEASED) {
      log(vm, serverId, "RELEASED_COPY_REMOVED");
    }
  }

  /** The VM a record describes, as far as the record knows it (for {@code releasedHere}). */
  static HostedVm asVm(Placement p) {
    return new HostedVm(p.vmId(), p.tenantId(), p.cores(), p.memoryMb(), p.requestId(), "", 0);
  }

  /** Removes a record naming a server that does not hold its VM (if it is still that record). */
  void dropRecord(Placement p) {
    ServerState s = server(p.serverId());
    if ((s == null || s.find(p.vmId()) == null) && placements.remove(p.vmId(), p)
        && !repairs.containsKey(p.vmId() + "@" + p.serverId())) {
      log(asVm(p), p.serverId(), "PLACEMENT_DROPPED");
    }
  }

  /** Releases the copy of {@code vm} on {@code serverId} if its record names another holder. */
  void releaseCopy(HostedVm vm, String serverId) {
    Placement p = placement(vm.vmId());
    if (p == null || p.serverId().equals(serverId)) {
      return;
    }
    ServerState winner = server(p.serverId());
    if (winner != null && winner.find(vm.vmId()) != null) {
      Object done = servers.executeOnKey(serverId, new ReleaseVmProcessor(vm.vmId()));
      if (done instanceof CommitResult r && r.status() == CommitResult.Status.RELEASED) {
        log(vm, serverId, "DUPLICATE_RELEASED"); // once, by the member whose release removed it
      }
    }
  }

  /**
   * Makes {@code serverId}'s copy of {@code vm} the VM's placement: writes the missing record, or
   * moves a record that names a server without the VM (compare-and-set either way).
   */
  void restore(HostedVm vm, String serverId) {
    ServerState now = server(serverId);
    if (now == null || now.find(vm.vmId()) == null) {
      return; // released meanwhile
    }
    Object there = raw(placements).putIfAbsent(vm.vmId(), Placement.of(vm, serverId));
    if (there == null) {
      log(vm, serverId, "PLACEMENT_RESTORED");
      return;
    }
    Placement p = foreign.value(MapNames.PLACEMENTS, vm.vmId(), there, Placement.class);
    if (p == null) {
      return; // a foreign value holds the VM's id: left alone
    }
    if (p.serverId().equals(serverId)) {
      return;
    }
    ServerState named = server(p.serverId());
    if (named == null || named.find(vm.vmId()) == null) {
      if (placements.replace(vm.vmId(), p, p.placedOn(serverId))) {
        log(vm, serverId, "PLACEMENT_RESTORED");
      }
    } else {
      releaseCopy(vm, serverId);
    }
  }

  /**
   * Logs the VMs a merge evicted from {@code s} to fit capacity, and removes their records. One
   * that a client had released ({@code released}) was a copy the other
   * side still held: it is logged as {@code RELEASED_COPY_REMOVED}, and its owner is not told of an
   * eviction.
   */
  void logEvictions(ServerState s, ReleaseIndex released) {
    Set<String> logged = new HashSet<>();
    for (HostedVm vm : s.evicted()) {
      if (released.released(vm)) {
        log(vm, s.serverId(), "RELEASED_COPY_REMOVED");
      } else {
        log(vm, s.serverId(), "EVICTED_OVER_CAPACITY");
        Evictions.of(hazelcast).record(Eviction.merged(vm, s.serverId(),
            clock.millis()));
      }
      Placement p = placement(vm.vmId());
      if (p != null && p.serverId().equals(s.serverId())) {
        placements.remove(vm.vmId(), p);
      }
      logged.add(vm.vmId());
    }
    servers.executeOnKey(s.serverId(), new ClearEvictedProcessor(logged));
  }

  /** Server {@code id}'s state, or null if there is none or its entry is foreign. */
  @Nullable ServerState server(String id) {
    return foreign.value(MapNames.SERVERS, id, raw(servers).get(id), ServerState.class);
  }

  /** VM {@code id}'s record, or null if there is none or its entry is foreign. */
  @Nullable Placement placement(String id) {
    return foreign.value(MapNames.PLACEMENTS, id, raw(placements).get(id), Placement.class);
  }

  @SuppressWarnings("unchecked")
  static IMap<Object, Object> raw(IMap<String, ?> map) {
    return (IMap<Object, Object>) (IMap<?, ?>) map;
  }

  /** Writes a repair log entry for {@code vm} on {@code serverId}. */
  void log(HostedVm vm, String serverId, String action) {
    repairs.set(vm.vmId() + "@" + serverId, new Repair(vm.vmId(), serverId, action, vm.tenantId(),
        vm.priority(), vm.cores(), clock.millis()));
    repaired.incrementAndGet();
    LOG.warning(() -> "reconcile: " + action + " " + vm.vmId() + " on " + serverId);
  }

  /**
   * Writes a repair log entry about server {@code s} as a whole (no VM id), keyed by the server and
   * the time so that a later one does not replace it.
   */
  void logServer(ServerState s, String action) {
    long now = clock.millis();
    repairs.set("server:" + s.serverId() + "@" + now,
        new Repair("", s.serverId(), action, "", "", s.usedCores(), now));
    repaired.incrementAndGet();
    LOG.warning(() -> "reconcile: " + action + " server " + s.serverId() + " with "
        + s.vms().size() + " VMs");
  }
}
