package io.vmgrid.rules.api;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The static topology of an {@link Inventory} (ids, cluster, rack, fault and update domains,
 * machine type and capacity), built once from the builder's server specs and shared by every copy
 * of the inventory. Immutable after construction; the inventory reads its arrays directly, through
 * final references of its own.
 */
final class Topology {
  private static final int RESOURCES = Resource.values().length;

  final String[] serverIds;
  final Map<String, Integer> serverIndex;
  final int[] clusterOf;
  final int[] rackOf;
  final int[] faultDomainOf;
  final int[] updateDomainOf;
  final int[] machineTypeOf;
  final long[][] capacity;
  final String[] clusterIds;
  final Map<String, Integer> clusterIndex;
  final int[] clusterStart;
  final long[][] clusterCapacity;
  final String[] rackIds;
  final int[][] faultDomainMembers;
  final int[][] updateDomainMembers;
  final int[] localFaultDomain;
  final int[] localUpdateDomain;
  final List<MachineType> machineTypes;
  final Map<String, Integer> machineTypeIndex;

  /**
   * Numbers {@code servers} cluster by cluster, clusters in first-seen order.
   *
   * @throws ValidationException on a duplicate server id or an unknown machine type
   */
  Topology(Collection<ServerSpec> servers, Collection<MachineType> types) {
    List<ServerSpec> specs = new ArrayList<>(servers);
    Map<String, Integer> clusterOrder = clusterOrder(specs);
    specs.sort(Comparator.comparingInt((ServerSpec s) -> clusterOrder.getOrDefault(s.cluster(), 0)));
    int n = specs.size();
    this.machineTypes = List.copyOf(types);
    this.machineTypeIndex = new HashMap<>();
    for (int i = 0; i < machineTypes.size(); i++) {
      machineTypeIndex.put(machineTypes.get(i).id(), i);
    }
    serverIds = new String[n];
    serverIndex = new HashMap<>(n * 2);
    clusterOf = new int[n];
    rackOf = new int[n];
    faultDomainOf = new int[n];
    updateDomainOf = new int[n];
    machineTypeOf = new int[n];
    capacity = new long[RESOURCES][n];
    localFaultDomain = new int[n];
    localUpdateDomain = new int[n];
    int clusters = clusterOrder.size();
    clusterIds = clusterOrder.keySet().toArray(new String[0]);
    clusterIndex = new HashMap<>(clusterOrder);
    clusterStart = new int[clusters + 1];
    clusterCapacity = new long[RESOURCES][clusters];
    Map<String, Integer> racks = new LinkedHashMap<>();
    Domains fds = new Domains();
    Domains uds = new Domains();
    for (int i = 0; i < n; i++) {
      ServerSpec s = specs.get(i);
      if (serverIndex.put(s.id(), i) != null) {
        throw new ValidationException("servers", "duplicate server id " + s.id());
      }
      Integer mt = machineTypeIndex.get(s.machineType());
      if (mt == null) {
        throw new ValidationException(
            "servers", "server " + s.id() + " has unknown machine type " + s.machineType());
      }
      serverIds[i] = s.id();
      int c = clusterIndex.getOrDefault(s.cluster(), 0);
      clusterOf[i] = c;
      clusterStart[c + 1] = i + 1;
      rackOf[i] = racks.computeIfAbsent(s.cluster() + "/" + s.rack(), k -> racks.size());
      faultDomainOf[i] = fds.add(((long) c << 32) | s.faultDomain(), i);
      updateDomainOf[i] = uds.add(((long) c << 32) | s.updateDomain(), i);
      localFaultDomain[i] = s.faultDomain();
      localUpdateDomain[i] = s.updateDomain();
      machineTypeOf[i] = mt;
      Resources cap = machineTypes.get(mt).capacity();
      for (Resource r : Resource.values()) {
        capacity[r.index()][i] = cap.get(r);
        clusterCapacity[r.index()][c] += cap.get(r);
      }
    }
    for (int c = 1; c <= clusters; c++) {
      clusterStart[c] = Math.max(clusterStart[c], clusterStart[c - 1]);
    }
    rackIds = racks.keySet().toArray(new String[0]);
    faultDomainMembers = fds.members();
    updateDomainMembers = uds.members();
  }

  /** See {@link Inventory#serverSpec}. */
  ServerSpec serverSpec(int i) {
    String cluster = clusterIds[clusterOf[i]];
    String rack = rackIds[rackOf[i]].substring(cluster.length() + 1);
    return new ServerSpec(serverIds[i], cluster, rack, localFaultDomain[i], localUpdateDomain[i],
        machineTypes.get(machineTypeOf[i]).id());
  }

  /** The clusters of {@code specs}, numbered in first-seen order. */
  private static Map<String, Integer> clusterOrder(List<ServerSpec> specs) {
    Map<String, Integer> clusterOrder = new LinkedHashMap<>();
    for (ServerSpec s : specs) {
      clusterOrder.putIfAbsent(s.cluster(), clusterOrder.size());
    }
    return clusterOrder;
  }

  /**
   * Fault (or update) domains numbered zone-wide in first-seen order, keyed by cluster index (high
   * 32 bits) and domain number within the cluster, with their servers.
   */
  private static final class Domains {
    private final Map<Long, Integer> ids = new HashMap<>();
    private final Map<Long, List<Integer>> members = new LinkedHashMap<>();

    /** Adds server {@code i} to domain {@code key}; returns the domain's zone-wide number. */
    int add(long key, int i) {
      int id = ids.computeIfAbsent(key, k -> ids.size());
      members.computeIfAbsent(key, k -> new ArrayList<>()).add(i);
      return id;
    }

    /** Each domain's servers, by domain number. */
    int[][] members() {
      int[][] out = new int[members.size()][];
      int k = 0;
      for (List<Integer> m : members.values()) {
        out[k++] = m.stream().mapToInt(Integer::intValue).toArray();
      }
      return out;
    }
  }
}
