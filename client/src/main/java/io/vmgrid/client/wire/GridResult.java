package io.vmgrid.client.wire;

import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import io.vmgrid.client.api.Reason;
import org.jspecify.annotations.Nullable;

/**
 * A member's answer to one {@link GridRequest}, returned by the {@link GridTask} that carried it.
 *
 * @param requestId the request answered
 * @param vmId the VM concerned
 * @param status what happened
 * @param reason why, for REJECTED and FAILED; {@link Reason#NONE} otherwise
 * @param message human-readable detail, naming the field for invalid input; a query's answer (JSON)
 *     when ANSWERED; empty when placed
 * @param serverId the server the VM is (or was) on; empty when none
 * @param attempts commit attempts made (conflicts + 1 when placed)
 * @param processingMicros time the grid spent on the request
 * @param clusterId the cluster of {@code serverId} when placed; empty otherwise
 * @param agentId the allocation agent that handled an allocation; empty otherwise
 * @param memberId UUID of the member whose agent handled an allocation (where requests like it are
 *     best sent); empty otherwise
 */
public record GridResult(
    String requestId,
    String vmId,
    Status status,
    Reason reason,
    String message,
    String serverId,
    int attempts,
    long processingMicros,
    String clusterId,
    String agentId,
    String memberId) {

  /** A result without cluster, agent or member (anything but a placement). */
  public GridResult(String requestId, String vmId, Status status, Reason reason, String message,
      String serverId, int attempts, long processingMicros) {
    this(requestId, vmId, status, reason, message, serverId, attempts, processingMicros, "", "", "");
  }

  /** A FAILED or REJECTED answer to {@code r} that did nothing. */
  public static GridResult refused(GridRequest r, Status status, Reason reason, String message) {
    return new GridResult(r.requestId(), r.vmId(), status, reason, message, "", 0, 0);
  }

  /** Outcome classes. */
  public enum Status {
    /** The VM was committed to {@code serverId}. */
    PLACED,
    /** The VM was removed from {@code serverId}. */
    RELEASED,
    /** The request was valid but cannot be satisfied (no capacity, unknown VM, id in use). */
    REJECTED,
    /** The request was not carried out (invalid input, no quorum, unavailable, internal error). */
    FAILED,
    /** A query (explain, capacity) was answered; the answer is JSON in {@code message}. */
    ANSWERED
  }

  static final class Serializer implements CompactSerializer<GridResult> {
    @Override
    public GridResult read(CompactReader in) {
      String statusName = in.readString("status");
      Status status = status(statusName);
      // a status this version does not know (a newer member's) may mean the request was carried
      // out: read as FAILED and in doubt, never as a plain failure the client would retry
      boolean known = statusName == null || status.name().equals(statusName);
      return new GridResult(
          GridRequest.nonNull(in.readString("requestId")),
          GridRequest.nonNull(in.readString("vmId")),
          status,
          known ? Reason.parse(in.readString("reason")) : Reason.IN_DOUBT,
          known ? GridRequest.nonNull(in.readString("message"))
              : "answered with status '" + statusName + "', which this version does not know;"
                  + " the request may have been carried out",
          GridRequest.nonNull(in.readString("serverId")),
          in.readInt32("attempts"),
          in.readInt64("processingMicros"),
          GridRequest.nonNull(in.readString("clusterId")),
          GridRequest.nonNull(in.readString("agentId")),
          GridRequest.nonNull(in.readString("memberId")));
    }

    private static Status status(@Nullable String name) {
      if (name != null) {
        for (Status s : Status.values()) {
          if (s.name().equals(name)) {
            return s;
          }
        }
      }
      return Status.FAILED;
    }

    @Override
    public void write(CompactWriter out, GridResult r) {
      out.writeString("requestId", r.requestId());
      out.writeString("vmId", r.vmId());
      out.writeString("status", r.status().name());
      out.writeString("reason", r.reason().name());
      out.writeString("message", r.message());
      out.writeString("serverId", r.serverId());
      out.writeInt32("attempts", r.attempts());
      out.writeInt64("processingMicros", r.processingMicros());
      out.writeString("clusterId", r.clusterId());
      out.writeString("agentId", r.agentId());
      out.writeString("memberId", r.memberId());
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
