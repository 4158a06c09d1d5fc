package io.vmgrid.node.commit;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import io.vmgrid.client.wire.ServerState;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Drops preemptions from a server's pending list once the eviction log holds them (by {@link
 * io.vmgrid.client.wire.Eviction#key()}). Changes nothing else; the backup re-runs it.
 */
final class ClearPreemptedProcessor implements EntryProcessor<String, ServerState, Boolean> {
  private static final long serialVersionUID = 1L;
  private final Set<String> keys;

  ClearPreemptedProcessor(Set<String> keys) {
    this.keys = Set.copyOf(keys);
  }

  @Override
  public Boolean process(Map.Entry<String, ServerState> entry) {
    ServerState s = entry.getValue();
    if (s == null || s.preempted().stream().noneMatch(e -> keys.contains(e.key()))) {
      return false;
    }
    entry.setValue(s.withoutPreempted(keys));
    return true;
  }

  static final class Serializer implements CompactSerializer<ClearPreemptedProcessor> {
    @Override
    public ClearPreemptedProcessor read(CompactReader in) {
      return new ClearPreemptedProcessor(
          Set.of(Objects.requireNonNull(in.readArrayOfString("keys"), "keys")));
    }

    @Override
    public void write(CompactWriter out, ClearPreemptedProcessor p) {
      out.writeArrayOfString("keys", p.keys.toArray(new String[0]));
    }

    @Override
    public String getTypeName() {
      return "vmgrid.ClearPreemptedProcessor";
    }

    @Override
    public Class<ClearPreemptedProcessor> getCompactClass() {
      return ClearPreemptedProcessor.class;
    }
  }
}
