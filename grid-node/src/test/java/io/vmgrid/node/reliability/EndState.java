package io.vmgrid.node.reliability;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vmgrid.client.wire.HostedVm;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.client.wire.Placement;
import io.vmgrid.client.wire.Repair;
import io.vmgrid.client.wire.ServerState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The grid's state at the end of a chaos run, as {@link HistoryChecker} judges it: every server
 * with its capacity, what it counts as used and the VMs it hosts; the {@code placements} records;
 * the {@code repairs} log. Plain values that a test can build by hand, including states the wire
 * types refuse to hold (a server over capacity), so the checker's own checks can be tested.
 *
 * @param servers every server
 * @param records VM id to the server its {@code placements} record names
 * @param repairs the repair log's entries about VMs
 */
record EndState(List<Server> servers, Map<String, String> records, List<RepairEntry> repairs) {

  /** Copies the lists and map. */
  EndState {
    servers = List.copyOf(servers);
    records = Map.copyOf(records);
    repairs = List.copyOf(repairs);
  }

  /**
   * One server.
   *
   * @param serverId the server
   * @param capacityCores cores it has
   * @param capacityMemoryMb memory it has, MiB
   * @param usedCores cores it counts as used
   * @param usedMemoryMb memory it counts as used, MiB
   * @param vms the VMs it hosts
   */
  record Server(String serverId, long capacityCores, long capacityMemoryMb, long usedCores,
      long usedMemoryMb, List<Vm> vms) {
    /** Copies the list. */
    Server {
      vms = List.copyOf(vms);
    }
  }

  /**
   * A VM on a server.
   *
   * @param vmId the VM
   * @param cores cores it holds
   * @param memoryMb memory it holds, MiB
   */
  record Vm(String vmId, long cores, long memoryMb) {}

  /**
   * An entry of the repair log.
   *
   * @param vmId the VM concerned (empty for an entry about a whole server)
   * @param serverId the server concerned
   * @param action what the repair did ({@code EVICTED_OVER_CAPACITY}, {@code DUPLICATE_RELEASED},
   *     ...)
   */
  record RepairEntry(String vmId, String serverId, String action) {}

  /**
   * Reads the state through {@code hz} (a client): the {@code servers}, {@code placements},
   * {@code repairs} and {@code evictions} maps, skipping entries that are not vmgrid's. Not a snapshot: read it when
   * nothing changes the grid any more.
   */
  static EndState read(HazelcastInstance hz) {
    IMap<Object, Object> serverMap = hz.getMap(MapNames.SERVERS);
    IMap<Object, Object> placementMap = hz.getMap(MapNames.PLACEMENTS);
    IMap<Object, Object> repairMap = hz.getMap(MapNames.REPAIRS);
    List<Server> servers = new ArrayList<>();
    for (Object value : serverMap.values()) {
      if (value instanceof ServerState s) {
        List<Vm> vms = new ArrayList<>();
        for (HostedVm vm : s.vms()) {
          vms.add(new Vm(vm.vmId(), vm.cores(), vm.memoryMb()));
        }
        servers.add(new Server(s.serverId(), s.capacityCores(), s.capacityMemoryMb(),
            s.usedCores(), s.usedMemoryMb(), vms));
      }
    }
    Map<String, String> records = new HashMap<>();
    for (Map.Entry<Object, Object> e : placementMap.entrySet()) {
      if (e.getKey() instanceof String id && e.getValue() instanceof Placement p
          && id.equals(p.vmId())) {
        records.put(id, p.serverId());
      }
    }
    List<RepairEntry> repairs = new ArrayList<>();
    for (Object value : repairMap.values()) {
      if (value instanceof Repair r) {
        repairs.add(new RepairEntry(r.vmId(), r.serverId(), r.action()));
      }
    }
    // the eviction log, as entries whose action is the reason (PREEMPTED, OVER_CAPACITY_AFTER_MERGE)
    for (Object value : hz.getMap(MapNames.EVICTIONS).values()) {
      if (value instanceof io.vmgrid.client.wire.Eviction e) {
        repairs.add(new RepairEntry(e.vmId(), e.serverId(), e.reason()));
      }
    }
    return new EndState(servers, records, repairs);
  }
}
