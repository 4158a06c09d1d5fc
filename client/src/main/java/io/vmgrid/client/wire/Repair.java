package io.vmgrid.client.wire;

import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;

/**
 * One entry of the repair log: a placement that a split-brain merge changed, so operators and
 * tenants learn of it instead of losing it silently.
 *
 * @param vmId the VM
 * @param serverId the server concerned
 * @param action {@code EVICTED_OVER_CAPACITY} (the merge removed it to fit capacity),
 *     {@code DUPLICATE_RELEASED} (it was placed on two servers; this copy was released) or
 *     {@code PLACEMENT_RESTORED} (the server held it but the placements map had lost it)
 * @param tenantId its owner
 * @param priority {@code REGULAR} or {@code LOW}
 * @param cores cores it held
 * @param atMillis when the repair was made (member wall clock)
 */
public record Repair(String vmId, String serverId, String action, String tenantId, String priority,
    long cores, long atMillis) {

  static final class Serializer implements CompactSerializer<Repair> {
    @Override
    public Repair read(CompactReader in) {
      return new Repair(GridRequest.nonNull(in.readString("vmId")),
          GridRequest.nonNull(in.readString("serverId")), GridRequest.nonNull(in.readString("action")),
          GridRequest.nonNull(in.readString("tenantId")), GridRequest.nonNull(in.readString("priority")),
          in.readInt64("cores"), in.readInt64("atMillis"));
    }

    @Override
    public void write(CompactWriter out, Repair r) {
      out.writeString("vmId", r.vmId());
      out.writeString("serverId", r.serverId());
      out.writeString("action", r.action());
      out.writeString("tenantId", r.tenantId());
      out.writeString("priority", r.priority());
      out.writeInt64("cores", r.cores());
      out.writeInt64("atMillis", r.atMillis());
    }

    @Override
    public String getTypeName() {
      return "vmgrid.Repair";
    }

    @Override
    public Class<Repair> getCompactClass() {
      return Repair.class;
    }
  }
}
