package io.vmgrid.node.scheduling;

import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import io.vmgrid.client.wire.GridRequest;
import io.vmgrid.node.agent.RoutingHints;
import java.util.Objects;

/**
 * A request on its way from the routing stage to its agent's member: the chosen agent, the
 * router's hints (keys and stored estimate) and when it entered the job.
 *
 * @param request the client's request
 * @param agentId the chosen agent (the partitioned edge's key)
 * @param typeKey fingerprint of the request type
 * @param ruleIds catalogue indices of its rules (for the estimator on the agent's member)
 * @param ruleKeys fingerprints of its rule keys
 * @param estimateNanos the estimate stored with it
 * @param receivedAtNanos epoch nanoseconds when the routing stage received it
 */
@SuppressWarnings("ArrayRecordComponent") // never modified after routing
public record RoutedRequest(GridRequest request, String agentId, long typeKey, int[] ruleIds,
    long[] ruleKeys,
    long estimateNanos, long receivedAtNanos) {

  /** The hints the agent keeps in its indicators. */
  public RoutingHints hints() {
    return new RoutingHints(typeKey, ruleKeys, estimateNanos);
  }

  /** Compact serializer (member-internal: it crosses the job's partitioned edge). */
  static final class Serializer implements CompactSerializer<RoutedRequest> {
    @Override
    public RoutedRequest read(CompactReader in) {
      long[] rules = in.readArrayOfInt64("ruleKeys");
      int[] ids = in.readArrayOfInt32("ruleIds");
      return new RoutedRequest(Objects.requireNonNull(in.readCompact("request"), "request"),
          Objects.requireNonNullElse(in.readString("agentId"), ""), in.readInt64("typeKey"),
          ids == null ? new int[0] : ids, rules == null ? new long[0] : rules, in.readInt64("estimate"), in.readInt64("receivedAt"));
    }

    @Override
    public void write(CompactWriter out, RoutedRequest r) {
      out.writeCompact("request", r.request());
      out.writeString("agentId", r.agentId());
      out.writeInt64("typeKey", r.typeKey());
      out.writeArrayOfInt32("ruleIds", r.ruleIds());
      out.writeArrayOfInt64("ruleKeys", r.ruleKeys());
      out.writeInt64("estimate", r.estimateNanos());
      out.writeInt64("receivedAt", r.receivedAtNanos());
    }

    @Override
    public String getTypeName() {
      return "vmgrid.RoutedRequest";
    }

    @Override
    public Class<RoutedRequest> getCompactClass() {
      return RoutedRequest.class;
    }
  }
}
