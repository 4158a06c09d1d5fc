package io.vmgrid.node.routing;

import com.hazelcast.config.SerializationConfig;
import io.vmgrid.scheduler.jet.AgentLoad;
import java.util.List;

/** Registers the scheduler's member-internal Compact serializers (the published indicators). */
public final class RoutingSerialization {
  private RoutingSerialization() {}

  /** Adds this package's serializers to {@code config} and returns it. */
  public static SerializationConfig register(SerializationConfig config) {
    config.getCompactSerializationConfig().addSerializer(new MemberLoad.Serializer());
    AgentLoad.register(config);
    return config;
  }

  /** One instance of each of this package's Compact types (see {@code CompactSchemas}). */
  public static List<Object> schemaSamples() {
    AgentLoad load = new AgentLoad("a", "m", 0, 0, 0, 0, 0, 0, new long[] {1}, new long[] {1},
        new long[] {1}, new long[] {1});
    return List.of(load, new MemberLoad("m", 0, List.of(load)));
  }
}
