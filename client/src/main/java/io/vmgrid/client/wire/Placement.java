package io.vmgrid.client.wire;

import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;

/**
 * Where a VM lives, in the {@code placements} map under the VM id: the record that makes a VM id
 * placed at most once. An agent writes it right after its commit to the server succeeded, and only
 * if no record exists: the first record wins, and an agent whose commit lost (another request for
 * the same VM id, or a second copy of the same request) releases its commit again.
 *
 * @param vmId the VM
 * @param requestId the request that placed it
 * @param serverId the server holding it
 * @param tenantId its owner
 * @param cores cores it holds
 * @param memoryMb memory it holds, MiB
 */
public record Placement(
    String vmId,
    String requestId,
    String serverId,
    String tenantId,
    long cores,
    long memoryMb) {

  /** The same placement, now on {@code server}. */
  public Placement placedOn(String server) {
    return new Placement(vmId, requestId, server, tenantId, cores, memoryMb);
  }

  /** The record of {@code vm} on {@code server}. */
  public static Placement of(HostedVm vm, String server) {
    return new Placement(vm.vmId(), vm.requestId(), server, vm.tenantId(), vm.cores(),
        vm.memoryMb());
  }

  static final class Serializer implements CompactSerializer<Placement> {
    @Override
    public Placement read(CompactReader in) {
      return new Placement(
          GridRequest.nonNull(in.readString("vmId")),
          GridRequest.nonNull(in.readString("requestId")),
          GridRequest.nonNull(in.readString("serverId")),
          GridRequest.nonNull(in.readString("tenantId")),
          in.readInt64("cores"),
          in.readInt64("memoryMb"));
    }

    @Override
    public void write(CompactWriter out, Placement p) {
      out.writeString("vmId", p.vmId());
      out.writeString("requestId", p.requestId());
      out.writeString("serverId", p.serverId());
      out.writeString("tenantId", p.tenantId());
      out.writeInt64("cores", p.cores());
      out.writeInt64("memoryMb", p.memoryMb());
    }

    @Override
    public String getTypeName() {
      return "vmgrid.Placement";
    }

    @Override
    public Class<Placement> getCompactClass() {
      return Placement.class;
    }
  }
}
