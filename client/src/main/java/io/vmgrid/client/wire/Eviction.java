package io.vmgrid.client.wire;

import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;

/**
 * A VM the grid evicted from its server, as its owner learns of it: one entry of the {@code
 * evictions} map (under {@link #key()}), and, until that entry is written, one element of the
 * server's {@link ServerState#preempted()} list, so an eviction whose agent died right after the
 * commit is still logged (by the reconciler).
 *
 * @param vmId the evicted VM
 * @param requestId the request that had placed it (tells this placement from a later one of the
 *     same VM id)
 * @param tenantId its owner
 * @param serverId the server it was evicted from
 * @param priority its priority ({@code LOW} for a preemption)
 * @param cores cores it held
 * @param memoryMb memory it held, MiB
 * @param reason {@link #PREEMPTED} (a higher-priority request needed the capacity) or
 *     {@link #OVER_CAPACITY_AFTER_MERGE} (a healed split over-committed the server)
 * @param byRequestId the request whose placement evicted it; empty for a merge
 * @param byVmId the VM that request placed; empty for a merge
 * @param atMillis when (the evicting commit's wall clock: the placing agent's, for a preemption)
 */
public record Eviction(String vmId, String requestId, String tenantId, String serverId,
    String priority, long cores, long memoryMb, String reason, String byRequestId, String byVmId,
    long atMillis) {

  /** Reason: a request of higher priority took the capacity. */
  public static final String PREEMPTED = "PREEMPTED";
  /** Reason: a split-brain merge put more on the server than it holds. */
  public static final String OVER_CAPACITY_AFTER_MERGE = "OVER_CAPACITY_AFTER_MERGE";

  /** The eviction of {@code victim} from {@code serverId} by {@code by}'s placement, at {@code atMillis}. */
  public static Eviction preempted(HostedVm victim, String serverId, HostedVm by, long atMillis) {
    return new Eviction(victim.vmId(), victim.requestId(), victim.tenantId(), serverId,
        victim.priority(), victim.cores(), victim.memoryMb(), PREEMPTED, by.requestId(), by.vmId(),
        atMillis);
  }

  /** The eviction of {@code victim} from {@code serverId} by a merge, logged at {@code atMillis}. */
  public static Eviction merged(HostedVm victim, String serverId, long atMillis) {
    return new Eviction(victim.vmId(), victim.requestId(), victim.tenantId(), serverId,
        victim.priority(), victim.cores(), victim.memoryMb(), OVER_CAPACITY_AFTER_MERGE, "", "",
        atMillis);
  }

  /**
   * The entry's key in the {@code evictions} map: one placement (VM id and the request that placed
   * it) is evicted from one server at most once, so a repeated write of the same eviction is
   * harmless and a later placement of the same VM id gets its own entry.
   */
  public String key() {
    return key(vmId, serverId, requestId);
  }

  /** The log key of the eviction of {@code vmId}, placed by {@code requestId}, from {@code serverId}. */
  public static String key(String vmId, String serverId, String requestId) {
    return vmId + "@" + serverId + "#" + requestId;
  }

  static final class Serializer implements CompactSerializer<Eviction> {
    @Override
    public Eviction read(CompactReader in) {
      return new Eviction(GridRequest.nonNull(in.readString("vmId")),
          GridRequest.nonNull(in.readString("requestId")),
          GridRequest.nonNull(in.readString("tenantId")),
          GridRequest.nonNull(in.readString("serverId")),
          GridRequest.nonNull(in.readString("priority")), in.readInt64("cores"),
          in.readInt64("memoryMb"), GridRequest.nonNull(in.readString("reason")),
          GridRequest.nonNull(in.readString("byRequestId")),
          GridRequest.nonNull(in.readString("byVmId")), in.readInt64("atMillis"));
    }

    @Override
    public void write(CompactWriter out, Eviction e) {
      out.writeString("vmId", e.vmId());
      out.writeString("requestId", e.requestId());
      out.writeString("tenantId", e.tenantId());
      out.writeString("serverId", e.serverId());
      out.writeString("priority", e.priority());
      out.writeInt64("cores", e.cores());
      out.writeInt64("memoryMb", e.memoryMb());
      out.writeString("reason", e.reason());
      out.writeString("byRequestId", e.byRequestId());
      out.writeString("byVmId", e.byVmId());
      out.writeInt64("atMillis", e.atMillis());
    }

    @Override
    public String getTypeName() {
      return "vmgrid.Eviction";
    }

    @Override
    public Class<Eviction> getCompactClass() {
      return Eviction.class;
    }
  }
}
