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
 * @param priority {@code REGULAR} or {@code LOW}
 * @param placedAtMillis wall clock of the member that committed it (orders evictions after a merge)
 * @param availabilitySet its availability set (spread over fault and update domains), or empty
 * @param antiAffinityGroup its anti-affinity group (never two on one server), or empty
 */
public record HostedVm(String vmId, String tenantId, long cores, long memoryMb, String requestId,
    String priority, long placedAtMillis, String availabilitySet, String antiAffinityGroup) {

  /** A VM without an availability set or anti-affinity group. */
  public HostedVm(String vmId, String tenantId, long cores, long memoryMb, String requestId,
      String priority, long placedAtMillis) {
    this(vmId, tenantId, cores, memoryMb, requestId, priority, placedAtMillis, "", "");
  }

  /** Whether this VM is low priority (evicted first when a merge over-commits its server). */
  public boolean lowPriority() {
    return "LOW".equals(priority);
  }

  static final class Serializer implements CompactSerializer<HostedVm> {
    @Override
    public HostedVm read(CompactReader in) {
      return new HostedVm(
          GridRequest.nonNull(in.readString("vmId")),
          GridRequest.nonNull(in.readString("tenantId")),
          in.readInt64("cores"),
          in.readInt64("memoryMb"),
          GridRequest.nonNull(in.readString("requestId")),
          GridRequest.nonNull(in.readString("priority")),
          in.readInt64("placedAtMillis"),
          GridRequest.nonNull(in.readString("availabilitySet")),
          GridRequest.nonNull(in.readString("antiAffinityGroup")));
    }

    @Override
    public void write(CompactWriter out, HostedVm vm) {
      out.writeString("vmId", vm.vmId());
      out.writeString("tenantId", vm.tenantId());
      out.writeInt64("cores", vm.cores());
      out.writeInt64("memoryMb", vm.memoryMb());
      out.writeString("requestId", vm.requestId());
      out.writeString("priority", vm.priority());
      out.writeInt64("placedAtMillis", vm.placedAtMillis());
      out.writeString("availabilitySet", vm.availabilitySet());
      out.writeString("antiAffinityGroup", vm.antiAffinityGroup());
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
