package io.vmgrid.client.wire;

import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;

/**
 * A VM as recorded inside its server's {@link ServerState}.
 *
 * @param vmId the VM
 * @param tenantId its owner
 * @param cores cores it holds
 * @param memoryMb memory it holds, MiB
 * @param requestId the request that placed it
 */
public record HostedVm(String vmId, String tenantId, long cores, long memoryMb, String requestId) {

  static final class Serializer implements CompactSerializer<HostedVm> {
    @Override
    public HostedVm read(CompactReader in) {
      return new HostedVm(
          GridRequest.nonNull(in.readString("vmId")),
          GridRequest.nonNull(in.readString("tenantId")),
          in.readInt64("cores"),
          in.readInt64("memoryMb"),
          GridRequest.nonNull(in.readString("requestId")));
    }

    @Override
    public void write(CompactWriter out, HostedVm vm) {
      out.writeString("vmId", vm.vmId());
      out.writeString("tenantId", vm.tenantId());
      out.writeInt64("cores", vm.cores());
      out.writeInt64("memoryMb", vm.memoryMb());
      out.writeString("requestId", vm.requestId());
    }

    @Override
    public String getTypeName() {
      return "vmgrid.HostedVm";
    }

    @Override
    public Class<HostedVm> getCompactClass() {
      return HostedVm.class;
    }
  }
}
