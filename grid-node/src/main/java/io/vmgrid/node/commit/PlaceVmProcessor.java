package io.vmgrid.node.commit;

import com.hazelcast.map.EntryProcessor;
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
 */
public final class PlaceVmProcessor
    implements EntryProcessor<String, ServerState, CommitResults> {
  private static final long serialVersionUID = 1L;

  private final Map<String, List<HostedVm>> vmsByServer;

  /** A processor placing, on each server named, the VMs listed for it, in order. */
  public PlaceVmProcessor(Map<String, List<HostedVm>> vmsByServer) {
    Map<String, List<HostedVm>> copy = new LinkedHashMap<>();
    vmsByServer.forEach((server, vms) -> copy.put(server, List.copyOf(vms)));
    this.vmsByServer = copy;
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
    for (HostedVm vm : vms) {
      CommitResult r = check(entry.getKey(), state, vm);
      if (r.status() == CommitResult.Status.PLACED) {
        state = Objects.requireNonNull(state).with(vm);
        r = new CommitResult(CommitResult.Status.PLACED, "", state.revision());
      }
      results.add(r);
    }
    @SuppressWarnings("ReferenceEquality") // identity: did any VM change the state?
    boolean changed = state != start;
    if (changed) {
      entry.setValue(state);
    }
    return new CommitResults(results, changed ? state : null);
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
      return new PlaceVmProcessor(byServer);
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
