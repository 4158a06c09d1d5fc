package io.vmgrid.node.agent;

import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import java.util.Objects;

/**
 * An active agent's registration in the {@code agent-indicators} map: which member runs it. Written
 * when the agent starts on a member and removed (only if still this value) when it stops there.
 *
 * @param agentId the agent
 * @param memberUuid the member running it
 * @param startedAtMillis when it started there
 */
public record AgentInfo(String agentId, String memberUuid, long startedAtMillis) {

  /** Compact serializer (member-internal). */
  static final class Serializer implements CompactSerializer<AgentInfo> {
    @Override
    public AgentInfo read(CompactReader in) {
      return new AgentInfo(
          Objects.requireNonNullElse(in.readString("agentId"), ""),
          Objects.requireNonNullElse(in.readString("memberUuid"), ""),
          in.readInt64("startedAtMillis"));
    }

    @Override
    public void write(CompactWriter out, AgentInfo a) {
      out.writeString("agentId", a.agentId());
      out.writeString("memberUuid", a.memberUuid());
      out.writeInt64("startedAtMillis", a.startedAtMillis());
    }

    @Override
    public String getTypeName() {
      return "vmgrid.AgentInfo";
    }

    @Override
    public Class<AgentInfo> getCompactClass() {
      return AgentInfo.class;
    }
  }
}
