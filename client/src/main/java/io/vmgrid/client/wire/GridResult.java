package io.vmgrid.client.wire;

import com.hazelcast.nio.serialization.FieldKind;
import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import io.vmgrid.client.api.Reason;
import io.vmgrid.client.wire.query.QueryAnswer;
import org.jspecify.annotations.Nullable;

/**
 * A member's answer to one {@link GridRequest}, returned by the {@link GridTask} that carried it.
 *
 * @param requestId the request answered
 * @param vmId the VM concerned
 * @param status what happened
 * @param reason why, for REJECTED and FAILED; {@link Reason#NONE} otherwise
 * @param message human-readable detail, naming the field for invalid input; when ANSWERED, a line
 *     naming the answer's type (not JSON, so that a client from before typed answers, which parsed
 *     the answer from here, fails instead of reading zeros); empty when placed
 * @param serverId the server the VM is (or was) on; empty when none
 * @param attempts commit attempts made (conflicts + 1 when placed)
 * @param processingMicros time the grid spent on the request
 * @param clusterId the cluster of {@code serverId} when placed; empty otherwise
 * @param agentId the allocation agent that handled an allocation; empty otherwise
 * @param memberId UUID of the member whose agent handled an allocation (where requests like it are
 *     best sent); empty otherwise
 * @param answer a query's answer when ANSWERED; null otherwise, and when the writer is a member from
 *     before typed answers (whose answer was JSON in {@code message}) or the answer is of a type
 *     this version does not know
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
    String memberId,
    @Nullable QueryAnswer answer) {

  /** A result without a query answer. */
  public GridResult(String requestId, String vmId, Status status, Reason reason, String message,
      String serverId, int attempts, long processingMicros, String clusterId, String agentId,
      String memberId) {
    this(requestId, vmId, status, reason, message, serverId, attempts, processingMicros, clusterId,
        agentId, memberId, null);
  }

  /** A result without cluster, agent or member (anything but a placement). */
  public GridResult(String requestId, String vmId, Status status, Reason reason, String message,
      String serverId, int attempts, long processingMicros) {
    this(requestId, vmId, status, reason, message, serverId, attempts, processingMicros, "", "", "");
  }

  /** This result with status ANSWERED and {@code answer}, its message naming the answer's type. */
  public GridResult withAnswer(QueryAnswer answer) {
    return new GridResult(requestId, vmId, Status.ANSWERED, reason,
        "typed answer " + answer.getClass().getSimpleName(), serverId, attempts, processingMicros,
        clusterId, agentId, memberId, answer);
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
    /** A query (explain, capacity) was answered; the answer is {@code answer}. */
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
          GridRequest.nonNull(in.readString("memberId")),
          answer(in));
    }

    /** The answer, if the writer sent one of a type this version knows. */
    private static @Nullable QueryAnswer answer(CompactReader in) {
      if (in.getFieldKind("answer") != FieldKind.COMPACT) {
        return null; // written before answers were typed
      }
      // an answer type this version does not know reads as a GenericRecord (or not at all)
      Object answer = in.readCompact("answer");
      return answer instanceof QueryAnswer a ? a : null;
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
      out.writeCompact("answer", r.answer());
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
