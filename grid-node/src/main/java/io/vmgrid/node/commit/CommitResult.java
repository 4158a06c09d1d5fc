package io.vmgrid.node.commit;

import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;

/**
 * What a commit entry processor did to one server entry.
 *
 * @param status the result class
 * @param detail for people: which resource was short, etc.
 * @param revision the server's revision after the call (unchanged when nothing was committed)
 */
public record CommitResult(Status status, String detail, long revision) {

  /** Result classes. */
  public enum Status {
    /** The VM was added. */
    PLACED,
    /** The VM was already on this server (a retried commit); nothing changed. */
    ALREADY_HOSTED,
    /** The VM was removed. */
    RELEASED,
    /** The VM was not on this server; nothing changed. */
    NOT_HOSTED,
    /** The server lacks free capacity now (a conflict when the caller's view said it fit). */
    INSUFFICIENT,
    /** The server does not accept new VMs. */
    UNHEALTHY,
    /** The server already hosts a VM of the same anti-affinity group. */
    ANTI_AFFINITY,
    /** There is no such server. */
    /**
     * A preempting commit's victims are not all on the server, or not all of lower priority than
     * the VM, any more; nothing changed (the decision was made on a stale state).
     */
    VICTIMS_CHANGED,
    UNKNOWN_SERVER,
    /**
     * A VM of this id from another request, or from this request id with another shape, is on this
     * server; nothing changed.
     */
    OTHER_COPY
  }

  /** Whether the VM is on the server after the call. */
  public boolean hosted() {
    return status == Status.PLACED || status == Status.ALREADY_HOSTED;
  }

  static final class Serializer implements CompactSerializer<CommitResult> {
    @Override
    public CommitResult read(CompactReader in) {
      String status = in.readString("status");
      String detail = in.readString("detail");
      return new CommitResult(
          status == null ? Status.UNKNOWN_SERVER : Status.valueOf(status),
          detail == null ? "" : detail,
          in.readInt64("revision"));
    }

    @Override
    public void write(CompactWriter out, CommitResult r) {
      out.writeString("status", r.status().name());
      out.writeString("detail", r.detail());
      out.writeInt64("revision", r.revision());
    }

    @Override
    public String getTypeName() {
      return "vmgrid.CommitResult";
    }

    @Override
    public Class<CommitResult> getCompactClass() {
      return CommitResult.class;
    }
  }
}
