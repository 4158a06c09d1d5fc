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

  /** One instance of each of this package's Compact types (see {@code CompactSchemas}). */
  public static java.util.List<Object> schemaSamples() {
    return java.util.List.of(
        new RoutedRequest(io.vmgrid.client.wire.WireSerialization.sampleRequest(), "a", 0,
            new int[] {0}, new long[] {0}, 0, 0),
        new AgentLoad("a", "m", 0, 0, 0, 0, 0, 0, new long[] {1}, new long[] {1},
            new long[] {1}, new long[] {1}));
  }
}
