package io.vmgrid.node.placement;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import io.vmgrid.client.wire.Placement;
import java.util.Map;
import java.util.Objects;

/**
 * The linearization point of an allocation: after an agent committed the VM to a server, it records
 * that server in the VM's {@code placements} entry, atomically. The first agent to confirm wins;
 * any other agent that placed a copy of the same request elsewhere (possible only when members die
 * and a request is adopted while its first agent still works) learns the winner and releases its
 * own copy, so a VM ends up on exactly one server.
 *
 * <p>Returns {@code "OK:<server>"} with the server the VM is recorded on (this agent's or an earlier
 * winner's), or {@code "GONE"} when the request's claim no longer exists (its owner gave up): the
 * caller must then release its commit.
 */
public final class ConfirmPlacementProcessor
    implements EntryProcessor<String, Placement, String> {
  private static final long serialVersionUID = 1L;
  /** Prefix of a successful answer. */
  public static final String OK = "OK:";
  /** Answer when there is no claim of this request to confirm. */
  public static final String GONE = "GONE";

  private final String requestId;
  private final String serverId;

  /** Confirms {@code requestId}'s VM on {@code serverId}. */
  public ConfirmPlacementProcessor(String requestId, String serverId) {
    this.requestId = Objects.requireNonNull(requestId, "requestId");
    this.serverId = Objects.requireNonNull(serverId, "serverId");
  }

  @Override
  public String process(Map.Entry<String, Placement> entry) {
    Placement p = entry.getValue();
    if (p == null || !p.requestId().equals(requestId)) {
      return GONE;
    }
    if (p.state() == Placement.State.PLACED) {
      return OK + p.serverId();
    }
    entry.setValue(p.placedOn(serverId));
    return OK + serverId;
  }

  /** Compact serializer (member-internal). */
  static final class Serializer implements CompactSerializer<ConfirmPlacementProcessor> {
    @Override
    public ConfirmPlacementProcessor read(CompactReader in) {
      return new ConfirmPlacementProcessor(
          Objects.requireNonNull(in.readString("requestId"), "requestId"),
          Objects.requireNonNull(in.readString("serverId"), "serverId"));
    }

    @Override
    public void write(CompactWriter out, ConfirmPlacementProcessor p) {
      out.writeString("requestId", p.requestId);
      out.writeString("serverId", p.serverId);
    }

    @Override
    public String getTypeName() {
      return "vmgrid.ConfirmPlacementProcessor";
    }

    @Override
    public Class<ConfirmPlacementProcessor> getCompactClass() {
      return ConfirmPlacementProcessor.class;
    }
  }
}
