package io.vmgrid.node.placement;

import com.hazelcast.config.SerializationConfig;

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
}
