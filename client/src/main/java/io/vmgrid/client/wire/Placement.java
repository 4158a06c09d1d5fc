package io.vmgrid.client.wire;

import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;

/**
 * Where a VM lives, in the {@code placements} map under the VM id. An entry is first written as
 * {@link State#PENDING} (claiming the VM id, so that two requests for one VM cannot both place it),
 * then turned {@link State#PLACED} once the server commit succeeded, or removed if it failed.
 *
 * @param vmId the VM
 * @param requestId the request that placed (or is placing) it
 * @param state pending or placed
 * @param serverId the server holding it; empty while pending
 * @param tenantId its owner
 * @param cores cores it holds
 * @param memoryMb memory it holds, MiB
 * @param owner UUID of the member working on a PENDING claim (empty once placed); a survivor takes
 *     over a claim whose owner has left the cluster
 */
public record Placement(
    String vmId,
    String requestId,
    State state,
    String serverId,
    String tenantId,
    long cores,
    long memoryMb,
    String owner) {

  /** Life cycle of a placement record. */
  public enum State {
    /** The VM id is claimed by {@code requestId}; no server holds it yet. */
    PENDING,
    /** The VM is committed on {@code serverId}. */
    PLACED
  }

  /** The same placement, now committed on {@code server}. */
  public Placement placedOn(String server) {
    return new Placement(vmId, requestId, State.PLACED, server, tenantId, cores, memoryMb, "");
  }

  /** The same claim, now owned by {@code member}. */
  public Placement ownedBy(String member) {
    return new Placement(vmId, requestId, state, serverId, tenantId, cores, memoryMb, member);
  }

  static final class Serializer implements CompactSerializer<Placement> {
    @Override
    public Placement read(CompactReader in) {
      String state = in.readString("state");
      return new Placement(
          GridRequest.nonNull(in.readString("vmId")),
          GridRequest.nonNull(in.readString("requestId")),
          state == null ? State.PENDING : State.valueOf(state),
          GridRequest.nonNull(in.readString("serverId")),
          GridRequest.nonNull(in.readString("tenantId")),
          in.readInt64("cores"),
          in.readInt64("memoryMb"),
          GridRequest.nonNull(in.readString("owner")));
    }

    @Override
    public void write(CompactWriter out, Placement p) {
      out.writeString("vmId", p.vmId());
      out.writeString("requestId", p.requestId());
      out.writeString("state", p.state().name());
      out.writeString("serverId", p.serverId());
      out.writeString("tenantId", p.tenantId());
      out.writeInt64("cores", p.cores());
      out.writeInt64("memoryMb", p.memoryMb());
      out.writeString("owner", p.owner());
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
