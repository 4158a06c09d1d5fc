package io.vmgrid.node.intake;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vmgrid.client.api.Reason;
import io.vmgrid.client.wire.ForeignEntries;
import io.vmgrid.client.wire.GridRequest;
import io.vmgrid.client.wire.GridResult;
import io.vmgrid.client.wire.HostedVm;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.client.wire.Placement;
import io.vmgrid.client.wire.ServerState;
import io.vmgrid.node.commit.CommitResult;
import io.vmgrid.node.commit.CommitResults;
import io.vmgrid.node.commit.PlaceVmProcessor;
import io.vmgrid.node.commit.Quorum;
import io.vmgrid.node.commit.ReleaseVmProcessor;
import io.vmgrid.node.commit.Rerun;
import io.vmgrid.node.delivery.Delivery;
import io.vmgrid.node.query.Queries;
import io.vmgrid.node.time.NodeClock;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Releases and moves of placed VMs, carried out by the member that receives them (a release is
 * sent to the owner of the VM's placement record, so reading and removing the record are local).
 * Both change the server first and the record after, so that an interruption leaves a record
 * naming a server that no longer holds the VM, or a VM on two servers, both of which the
 * reconciler repairs; capacity is never held by a VM nobody can release.
 */
final class Releases {
  private final IMap<String, ServerState> servers;
  private final IMap<String, Placement> placements;
  private final IMap<String, Long> releases;
  private final Queries queries;
  private final Delivery delivery;

  private final ForeignEntries foreign;
  private final HazelcastInstance hazelcast;
  private final NodeClock clock;
  private volatile java.util.function.BooleanSupplier recordsIncomplete = () -> false;

  Releases(HazelcastInstance hz, Queries queries, Delivery delivery) {
    this.hazelcast = hz;
    this.foreign = ForeignEntries.of(hz);
    this.servers = hz.getMap(MapNames.SERVERS);
    this.placements = hz.getMap(MapNames.PLACEMENTS);
    this.releases = hz.getMap(MapNames.RELEASES);
    this.clock = NodeClock.of(hz);
    this.queries = queries;
    this.delivery = delivery;
  }

  /** See {@link Intake#recordsIncompleteWhile}. */
  void recordsIncompleteWhile(java.util.function.BooleanSupplier condition) {
    this.recordsIncomplete = condition;
  }

  /** Releases {@code r.vmId()}: removes it from its server, then its record. */
  GridResult release(GridRequest r, long arrived) {
    if (!Quorum.present(hazelcast)) {
      // refused before anything is sent, so certainly nothing was released (a refusal by Hazelcast
      // during the release would leave it in doubt); also, the record read below is not guarded
      // by the quorum: on a side cut off from its partition it finds nothing (false UNKNOWN_VM)
      return delivery.result(r, GridResult.Status.FAILED, Reason.NO_QUORUM, "this side of the"
          + " cluster has fewer members than the placement quorum (a network split?); nothing was"
          + " released: retry later or through another member", "", arrived);
    }
    Placement placement = placement(r.vmId());
    if (placement == null && recordsIncomplete.getAsBoolean()) {
      // partitions were lost or out of this side's reach and are being repaired: the record may
      // come back with a merge or the repair (a nemesis run answered UNKNOWN_VM here for VMs
      // whose records the merge brought back moments later)
      return delivery.result(r, GridResult.Status.FAILED, Reason.UNAVAILABLE, "partitions of the"
          + " placement store are being repaired (lost, or out of reach during a split); nothing"
          + " was released: retry in a moment", "", arrived);
    }
    if (placement == null && !hazelcast.getPartitionService().isClusterSafe()) {
      // partitions are moving (a member joined or left, or a healed split is merging): the record
      // may be on its way, so its absence is not yet an answer (a nemesis run answered UNKNOWN_VM
      // during a merge for a VM that was there after it)
      return delivery.result(r, GridResult.Status.FAILED, Reason.UNAVAILABLE, "the cluster is"
          + " moving partitions (a member joined or left, or a split is healing); nothing was"
          + " released: retry in a moment", "", arrived);
    }
    if (placement == null) {
      return delivery.result(r, GridResult.Status.REJECTED, Reason.UNKNOWN_VM,
          "vmId: no VM '" + r.vmId() + "' is allocated", "", arrived);
    }
    // each step is sent again if its primary left after running it (a graceful leave, a crash):
    // a second run finds its effect (NOT_HOSTED, no record) and the answer below still holds
    CommitResult commit = Rerun.ifPrimaryLeft(() ->
        servers.executeOnKey(placement.serverId(), new ReleaseVmProcessor(r.vmId(), true)));
    boolean removed = Rerun.ifPrimaryLeft(() -> placements.remove(r.vmId(), placement));
    if (commit.status() == CommitResult.Status.NOT_HOSTED && !removed) {
      return delivery.result(r, GridResult.Status.REJECTED, Reason.UNKNOWN_VM,
          "vmId: '" + r.vmId() + "' was released concurrently", "", arrived);
    }
    // the client is told the placement is released, so every copy of it must go, including one
    // the other side of a split still holds (this side's server may not have held it at all: a
    // commit whose backups never reached this side). A merge repair tells such a copy from one
    // that side placed by this mark; the server's own memory of its releases is short on a busy
    // server and has nothing when it did not host the VM. Same partition as the record: local.
    long mark = ServerState.clientReleaseEntry(r.vmId(), placement.requestId(), clock.millis());
    Rerun.ifPrimaryLeft(() -> {
      releases.set(r.vmId(), mark);
      return null;
    });
    return delivery.result(r, GridResult.Status.RELEASED, Reason.NONE, "", placement.serverId(),
        arrived);
  }

  /**
   * Moves a placed VM: checks the move against the rules on this member's mirror, places a copy on
   * the target (entry processor, capacity rechecked), switches the VM's record to the target
   * (compare-and-set), then releases the source. Interrupted after the copy is placed, the record
   * still names the source and the reconciler releases the copy; nothing is ever lost.
   */
  GridResult move(GridRequest r, long arrived) {
    Placement placement = placement(r.vmId());
    if (placement == null) {
      return delivery.result(r, GridResult.Status.REJECTED, Reason.UNKNOWN_VM,
          "vmId: no placed VM '" + r.vmId() + "'", "", arrived);
    }
    String from = placement.serverId();
    String to = r.targetServerId();
    ServerState source = foreign.value(MapNames.SERVERS, from,
        ((IMap<?, ?>) servers).get(from), ServerState.class);
    HostedVm vm = source == null ? null : source.find(r.vmId());
    if (vm == null) {
      return delivery.result(r, GridResult.Status.REJECTED, Reason.UNKNOWN_VM, "vmId: '"
          + r.vmId() + "' is not on " + from + " (moved or released meanwhile)", "", arrived);
    }
    if (from.equals(to)) {
      return delivery.result(r, GridResult.Status.REJECTED, Reason.MOVE_INVALID,
          "targetServerId: the VM is already on " + to, "", arrived);
    }
    List<String> problems = queries.checkMove(vm, from, to);
    if (!problems.isEmpty()) {
      return delivery.result(r, GridResult.Status.REJECTED, Reason.MOVE_INVALID, "move of "
          + r.vmId() + " to " + to + " breaks the rules: " + String.join("; ", problems), "",
          arrived);
    }
    CommitResults placed = servers.executeOnKey(to, PlaceVmProcessor.of(to, vm));
    if (!placed.single().hosted()) {
      return delivery.result(r, GridResult.Status.REJECTED, Reason.CONFLICT, "target " + to
          + " refused the VM now: " + placed.single().status() + " " + placed.single().detail(),
          "", arrived);
    }
    if (!placements.replace(r.vmId(), placement, placement.placedOn(to))) {
      servers.executeOnKey(to, new ReleaseVmProcessor(r.vmId()));
      return delivery.result(r, GridResult.Status.FAILED, Reason.CONFLICT,
          "the VM's placement changed during the move; nothing was moved", "", arrived);
    }
    servers.executeOnKey(from, new ReleaseVmProcessor(r.vmId()));
    return delivery.result(r, GridResult.Status.PLACED, Reason.NONE, "moved from " + from, to,
        arrived);
  }

  /** VM {@code vmId}'s record; null if there is none or its entry is not vmgrid's (counted). */
  private @Nullable Placement placement(String vmId) {
    return foreign.value(MapNames.PLACEMENTS, vmId, ((IMap<?, ?>) placements).get(vmId),
        Placement.class);
  }
}
