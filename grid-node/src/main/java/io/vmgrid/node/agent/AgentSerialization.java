package io.vmgrid.node.agent;

import com.hazelcast.config.SerializationConfig;
import io.vmgrid.client.wire.WireSerialization;

/** Registers the agents' member-internal Compact serializers. */
public final class AgentSerialization {
  private AgentSerialization() {}

  /** Adds this package's serializers to {@code config} and returns it. */
  public static SerializationConfig register(SerializationConfig config) {
    config.getCompactSerializationConfig()
        .addSerializer(new AgentTask.Serializer())
        .addSerializer(new AgentOutcome.Serializer())
        .addSerializer(new AgentInfo.Serializer());
    return config;
  }

  /** One instance of each of this package's Compact types (see {@code CompactSchemas}). */
  public static java.util.List<Object> schemaSamples() {
    return java.util.List.of(
        new AgentTask("a", WireSerialization.sampleRequest()),
        new AgentOutcome(AgentOutcome.Status.PLACED, "s", "", "", "a", 1, 0, "", 0, 0, 0),
        new AgentInfo("a", "m", 0));
  }
}
