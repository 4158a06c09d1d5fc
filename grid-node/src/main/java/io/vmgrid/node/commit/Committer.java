package io.vmgrid.node.commit;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vmgrid.client.wire.HostedVm;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.client.wire.Placement;
import io.vmgrid.client.wire.ServerState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Commits what agents decided, in as few grid operations as a group allows: the VMs of a group in
 * one {@link PlaceVmProcessor} call ({@code executeOnKey} for one server, {@code executeOnKeys} for
 * several: one operation per member owning them), then their records in one
 * {@link RecordPlacementProcessor} call. Each call blocks the calling (agent) thread until the
 * primaries and their synchronous backups have applied it. Quorum loss surfaces as Hazelcast's
 * {@code SplitBrainProtectionException}.
 */
public final class Committer {
  private final IMap<String, ServerState> servers;
  private final IMap<String, Placement> placements;
  private final Consumer<ServerState> ownWrites;

  /**
   * A committer over {@code hz}'s placement store; {@code ownWrites} receives every server state
   * its commits produced (to apply them to this member's view at once).
   */
  public Committer(HazelcastInstance hz, Consumer<ServerState> ownWrites) {
    this.servers = hz.getMap(MapNames.SERVERS);
    this.placements = hz.getMap(MapNames.PLACEMENTS);
    this.ownWrites = ownWrites;
  }

  /**
   * One VM to place on one server.
   *
   * @param serverId the server
   * @param vm the VM
   */
  public record Planned(String serverId, HostedVm vm) {}

  /** Places the planned VMs; one result per planned VM, in the order given. */
  public List<CommitResult> place(List<Planned> planned) {
    Map<String, List<HostedVm>> byServer = new LinkedHashMap<>();
    for (Planned p : planned) {
      byServer.computeIfAbsent(p.serverId(), k -> new ArrayList<>()).add(p.vm());
    }
    PlaceVmProcessor processor = new PlaceVmProcessor(byServer);
    Map<String, CommitResults> results;
    if (byServer.size() == 1) {
      String server = byServer.keySet().iterator().next();
      results = Map.of(server, servers.executeOnKey(server, processor));
    } else {
      results = servers.executeOnKeys(byServer.keySet(), processor);
    }
    for (CommitResults r : results.values()) {
      ServerState state = r.state();
      if (state != null) {
        ownWrites.accept(state);
      }
    }
    Map<String, Integer> next = new HashMap<>();
    List<CommitResult> out = new ArrayList<>(planned.size());
    for (Planned p : planned) {
      int i = next.merge(p.serverId(), 1, Integer::sum) - 1;
      CommitResults r = results.get(p.serverId());
      out.add(r == null || i >= r.results().size()
          ? new CommitResult(CommitResult.Status.UNKNOWN_SERVER, "no server " + p.serverId(), 0)
          : r.results().get(i));
    }
    return out;
  }

  /** Records the placements (first record of a VM id wins); one result per record, in order. */
  public List<RecordResult> record(List<Placement> records) {
    RecordPlacementProcessor processor = new RecordPlacementProcessor(records);
    Map<String, RecordResult> results;
    if (records.size() == 1) {
      String vm = records.get(0).vmId();
      results = Map.of(vm, placements.executeOnKey(vm, processor));
    } else {
      Set<String> keys = new LinkedHashSet<>();
      records.forEach(p -> keys.add(p.vmId()));
      results = placements.executeOnKeys(keys, processor);
    }
    List<RecordResult> out = new ArrayList<>(records.size());
    for (Placement p : records) {
      RecordResult r = results.get(p.vmId());
      if (r == null) {
        throw new IllegalStateException("no record result for " + p.vmId());
      }
      out.add(r);
    }
    return out;
  }

  /** Removes {@code vmId} from {@code serverId} (a commit that lost its record). */
  public CommitResult release(String serverId, String vmId) {
    return servers.executeOnKey(serverId, new ReleaseVmProcessor(vmId));
  }
}
