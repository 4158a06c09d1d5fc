package io.vmgrid.node.commit;

import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import io.vmgrid.client.wire.Placement;
import java.util.Objects;

/**
 * What {@link RecordPlacementProcessor} found for one VM.
 *
 * @param status what happened
 * @param record the VM's record now: the one written, or the one that was there already
 */
public record RecordResult(Status status, Placement record) {
  /** Outcome classes. */
  public enum Status {
    /** The record was written: this commit is the VM's placement. */
    RECORDED,
    /** A record of the same request was there already (a retried or second copy). */
    SAME_REQUEST,
    /** Another request placed this VM id. */
    TAKEN,
    /** This request id placed this VM id with other parameters: the id was reused. */
    REUSED,
    /**
     * This request's placement was released (or evicted) since: nothing was written, and the copy
     * this commit made is not a placement.
     */
    ENDED
  }

  static final class Serializer implements CompactSerializer<RecordResult> {
    @Override
    public RecordResult read(CompactReader in) {
      return new RecordResult(
          Status.valueOf(Objects.requireNonNull(in.readString("status"), "status")),
          Objects.requireNonNull(in.readCompact("record"), "record"));
    }

    @Override
    public void write(CompactWriter out, RecordResult r) {
      out.writeString("status", r.status().name());
      out.writeCompact("record", r.record());
    }

    @Override
    public String getTypeName() {
      return "vmgrid.RecordResult";
    }

    @Override
    public Class<RecordResult> getCompactClass() {
      return RecordResult.class;
    }
  }
}
