package io.vmgrid.node.routing;

import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import io.vmgrid.scheduler.jet.AgentLoad;
import java.util.List;
import java.util.Objects;

/**
 * One member's agents' Kamino indicators as it publishes them on the {@code agent-load} topic: one
 * message (one event to each member) per publication, whatever the number of agents.
 *
 * @param member UUID of the publishing member
 * @param publishedAtNanos when it was published (epoch nanoseconds)
 * @param agents each local agent's indicators
 */
public record MemberLoad(String member, long publishedAtNanos, List<AgentLoad> agents) {
  /** Copies the list. */
  public MemberLoad {
    agents = List.copyOf(agents);
  }

  static final class Serializer implements CompactSerializer<MemberLoad> {
    @Override
    public MemberLoad read(CompactReader in) {
      AgentLoad[] agents = in.readArrayOfCompact("agents", AgentLoad.class);
      return new MemberLoad(Objects.requireNonNullElse(in.readString("member"), ""),
          in.readInt64("publishedAtNanos"), agents == null ? List.of() : List.of(agents));
    }

    @Override
    public void write(CompactWriter out, MemberLoad m) {
      out.writeString("member", m.member());
      out.writeInt64("publishedAtNanos", m.publishedAtNanos());
      out.writeArrayOfCompact("agents", m.agents().toArray(new AgentLoad[0]));
    }

    @Override
    public String getTypeName() {
      return "vmgrid.MemberLoad";
    }

    @Override
    public Class<MemberLoad> getCompactClass() {
      return MemberLoad.class;
    }
  }
}
