package io.vmgrid.client.wire;

import com.hazelcast.nio.serialization.FieldKind;
import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One server's authoritative state in the {@code servers} map: capacity, what is used, and the VMs it
 * hosts. Immutable; every change produces a new value with {@code revision + 1}.
 *
 * <p>{@code usedCores} and {@code usedMemoryMb} always equal the sums over {@code vms}; the
 * constructor enforces it, so a state that over-commits or miscounts cannot be built.
 *
 * @param serverId the server
 * @param clusterId the cluster it belongs to
 * @param capacityCores total cores
 * @param capacityMemoryMb total memory, MiB
 * @param usedCores cores held by hosted VMs
 * @param usedMemoryMb memory held by hosted VMs, MiB
 * @param health whether new VMs may be placed here
 * @param revision incremented by every committed change
 * @param vms the hosted VMs
 * @param evicted VMs a split-brain merge removed to fit capacity, not yet written to the repair log
 *     (normally empty; they hold no capacity)
 * @param topology where the server sits (rack, fault and update domain, machine type); fixed for
 *     the server's life
 * @param released the placements released from this server recently, newest last (at most
 *     {@link #RELEASED_KEPT}, none older than {@link #RELEASED_KEPT_MINUTES} minutes), each one long:
 *     a 48-bit hash of the VM id and its request id, and the minute of the release in the low 16
 *     bits. What a split-brain merge needs to tell a VM released on one side from one the other
 *     side placed, so that a release is not undone by a merge
 * @param preempted VMs a preemption evicted from this server whose {@link Eviction} is not in the
 *     eviction log yet (normally empty; they hold no capacity, and their placements are remembered
 *     in {@code released} so that no merge brings them back)
 */
public record ServerState(
    String serverId,
    String clusterId,
    long capacityCores,
    long capacityMemoryMb,
    long usedCores,
    long usedMemoryMb,
    ServerHealth health,
    long revision,
    List<HostedVm> vms,
    List<HostedVm> evicted,
    Topology topology,
    List<Long> released,
    List<Eviction> preempted) {

  /** Releases a server remembers at most. */
  public static final int RELEASED_KEPT = 64;
  /** How long a server remembers a release (a split longer than this may bring a VM back). */
  public static final int RELEASED_KEPT_MINUTES = 30;

  /** A state without pending preemptions. */
  public ServerState(String serverId, String clusterId, long capacityCores, long capacityMemoryMb,
      long usedCores, long usedMemoryMb, ServerHealth health, long revision, List<HostedVm> vms,
      List<HostedVm> evicted, Topology topology, List<Long> released) {
    this(serverId, clusterId, capacityCores, capacityMemoryMb, usedCores, usedMemoryMb, health,
        revision, vms, evicted, topology, released, List.of());
  }

  /** A state without a memory of releases. */
  public ServerState(String serverId, String clusterId, long capacityCores, long capacityMemoryMb,
      long usedCores, long usedMemoryMb, ServerHealth health, long revision, List<HostedVm> vms,
      List<HostedVm> evicted, Topology topology) {
    this(serverId, clusterId, capacityCores, capacityMemoryMb, usedCores, usedMemoryMb, health,
        revision, vms, evicted, topology, List.of());
  }

  /**
   * Where a server sits in its cluster. Fault and update domains are numbered within the cluster.
   *
   * @param rack rack id, unique within the cluster
   * @param faultDomain fault domain ({@code >= 0})
   * @param updateDomain update domain ({@code >= 0})
   * @param machineType hardware type id; empty means "named after its capacity"
   */
  public record Topology(String rack, int faultDomain, int updateDomain, String machineType) {
    /** The topology of a server nobody described: rack {@code r0}, domains 0, unnamed type. */
    public static final Topology UNSPECIFIED = new Topology("r0", 0, 0, "");

    /** Validates the fields, naming the bad one. */
    public Topology {
      if (rack == null || rack.isEmpty()) {
        throw new IllegalArgumentException("rack: is required");
      }
      if (faultDomain < 0 || updateDomain < 0) {
        throw new IllegalArgumentException(
            (faultDomain < 0 ? "faultDomain" : "updateDomain") + ": must be >= 0");
      }
      if (machineType == null) {
        throw new IllegalArgumentException("machineType: must not be null (empty = unnamed)");
      }
    }
  }

  /** A state without topology (rack r0, domains 0). */
  public ServerState(String serverId, String clusterId, long capacityCores, long capacityMemoryMb,
      long usedCores, long usedMemoryMb, ServerHealth health, long revision, List<HostedVm> vms,
      List<HostedVm> evicted) {
    this(serverId, clusterId, capacityCores, capacityMemoryMb, usedCores, usedMemoryMb, health,
        revision, vms, evicted, Topology.UNSPECIFIED);
  }

  /** Validates the invariants and copies {@code vms}. */
  public ServerState {
    if (topology == null) {
      throw new IllegalArgumentException("topology: is required on server " + serverId);
    }
    vms = List.copyOf(vms);
    evicted = List.copyOf(evicted);
    // null: written before it existed; held unboxed (see LongList)
    released = released == null ? LongList.EMPTY : LongList.copyOf(released);
    preempted = preempted == null ? List.of() : List.copyOf(preempted); // the same
    if (health == null) {
      throw new IllegalArgumentException("health: is required on server " + serverId);
    }
    if (capacityCores < 0 || capacityMemoryMb < 0) {
      throw new IllegalArgumentException("capacity: must be >= 0 on server " + serverId);
    }
    long cores = 0;
    long memory = 0;
    for (HostedVm vm : vms) {
      cores += vm.cores();
      memory += vm.memoryMb();
    }
    if (cores != usedCores || memory != usedMemoryMb) {
      throw new IllegalArgumentException(
          "used: " + usedCores + " cores/" + usedMemoryMb + " MiB do not match the hosted VMs' "
              + cores + "/" + memory + " on server " + serverId);
    }
    if (usedCores > capacityCores || usedMemoryMb > capacityMemoryMb) {
      throw new IllegalArgumentException("used: exceeds capacity on server " + serverId);
    }
  }

  /** An empty, healthy server at revision 0, without topology. */
  public static ServerState empty(String serverId, String clusterId, long cores, long memoryMb) {
    return empty(serverId, clusterId, cores, memoryMb, Topology.UNSPECIFIED);
  }

  /** An empty, healthy server at revision 0. */
  public static ServerState empty(
      String serverId, String clusterId, long cores, long memoryMb, Topology topology) {
    return new ServerState(serverId, clusterId, cores, memoryMb, 0, 0, ServerHealth.HEALTHY, 0,
        List.of(), List.of(), topology);
  }

  /** The machine type id: the topology's, or one named after the capacity if it has none. */
  public String machineTypeId() {
    String named = topology.machineType();
    return named.isEmpty() ? "c" + capacityCores + "-m" + capacityMemoryMb : named;
  }

  /** Cores not held by any VM. */
  public long freeCores() {
    return capacityCores - usedCores;
  }

  /** Memory not held by any VM, MiB. */
  public long freeMemoryMb() {
    return capacityMemoryMb - usedMemoryMb;
  }

  /** Whether a VM of this size fits into the free capacity (health not considered). */
  public boolean fits(long cores, long memoryMb) {
    return cores <= freeCores() && memoryMb <= freeMemoryMb();
  }

  /** Returns the hosted VM with this id, or null. */
  public @Nullable HostedVm find(String vmId) {
    for (HostedVm vm : vms) {
      if (vm.vmId().equals(vmId)) {
        return vm;
      }
    }
    return null;
  }

  /** A new state with {@code vm} added; the caller has checked that it fits. */
  public ServerState with(HostedVm vm) {
    List<HostedVm> next = new ArrayList<>(vms.size() + 1);
    next.addAll(vms);
    next.add(vm);
    return new ServerState(serverId, clusterId, capacityCores, capacityMemoryMb,
        usedCores + vm.cores(), usedMemoryMb + vm.memoryMb(), health, revision + 1, next, evicted,
        topology, released, preempted);
  }

  /** A new state without the VM {@code vmId}; the same state if it is not hosted here. */
  public ServerState without(String vmId) {
    HostedVm gone = find(vmId);
    if (gone == null) {
      return this;
    }
    List<HostedVm> next = new ArrayList<>(vms);
    next.removeIf(vm -> vm.vmId().equals(vmId));
    return new ServerState(serverId, clusterId, capacityCores, capacityMemoryMb,
        usedCores - gone.cores(), usedMemoryMb - gone.memoryMb(), health, revision + 1, next, evicted,
        topology, released, preempted);
  }

  /**
   * A new state without the VM {@code vmId}, remembering the release (made at {@code nowMillis}) in
   * {@link #released}; the same state if it is not hosted here. Releases older than
   * {@link #RELEASED_KEPT_MINUTES}, and beyond the newest {@link #RELEASED_KEPT}, are forgotten.
   */
  public ServerState releasing(String vmId, long nowMillis) {
    return releasing(vmId, nowMillis, false);
  }

  /**
   * Like {@link #releasing(String, long)}; {@code byClient} remembers it as a client's release
   * (under {@link #clientReleaseKey}), which says that every copy of the placement is to go.
   */
  public ServerState releasing(String vmId, long nowMillis, boolean byClient) {
    HostedVm gone = find(vmId);
    if (gone == null) {
      return this;
    }
    List<Long> kept = remembering(released, List.of(
        byClient ? clientReleaseKey(gone) : releaseKey(gone)), nowMillis);
    ServerState next = without(vmId);
    return new ServerState(serverId, clusterId, capacityCores, capacityMemoryMb, next.usedCores,
        next.usedMemoryMb, health, next.revision, next.vms, evicted, topology, kept, preempted);
  }

  /**
   * A new state in which {@code by} evicted the VMs {@code victimIds} at {@code atMillis}: they are
   * gone from {@link #vms}, pending in {@link #preempted} until the eviction log has them, and
   * remembered in {@link #released} as releases every copy of which is to go (a merge with a side
   * that still holds one does not bring it back). The caller has checked that every victim is
   * here; {@code by} is not added.
   */
  public ServerState preempting(List<String> victimIds, HostedVm by, long atMillis) {
    List<HostedVm> left = new ArrayList<>(vms);
    List<Eviction> pending = new ArrayList<>(preempted);
    List<Long> keys = new ArrayList<>(victimIds.size());
    long cores = usedCores;
    long memory = usedMemoryMb;
    for (String id : victimIds) {
      HostedVm victim = Objects.requireNonNull(find(id), () -> id + " is not on " + serverId);
      left.remove(victim);
      pending.add(Eviction.preempted(victim, serverId, by, atMillis));
      keys.add(clientReleaseKey(victim));
      cores -= victim.cores();
      memory -= victim.memoryMb();
    }
    return new ServerState(serverId, clusterId, capacityCores, capacityMemoryMb, cores, memory,
        health, revision + 1, left, evicted, topology, remembering(released, keys, atMillis),
        pending);
  }

  /** A new state without the pending preemptions whose {@link Eviction#key()} is in {@code keys}. */
  public ServerState withoutPreempted(java.util.Set<String> keys) {
    List<Eviction> left = new ArrayList<>(preempted.size());
    for (Eviction e : preempted) {
      if (!keys.contains(e.key())) {
        left.add(e);
      }
    }
    return new ServerState(serverId, clusterId, capacityCores, capacityMemoryMb, usedCores,
        usedMemoryMb, health, revision + 1, vms, evicted, topology, released, left);
  }

  /** {@code before} with {@code keys} remembered at {@code nowMillis}, old and surplus ones dropped. */
  private static List<Long> remembering(List<Long> before, List<Long> keys, long nowMillis) {
    long minute = nowMillis / 60_000;
    LongList earlier = LongList.copyOf(before);
    long[] kept = new long[earlier.size() + keys.size()];
    int n = 0;
    for (int i = 0; i < earlier.size(); i++) {
      long r = earlier.getLong(i);
      if (((minute - (r & 0xFFFF)) & 0xFFFF) <= RELEASED_KEPT_MINUTES) {
        kept[n++] = r;
      }
    }
    for (long key : keys) {
      kept[n++] = key | (minute & 0xFFFF);
    }
    int from = Math.max(0, n - RELEASED_KEPT);
    return LongList.wrap(from == 0 && n == kept.length ? kept : Arrays.copyOfRange(kept, from, n));
  }

  /** {@link #released}, unboxed. */
  private LongList releasedKeys() {
    return (LongList) released;
  }

  /** Whether this placement of {@code vm} (its VM id and request id) was released here recently. */
  public boolean releasedHere(HostedVm vm) {
    long key = releaseKey(vm);
    long clientKey = clientReleaseKey(vm);
    LongList all = releasedKeys();
    for (int i = 0; i < all.size(); i++) {
      long k = all.getLong(i) & ~0xFFFFL;
      if (k == key || k == clientKey) {
        return true;
      }
    }
    return false;
  }

  /** Receives a remembered release: its placement key and the minute (mod 2^16) it happened. */
  @FunctionalInterface
  public interface ReleaseSink {
    /** One release: {@code key} as {@link #releaseKey} gives it, {@code minute} mod 2^16. */
    void release(long key, int minute);
  }

  /** Hands every release this server remembers to {@code sink}. */
  public void forEachRelease(ReleaseSink sink) {
    LongList all = releasedKeys();
    for (int i = 0; i < all.size(); i++) {
      long r = all.getLong(i);
      sink.release(r & ~0xFFFFL, (int) (r & 0xFFFF));
    }
  }

  /**
   * Whether a release at {@code minute} (mod 2^16, from {@link #forEachRelease}) came in or after
   * the minute of {@code placedAtMillis}: that release removed a placement made then, and a copy
   * of it found elsewhere is stale. The release's age is read as a signed 16-bit number of minutes
   * at {@code nowMillis}: a release up to an hour old counts (entries are kept 30 minutes, but an
   * idle server drops old ones only when it releases again); an older one, or one that wrapped
   * around, does not; one a little in the future (another member's clock ahead) counts as now.
   */
  public static boolean releasedSince(int minute, long placedAtMillis, long nowMillis) {
    long nowMinute = nowMillis / 60_000;
    int age = (short) ((nowMinute - minute) & 0xFFFF);
    if (age > 2 * RELEASED_KEPT_MINUTES) {
      return false;
    }
    long releasedMinute = nowMinute - Math.max(0, age);
    return placedAtMillis / 60_000 <= releasedMinute;
  }

  /**
   * The 48-bit hash of a placement (VM id and request id) in the high bits of a release entry the
   * grid made for itself (a move's source, a duplicate, an undo; and every release remembered
   * before clients' releases were told apart).
   */
  public static long releaseKey(HostedVm vm) {
    return hash(vm.vmId(), vm.requestId());
  }

  /** The same for a release a client asked for: another hash of the same placement. */
  public static long clientReleaseKey(HostedVm vm) {
    return clientReleaseKey(vm.vmId(), vm.requestId());
  }

  /** {@link #clientReleaseKey(HostedVm)} of the placement of {@code vmId} by {@code requestId}. */
  public static long clientReleaseKey(String vmId, String requestId) {
    return hash(vmId, requestId, "client");
  }

  /**
   * A client's release of the placement of {@code vmId} by {@code requestId} at {@code atMillis},
   * encoded as {@link #released} holds one (the key in the high 48 bits, the minute mod 2^16 in the
   * low 16): what the {@code releases} map keeps per VM beyond a server's own short memory.
   */
  public static long clientReleaseEntry(String vmId, String requestId, long atMillis) {
    return clientReleaseKey(vmId, requestId) | ((atMillis / 60_000) & 0xFFFF);
  }

  private static long hash(String... parts) {
    long h = 0xCBF29CE484222325L;
    for (String part : parts) {
      for (int i = 0; i < part.length(); i++) {
        h = (h ^ part.charAt(i)) * 0x100000001B3L;
      }
      h = (h ^ 0xFF) * 0x100000001B3L; // separator
    }
    h ^= h >>> 29;
    return h << 16;
  }

  /** A new state with {@code next} health. */
  public ServerState withHealth(ServerHealth next) {
    return new ServerState(serverId, clusterId, capacityCores, capacityMemoryMb, usedCores,
        usedMemoryMb, next, revision + 1, vms, evicted, topology, released, preempted);
  }

  /** A new state holding exactly {@code hosted} (used recomputed) and {@code pendingEvictions}. */
  public ServerState withVms(List<HostedVm> hosted, List<HostedVm> pendingEvictions, long nextRevision) {
    return withVms(hosted, pendingEvictions, nextRevision, released, preempted);
  }

  /**
   * As {@link #withVms(List, List, long)}, remembering {@code releasedNow} as the releases and
   * {@code preemptedNow} as the pending preemptions.
   */
  public ServerState withVms(List<HostedVm> hosted, List<HostedVm> pendingEvictions,
      long nextRevision, List<Long> releasedNow, List<Eviction> preemptedNow) {
    long cores = 0;
    long memory = 0;
    for (HostedVm vm : hosted) {
      cores += vm.cores();
      memory += vm.memoryMb();
    }
    return new ServerState(serverId, clusterId, capacityCores, capacityMemoryMb, cores, memory,
        health, nextRevision, hosted, pendingEvictions, topology, releasedNow, preemptedNow);
  }

  /** Whether new VMs may be placed here. */
  public boolean acceptsPlacements() {
    return health == ServerHealth.HEALTHY;
  }

  private static ServerHealth parseHealth(@Nullable String name) {
    return name == null ? ServerHealth.UNHEALTHY : ServerHealth.parse("health", name);
  }

  static final class Serializer implements CompactSerializer<ServerState> {
    @Override
    public ServerState read(CompactReader in) {
      List<HostedVm> list = readVms(in, "vms");
      List<HostedVm> evicted = readVms(in, "evicted");
      String rack = GridRequest.nonNull(in.readString("rack"));
      Topology topology = new Topology(rack.isEmpty() ? "r0" : rack, in.readInt32("faultDomain"),
          in.readInt32("updateDomain"), GridRequest.nonNull(in.readString("machineType")));
      return new ServerState(
          GridRequest.nonNull(in.readString("serverId")),
          GridRequest.nonNull(in.readString("clusterId")),
          in.readInt64("capacityCores"),
          in.readInt64("capacityMemoryMb"),
          in.readInt64("usedCores"),
          in.readInt64("usedMemoryMb"),
          parseHealth(in.readString("health")),
          in.readInt64("revision"),
          list,
          evicted,
          topology,
          in.getFieldKind("released") == FieldKind.ARRAY_OF_INT64 ? longs(in.readArrayOfInt64(
              "released")) : LongList.EMPTY, // written before servers remembered releases
          in.getFieldKind("preempted") == FieldKind.ARRAY_OF_COMPACT ? evictions(in) : List.of());
    }

    // Immutable lists straight from the arrays read: the constructor's List.copyOf keeps them as
    // they are, where an ArrayList was copied once more on every event and entry read

    private static List<Eviction> evictions(CompactReader in) {
      return immutable(in.readArrayOfCompact("preempted", Eviction.class), "preempted");
    }

    private static List<Long> longs(long @Nullable [] values) {
      return values == null ? LongList.EMPTY : LongList.wrap(values); // freshly read: ours
    }

    private static List<HostedVm> readVms(CompactReader in, String field) {
      return immutable(in.readArrayOfCompact(field, HostedVm.class), field);
    }

    private static <T> List<T> immutable(T @Nullable [] read, String field) {
      if (read == null) {
        return List.of();
      }
      for (T t : read) {
        Objects.requireNonNull(t, () -> field + ": null element");
      }
      return List.of(read);
    }

    @Override
    public void write(CompactWriter out, ServerState s) {
      out.writeString("serverId", s.serverId());
      out.writeString("clusterId", s.clusterId());
      out.writeInt64("capacityCores", s.capacityCores());
      out.writeInt64("capacityMemoryMb", s.capacityMemoryMb());
      out.writeInt64("usedCores", s.usedCores());
      out.writeInt64("usedMemoryMb", s.usedMemoryMb());
      out.writeString("health", s.health().name());
      out.writeInt64("revision", s.revision());
      out.writeArrayOfCompact("vms", s.vms().toArray(new HostedVm[0]));
      out.writeArrayOfCompact("evicted", s.evicted().toArray(new HostedVm[0]));
      out.writeString("rack", s.topology().rack());
      out.writeInt32("faultDomain", s.topology().faultDomain());
      out.writeInt32("updateDomain", s.topology().updateDomain());
      out.writeString("machineType", s.topology().machineType());
      out.writeArrayOfInt64("released", s.releasedKeys().array());
      out.writeArrayOfCompact("preempted", s.preempted().toArray(new Eviction[0]));
    }

    @Override
    public String getTypeName() {
      return "vmgrid.ServerState";
    }

    @Override
    public Class<ServerState> getCompactClass() {
      return ServerState.class;
    }
  }
}
