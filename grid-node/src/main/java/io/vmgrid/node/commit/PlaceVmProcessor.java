package io.vmgrid.node.commit;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.serialization.FieldKind;
import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import io.vmgrid.client.wire.HostedVm;
import io.vmgrid.client.wire.ServerState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Commits VMs onto servers, each only if it fits the server's <em>current</em> state.
 *
 * <p>Carries the VMs an agent's group commit places on one server ({@link Committer} sends one
 * call per server, all at once). On the server's entry it takes that server's VMs in order and
 * places each that fits what the entry holds then, including the VMs placed just before it.
 *
 * <p>Runs on the partition thread that owns the server's entry, so the checks and the write are
 * atomic with respect to every other change of that server (a group commit is atomic per server,
 * not across servers). On success the new state is written with {@code setValue}, which the
 * synchronous backup receives by re-running this processor against the backup's copy (same input,
 * same deterministic decisions). A VM that is already on the server is reported as
 * {@code ALREADY_HOSTED} and nothing changes, so a retried commit never places twice; a VM of the
 * same id placed by another request, or by this request id with another shape, is {@code
 * OTHER_COPY}: the caller's commit is not on this server, so the caller's lost record never
 * releases the other copy's VM.
 *
 * <p><b>Preemption.</b> A VM may come with victims: VMs on the same server to evict so that it fits.
 * The processor evicts them and places the VM in the same step, or does neither: every victim must
 * still be on the server and of lower priority than the VM (a regular VM evicts low-priority ones
 * only), else the answer is {@code VICTIMS_CHANGED}; and the VM must fit once they are gone, else
 * the usual refusal. The victims leave {@link ServerState#vms()} for {@link
 * ServerState#preempted()} (the eviction log is written from there) and are remembered as
 * released, all at the VM's {@code placedAtMillis}, so the backup's re-run decides the same.
 */
public final class PlaceVmProcessor
    implements EntryProcessor<String, ServerState, CommitResults> {
  private static final long serialVersionUID = 1L;

  private final Map<String, List<HostedVm>> vmsByServer;
  /** VM id to the VMs it evicts; VMs without victims are absent. */
  private final Map<String, List<String>> victims;

  /** A processor placing, on each server named, the VMs listed for it, in order. */
  public PlaceVmProcessor(Map<String, List<HostedVm>> vmsByServer) {
    this(vmsByServer, Map.of());
  }

  /**
   * A processor placing, on each server named, the VMs listed for it, in order, each after evicting
   * the VMs {@code victims} names for its VM id (none if absent).
   */
  public PlaceVmProcessor(Map<String, List<HostedVm>> vmsByServer,
      Map<String, List<String>> victims) {
    Map<String, List<HostedVm>> copy = new LinkedHashMap<>();
    vmsByServer.forEach((server, vms) -> copy.put(server, List.copyOf(vms)));
    this.vmsByServer = copy;
    Map<String, List<String>> byVm = new LinkedHashMap<>();
    victims.forEach((vm, ids) -> {
      if (!ids.isEmpty()) {
        byVm.put(vm, List.copyOf(ids));
      }
    });
    this.victims = byVm;
  }

  /** A processor placing one VM on one server. */
  public static PlaceVmProcessor of(String serverId, HostedVm vm) {
    return new PlaceVmProcessor(Map.of(serverId, List.of(vm)));
  }

  @Override
  public CommitResults process(Map.Entry<String, ServerState> entry) {
    List<HostedVm> vms = vmsByServer.getOrDefault(entry.getKey(), List.of());
    List<CommitResult> results = new ArrayList<>(vms.size());
    ServerState state = entry.getValue();
    ServerState start = state;
    boolean refused = false;
    for (HostedVm vm : vms) {
      List<String> evict = victims.getOrDefault(vm.vmId(), List.of());
      ServerState trial = state;
      CommitResult r = null;
      if (!evict.isEmpty() && state != null && state.find(vm.vmId()) == null) {
        String stale = staleVictims(state, vm, evict);
        if (stale != null) {
          r = new CommitResult(CommitResult.Status.VICTIMS_CHANGED, stale, state.revision());
        } else {
          trial = state.preempting(evict, vm, vm.placedAtMillis());
        }
      }
      if (r == null) {
        r = check(entry.getKey(), trial, vm);
      }
      if (r.status() == CommitResult.Status.PLACED) {
        state = Objects.requireNonNull(trial).with(vm);
        r = new CommitResult(CommitResult.Status.PLACED, "", state.revision());
      } else if (!r.hosted()) {
        refused = true;
      }
      results.add(r);
    }
    @SuppressWarnings("ReferenceEquality") // identity: did any VM change the state?
    boolean changed = state != start;
    if (changed) {
      entry.setValue(state);
    }
    // a refusal means the committing member's mirror is behind: the state lets it catch up at once
    return new CommitResults(results, changed || refused ? state : null);
  }

  /**
   * Why {@code vm} may not evict {@code evict} from {@code state}: a victim is gone, named twice, or
   * not of lower priority; null if it may.
   */
  static @org.jspecify.annotations.Nullable String staleVictims(ServerState state, HostedVm vm,
      List<String> evict) {
    if (vm.lowPriority()) {
      return vm.vmId() + " is low priority: it evicts nothing";
    }
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (String id : evict) {
      HostedVm victim = state.find(id);
      if (victim == null || !seen.add(id)) {
        return "victim " + id + " is not on " + state.serverId() + " any more";
      }
      if (!victim.lowPriority()) {
        return "victim " + id + " is " + victim.priority() + ", not of lower priority than "
            + vm.vmId();
      }
    }
    return null;
  }

  /** Whether {@code vm} may go onto {@code state}: {@code PLACED} if so (state not changed here). */
  static CommitResult check(String serverId, @org.jspecify.annotations.Nullable ServerState state,
      HostedVm vm) {
    if (state == null) {
      return new CommitResult(CommitResult.Status.UNKNOWN_SERVER, "no server " + serverId, 0);
    }
    HostedVm here = state.find(vm.vmId());
    if (here != null) {
      return sameRequest(here, vm)
          ? new CommitResult(CommitResult.Status.ALREADY_HOSTED, "", state.revision())
          : new CommitResult(CommitResult.Status.OTHER_COPY, vm.vmId() + " is here already, placed"
              + " by request " + here.requestId() + " with " + here.cores() + " cores, "
              + here.memoryMb() + " MiB", state.revision());
    }
    if (!state.acceptsPlacements()) {
      return new CommitResult(CommitResult.Status.UNHEALTHY,
          state.serverId() + " is " + state.health() + ": no new VMs", state.revision());
    }
    if (!vm.antiAffinityGroup().isEmpty()) {
      for (HostedVm other : state.vms()) {
        if (other.antiAffinityGroup().equals(vm.antiAffinityGroup())) {
          return new CommitResult(CommitResult.Status.ANTI_AFFINITY, "anti-affinity group "
              + vm.antiAffinityGroup() + " already has " + other.vmId() + " here", state.revision());
        }
      }
    }
    if (!state.fits(vm.cores(), vm.memoryMb())) {
      String detail =
          vm.cores() > state.freeCores()
              ? "cores: need " + vm.cores() + ", free " + state.freeCores()
              : "memoryMb: need " + vm.memoryMb() + ", free " + state.freeMemoryMb();
      return new CommitResult(CommitResult.Status.INSUFFICIENT, detail, state.revision());
    }
    return new CommitResult(CommitResult.Status.PLACED, "", state.revision());
  }

  /**
   * Whether {@code here}, a VM on the server, is {@code vm} committed before (a retry, or another
   * copy of the same request): the same request id and the same shape; only the time differs.
   */
  static boolean sameRequest(HostedVm here, HostedVm vm) {
    return here.requestId().equals(vm.requestId()) && here.tenantId().equals(vm.tenantId())
        && here.cores() == vm.cores() && here.memoryMb() == vm.memoryMb()
        && here.priority().equals(vm.priority())
        && here.availabilitySet().equals(vm.availabilitySet())
        && here.antiAffinityGroup().equals(vm.antiAffinityGroup());
  }

  static final class Serializer implements CompactSerializer<PlaceVmProcessor> {
    @Override
    public PlaceVmProcessor read(CompactReader in) {
      String[] servers = Objects.requireNonNull(in.readArrayOfString("servers"), "servers");
      int[] counts = Objects.requireNonNull(in.readArrayOfInt32("counts"), "counts");
      HostedVm[] vms = Objects.requireNonNull(in.readArrayOfCompact("vms", HostedVm.class), "vms");
      Map<String, List<HostedVm>> byServer = new LinkedHashMap<>();
      int next = 0;
      for (int i = 0; i < servers.length; i++) {
        List<HostedVm> list = new ArrayList<>(counts[i]);
        for (int k = 0; k < counts[i]; k++) {
          list.add(Objects.requireNonNull(vms[next++], "vms: null element"));
        }
        byServer.put(Objects.requireNonNull(servers[i], "servers: null element"), list);
      }
      Map<String, List<String>> victims = new LinkedHashMap<>();
      if (in.getFieldKind("victimCounts") == FieldKind.ARRAY_OF_INT32) { // absent: none (older)
        int[] perVm = Objects.requireNonNull(in.readArrayOfInt32("victimCounts"), "victimCounts");
        String[] ids = Objects.requireNonNull(in.readArrayOfString("victims"), "victims");
        int at = 0;
        for (int v = 0; v < perVm.length && v < vms.length; v++) {
          List<String> list = new ArrayList<>(perVm[v]);
          for (int k = 0; k < perVm[v]; k++) {
            list.add(Objects.requireNonNull(ids[at++], "victims: null element"));
          }
          victims.put(vms[v].vmId(), list);
        }
      }
      return new PlaceVmProcessor(byServer, victims);
    }

    @Override
    public void write(CompactWriter out, PlaceVmProcessor p) {
      String[] servers = new String[p.vmsByServer.size()];
      int[] counts = new int[servers.length];
      List<HostedVm> vms = new ArrayList<>();
      int i = 0;
      for (Map.Entry<String, List<HostedVm>> e : p.vmsByServer.entrySet()) {
        servers[i] = e.getKey();
        counts[i++] = e.getValue().size();
        vms.addAll(e.getValue());
      }
      out.writeArrayOfString("servers", servers);
      out.writeArrayOfInt32("counts", counts);
      out.writeArrayOfCompact("vms", vms.toArray(new HostedVm[0]));
      int[] perVm = new int[vms.size()];
      List<String> ids = new ArrayList<>();
      for (int v = 0; v < perVm.length; v++) {
        List<String> evict = p.victims.getOrDefault(vms.get(v).vmId(), List.of());
        perVm[v] = evict.size();
        ids.addAll(evict);
      }
      out.writeArrayOfInt32("victimCounts", perVm);
      out.writeArrayOfString("victims", ids.toArray(new String[0]));
    }

    @Override
    public String getTypeName() {
      return "vmgrid.PlaceVmProcessor";
    }

    @Override
    public Class<PlaceVmProcessor> getCompactClass() {
      return PlaceVmProcessor.class;
    }
  }
}
