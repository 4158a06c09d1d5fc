package io.vmgrid.node.placement;

import com.hazelcast.config.SerializationConfig;
import io.vmgrid.client.wire.HostedVm;

/** Registers the member-internal Compact serializers (commit processors and their results). */
public final class PlacementSerialization {
  private PlacementSerialization() {}

  /** Adds this package's serializers to {@code config} and returns it. */
  public static SerializationConfig register(SerializationConfig config) {
    config.getCompactSerializationConfig()
        .addSerializer(new PlaceVmProcessor.Serializer())
        .addSerializer(new ReleaseVmProcessor.Serializer())
        .addSerializer(new CommitResult.Serializer())
        .addSerializer(new FindVmProcessor.Serializer())
        .addSerializer(new ConfirmPlacementProcessor.Serializer())
        .addSerializer(new ClaimSweeper.InFlightQuery.Serializer());
    return config;
  }

  /** One instance of each of this package's Compact types (see {@code CompactSchemas}). */
  public static java.util.List<Object> schemaSamples() {
    HostedVm vm = new HostedVm("vm", "t", 1, 1, "r", "regular", 0);
    return java.util.List.of(new PlaceVmProcessor(vm), new ReleaseVmProcessor("vm"),
        new CommitResult(CommitResult.Status.PLACED, "", 0), new FindVmProcessor("vm"),
        new ConfirmPlacementProcessor("r", "s"), new ClaimSweeper.InFlightQuery("r"));
  }
}
