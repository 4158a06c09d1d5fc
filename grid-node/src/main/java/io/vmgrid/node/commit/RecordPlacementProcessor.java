package io.vmgrid.node.commit;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import io.vmgrid.client.wire.Placement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The linearization point of an allocation: after an agent committed VMs to servers, it records
 * each in the VM's {@code placements} entry, if the entry is absent. The first record of a VM id
 * wins: a second request for the same VM id ({@code TAKEN}), the same request id with other
 * parameters ({@code REUSED}) or a second copy of the same request that was committed elsewhere
 * ({@code SAME_REQUEST} naming another server) learns it and its commit is released again, so a VM
 * id ends up on exactly one server.
 *
 * <p>{@link Committer} sends one call per VM, those of a group all at once. Runs on the partition
 * thread owning the VM's entry (atomic per VM); the synchronous backup re-runs it on its copy with the same decision.
 */
public final class RecordPlacementProcessor
    implements EntryProcessor<String, Placement, RecordResult> {
  private static final long serialVersionUID = 1L;

  private final Map<String, Placement> records;

  /** A processor recording each of {@code records} under its VM id. */
  public RecordPlacementProcessor(List<Placement> records) {
    Map<String, Placement> byVm = new LinkedHashMap<>();
    records.forEach(p -> byVm.put(p.vmId(), p));
    this.records = byVm;
  }

  @Override
  public RecordResult process(Map.Entry<String, Placement> entry) {
    Placement mine = records.get(entry.getKey());
    if (mine == null) {
      throw new IllegalArgumentException("no record for " + entry.getKey());
    }
    Placement existing = entry.getValue();
    if (existing == null) {
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

  static final class Serializer implements CompactSerializer<RecordPlacementProcessor> {
    @Override
    public RecordPlacementProcessor read(CompactReader in) {
      Placement[] records =
          Objects.requireNonNull(in.readArrayOfCompact("records", Placement.class), "records");
      return new RecordPlacementProcessor(List.of(records));
    }

    @Override
    public void write(CompactWriter out, RecordPlacementProcessor p) {
      out.writeArrayOfCompact("records", p.records.values().toArray(new Placement[0]));
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
