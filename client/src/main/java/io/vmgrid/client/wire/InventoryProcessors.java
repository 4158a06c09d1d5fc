package io.vmgrid.client.wire;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import java.util.Map;
import java.util.Objects;

/**
 * Operator changes to one server's entry, each atomic on the partition thread that owns the entry
 * (like the placement commits) and re-run deterministically on the backup. They return a short
 * status word; the caller turns it into an exception or a result.
 */
public final class InventoryProcessors {
  /** Returned when the server does not exist. */
  public static final String UNKNOWN = "UNKNOWN";

  private InventoryProcessors() {}

  /** Sets a server's health; returns the previous health's name, or {@link #UNKNOWN}. */
  public static final class SetHealth implements EntryProcessor<String, ServerState, String> {
    private static final long serialVersionUID = 1L;
    private final ServerHealth health;

    /** A processor that sets {@code health}. */
    public SetHealth(ServerHealth health) {
      this.health = Objects.requireNonNull(health, "health");
    }

    @Override
    public String process(Map.Entry<String, ServerState> entry) {
      ServerState state = entry.getValue();
      if (state == null) {
        return UNKNOWN;
      }
      if (state.health() != health) {
        entry.setValue(state.withHealth(health));
      }
      return state.health().name();
    }

    static final class Serializer implements CompactSerializer<SetHealth> {
      @Override
      public SetHealth read(CompactReader in) {
        return new SetHealth(
            ServerHealth.parse("health", Objects.requireNonNull(in.readString("health"), "health")));
      }

      @Override
      public void write(CompactWriter out, SetHealth p) {
        out.writeString("health", p.health.name());
      }

      @Override
      public String getTypeName() {
        return "vmgrid.SetHealth";
      }

      @Override
      public Class<SetHealth> getCompactClass() {
        return SetHealth.class;
      }
    }
  }

  /**
   * Adds a server if its id is free; returns {@code ADDED} or {@code EXISTS} (the existing entry and
   * its VMs are left untouched).
   */
  public static final class AddServer implements EntryProcessor<String, ServerState, String> {
    private static final long serialVersionUID = 1L;
    private final ServerState server;

    /** A processor that adds {@code server}. */
    public AddServer(ServerState server) {
      this.server = Objects.requireNonNull(server, "server");
    }

    @Override
    public String process(Map.Entry<String, ServerState> entry) {
      if (entry.getValue() != null) {
        return "EXISTS";
      }
      entry.setValue(server);
      return "ADDED";
    }

    static final class Serializer implements CompactSerializer<AddServer> {
      @Override
      public AddServer read(CompactReader in) {
        return new AddServer(Objects.requireNonNull(in.readCompact("server"), "server"));
      }

      @Override
      public void write(CompactWriter out, AddServer p) {
        out.writeCompact("server", p.server);
      }

      @Override
      public String getTypeName() {
        return "vmgrid.AddServer";
      }

      @Override
      public Class<AddServer> getCompactClass() {
        return AddServer.class;
      }
    }
  }

  /**
   * Removes a server that hosts no VM; returns {@code REMOVED}, {@link #UNKNOWN}, or {@code HOSTS n}
   * when it still hosts n VMs (nothing is removed then: release or move them first).
   */
  public static final class RemoveServer implements EntryProcessor<String, ServerState, String> {
    private static final long serialVersionUID = 1L;

    @Override
    @SuppressWarnings("NullAway") // setValue(null) is Hazelcast's documented way to delete the entry
    public String process(Map.Entry<String, ServerState> entry) {
      ServerState state = entry.getValue();
      if (state == null) {
        return UNKNOWN;
      }
      if (!state.vms().isEmpty()) {
        return "HOSTS " + state.vms().size();
      }
      entry.setValue(null);
      return "REMOVED";
    }

    static final class Serializer implements CompactSerializer<RemoveServer> {
      @Override
      public RemoveServer read(CompactReader in) {
        return new RemoveServer();
      }

      @Override
      public void write(CompactWriter out, RemoveServer p) {}

      @Override
      public String getTypeName() {
        return "vmgrid.RemoveServer";
      }

      @Override
      public Class<RemoveServer> getCompactClass() {
        return RemoveServer.class;
      }
    }
  }

  static void register(com.hazelcast.config.CompactSerializationConfig compact) {
    compact.addSerializer(new SetHealth.Serializer());
    compact.addSerializer(new AddServer.Serializer());
    compact.addSerializer(new RemoveServer.Serializer());
  }
}
