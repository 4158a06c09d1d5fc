package io.vmgrid.node.placement;

import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import io.vmgrid.client.wire.ServerState;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Read-only: answers the server id if this server hosts {@code vmId}, else null. Runs on each
 * entry's partition thread without locking it; has no backup processor. Used only to recover a
 * request whose member died, never on the allocation path.
 */
final class FindVmProcessor implements EntryProcessor<String, ServerState, String>, ReadOnly {
  private static final long serialVersionUID = 1L;
  private final String vmId;

  /** The server hosting {@code vmId} per the authoritative entries (a full scan: recovery only). */
  static @Nullable String hostOf(IMap<String, ServerState> servers, String vmId) {
    for (Map.Entry<String, String> e
        : servers.executeOnEntries(new FindVmProcessor(vmId)).entrySet()) {
      if (e.getValue() != null && !e.getValue().isEmpty()) {
        return e.getKey();
      }
    }
    return null;
  }

  FindVmProcessor(String vmId) {
    this.vmId = Objects.requireNonNull(vmId, "vmId");
  }

  @Override
  public @Nullable String process(Map.Entry<String, ServerState> entry) {
    ServerState s = entry.getValue();
    return s != null && s.find(vmId) != null ? s.serverId() : null;
  }

  @Override
  public @Nullable EntryProcessor<String, ServerState, String> getBackupProcessor() {
    return null;
  }

  static final class Serializer implements CompactSerializer<FindVmProcessor> {
    @Override
    public FindVmProcessor read(CompactReader in) {
      return new FindVmProcessor(Objects.requireNonNull(in.readString("vmId"), "vmId"));
    }

    @Override
    public void write(CompactWriter out, FindVmProcessor p) {
      out.writeString("vmId", p.vmId);
    }

    @Override
    public String getTypeName() {
      return "vmgrid.FindVmProcessor";
    }

    @Override
    public Class<FindVmProcessor> getCompactClass() {
      return FindVmProcessor.class;
    }
  }
}
