package io.vmgrid.node.intake;

import com.hazelcast.config.SerializationConfig;
import io.vmgrid.client.wire.WireSerialization;
import java.util.List;

/** Registers the intake's member-internal Compact serializers. */
public final class IntakeSerialization {
  /** The executor forwarded allocations run on (see {@link ForwardTask}). */
  public static final String FORWARD_EXECUTOR = ForwardTask.EXECUTOR;

  private IntakeSerialization() {}

  /** Adds this package's serializers to {@code config} and returns it. */
  public static SerializationConfig register(SerializationConfig config) {
    config.getCompactSerializationConfig().addSerializer(new ForwardTask.Serializer());
    return config;
  }

  /** One instance of each of this package's Compact types (see {@code CompactSchemas}). */
  public static List<Object> schemaSamples() {
    return List.of(new ForwardTask(List.of(new ForwardTask.Forwarded(
        WireSerialization.sampleRequest(), "a", 1, new long[] {1}, new int[] {0}, 1))));
  }
}
