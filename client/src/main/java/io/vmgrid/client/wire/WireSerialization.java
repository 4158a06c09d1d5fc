package io.vmgrid.client.wire;

import com.hazelcast.config.ClassFilter;
import com.hazelcast.config.CompactSerializationConfig;
import com.hazelcast.config.JavaSerializationFilterConfig;
import com.hazelcast.config.SerializationConfig;
import io.vmgrid.client.wire.query.QueryWire;

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
    compact.addSerializer(new GridResults.Serializer());
    compact.addSerializer(new GridTask.Serializer());
    compact.addSerializer(new HostedVm.Serializer());
    compact.addSerializer(new ServerState.Serializer());
    compact.addSerializer(new Placement.Serializer());
    compact.addSerializer(new Repair.Serializer());
    compact.addSerializer(new Eviction.Serializer());
    compact.addSerializer(new PlacementQuery.Serializer());
    InventoryProcessors.register(compact);
    QueryWire.register(compact);
    config.setJavaSerializationFilterConfig(javaFilter());
    return config;
  }

  /**
   * One instance of every wire type (nested types filled in), for members to serialize once at
   * start: a member that serializes a Compact type for the first time blocks until its schema has
   * reached every member, so that must not first happen while a member is joining.
   */
  public static java.util.List<Object> schemaSamples() {
    HostedVm vm = new HostedVm("vm", "t", 1, 1, "r", "regular", 0, "as", "aag");
    ServerState server = new ServerState("s", "c", 1, 1, 1, 1, ServerHealth.HEALTHY, 0,
        java.util.List.of(vm), java.util.List.of(), ServerState.Topology.UNSPECIFIED);
    GridResult result = new GridResult("r", "vm", GridResult.Status.PLACED,
        io.vmgrid.client.api.Reason.NONE, "", "s", 1, 0, "c", "a", "m");
    java.util.List<Object> samples = new java.util.ArrayList<>(java.util.List.of(sampleRequest(),
        result, new GridResults(java.util.List.of(result)),
        new GridTask(java.util.List.of(sampleRequest())),
        vm, server,
        new Placement("vm", "r", "s", "t", 1, 1, 1, "a"),
        new Repair("vm", "s", "evicted", "t", "low", 1, 0),
        Eviction.preempted(vm, "s", vm, 0),
        new PlacementQuery("t", "s", "vm", "r", java.util.List.of("r")),
        new InventoryProcessors.AddServer(server),
        new InventoryProcessors.RemoveServer(),
        new InventoryProcessors.SetHealth(ServerHealth.HEALTHY),
        new GridRequest(GridRequest.Op.WHAT_IF, "q", "in-demand", "t", 0, 0, "REGULAR", "", "", "",
            "", QueryWire.argumentsSample())));
    for (io.vmgrid.client.wire.query.QueryAnswer answer : QueryWire.answerSamples()) {
      samples.add(result.withAnswer(answer));
    }
    samples.addAll(QueryWire.schemaSamples());
    return samples;
  }

  /** The request in {@link #schemaSamples()}, for samples of types that carry one. */
  public static GridRequest sampleRequest() {
    return new GridRequest(GridRequest.Op.ALLOCATE, "r", "vm", "t", 1, 1, "regular");
  }

  /** The Java deserialization filter: Hazelcast's defaults plus {@code io.vmgrid.} classes only. */
  public static JavaSerializationFilterConfig javaFilter() {
    return new JavaSerializationFilterConfig()
        .setDefaultsDisabled(false)
        .setWhitelist(new ClassFilter().addPrefixes("io.vmgrid."));
  }
}
