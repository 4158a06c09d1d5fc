package io.vmgrid.node.recovery;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.spi.merge.MergingValue;
import com.hazelcast.spi.merge.SplitBrainMergePolicy;
import io.vmgrid.client.wire.ServerState;
import org.jspecify.annotations.Nullable;

/**
 * Hazelcast merge policy of the {@code servers} map: applies {@link ServerMerge} so that no
 * acknowledged placement of either side is dropped silently. Runs on the partition thread of the
 * entry being merged; stateless.
 */
public final class ServerMergePolicy
    implements SplitBrainMergePolicy<Object, MergingValue<Object>, Object> {

  @Override
  public Object merge(MergingValue<Object> merging, @Nullable MergingValue<Object> existing) {
    if (existing == null) {
      return merging.getRawValue();
    }
    Object m = merging.getDeserializedValue();
    Object e = existing.getDeserializedValue();
    if (!(m instanceof ServerState joining) || !(e instanceof ServerState surviving)) {
      return existing.getRawValue();
    }
    return ServerMerge.merge(surviving, joining);
  }

  @Override
  public void writeData(ObjectDataOutput out) {}

  @Override
  public void readData(ObjectDataInput in) {}
}
