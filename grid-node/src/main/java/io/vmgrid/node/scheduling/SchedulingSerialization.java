package io.vmgrid.node.scheduling;

import com.hazelcast.config.SerializationConfig;
import io.vmgrid.scheduler.jet.AgentLoad;

/** Registers the scheduler's member-internal Compact serializers. */
public final class SchedulingSerialization {
  private SchedulingSerialization() {}

  /** Adds the routed-request and indicator serializers to {@code config} and returns it. */
  public static SerializationConfig register(SerializationConfig config) {
    config.getCompactSerializationConfig().addSerializer(new RoutedRequest.Serializer());
    AgentLoad.register(config);
    return config;
  }
}
