package io.vmgrid.node.agent;

import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import java.util.Objects;

/**
 * What an agent did with one allocation request.
 *
 * @param status PLACED, REJECTED (no server qualifies) or FAILED (gave up after conflicts)
 * @param serverId the server it was committed to, or empty (on FAILED: where a commit may remain that could be neither confirmed nor undone)
 * @param reason machine-readable reason when not placed (e.g. {@code NO_CAPACITY}, {@code CONFLICTS})
 * @param message human-readable detail
 * @param agentId the agent that handled it
 * @param attempts commits tried
 * @param conflicts commits refused by the server's current state
 * @param lookup how the agent's cache answered the first lookup ({@code TOP_HIT}, {@code
 *     PARTIAL_HIT}, {@code MISS})
 * @param queueNanos time waiting in the agent's queue
 * @param evaluateNanos time evaluating rules (cache lookups included)
 * @param commitNanos time in commit entry processors
 */
public record AgentOutcome(
    Status status,
    String serverId,
    String reason,
    String message,
    String agentId,
    int attempts,
    int conflicts,
    String lookup,
    long queueNanos,
    long evaluateNanos,
    long commitNanos) {

  /** Outcome kinds. */
  public enum Status {
    /** Committed to {@code serverId}. */
    PLACED,
    /** No server satisfies the rules now. */
    REJECTED,
    /** Could not complete (conflicts exhausted the attempts, or an internal error). */
    FAILED
  }

  /** Compact serializer (member-internal). */
  static final class Serializer implements CompactSerializer<AgentOutcome> {
    @Override
    public AgentOutcome read(CompactReader in) {
      return new AgentOutcome(
          Status.valueOf(Objects.requireNonNullElse(in.readString("status"), "FAILED")),
          Objects.requireNonNullElse(in.readString("serverId"), ""),
          Objects.requireNonNullElse(in.readString("reason"), ""),
          Objects.requireNonNullElse(in.readString("message"), ""),
          Objects.requireNonNullElse(in.readString("agentId"), ""),
          in.readInt32("attempts"),
          in.readInt32("conflicts"),
          Objects.requireNonNullElse(in.readString("lookup"), ""),
          in.readInt64("queueNanos"),
          in.readInt64("evaluateNanos"),
          in.readInt64("commitNanos"));
    }

    @Override
    public void write(CompactWriter out, AgentOutcome o) {
      out.writeString("status", o.status().name());
      out.writeString("serverId", o.serverId());
      out.writeString("reason", o.reason());
      out.writeString("message", o.message());
      out.writeString("agentId", o.agentId());
      out.writeInt32("attempts", o.attempts());
      out.writeInt32("conflicts", o.conflicts());
      out.writeString("lookup", o.lookup());
      out.writeInt64("queueNanos", o.queueNanos());
      out.writeInt64("evaluateNanos", o.evaluateNanos());
      out.writeInt64("commitNanos", o.commitNanos());
    }

    @Override
    public String getTypeName() {
      return "vmgrid.AgentOutcome";
    }

    @Override
    public Class<AgentOutcome> getCompactClass() {
      return AgentOutcome.class;
    }
  }
}
