package io.vmgrid.node.commit;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.serialization.FieldKind;
import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.client.wire.Placement;
import io.vmgrid.client.wire.ServerState;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The linearization point of an allocation: after an agent committed VMs to servers, it records
 * each in the VM's {@code placements} entry, if the entry is absent. The first record of a VM id
 * wins: a second request for the same VM id ({@code TAKEN}), the same request id with other
 * parameters ({@code REUSED}) or a second copy of the same request that was committed elsewhere
 * ({@code SAME_REQUEST} naming another server) learns it and its commit is released again, so a VM
 * id ends up on exactly one server.
 *
 * <p>A request places once: when the VM's entry is empty but the {@code releases} map holds a
 * release of this very placement (VM id and request id: a client released it, or the grid evicted
 * it), nothing is written and the answer is {@code ENDED}; the agent then removes its copy. Such a
 * commit comes from a copy of the request that ran late (its member paused or cut off while the
 * client's answer came from another copy, which the client then released), or from a client
 * sending a released request again. Without this check its record made the copy a placement
 * nobody holds, the release undone. The mark is in the same partition as the record, so it is
 * read from this member's own record store on this partition thread, without an invocation
 * ({@link SamePartition}).
 *
 * <p>{@link Committer} sends one call per VM, those of a group all at once. Runs on the partition
 * thread owning the VM's entry (atomic per VM); the synchronous backup re-runs it on its copy with the same decision.
 */
public final class RecordPlacementProcessor
    implements EntryProcessor<String, Placement, RecordResult>, HazelcastInstanceAware {
  private static final long serialVersionUID = 1L;

  private final Map<String, Placement> records;
  /** On a backup: the primary's decision is applied as it is, without reading the marks again. */
  private final boolean backup;
  /** VM ids the primary found released (not written; left out of the backup); null: none. */
  private transient @Nullable Set<String> ended;
  /** The backup processor, made once (Hazelcast asks for it twice per operation). */
  private transient @Nullable RecordPlacementProcessor backupProcessor;
  private transient @Nullable HazelcastInstance hazelcast;

  /** A processor recording each of {@code records} under its VM id. */
  public RecordPlacementProcessor(List<Placement> records) {
    this(byVm(records), false);
  }

  private RecordPlacementProcessor(Map<String, Placement> records, boolean backup) {
    this.records = records;
    this.backup = backup;
  }

  private static Map<String, Placement> byVm(List<Placement> records) {
    Map<String, Placement> byVm = new LinkedHashMap<>();
    records.forEach(p -> byVm.put(p.vmId(), p));
    return byVm;
  }

  @Override
  public void setHazelcastInstance(HazelcastInstance hazelcastInstance) {
    this.hazelcast = hazelcastInstance;
  }

  /**
   * The backup writes what the primary wrote: the records it did not refuse as {@code ENDED}
   * (none: no backup at all). Hazelcast asks for it after the primary ran.
   */
  @Override
  public synchronized @Nullable EntryProcessor<String, Placement, RecordResult>
      getBackupProcessor() {
    if (backup) {
      return this;
    }
    if (backupProcessor == null) {
      Map<String, Placement> written = records;
      if (ended != null) { // rare: a copy is written without the refused records
        written = new LinkedHashMap<>(records);
        written.keySet().removeAll(ended);
      }
      backupProcessor = written.isEmpty() ? null : new RecordPlacementProcessor(written, true);
    }
    return backupProcessor;
  }

  private synchronized void refused(String vmId) {
    if (ended == null) {
      ended = new HashSet<>();
    }
    ended.add(vmId);
    backupProcessor = null;
  }

  @Override
  public @Nullable RecordResult process(Map.Entry<String, Placement> entry) {
    Placement mine = records.get(entry.getKey());
    if (mine == null && backup) {
      return null; // the primary refused it
    }
    if (mine == null) {
      throw new IllegalArgumentException("no record for " + entry.getKey());
    }
    Placement existing = entry.getValue();
    if (existing == null) {
      if (!backup && releasedBefore(mine)) {
        refused(mine.vmId());
        return new RecordResult(RecordResult.Status.ENDED, mine);
      }
      entry.setValue(mine);
      return new RecordResult(RecordResult.Status.RECORDED, mine);
    }
    if (!existing.requestId().equals(mine.requestId())) {
      return new RecordResult(RecordResult.Status.TAKEN, existing);
    }
    // the shape is in every record; the rest of the parameters only in those that carry a
    // fingerprint (not in one the reconciler rebuilt from a server's state)
    boolean reused = !existing.tenantId().equals(mine.tenantId())
        || existing.cores() != mine.cores() || existing.memoryMb() != mine.memoryMb()
        || (existing.fingerprint() != 0 && mine.fingerprint() != 0
            && existing.fingerprint() != mine.fingerprint());
    return new RecordResult(reused ? RecordResult.Status.REUSED : RecordResult.Status.SAME_REQUEST,
        existing);
  }

  /**
   * Whether the {@code releases} map holds a release of {@code mine}'s placement (its VM id and
   * request id). Read only where Hazelcast runs the processor on the primary (it is handed the
   * member); a processor called directly, outside a member, checks nothing.
   */
  private boolean releasedBefore(Placement mine) {
    HazelcastInstance hz = hazelcast;
    if (hz == null) {
      return false;
    }
    Object mark = SamePartition.value(hz, MapNames.RELEASES, mine.vmId());
    return mark instanceof Long entry && (entry & ~0xFFFFL)
        == ServerState.clientReleaseKey(mine.vmId(), mine.requestId());
  }

  static final class Serializer implements CompactSerializer<RecordPlacementProcessor> {
    @Override
    public RecordPlacementProcessor read(CompactReader in) {
      Placement[] records =
          Objects.requireNonNull(in.readArrayOfCompact("records", Placement.class), "records");
      // written before backups carried the primary's decision: a processor for a primary
      boolean backup = in.getFieldKind("backup") == FieldKind.BOOLEAN && in.readBoolean("backup");
      return new RecordPlacementProcessor(byVm(List.of(records)), backup);
    }

    @Override
    public void write(CompactWriter out, RecordPlacementProcessor p) {
      out.writeArrayOfCompact("records", p.records.values().toArray(new Placement[0]));
      out.writeBoolean("backup", p.backup);
    }

    @Override
    public String getTypeName() {
      return "vmgrid.RecordPlacementProcessor";
    }

    @Override
    public Class<RecordPlacementProcessor> getCompactClass() {
      return RecordPlacementProcessor.class;
    }
  }
}
