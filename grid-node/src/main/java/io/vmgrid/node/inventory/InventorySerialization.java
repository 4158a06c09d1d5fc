package io.vmgrid.node.inventory;

import com.hazelcast.config.SerializationConfig;
import io.vmgrid.client.wire.ServerState;
import java.util.List;

/** Registers the member-internal Compact serializers of the views' messages. */
public final class InventorySerialization {
  private InventorySerialization() {}

  /** Adds this package's serializers to {@code config} and returns it. */
  public static SerializationConfig register(SerializationConfig config) {
    config.getCompactSerializationConfig().addSerializer(new Announcement.Serializer());
    return config;
  }

  /** One instance of each of this package's Compact types (see {@code CompactSchemas}). */
  public static List<Object> schemaSamples() {
    return List.of(new Announcement(List.of(ServerState.empty("s", "c", 1, 1))));
  }
}
