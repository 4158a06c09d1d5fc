package io.vmgrid.client.wire;

import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;

/**
 * One entry of the repair log: a placement that a split-brain merge, a member's death or a lost
 * partition changed, so operators and tenants learn of it instead of losing it silently.
 *
 * @param vmId the VM; empty for an entry about a whole server
 * @param serverId the server concerned
 * @param action {@code EVICTED_OVER_CAPACITY} (the merge removed it to fit capacity),
 *     {@code DUPLICATE_RELEASED} (it was placed on two servers; this copy was released),
 *     {@code PLACEMENT_RESTORED} (the server held it but the placements map had lost it),
 *     {@code PLACEMENT_DROPPED} (its record named a server that no longer holds it: the VM is
 *     lost), {@code SERVER_RESTORED} (a server whose partition was lost, rebuilt from a member's
 *     view; no VM id), {@code VM_RESTORED_FROM_RECORD} (put back on such a server from its record)
 *     or {@code LOST_WITH_PARTITION} (its record survived but it no longer fit on its rebuilt
 *     server: lost)
 * @param tenantId its owner; empty for a server entry
 * @param priority {@code REGULAR} or {@code LOW}; empty for a server entry
 * @param cores cores it held (for a server entry: the cores its VMs hold)
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
