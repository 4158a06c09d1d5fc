package io.vmgrid.client.wire;

import com.hazelcast.config.CompactSerializationConfig;
import com.hazelcast.config.SerializationConfig;

/**
 * Registers the Compact serializers of every wire type. Members and clients both call
 * {@link #register(SerializationConfig)} so that they agree on type names and schemas.
 */
public final class WireSerialization {
  private WireSerialization() {}

  /** Adds the wire types' Compact serializers to {@code config} and returns it. */
  public static SerializationConfig register(SerializationConfig config) {
    CompactSerializationConfig compact = config.getCompactSerializationConfig();
    compact.addSerializer(new GridRequest.Serializer());
    compact.addSerializer(new GridResult.Serializer());
    compact.addSerializer(new HostedVm.Serializer());
    compact.addSerializer(new ServerState.Serializer());
    compact.addSerializer(new Placement.Serializer());
    InventoryProcessors.register(compact);
    return config;
  }
}
