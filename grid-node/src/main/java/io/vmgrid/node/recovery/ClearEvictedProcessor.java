package io.vmgrid.node.recovery;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import io.vmgrid.client.wire.HostedVm;
import io.vmgrid.client.wire.ServerState;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Drops VMs from a server's pending-eviction list once the repair log holds them. Runs on the
 * partition thread owning the server; changes nothing else; the backup re-runs it.
 */
final class ClearEvictedProcessor implements EntryProcessor<String, ServerState, Boolean> {
  private static final long serialVersionUID = 1L;
  private final Set<String> vmIds;

  ClearEvictedProcessor(Set<String> vmIds) {
    this.vmIds = Set.copyOf(vmIds);
  }

  @Override
  public Boolean process(Map.Entry<String, ServerState> entry) {
    ServerState s = entry.getValue();
    if (s == null || s.evicted().stream().noneMatch(vm -> vmIds.contains(vm.vmId()))) {
      return false;
    }
    List<HostedVm> left = s.evicted().stream().filter(vm -> !vmIds.contains(vm.vmId())).toList();
    entry.setValue(s.withVms(s.vms(), left, s.revision() + 1));
    return true;
  }

  static final class Serializer implements CompactSerializer<ClearEvictedProcessor> {
    @Override
    public ClearEvictedProcessor read(CompactReader in) {
      String[] ids = Objects.requireNonNull(in.readArrayOfString("vmIds"), "vmIds");
      return new ClearEvictedProcessor(Set.of(ids));
    }

    @Override
    public void write(CompactWriter out, ClearEvictedProcessor p) {
      out.writeArrayOfString("vmIds", p.vmIds.toArray(new String[0]));
    }

    @Override
    public String getTypeName() {
      return "vmgrid.ClearEvictedProcessor";
    }

    @Override
    public Class<ClearEvictedProcessor> getCompactClass() {
      return ClearEvictedProcessor.class;
    }
  }
}
