package io.vmgrid.node.reliability;

import com.hazelcast.config.SerializationConfig;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vmgrid.client.wire.HostedVm;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.client.wire.Placement;
import io.vmgrid.client.wire.Repair;
import io.vmgrid.client.wire.ServerState;
import io.vmgrid.node.placement.ReleaseVmProcessor;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Makes the placement store consistent again after a split-brain merge, and says what it changed in
 * the {@code repairs} map. When this member has merged into the other side of a split (lifecycle
 * event {@code MERGED}, fired once its data has been merged), it sweeps the whole store:
 * <ul>
 *   <li>VMs that {@link ServerMerge} evicted to fit capacity are logged as
 *       {@code EVICTED_OVER_CAPACITY} and their placements removed;</li>
 *   <li>a VM on a server whose placement names another server was placed twice (once per side): this
 *       copy is released and logged as {@code DUPLICATE_RELEASED};</li>
 *   <li>a VM on a server with no placement at all gets its placement back
 *       ({@code PLACEMENT_RESTORED});</li>
 *   <li>a placement naming a server that does not host the VM is removed
 *       ({@code PLACEMENT_DROPPED}, unless its eviction was logged already).</li>
 * </ul>
 * Every step is idempotent, so a repeated sweep (every merging member runs one) is harmless. A sweep
 * reads every server and placement once: it is per merge, not per request.
 */
public final class MergeRepair implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(MergeRepair.class.getName());

  private final IMap<String, ServerState> servers;
  private final IMap<String, Placement> placements;
  private final IMap<String, Repair> repairs;
  private final ExecutorService executor;
  private final HazelcastInstance hazelcast;
  private final UUID listenerId;
  private final AtomicLong repaired = new AtomicLong();
  private final AtomicLong departureSweeps = new AtomicLong();
  private final UUID membershipListenerId;
  /** First sweep after a departure: after the survivors' 1 s grace and their recoveries. */
  static final long DEPARTURE_SWEEP_FIRST_MILLIS = 5_000;
  /** Second sweep, for commits that were still travelling. */
  static final long DEPARTURE_SWEEP_SECOND_MILLIS = 20_000;

  /** Starts listening for this member's merges. */
  public MergeRepair(HazelcastInstance hz) {
    this.servers = hz.getMap(MapNames.SERVERS);
    this.placements = hz.getMap(MapNames.PLACEMENTS);
    this.repairs = hz.getMap(MapNames.REPAIRS);
    this.executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "vmgrid-merge-repair");
      t.setDaemon(true);
      return t;
    });
    this.hazelcast = hz;
    this.listenerId = hz.getLifecycleService().addLifecycleListener(event -> {
      if (event.getState() == LifecycleEvent.LifecycleState.MERGED) {
        executor.execute(this::sweepQuietly);
      }
    });
    this.membershipListenerId = hz.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {}

      @Override
      public void memberRemoved(MembershipEvent event) {
        afterDeparture();
      }
    });
  }

  /**
   * After a member left, a commit its agent sent just before dying can land after survivors have
   * placed the same request again: the sweep releases every copy the {@code placements} entry does
   * not name (acknowledged placements are always the recorded ones). Run by the oldest member only,
   * twice: once recoveries have settled, and again later for stragglers.
   */
  private void afterDeparture() {
    for (long delay : new long[] {DEPARTURE_SWEEP_FIRST_MILLIS, DEPARTURE_SWEEP_SECOND_MILLIS}) {
      executor.execute(() -> {
        try {
          Thread.sleep(delay);
          if (hazelcast.getLifecycleService().isRunning()
              && hazelcast.getCluster().getMembers().iterator().next().localMember()) {
            sweep(true);
            departureSweeps.incrementAndGet();
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
          LOG.log(Level.WARNING, "repair sweep after a member left failed", e);
        }
      });
    }
  }

  /** Sweeps done after members left (on this member). */
  public long departureSweeps() {
    return departureSweeps.get();
  }

  /** Registers the Compact serializers this package needs on members. */
  public static SerializationConfig register(SerializationConfig config) {
    config.getCompactSerializationConfig().addSerializer(new ClearEvictedProcessor.Serializer());
    return config;
  }

  /** One instance of each of this package's Compact types (see {@code CompactSchemas}). */
  public static java.util.List<Object> schemaSamples() {
    return java.util.List.of(new ClearEvictedProcessor(Set.of("vm")));
  }

  /** Repair log entries written by this member. */
  public long repaired() {
    return repaired.get();
  }

  private void sweepQuietly() {
    try {
      sweep();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "merge repair sweep failed; it runs again on the next merge", e);
    }
  }

  /**
   * Repairs every server that needs it, then drops placements that name a server not hosting their
   * VM. Reads both maps in bulk first, so only inconsistent servers cost further calls.
   */
  void sweep() {
    sweep(false);
  }

  /**
   * The sweep; with {@code duplicatesOnly} (after a departure, which may really be a split whose
   * other side still holds some partitions) it only releases copies of VMs whose recorded server
   * demonstrably hosts them, and touches nothing else.
   */
  void sweep(boolean duplicatesOnly) {
    Map<String, Placement> recorded = new HashMap<>();
    for (Map.Entry<String, Placement> e : placements.entrySet()) {
      recorded.put(e.getKey(), e.getValue());
    }
    for (Map.Entry<String, ServerState> e : servers.entrySet()) {
      ServerState s = e.getValue();
      boolean suspect = !s.evicted().isEmpty();
      for (HostedVm vm : s.vms()) {
        Placement p = recorded.get(vm.vmId());
        suspect |= p == null
            || (p.state() == Placement.State.PLACED && !p.serverId().equals(s.serverId()));
      }
      if (suspect) {
        if (duplicatesOnly) {
          releaseDuplicates(s, recorded);
        } else {
          repair(s.serverId());
        }
      }
    }
    if (duplicatesOnly) {
      return;
    }
    for (Map.Entry<String, Placement> e : placements.entrySet()) {
      Placement p = e.getValue();
      if (p.state() != Placement.State.PLACED) {
        continue;
      }
      ServerState s = servers.get(p.serverId());
      if ((s == null || s.find(p.vmId()) == null) && placements.remove(p.vmId(), p)) {
        if (!repairs.containsKey(p.vmId() + "@" + p.serverId())) {
          log(new HostedVm(p.vmId(), p.tenantId(), p.cores(), p.memoryMb(), p.requestId(), "", 0),
              p.serverId(), "PLACEMENT_DROPPED");
        }
      }
    }
  }

  /** Releases VMs on {@code s} whose placement names another server that hosts them. */
  private void releaseDuplicates(ServerState s, Map<String, Placement> recorded) {
    for (HostedVm vm : s.vms()) {
      Placement p = recorded.get(vm.vmId());
      if (p == null || p.state() != Placement.State.PLACED || p.serverId().equals(s.serverId())) {
        continue;
      }
      ServerState winner = servers.get(p.serverId());
      if (winner != null && winner.find(vm.vmId()) != null) {
        servers.executeOnKey(s.serverId(), new ReleaseVmProcessor(vm.vmId()));
        log(vm, s.serverId(), "DUPLICATE_RELEASED");
      }
    }
  }

  /** Repairs one server (see the class comment). */
  void repair(String serverId) {
    ServerState s = servers.get(serverId);
    if (s == null) {
      return;
    }
    Set<String> logged = new HashSet<>();
    for (HostedVm vm : s.evicted()) {
      log(vm, serverId, "EVICTED_OVER_CAPACITY");
      Placement p = placements.get(vm.vmId());
      if (p != null && p.serverId().equals(serverId)) {
        placements.remove(vm.vmId(), p);
      }
      logged.add(vm.vmId());
    }
    if (!logged.isEmpty()) {
      servers.executeOnKey(serverId, new ClearEvictedProcessor(logged));
    }
    for (HostedVm vm : s.vms()) {
      Placement p = placements.get(vm.vmId());
      if (p == null) {
        ServerState now = servers.get(serverId);
        if (now == null || now.find(vm.vmId()) == null) {
          continue; // released meanwhile
        }
        Placement restored = new Placement(vm.vmId(), vm.requestId(), Placement.State.PLACED, serverId,
            vm.tenantId(), vm.cores(), vm.memoryMb(), "");
        p = placements.putIfAbsent(vm.vmId(), restored);
        if (p == null) {
          log(vm, serverId, "PLACEMENT_RESTORED");
          continue;
        }
      }
      if (p.state() == Placement.State.PLACED && !p.serverId().equals(serverId)) {
        ServerState winner = servers.get(p.serverId());
        if (winner == null || winner.find(vm.vmId()) == null) {
          // the recorded copy is gone: this one is the VM now
          if (placements.replace(vm.vmId(), p, p.placedOn(serverId))) {
            log(vm, serverId, "PLACEMENT_RESTORED");
          }
          continue;
        }
        servers.executeOnKey(serverId, new ReleaseVmProcessor(vm.vmId()));
        log(vm, serverId, "DUPLICATE_RELEASED");
      }
    }
  }

  private void log(HostedVm vm, String serverId, String action) {
    repairs.set(vm.vmId() + "@" + serverId, new Repair(vm.vmId(), serverId, action, vm.tenantId(),
        vm.priority(), vm.cores(), System.currentTimeMillis()));
    repaired.incrementAndGet();
    LOG.warning(() -> "merge repair: " + action + " " + vm.vmId() + " on " + serverId);
  }

  @Override
  public void close() {
    try {
      hazelcast.getLifecycleService().removeLifecycleListener(listenerId);
      hazelcast.getCluster().removeMembershipListener(membershipListenerId);
    } catch (RuntimeException ignored) {
      // member already stopped
    }
    executor.shutdownNow(); // pending departure sweeps are skipped: another member runs them
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
