package io.vmgrid.node.commit;

import com.hazelcast.config.SerializationConfig;
import io.vmgrid.client.wire.HostedVm;
import io.vmgrid.client.wire.Placement;
import java.util.List;
import java.util.Map;

/** Registers the member-internal Compact serializers of the commit processors and their results. */
public final class CommitSerialization {
  private CommitSerialization() {}

  /** Adds this package's serializers to {@code config} and returns it. */
  public static SerializationConfig register(SerializationConfig config) {
    config.getCompactSerializationConfig()
        .addSerializer(new PlaceVmProcessor.Serializer())
        .addSerializer(new ReleaseVmProcessor.Serializer())
        .addSerializer(new RecordPlacementProcessor.Serializer())
        .addSerializer(new CommitResult.Serializer())
        .addSerializer(new CommitResults.Serializer())
        .addSerializer(new RecordResult.Serializer())
        .addSerializer(new DropRecordProcessor.Serializer())
        .addSerializer(new ClearPreemptedProcessor.Serializer());
    return config;
  }

  /** One instance of each of this package's Compact types (see {@code CompactSchemas}). */
  public static List<Object> schemaSamples() {
    HostedVm vm = new HostedVm("vm", "t", 1, 1, "r", "regular", 0);
    Placement record = Placement.of(vm, "s");
    CommitResult result = new CommitResult(CommitResult.Status.PLACED, "", 0);
    return List.of(new PlaceVmProcessor(Map.of("s", List.of(vm)), Map.of("vm", List.of("low"))),
        new ReleaseVmProcessor("vm", true), new DropRecordProcessor("s", "r"),
        new ClearPreemptedProcessor(java.util.Set.of("vm@s#r")),
        new RecordPlacementProcessor(List.of(record)), result,
        new CommitResults(List.of(result), null),
        new RecordResult(RecordResult.Status.RECORDED, record));
  }
}
