package io.vmgrid.node.commit;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.instance.impl.HazelcastInstanceImpl;
import com.hazelcast.instance.impl.HazelcastInstanceProxy;
import com.hazelcast.internal.serialization.Data;
import com.hazelcast.map.impl.MapService;
import com.hazelcast.map.impl.recordstore.RecordStore;
import com.hazelcast.spi.impl.NodeEngine;
import org.jspecify.annotations.Nullable;

/**
 * Reads an entry of another map in the partition an entry processor runs on, from this member's
 * own record store, on the partition thread that owns it: no invocation, no network, no wait. An
 * {@code IMap.get} there would work too (Hazelcast runs a nested operation of the same partition
 * inline) but is an invocation of its own, counted and paid on every call of a hot path.
 *
 * <p>Uses Hazelcast's internal record store (5.x); only for maps without a map store (a miss is
 * never loaded) and only from a processor running on its key's primary.
 */
final class SamePartition {
  private SamePartition() {}

  /**
   * The value of {@code key} in map {@code mapName} as this member's replica of the key's partition
   * holds it (null if absent, expired, or the member holds no such map's store for it).
   *
   * @throws IllegalStateException if {@code hz} is not a member
   */
  static @Nullable Object value(HazelcastInstance hz, String mapName, String key) {
    HazelcastInstanceImpl impl = hz instanceof HazelcastInstanceProxy p ? p.getOriginal()
        : hz instanceof HazelcastInstanceImpl i ? i : null;
    if (impl == null) {
      throw new IllegalStateException("not a member: " + hz);
    }
    NodeEngine engine = impl.node.getNodeEngine();
    Data data = engine.getSerializationService().toData(key);
    int partition = engine.getPartitionService().getPartitionId(data);
    MapService maps = engine.getService(MapService.SERVICE_NAME);
    RecordStore<?> store = maps.getMapServiceContext().getExistingRecordStore(partition, mapName);
    if (store == null) {
      return null;
    }
    Object value = store.get(data, false, null);
    return value == null ? null : engine.getSerializationService().toObject(value);
  }
}
