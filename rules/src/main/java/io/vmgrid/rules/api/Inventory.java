package io.vmgrid.rules.api;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A zone's inventory, zone → clusters → racks → servers, held in compact arrays indexed by server
 * (servers are numbered cluster by cluster, so each cluster is a contiguous index range).
 *
 * <p>Static topology (ids, cluster, rack, fault and update domains, machine type and capacity) is
 * fixed at build time. Dynamic state (used resources, hosted VMs, health) changes only through
 * {@link #apply(InventoryChange)}, which records every change in the {@link #journal()} with the next
 * revision. Not thread-safe: the owner confines writes and reads (e.g. to one thread, or under a lock).
 */
public final class Inventory {
  private static final int RESOURCES = Resource.values().length;
  private static final Health[] HEALTH = Health.values();
  private static final Resource[] RESOURCE = Resource.values();

  /** The static topology, shared with copies; the fields below hold its arrays again, for reads. */
  private final Topology topology;
  private final String[] serverIds;
  private final Map<String, Integer> serverIndex;
  private final int[] clusterOf;
  private final int[] rackOf;
  private final int[] faultDomainOf;
  private final int[] updateDomainOf;
  private final int[] machineTypeOf;
  private final long[][] capacity;
  private final long[][] used;
  private final byte[] health;
  private final int[] vmCount;
  private final String[] clusterIds;
  private final Map<String, Integer> clusterIndex;
  private final int[] clusterStart;
  private final long[][] clusterCapacity;
  private final long[][] clusterUsed;
  private final String[] rackIds;
  private final int[][] faultDomainMembers;
  private final int[][] updateDomainMembers;
  private final int[] localFaultDomain;
  private final int[] localUpdateDomain;
  private final List<MachineType> machineTypes;
  private final Map<String, Integer> machineTypeIndex;
  private final VmTypeCatalog vmTypes;
  private final ChangeJournal journal;

  private final Map<String, Located> vms = new HashMap<>();
  private final List<List<HostedVm>> hosted;
  private final Map<String, Map<Integer, Integer>> setByFaultDomain = new HashMap<>();
  private final Map<String, Map<Integer, Integer>> setByUpdateDomain = new HashMap<>();
  private final Map<String, Map<Integer, Integer>> groupByServer = new HashMap<>();
  private final Map<String, int[]> tenantByCluster = new HashMap<>();

  /** Where a VM is, and its number in this inventory's placement order (see placementOrder). */
  private record Located(int server, HostedVm vm, long order) {}

  /** The number the next placement gets (carried over by {@link #copy()}). */
  private long nextOrder;

  /**
   * An inventory on {@code topology} with an empty state, or, if {@code src} is given, a deep copy
   * of {@code src}'s dynamic state (its topology must be {@code topology}).
   */
  private Inventory(
      Topology topology, VmTypeCatalog vmTypes, ChangeJournal journal, @Nullable Inventory src) {
    this.topology = topology;
    serverIds = topology.serverIds;
    serverIndex = topology.serverIndex;
    clusterOf = topology.clusterOf;
    rackOf = topology.rackOf;
    faultDomainOf = topology.faultDomainOf;
    updateDomainOf = topology.updateDomainOf;
    machineTypeOf = topology.machineTypeOf;
    capacity = topology.capacity;
    clusterIds = topology.clusterIds;
    clusterIndex = topology.clusterIndex;
    clusterStart = topology.clusterStart;
    clusterCapacity = topology.clusterCapacity;
    rackIds = topology.rackIds;
    faultDomainMembers = topology.faultDomainMembers;
    updateDomainMembers = topology.updateDomainMembers;
    localFaultDomain = topology.localFaultDomain;
    localUpdateDomain = topology.localUpdateDomain;
    machineTypes = topology.machineTypes;
    machineTypeIndex = topology.machineTypeIndex;
    this.vmTypes = vmTypes;
    this.journal = journal;
    if (src == null) {
      int n = serverIds.length;
      used = new long[RESOURCES][n];
      clusterUsed = new long[RESOURCES][clusterIds.length];
      health = new byte[n];
      vmCount = new int[n];
      hosted = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        hosted.add(List.of());
      }
      return;
    }
    used = deepCopy(src.used);
    clusterUsed = deepCopy(src.clusterUsed);
    health = src.health.clone();
    vmCount = src.vmCount.clone();
    vms.putAll(src.vms);
    nextOrder = src.nextOrder;
    // the per-server lists are never mutated in place (place and release replace them)
    hosted = new ArrayList<>(src.hosted);
    copyCounts(src.setByFaultDomain, setByFaultDomain);
    copyCounts(src.setByUpdateDomain, setByUpdateDomain);
    copyCounts(src.groupByServer, groupByServer);
    src.tenantByCluster.forEach((k, v) -> tenantByCluster.put(k, v.clone()));
  }

  private static long[][] deepCopy(long[][] a) {
    long[][] out = new long[a.length][];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i].clone();
    }
    return out;
  }

  private static void copyCounts(
      Map<String, Map<Integer, Integer>> from, Map<String, Map<Integer, Integer>> to) {
    from.forEach((k, v) -> to.put(k, new HashMap<>(v)));
  }

  /**
   * An independent copy of this inventory's current state (placements, health, usage), for what-if
   * simulation: changes to the copy never reach this inventory and vice versa. The static topology is
   * shared (it is immutable). The copy starts with a fresh, empty journal of the same capacity, so its
   * revisions restart at 0; engines and caches must be built on the copy, not reused from the source.
   * Costs O(servers + VMs).
   */
  public Inventory copy() {
    return copy(journal.capacity());
  }

  /** As {@link #copy()}, with a fresh journal keeping {@code journalCapacity} records. */
  public Inventory copy(int journalCapacity) {
    return new Inventory(topology, vmTypes, new ChangeJournal(journalCapacity), this);
  }

  /**
   * The static description of server {@code i}, as it was given to the builder (the rack id without
   * its cluster prefix); with {@link #machineTypes()} and {@link #vmTypes()} enough to rebuild the
   * topology, e.g. with more servers.
   */
  public ServerSpec serverSpec(int i) {
    return topology.serverSpec(i);
  }

  /** A builder for an inventory. */
  public static Builder builder() {
    return new Builder();
  }

  // ---------------------------------------------------------------- topology

  /** Number of servers. */
  public int size() {
    return serverIds.length;
  }

  /** The id of server {@code i}. */
  public String serverId(int i) {
    return serverIds[i];
  }

  /** The index of server {@code id}, or -1. */
  public int indexOf(String id) {
    Integer i = serverIndex.get(id);
    return i == null ? -1 : i;
  }

  /** Number of clusters. */
  public int clusterCount() {
    return clusterIds.length;
  }

  /** The id of cluster {@code c}. */
  public String clusterId(int c) {
    return clusterIds[c];
  }

  /** The index of cluster {@code id}, or -1. */
  public int clusterIndexOf(String id) {
    Integer c = clusterIndex.get(id);
    return c == null ? -1 : c;
  }

  /** The first server index of cluster {@code c}. */
  public int clusterStart(int c) {
    return clusterStart[c];
  }

  /** One past the last server index of cluster {@code c}. */
  public int clusterEnd(int c) {
    return clusterStart[c + 1];
  }

  /** The cluster index of server {@code i}. */
  public int cluster(int i) {
    return clusterOf[i];
  }

  /** The rack index of server {@code i} (global over the zone). */
  public int rack(int i) {
    return rackOf[i];
  }

  /** The id of rack {@code r}, as {@code cluster/rack}. */
  public String rackId(int r) {
    return rackIds[r];
  }

  /** The zone-wide fault domain index of server {@code i} (a cluster-local domain, numbered). */
  public int faultDomain(int i) {
    return faultDomainOf[i];
  }

  /** The zone-wide update domain index of server {@code i}. */
  public int updateDomain(int i) {
    return updateDomainOf[i];
  }

  /** The fault domain of server {@code i} as numbered within its cluster. */
  public int localFaultDomain(int i) {
    return localFaultDomain[i];
  }

  /** The update domain of server {@code i} as numbered within its cluster. */
  public int localUpdateDomain(int i) {
    return localUpdateDomain[i];
  }

  /** Servers in zone-wide fault domain {@code d}; do not modify the array. */
  public int[] faultDomainMembers(int d) {
    return faultDomainMembers[d];
  }

  /** Servers in zone-wide update domain {@code d}; do not modify the array. */
  public int[] updateDomainMembers(int d) {
    return updateDomainMembers[d];
  }

  /** The machine type index of server {@code i}. */
  public int machineType(int i) {
    return machineTypeOf[i];
  }

  /** All machine types, by index. */
  public List<MachineType> machineTypes() {
    return machineTypes;
  }

  /** The index of machine type {@code id}, or -1. */
  public int machineTypeIndexOf(String id) {
    Integer m = machineTypeIndex.get(id);
    return m == null ? -1 : m;
  }

  /** The VM type catalog requests with a {@code vmType} are sized from. */
  public VmTypeCatalog vmTypes() {
    return vmTypes;
  }

  /** The journal recording every applied change. */
  public ChangeJournal journal() {
    return journal;
  }

  // ---------------------------------------------------------------- state

  /** Capacity of {@code r} on server {@code i}. */
  public long capacity(Resource r, int i) {
    return capacity[r.index()][i];
  }

  /** Used {@code r} on server {@code i}. */
  public long used(Resource r, int i) {
    return used[r.index()][i];
  }

  /** Free {@code r} on server {@code i}. */
  public long free(Resource r, int i) {
    return capacity[r.index()][i] - used[r.index()][i];
  }

  /** Total capacity of {@code r} in cluster {@code c}. */
  public long clusterCapacity(Resource r, int c) {
    return clusterCapacity[r.index()][c];
  }

  /** Total used {@code r} in cluster {@code c}. */
  public long clusterUsed(Resource r, int c) {
    return clusterUsed[r.index()][c];
  }

  /** The health of server {@code i}. */
  public Health health(int i) {
    return HEALTH[health[i]];
  }

  /** Number of VMs on server {@code i}. */
  public int vmCount(int i) {
    return vmCount[i];
  }

  /** The VMs on server {@code i}. */
  public List<HostedVm> vmsOn(int i) {
    return List.copyOf(hosted.get(i));
  }

  /** The server index hosting {@code vmId}, or -1. */
  public int serverOf(String vmId) {
    Located l = vms.get(vmId);
    return l == null ? -1 : l.server;
  }

  /** The hosted VM {@code vmId}, or null. */
  public @Nullable HostedVm vm(String vmId) {
    Located l = vms.get(vmId);
    return l == null ? null : l.vm;
  }

  /**
   * The number of {@code vmId} in this inventory's placement order: larger for a VM recorded later
   * (for a mirror: learned of later), kept across {@link #copy()}; -1 if the VM is not here. Victim
   * rules use it to evict the newest (or oldest) VMs first.
   */
  public long placementOrder(String vmId) {
    Located l = vms.get(vmId);
    return l == null ? -1 : l.order;
  }

  /** Number of VMs in the inventory. */
  public int vmTotal() {
    return vms.size();
  }

  /** VMs of availability set {@code set} in zone-wide fault domain {@code d}. */
  public int setCountInFaultDomain(String set, int d) {
    Map<Integer, Integer> m = setByFaultDomain.get(set);
    return m == null ? 0 : m.getOrDefault(d, 0);
  }

  /** VMs of availability set {@code set} in zone-wide update domain {@code d}. */
  public int setCountInUpdateDomain(String set, int d) {
    Map<Integer, Integer> m = setByUpdateDomain.get(set);
    return m == null ? 0 : m.getOrDefault(d, 0);
  }

  /** Whether any VM of availability set {@code set} is placed (if not, every domain count is 0). */
  public boolean availabilitySetInUse(String set) {
    return setByFaultDomain.containsKey(set);
  }

  /** Whether any VM of anti-affinity group {@code group} is placed. */
  public boolean antiAffinityGroupInUse(String group) {
    return groupByServer.containsKey(group);
  }

  /** VMs of anti-affinity group {@code group} on server {@code i}. */
  public int groupCountOnServer(String group, int i) {
    Map<Integer, Integer> m = groupByServer.get(group);
    return m == null ? 0 : m.getOrDefault(i, 0);
  }

  /** VMs of {@code tenant} in cluster {@code c}. */
  public int tenantCountInCluster(String tenant, int c) {
    int[] counts = tenantByCluster.get(tenant);
    return counts == null ? 0 : counts[c];
  }

  /** Whether {@code demand} fits in server {@code i}'s free capacity. */
  public boolean fits(int i, Resources demand) {
    for (Resource r : RESOURCE) {
      if (demand.get(r) > free(r, i)) {
        return false;
      }
    }
    return true;
  }

  // ---------------------------------------------------------------- changes

  /**
   * Applies {@code change} and records it in the journal.
   *
   * <p>The inventory mirrors what the authoritative store committed, so a placement is not checked
   * against capacity here (the store did that); structural errors (unknown server, VM placed twice,
   * release of a VM not on that server) throw {@link IllegalArgumentException} and change nothing.
   *
   * @return the change's revision
   */
  public long apply(InventoryChange change) {
    int i = indexOf(change.serverId());
    if (i < 0) {
      throw new ValidationException("serverId", "unknown server " + change.serverId());
    }
    if (change instanceof InventoryChange.Place p) {
      return place(i, p.vm());
    } else if (change instanceof InventoryChange.Release r) {
      return release(i, r.vmId());
    } else {
      InventoryChange.SetHealth h = (InventoryChange.SetHealth) change;
      return setHealth(i, h.health());
    }
  }

  /** Sets server {@code i}'s health and journals it. */
  long setHealth(int i, Health h) {
    health[i] = h.code();
    return journal.append(i, ChangeKind.HEALTH.bit(), null, null, null);
  }

  /**
   * Makes server {@code serverId} hold exactly {@code vms} with {@code health}, applying (and
   * journaling) only the differences: releases of VMs no longer there (or changed), placements of new
   * ones (a VM recorded on another server is first released there: a move), and a health change.
   * Meant for mirrors fed with whole-server snapshots, such as map events of the placement store.
   *
   * @return the journal revision after the last change (unchanged if nothing differed)
   */
  public long sync(String serverId, Health health, java.util.Collection<HostedVm> vms) {
    return ServerSnapshots.sync(this, serverId, health, vms);
  }

  /** Places {@code vm} on server {@code i} and journals it; the VM must not be placed yet. */
  long place(int i, HostedVm vm) {
    if (vms.containsKey(vm.id())) {
      throw new ValidationException("vm.id", "VM " + vm.id() + " is already placed");
    }
    vms.put(vm.id(), new Located(i, vm, nextOrder++));
    List<HostedVm> list = hosted.get(i);
    List<HostedVm> grown = new ArrayList<>(list.size() + 1);
    grown.addAll(list);
    grown.add(vm);
    hosted.set(i, grown);
    count(i, vm, +1);
    return journal.append(
        i,
        ChangeKind.USAGE.bit() | ChangeKind.HOSTED_VMS.bit(),
        vm.tenant(),
        vm.availabilitySet(),
        vm.antiAffinityGroup());
  }

  /** Releases {@code vmId} from server {@code i} and journals it; the VM must be on {@code i}. */
  long release(int i, String vmId) {
    Located l = vms.get(vmId);
    if (l == null || l.server != i) {
      throw new ValidationException("vmId", "VM " + vmId + " is not on server " + serverIds[i]);
    }
    vms.remove(vmId);
    List<HostedVm> shrunk = new ArrayList<>(hosted.get(i));
    shrunk.removeIf(v -> v.id().equals(vmId));
    hosted.set(i, shrunk.isEmpty() ? List.of() : shrunk);
    HostedVm vm = l.vm;
    count(i, vm, -1);
    return journal.append(
        i,
        ChangeKind.USAGE.bit() | ChangeKind.HOSTED_VMS.bit(),
        vm.tenant(),
        vm.availabilitySet(),
        vm.antiAffinityGroup());
  }

  private void count(int i, HostedVm vm, int sign) {
    int c = clusterOf[i];
    for (Resource r : Resource.values()) {
      long amount = sign * vm.used().get(r);
      used[r.index()][i] += amount;
      clusterUsed[r.index()][c] += amount;
    }
    vmCount[i] += sign;
    String set = vm.availabilitySet();
    if (set != null) {
      bump(setByFaultDomain, set, faultDomainOf[i], sign);
      bump(setByUpdateDomain, set, updateDomainOf[i], sign);
    }
    String group = vm.antiAffinityGroup();
    if (group != null) {
      bump(groupByServer, group, i, sign);
    }
    int[] t = tenantByCluster.computeIfAbsent(vm.tenant(), k -> new int[clusterIds.length]);
    t[c] += sign;
    if (sign < 0 && Arrays.stream(t).allMatch(x -> x == 0)) {
      tenantByCluster.remove(vm.tenant());
    }
  }

  private static void bump(Map<String, Map<Integer, Integer>> counts, String key, int at, int sign) {
    Map<Integer, Integer> m = counts.computeIfAbsent(key, k -> new HashMap<>());
    int v = m.getOrDefault(at, 0) + sign;
    if (v == 0) {
      m.remove(at);
      if (m.isEmpty()) {
        counts.remove(key);
      }
    } else {
      m.put(at, v);
    }
  }

  /** Builds an {@link Inventory}; servers are renumbered cluster by cluster, in first-seen order. */
  public static final class Builder {
    private final Map<String, MachineType> machineTypes = new LinkedHashMap<>();
    private final List<ServerSpec> servers = new ArrayList<>();
    private VmTypeCatalog vmTypes = VmTypeCatalog.EMPTY;
    private int journalCapacity = 4096;

    private Builder() {}

    /** Adds a machine type; a duplicate id replaces the earlier one. */
    public Builder machineType(MachineType type) {
      machineTypes.put(type.id(), type);
      return this;
    }

    /** Adds a server. */
    public Builder server(ServerSpec spec) {
      servers.add(spec);
      return this;
    }

    /** Sets the VM type catalog (default empty). */
    public Builder vmTypes(VmTypeCatalog catalog) {
      this.vmTypes = catalog;
      return this;
    }

    /** Sets how many journal records are kept (default 4096). */
    public Builder journalCapacity(int records) {
      this.journalCapacity = records;
      return this;
    }

    /** Builds the inventory; throws {@link ValidationException} on duplicate or dangling ids. */
    public Inventory build() {
      ChangeJournal journal = new ChangeJournal(journalCapacity);
      return new Inventory(new Topology(servers, machineTypes.values()), vmTypes, journal, null);
    }
  }
}
