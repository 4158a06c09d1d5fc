package io.vmgrid.node.inventory;

import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import io.vmgrid.client.wire.ServerState;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Server states a member's commits wrote, sent by that member to every other member's view on the
 * {@value #TOPIC} topic (one message per group commit) instead of as the {@code servers} map's
 * update events.
 *
 * @param states the new states, one per server
 */
public record Announcement(List<ServerState> states) {
  /** The topic the announcements travel on. */
  public static final String TOPIC = "server-states";

  /** Copies the list. */
  public Announcement {
    states = List.copyOf(states);
  }

  static final class Serializer implements CompactSerializer<Announcement> {
    @Override
    public Announcement read(CompactReader in) {
      ServerState[] states = Objects.requireNonNull(
          in.readArrayOfCompact("states", ServerState.class), "states");
      return new Announcement(Arrays.asList(states));
    }

    @Override
    public void write(CompactWriter out, Announcement a) {
      out.writeArrayOfCompact("states", a.states().toArray(new ServerState[0]));
    }

    @Override
    public String getTypeName() {
      return "vmgrid.ServerAnnouncement";
    }

    @Override
    public Class<Announcement> getCompactClass() {
      return Announcement.class;
    }
  }
}
