package io.vmgrid.node.recovery;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.MapPartitionLostEvent;
import io.vmgrid.client.wire.ForeignEntries;
import io.vmgrid.client.wire.HostedVm;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.client.wire.Placement;
import io.vmgrid.client.wire.ServerState;
import io.vmgrid.node.commit.Quorum;
import io.vmgrid.node.inventory.OwnValues;
import io.vmgrid.node.inventory.ServerView;
import io.vmgrid.node.time.NodeClock;
import io.vmgrid.node.time.NodeTimings;
import io.vmgrid.node.time.Timing;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Notices and repairs the loss of a partition of the placement store: Hazelcast lost its primary and
 * every backup (members died together, or one died before its backups were in sync), so the
 * entries of {@code servers}, {@code placements} or {@code repairs} in it are gone, silently to
 * every reader. This class makes it loud and repairs what can be repaired:
 * <ol>
 *   <li>Hazelcast's partition-lost event (one per map and partition, on every member) is counted
 *       ({@link #lost(String)}: {@code vmgrid_partitions_lost_total{map}}), logged, and makes the
 *       member unsafe ({@link #repairing()}: {@code /health/safe} answers 503) until the repair
 *       below has run and a reconcile pass finds nothing.</li>
 *   <li>After {@link Timing#PARTITION_LOSS_SETTLE} (a member's death loses many partitions in a burst), the
 *       servers are rebuilt. With a database behind the store, every map reloads the entries it
 *       lacks from it. Without one, each server of a lost {@code servers} partition is rebuilt
 *       from this member's inventory view (every member keeps the last state of every server,
 *       fed by entry events) and completed with the VMs whose records name it
 *       ({@code SERVER_RESTORED} for the server, {@code VM_RESTORED_FROM_RECORD} per VM).</li>
 *   <li>Then {@link Reconciler#repairUntilClean} passes make the two halves agree: a VM on a
 *       server whose record was lost gets its record back ({@code PLACEMENT_RESTORED}); a record
 *       whose server lost its VM, and that no source could put back, is removed and reported by VM
 *       id ({@code PLACEMENT_DROPPED}, or {@code LOST_WITH_PARTITION} when the VM no longer fits on
 *       the rebuilt server).</li>
 * </ol>
 *
 * <p>On a side without the placement quorum (the minority of a split) a partition whose replicas
 * are all across the split looks lost too. That side logs it as out of reach (a warning, not
 * SEVERE), stays unsafe, and repairs nothing until the quorum is back: the merge then returns the
 * entries, and the repair finds nothing missing.
 *
 * <p>What it cannot know: a VM whose server entry and record were both in lost partitions and
 * that this member's view had not seen yet (placed within milliseconds of the loss) leaves no
 * trace to report. A VM released within that window may come back (its record restored from the
 * view's stale state, reported {@code PLACEMENT_RESTORED}). Every member that receives the event
 * repairs; each step is compare-and-set ({@code putIfAbsent} of a server, the reconciler's own
 * steps), so they do not repair twice.
 */
public final class PartitionLoss implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(PartitionLoss.class.getName());
  /** The maps whose losses are repaired. */
  public static final List<String> MAPS = List.of(MapNames.SERVERS, MapNames.PLACEMENTS,
      MapNames.REPAIRS);

  private final HazelcastInstance hazelcast;
  private final NodeTimings timings;
  private final ServerView view;
  private final Reconciler reconciler;
  private final boolean storeBacked;
  private final IMap<String, ServerState> servers;
  private final IMap<String, Placement> placements;
  private final ForeignEntries foreign;
  private final ScheduledExecutorService executor;
  private final Map<String, UUID> listeners = new HashMap<>();
  private final Map<String, AtomicLong> lostPartitions = new ConcurrentHashMap<>();
  private final AtomicLong serversRestored = new AtomicLong();
  private final AtomicLong vmsRestored = new AtomicLong();
  private final AtomicLong vmsLost = new AtomicLong();
  private final AtomicLong repairs = new AtomicLong();
  /** Partitions reported lost while this side lacked the quorum, since the last repair. */
  private final AtomicLong outOfReach = new AtomicLong();
  /** Lost partitions of {@code servers} not repaired yet. */
  private final Set<Integer> pendingServers = new TreeSet<>();
  private boolean scheduled;
  private volatile boolean repairing;

  /**
   * Starts listening for lost partitions of the placement store's maps.
   *
   * @param view this member's view of every server (what lost servers are rebuilt from)
   * @param storeBacked whether the maps load from a database (which lost entries reload from)
   */
  public PartitionLoss(HazelcastInstance hz, ServerView view, Reconciler reconciler,
      boolean storeBacked) {
    this.hazelcast = hz;
    this.timings = NodeTimings.of(hz);
    this.view = view;
    this.reconciler = reconciler;
    this.storeBacked = storeBacked;
    this.servers = hz.getMap(MapNames.SERVERS);
    this.placements = hz.getMap(MapNames.PLACEMENTS);
    this.foreign = ForeignEntries.of(hz);
    this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "vmgrid-partition-loss");
      t.setDaemon(true);
      return t;
    });
    reconciler.pauseWhile(this::repairing);
    for (String map : MAPS) {
      lostPartitions.put(map, new AtomicLong());
      listeners.put(map, hz.getMap(map).addPartitionLostListener(this::partitionLost));
    }
  }

  /** Partitions of {@code map} this member was told were lost. */
  public long lost(String map) {
    AtomicLong n = lostPartitions.get(map);
    return n == null ? 0 : n.get();
  }

  /** Whether a loss is being repaired (the member then reports itself unsafe). */
  public boolean repairing() {
    return repairing;
  }

  /** Servers this member rebuilt from its view. */
  public long serversRestored() {
    return serversRestored.get();
  }

  /** VMs this member put back on a rebuilt server from their records. */
  public long vmsRestored() {
    return vmsRestored.get();
  }

  /** VMs whose record survived but that no longer fit on their rebuilt server (reported). */
  public long vmsLost() {
    return vmsLost.get();
  }

  /** Repairs this member completed (each covers every loss before it). */
  public long repairs() {
    return repairs.get();
  }

  private void partitionLost(MapPartitionLostEvent event) {
    String map = event.getName();
    lostPartitions.computeIfAbsent(map, m -> new AtomicLong()).incrementAndGet();
    if (Quorum.present(hazelcast)) {
      LOG.severe(() -> "partition " + event.getPartitionId() + " of map " + map + " was lost (its"
          + " primary and every backup); repairing the placement store");
    } else if (outOfReach.getAndIncrement() == 0) {
      // on the minority side of a split every partition whose replicas are all across it looks
      // lost; the merge brings it back, so this is not (yet) data loss. One line per split: the
      // count goes with the repair's line
      LOG.warning(() -> "partition " + event.getPartitionId() + " of map " + map + " is out of"
          + " this side's reach, and likely more (this side has fewer members than the placement"
          + " quorum: a network split?); they come back with the merge, and are repaired once the"
          + " quorum is back if they do not");
    }
    synchronized (this) {
      repairing = true;
      if (MapNames.SERVERS.equals(map)) {
        pendingServers.add(event.getPartitionId());
      }
      if (scheduled) {
        return;
      }
      scheduled = true;
    }
    try {
      var unused = executor.schedule(this::repair, timings.millis(Timing.PARTITION_LOSS_SETTLE),
          TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // closing: another member repairs
    }
  }

  private void repair() {
    Set<Integer> lostServers;
    synchronized (this) {
      scheduled = false;
      lostServers = new HashSet<>(pendingServers);
      pendingServers.clear();
    }
    boolean clean = false;
    boolean waited = !Quorum.present(hazelcast);
    try {
      if (waited) {
        // a split, most likely: the other side holds these partitions and the merge brings them
        // back. Rebuilding them here from this side's view would write stale servers (refused
        // anyway without the quorum); wait for the quorum, then repair what is still missing
        synchronized (this) {
          pendingServers.addAll(lostServers);
        }
      } else {
        long unreachable = outOfReach.getAndSet(0);
        if (unreachable > 0) {
          LOG.warning(() -> "the quorum is back; repairing what is still missing of the "
              + unreachable + " partitions that were out of this side's reach");
        }
        clean = repairNow(lostServers);
      }
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "repair after a partition loss failed; it runs again", e);
      synchronized (this) {
        pendingServers.addAll(lostServers);
      }
    }
    if (!waited) {
      repairs.incrementAndGet();
    }
    synchronized (this) {
      if (!clean && !scheduled && !executor.isShutdown()) {
        scheduled = true; // not done: the member stays unsafe and tries again
        try {
          var unused = executor.schedule(this::repair, timings.millis(Timing.MERGE_REPEAT),
              TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
          scheduled = false;
        }
      }
      repairing = scheduled;
    }
    if (clean) {
      LOG.warning(() -> "partition loss repaired: " + serversRestored + " servers rebuilt from"
          + " this member's view so far, " + vmsRestored + " VMs put back from their records, "
          + vmsLost + " reported lost; see the repairs map");
    }
  }

  /** Reloads, rebuilds and reconciles; whether a reconcile pass then found nothing. */
  private boolean repairNow(Set<Integer> lostServers) {
    Reconciler.awaitSafe(hazelcast, timings.millis(Timing.PARTITION_LOSS_SAFE_WAIT));
    if (storeBacked) {
      for (String map : MAPS) {
        hazelcast.getMap(map).loadAll(false); // only the keys the grid lacks
      }
    }
    if (!lostServers.isEmpty()) {
      // without a database, every lost server; with one, those it did not give back (written
      // behind and not yet flushed, or not reloaded)
      rebuildServers(lostServers);
    }
    return reconciler.repairUntilClean("a partition loss").join();
  }

  /**
   * Rebuilds every server of the {@code lost} partitions that the grid no longer has, from this
   * member's view, with the VMs whose records name it added.
   */
  private void rebuildServers(Set<Integer> lost) {
    var partitions = hazelcast.getPartitionService();
    List<ServerState> missing = new ArrayList<>();
    view.forEach(s -> {
      if (lost.contains(partitions.getPartition(s.serverId()).getPartitionId())) {
        missing.add(s);
      }
    });
    if (missing.isEmpty()) {
      return;
    }
    Map<String, List<Placement>> recordsOn = new HashMap<>();
    for (Placement p : OwnValues.placements(placements, foreign)) {
      recordsOn.computeIfAbsent(p.serverId(), k -> new ArrayList<>()).add(p);
    }
    if (storeBacked) {
      missing.removeIf(s -> servers.containsKey(s.serverId()));
      LOG.warning(() -> "after reloading from the database, " + missing.size() + " servers of"
          + " lost partitions are still missing" + (missing.isEmpty() ? ""
          : " (" + missing.get(0).serverId() + ", ...): rebuilding them from this member's view"));
    }
    for (ServerState last : missing) {
      if (servers.containsKey(last.serverId())) {
        continue; // it survived, or another member rebuilt it
      }
      ServerState s = last;
      List<HostedVm> added = new ArrayList<>();
      List<HostedVm> tooBig = new ArrayList<>();
      for (Placement p : recordsOn.getOrDefault(last.serverId(), List.of())) {
        if (s.find(p.vmId()) != null) {
          continue;
        }
        // the record does not keep the VM's priority or sets: regular, so it is evicted last
        HostedVm vm = new HostedVm(p.vmId(), p.tenantId(), p.cores(), p.memoryMb(),
            p.requestId(), "REGULAR", NodeClock.of(hazelcast).millis());
        if (s.fits(vm.cores(), vm.memoryMb())) {
          s = s.with(vm);
          added.add(vm);
        } else {
          tooBig.add(vm);
        }
      }
      if (servers.putIfAbsent(s.serverId(), s) != null) {
        continue; // another member was first
      }
      serversRestored.incrementAndGet();
      reconciler.logServer(s, "SERVER_RESTORED");
      for (HostedVm vm : added) {
        vmsRestored.incrementAndGet();
        reconciler.log(vm, s.serverId(), "VM_RESTORED_FROM_RECORD");
      }
      for (HostedVm vm : tooBig) {
        Placement p = reconciler.placement(vm.vmId());
        if (p != null && p.serverId().equals(s.serverId()) && placements.remove(vm.vmId(), p)) {
          vmsLost.incrementAndGet();
          reconciler.log(vm, s.serverId(), "LOST_WITH_PARTITION");
        }
      }
    }
  }

  @Override
  public void close() {
    try {
      listeners.forEach((map, id) -> hazelcast.getMap(map).removePartitionLostListener(id));
    } catch (RuntimeException ignored) {
      // member already stopped
    }
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
