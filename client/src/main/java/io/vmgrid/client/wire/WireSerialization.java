package io.vmgrid.client.wire;

import com.hazelcast.config.ClassFilter;
import com.hazelcast.config.CompactSerializationConfig;
import com.hazelcast.config.JavaSerializationFilterConfig;
import com.hazelcast.config.SerializationConfig;

/**
 * Registers the Compact serializers of every wire type, and the Java deserialization filter. Members
 * and clients both call {@link #register(SerializationConfig)} so that they agree on type names and
 * schemas and refuse the same classes.
 *
 * <p>Everything vmgrid sends is Compact-serialized, so Java deserialization is needed only for
 * Hazelcast's own internals (and Jet job definitions). The filter keeps Hazelcast's built-in deny list
 * of known gadget classes and allows, besides Hazelcast's defaults, only classes under
 * {@code io.vmgrid.}: a value of any other class written into a map is refused before its
 * {@code readObject} can run.
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
    compact.addSerializer(new Repair.Serializer());
    InventoryProcessors.register(compact);
    config.setJavaSerializationFilterConfig(javaFilter());
    return config;
  }

  /** The Java deserialization filter: Hazelcast's defaults plus {@code io.vmgrid.} classes only. */
  public static JavaSerializationFilterConfig javaFilter() {
    return new JavaSerializationFilterConfig()
        .setDefaultsDisabled(false)
        .setWhitelist(new ClassFilter().addPrefixes("io.vmgrid."));
  }
}
