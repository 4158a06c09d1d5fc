package io.vmgrid.node.commit;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.serialization.FieldKind;
import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import io.vmgrid.client.wire.ServerState;
import io.vmgrid.node.time.NodeClock;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Removes one VM from one server and returns its capacity.
 *
 * <p>Runs on the partition thread owning the server's entry (atomic with every other change of that
 * server); the backup re-runs it on its copy. Releasing a VM that is not there changes nothing and
 * says {@code NOT_HOSTED}, so a retried release is harmless.
 */
public final class ReleaseVmProcessor
    implements EntryProcessor<String, ServerState, CommitResult>, HazelcastInstanceAware {
  private static final long serialVersionUID = 1L;

  /** The member it runs on (for its clock); null where it is called outside a member. */
  private transient @Nullable HazelcastInstance hazelcast;

  private final String vmId;
  private final boolean byClient;

  /** A processor that releases {@code vmId} for the grid itself (a move, a duplicate, an undo). */
  public ReleaseVmProcessor(String vmId) {
    this(vmId, false);
  }

  /**
   * A processor that releases {@code vmId}; {@code byClient} when a client asked for it. A client's
   * release is remembered apart, because only it says that every copy of the placement is to go
   * (the reconciler then removes a copy a merge brought back elsewhere); the grid's own releases
   * (a move's source, a duplicate, an undo) remove this copy only.
   */
  public ReleaseVmProcessor(String vmId, boolean byClient) {
    this.vmId = Objects.requireNonNull(vmId, "vmId");
    this.byClient = byClient;
  }

  @Override
  public void setHazelcastInstance(HazelcastInstance hazelcastInstance) {
    this.hazelcast = hazelcastInstance;
  }

  @Override
  public CommitResult process(Map.Entry<String, ServerState> entry) {
    ServerState state = entry.getValue();
    if (state == null) {
      return new CommitResult(CommitResult.Status.UNKNOWN_SERVER, "no server " + entry.getKey(), 0);
    }
    if (state.find(vmId) == null) {
      return new CommitResult(
          CommitResult.Status.NOT_HOSTED, vmId + " is not on " + state.serverId(), state.revision());
    }
    // remembered, so that a merge with a side that still holds the VM does not bring it back
    HazelcastInstance hz = hazelcast;
    long now = (hz == null ? NodeClock.system() : NodeClock.of(hz)).millis();
    ServerState next = state.releasing(vmId, now, byClient);
    entry.setValue(next);
    return new CommitResult(CommitResult.Status.RELEASED, "", next.revision());
  }

  static final class Serializer implements CompactSerializer<ReleaseVmProcessor> {
    @Override
    public ReleaseVmProcessor read(CompactReader in) {
      // written before clients' releases were told apart: the grid's own kind
      boolean byClient = in.getFieldKind("byClient") == FieldKind.BOOLEAN
          && in.readBoolean("byClient");
      return new ReleaseVmProcessor(Objects.requireNonNull(in.readString("vmId"), "vmId"),
          byClient);
    }

    @Override
    public void write(CompactWriter out, ReleaseVmProcessor p) {
      out.writeString("vmId", p.vmId);
      out.writeBoolean("byClient", p.byClient);
    }

    @Override
    public String getTypeName() {
      return "vmgrid.ReleaseVmProcessor";
    }

    @Override
    public Class<ReleaseVmProcessor> getCompactClass() {
      return ReleaseVmProcessor.class;
    }
  }
}
