package io.vmgrid.node.agent;

import com.hazelcast.config.SerializationConfig;
import java.util.List;

/** Registers the agents' member-internal Compact serializers. */
public final class AgentSerialization {
  private AgentSerialization() {}

  /** Adds this package's serializers to {@code config} and returns it. */
  public static SerializationConfig register(SerializationConfig config) {
    config.getCompactSerializationConfig().addSerializer(new AgentInfo.Serializer())
        .addSerializer(new CacheRecords.RemoveRecords.Serializer());
    return config;
  }

  /** One instance of each of this package's Compact types (see {@code CompactSchemas}). */
  public static List<Object> schemaSamples() {
    return List.of(new AgentInfo("a", "m", 0), new CacheRecords.RemoveRecords());
  }
}
