package io.vmgrid.node.placement;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import io.vmgrid.client.wire.HostedVm;
import io.vmgrid.client.wire.ServerState;
import java.util.Map;
import java.util.Objects;

/**
 * Commits one VM onto one server if it fits the server's <em>current</em> state.
 *
 * <p>Runs on the partition thread that owns the server's entry, so the capacity check and the write
 * are atomic with respect to every other change of that server. On success the new state is written
 * with {@code setValue}, which the synchronous backup receives by re-running this processor against
 * the backup's copy (same input, same deterministic decision). A VM that is already on the server is
 * reported as {@code ALREADY_HOSTED} and nothing changes, so a retried commit never places twice.
 */
public final class PlaceVmProcessor implements EntryProcessor<String, ServerState, CommitResult> {
  private static final long serialVersionUID = 1L;

  private final HostedVm vm;

  /** A processor that places {@code vm}. */
  public PlaceVmProcessor(HostedVm vm) {
    this.vm = Objects.requireNonNull(vm, "vm");
  }

  @Override
  public CommitResult process(Map.Entry<String, ServerState> entry) {
    ServerState state = entry.getValue();
    if (state == null) {
      return new CommitResult(CommitResult.Status.UNKNOWN_SERVER, "no server " + entry.getKey(), 0);
    }
    if (state.find(vm.vmId()) != null) {
      return new CommitResult(CommitResult.Status.ALREADY_HOSTED, "", state.revision());
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
    ServerState next = state.with(vm);
    entry.setValue(next);
    return new CommitResult(CommitResult.Status.PLACED, "", next.revision());
  }

  static final class Serializer implements CompactSerializer<PlaceVmProcessor> {
    @Override
    public PlaceVmProcessor read(CompactReader in) {
      return new PlaceVmProcessor(Objects.requireNonNull(in.readCompact("vm"), "vm"));
    }

    @Override
    public void write(CompactWriter out, PlaceVmProcessor p) {
      out.writeCompact("vm", p.vm);
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
