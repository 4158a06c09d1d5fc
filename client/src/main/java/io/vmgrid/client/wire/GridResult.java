package io.vmgrid.client.wire;

import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;

/**
 * The grid's answer to one {@link GridRequest}, written to the {@code results} map under the request
 * id. Clients listen for results carrying their own {@code clientId}.
 *
 * @param requestId the request answered
 * @param clientId the client that sent it
 * @param vmId the VM concerned
 * @param status what happened
 * @param reason machine-readable cause for REJECTED and FAILED (e.g. {@code NO_CAPACITY}); empty otherwise
 * @param message human-readable detail, naming the field for invalid input; empty when placed
 * @param serverId the server the VM is (or was) on; empty when none
 * @param attempts commit attempts made (conflicts + 1 when placed)
 * @param processingMicros time the grid spent on the request
 * @param clusterId the cluster of {@code serverId} when placed; empty otherwise
 * @param agentId the allocation agent that handled an allocation; empty otherwise
 */
public record GridResult(
    String requestId,
    String clientId,
    String vmId,
    Status status,
    String reason,
    String message,
    String serverId,
    int attempts,
    long processingMicros,
    String clusterId,
    String agentId) {

  /** A result without cluster or agent (anything but a placement). */
  public GridResult(String requestId, String clientId, String vmId, Status status, String reason,
      String message, String serverId, int attempts, long processingMicros) {
    this(requestId, clientId, vmId, status, reason, message, serverId, attempts, processingMicros,
        "", "");
  }

  /** Outcome classes. */
  public enum Status {
    /** The VM was committed to {@code serverId}. */
    PLACED,
    /** The VM was removed from {@code serverId}. */
    RELEASED,
    /** The request was valid but cannot be satisfied (no capacity, unknown VM, id in use). */
    REJECTED,
    /** The request was not carried out (invalid input, in progress elsewhere, internal error). */
    FAILED,
    /** A query (explain, capacity) was answered; the answer is JSON in {@code message}. */
    ANSWERED
  }

  static final class Serializer implements CompactSerializer<GridResult> {
    @Override
    public GridResult read(CompactReader in) {
      String status = in.readString("status");
      return new GridResult(
          GridRequest.nonNull(in.readString("requestId")),
          GridRequest.nonNull(in.readString("clientId")),
          GridRequest.nonNull(in.readString("vmId")),
          status == null ? Status.FAILED : Status.valueOf(status),
          GridRequest.nonNull(in.readString("reason")),
          GridRequest.nonNull(in.readString("message")),
          GridRequest.nonNull(in.readString("serverId")),
          in.readInt32("attempts"),
          in.readInt64("processingMicros"),
          GridRequest.nonNull(in.readString("clusterId")),
          GridRequest.nonNull(in.readString("agentId")));
    }

    @Override
    public void write(CompactWriter out, GridResult r) {
      out.writeString("requestId", r.requestId());
      out.writeString("clientId", r.clientId());
      out.writeString("vmId", r.vmId());
      out.writeString("status", r.status().name());
      out.writeString("reason", r.reason());
      out.writeString("message", r.message());
      out.writeString("serverId", r.serverId());
      out.writeInt32("attempts", r.attempts());
      out.writeInt64("processingMicros", r.processingMicros());
      out.writeString("clusterId", r.clusterId());
      out.writeString("agentId", r.agentId());
    }

    @Override
    public String getTypeName() {
      return "vmgrid.GridResult";
    }

    @Override
    public Class<GridResult> getCompactClass() {
      return GridResult.class;
    }
  }
}
