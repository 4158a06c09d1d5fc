package io.vmgrid.node.commit;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import io.vmgrid.client.wire.Placement;
import java.util.Map;
import java.util.Objects;

/**
 * Removes a VM's placement record if it still names the given placement (the request that placed
 * it) on the given server: an evicted placement's record goes, a later placement of the same VM id
 * (or a foreign value) stays. Runs on the record's partition thread; the backup re-runs it.
 */
final class DropRecordProcessor implements EntryProcessor<Object, Object, Boolean> {
  private static final long serialVersionUID = 1L;
  private final String serverId;
  private final String requestId;

  DropRecordProcessor(String serverId, String requestId) {
    this.serverId = Objects.requireNonNull(serverId, "serverId");
    this.requestId = Objects.requireNonNull(requestId, "requestId");
  }

  @Override
  public Boolean process(Map.Entry<Object, Object> entry) {
    if (entry.getValue() instanceof Placement p && p.serverId().equals(serverId)
        && p.requestId().equals(requestId)) {
      entry.setValue(null);
      return true;
    }
    return false;
  }

  static final class Serializer implements CompactSerializer<DropRecordProcessor> {
    @Override
    public DropRecordProcessor read(CompactReader in) {
      return new DropRecordProcessor(Objects.requireNonNull(in.readString("serverId"), "serverId"),
          Objects.requireNonNull(in.readString("requestId"), "requestId"));
    }

    @Override
    public void write(CompactWriter out, DropRecordProcessor p) {
      out.writeString("serverId", p.serverId);
      out.writeString("requestId", p.requestId);
    }

    @Override
    public String getTypeName() {
      return "vmgrid.DropRecordProcessor";
    }

    @Override
    public Class<DropRecordProcessor> getCompactClass() {
      return DropRecordProcessor.class;
    }
  }
}
