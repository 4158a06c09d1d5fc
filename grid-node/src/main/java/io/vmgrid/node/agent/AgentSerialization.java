package io.vmgrid.node.agent;

import com.hazelcast.config.SerializationConfig;

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
}
