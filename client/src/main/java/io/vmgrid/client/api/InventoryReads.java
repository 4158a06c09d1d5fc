package io.vmgrid.client.api;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vmgrid.client.wire.ForeignEntries;
import io.vmgrid.client.wire.HostedVm;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.client.wire.Placement;
import io.vmgrid.client.wire.PlacementQuery;
import io.vmgrid.client.wire.ServerState;
import io.vmgrid.client.wire.ServerWrites;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * The operator's reads and writes of the inventory behind {@link AllocationClient}: they go to the
 * {@code servers} and {@code placements} maps directly (no request to a member's intake), and
 * {@code vms} and {@code byRequest} query every member's part of the placement records.
 */
final class InventoryReads {
  private static final Logger LOG = Logger.getLogger(InventoryReads.class.getName());
  private static final int LOAD_BATCH = 1_000;

  private final HazelcastInstance hazelcast;

  InventoryReads(HazelcastInstance hazelcast) {
    this.hazelcast = hazelcast;
  }

  /** This client's tally of entries that are not vmgrid's (skipped by every read here). */
  ForeignEntries foreign() {
    return ForeignEntries.of(hazelcast);
  }

  @SuppressWarnings("unchecked")
  private static IMap<Object, Object> raw(IMap<String, ?> map) {
    return (IMap<Object, Object>) (IMap<?, ?>) map;
  }

  private IMap<String, ServerState> servers() {
    return hazelcast.getMap(MapNames.SERVERS);
  }

  private IMap<String, Placement> placements() {
    return hazelcast.getMap(MapNames.PLACEMENTS);
  }

  static VmStatus status(Placement p) {
    return new VmStatus(p.vmId(), p.serverId(), p.tenantId(), p.cores(), p.memoryMb(),
        p.requestId());
  }

  /** See {@link AllocationClient#server(String)}. */
  CompletableFuture<Optional<ServerInfo>> server(String serverId) {
    return raw(servers()).getAsync(serverId).toCompletableFuture()
        .thenApply(v -> Optional.ofNullable(foreign().value(MapNames.SERVERS, serverId, v,
            ServerState.class, ServerState::serverId)).map(InventoryReads::info));
  }

  static ServerInfo info(ServerState s) {
    List<VmStatus> vms = new ArrayList<>();
    for (HostedVm vm : s.vms()) {
      vms.add(new VmStatus(vm.vmId(), s.serverId(), vm.tenantId(), vm.cores(), vm.memoryMb(),
          vm.requestId()));
    }
    vms.sort(Comparator.comparing(VmStatus::vmId));
    return new ServerInfo(s.serverId(), s.clusterId(), s.machineTypeId(), s.health(),
        s.capacityCores(), s.capacityMemoryMb(), s.usedCores(), s.usedMemoryMb(),
        s.topology().rack(), s.topology().faultDomain(), s.topology().updateDomain(), s.revision(),
        vms);
  }

  /** See {@link AllocationClient#vms(VmFilter)}. */
  CompletableFuture<List<VmStatus>> vms(VmFilter filter) {
    return select(new PlacementQuery(filter.tenantId(), filter.serverId(), filter.vmIdPrefix(),
        filter.requestIdPrefix(), List.of()));
  }

  /**
   * The records {@code query} matches. The query matches vmgrid's own records only, so that a
   * foreign entry neither fails it nor comes back.
   */
  private CompletableFuture<List<VmStatus>> select(PlacementQuery query) {
    return CompletableFuture.supplyAsync(() -> {
      List<VmStatus> out = new ArrayList<>();
      for (Object v : raw(placements()).values(query)) {
        if (v instanceof Placement p) { // always, unless a member runs an older query
          out.add(status(p));
        }
      }
      out.sort(Comparator.comparing(VmStatus::vmId));
      return out;
    });
  }

  /** See {@link AllocationClient#placedBy(Collection)}. */
  CompletableFuture<Map<String, VmStatus>> byRequest(Collection<String> requestIds) {
    if (requestIds.isEmpty()) {
      return CompletableFuture.completedFuture(Map.of());
    }
    return select(new PlacementQuery("", "", "", "", List.copyOf(requestIds)))
        .thenApply(list -> {
          Map<String, VmStatus> out = new TreeMap<>();
          list.forEach(v -> out.putIfAbsent(v.requestId(), v));
          return out;
        });
  }

  /** See {@link AllocationClient#members()}. */
  List<MemberInfo> members() {
    List<MemberInfo> out = new ArrayList<>();
    boolean first = true;
    for (Member m : hazelcast.getCluster().getMembers()) { // oldest first
      out.add(new MemberInfo(m.getAddress().getHost() + ":" + m.getAddress().getPort(),
          m.getUuid().toString(), m.getVersion().toString(), first));
      first = false;
    }
    return out;
  }

  /** See {@link AllocationClient#loadInventoryReport(Collection)}. */
  CompletableFuture<InventoryLoad> load(Collection<ServerSpec> specs) {
    Set<String> ids = new java.util.HashSet<>();
    for (ServerSpec s : specs) {
      if (!ids.add(s.serverId())) {
        throw new InvalidRequestException(
            "serverId", "serverId: '" + s.serverId() + "' appears twice in the inventory");
      }
    }
    IMap<String, ServerState> map = servers();
    List<ServerSpec> list = List.copyOf(specs);
    return CompletableFuture.supplyAsync(() -> {
      int added = 0;
      int unchanged = 0;
      List<String> differing = new ArrayList<>();
      for (int from = 0; from < list.size(); from += LOAD_BATCH) {
        List<ServerSpec> chunk = list.subList(from, Math.min(list.size(), from + LOAD_BATCH));
        Map<Object, Object> existing =
            raw(map).getAll(chunk.stream().map(ServerSpec::serverId).collect(Collectors.toSet()));
        Map<String, ServerState> fresh = new HashMap<>();
        for (ServerSpec s : chunk) {
          Object value = existing.get(s.serverId());
          ServerState there = foreign().value(MapNames.SERVERS, s.serverId(), value,
              ServerState.class);
          if (value != null && there == null) {
            differing.add(s.serverId() + ": present, but its entry is not a vmgrid server ("
                + value.getClass().getName() + "); left as it is");
          } else if (there == null) {
            fresh.put(s.serverId(), s.initialState());
          } else if (describes(s, there)) {
            unchanged++;
          } else {
            differing.add(difference(s, there));
          }
        }
        try {
          ServerWrites.putAllConfirmed(map, fresh, m -> LOG.warning("inventory load: " + m));
        } catch (IllegalStateException e) {
          throw new GridOperationException(Reason.IN_DOUBT, "inventory load: " + e.getMessage());
        }
        added += fresh.size();
      }
      return new InventoryLoad(added, unchanged, differing);
    });
  }

  private static boolean describes(ServerSpec spec, ServerState s) {
    return spec.clusterId().equals(s.clusterId()) && spec.cores() == s.capacityCores()
        && spec.memoryMb() == s.capacityMemoryMb() && spec.topology().equals(s.topology());
  }

  private static String difference(ServerSpec spec, ServerState s) {
    return String.format(Locale.ROOT, "%s: present as %s, %d cores, %d MiB, %s fd %d ud %d%s;"
            + " the file says %s, %d cores, %d MiB, %s fd %d ud %d%s", spec.serverId(),
        s.clusterId(), s.capacityCores(), s.capacityMemoryMb(), s.topology().rack(),
        s.topology().faultDomain(), s.topology().updateDomain(), type(s.topology().machineType()),
        spec.clusterId(), spec.cores(), spec.memoryMb(), spec.topology().rack(),
        spec.topology().faultDomain(), spec.topology().updateDomain(),
        type(spec.topology().machineType()));
  }

  private static String type(String machineType) {
    return machineType.isEmpty() ? "" : " type " + machineType;
  }

  /** See {@link AllocationClient#inventory()}. */
  CompletableFuture<InventorySummary> summary() {
    IMap<String, ServerState> map = servers();
    return CompletableFuture.supplyAsync(() -> {
      Map<String, Integer> byHealth = new TreeMap<>();
      long total = 0;
      long used = 0;
      long nonEmpty = 0;
      int vms = 0;
      int empty = 0;
      int count = 0;
      long largestCores = 0;
      long largestMemory = 0;
      for (Map.Entry<Object, Object> e : raw(map).entrySet()) {
        ServerState s = foreign().value(MapNames.SERVERS, e.getKey(), e.getValue(),
            ServerState.class, ServerState::serverId);
        if (s == null) {
          continue;
        }
        count++;
        largestCores = Math.max(largestCores, s.capacityCores());
        largestMemory = Math.max(largestMemory, s.capacityMemoryMb());
        byHealth.merge(s.health().name(), 1, Integer::sum);
        total += s.capacityCores();
        used += s.usedCores();
        vms += s.vms().size();
        if (s.vms().isEmpty()) {
          empty++;
        } else {
          nonEmpty += s.capacityCores();
        }
      }
      return new InventorySummary(count, byHealth, total, used, vms, empty, nonEmpty,
          largestCores, largestMemory);
    });
  }
}
