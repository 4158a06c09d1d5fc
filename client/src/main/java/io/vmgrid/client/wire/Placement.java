package io.vmgrid.client.wire;

import com.hazelcast.nio.serialization.FieldKind;
import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Where a VM lives, in the {@code placements} map under the VM id: the record that makes a VM id
 * placed at most once. An agent writes it right after its commit to the server succeeded, and only
 * if no record exists: the first record wins, and an agent whose commit lost (another request for
 * the same VM id, or a second copy of the same request) releases its commit again.
 *
 * <p>It also keeps what a repeat of the request needs: the request's {@linkplain
 * GridRequest#fingerprint() fingerprint}, so the same request id with other parameters is refused
 * instead of answered with this placement, and the agent that placed it, so a repeat is answered in
 * full.
 *
 * @param vmId the VM
 * @param requestId the request that placed it
 * @param serverId the server holding it
 * @param tenantId its owner
 * @param cores cores it holds
 * @param memoryMb memory it holds, MiB
 * @param fingerprint the placing request's parameters, hashed; 0 when unknown (a record rebuilt by
 *     the reconciler, or written by an older member)
 * @param agentId the agent that placed it; empty when unknown
 */
public record Placement(
    String vmId,
    String requestId,
    String serverId,
    String tenantId,
    long cores,
    long memoryMb,
    long fingerprint,
    String agentId) {

  /** A record without the request's fingerprint and agent (both unknown). */
  public Placement(String vmId, String requestId, String serverId, String tenantId, long cores,
      long memoryMb) {
    this(vmId, requestId, serverId, tenantId, cores, memoryMb, 0, "");
  }

  /** The same placement, now on {@code server}. */
  public Placement placedOn(String server) {
    return new Placement(vmId, requestId, server, tenantId, cores, memoryMb, fingerprint, agentId);
  }

  /** The record of {@code vm} on {@code server}, its request's fingerprint and agent unknown. */
  public static Placement of(HostedVm vm, String server) {
    return new Placement(vm.vmId(), vm.requestId(), server, vm.tenantId(), vm.cores(),
        vm.memoryMb());
  }

  /** The record of {@code vm} on {@code server}, placed by {@code agentId} for {@code request}. */
  public static Placement of(HostedVm vm, String server, GridRequest request, String agentId) {
    return new Placement(vm.vmId(), vm.requestId(), server, vm.tenantId(), vm.cores(),
        vm.memoryMb(), request.fingerprint(), agentId);
  }

  /**
   * Why {@code r}, a request with this record's request id, is not a repeat of the request that
   * placed this VM (another VM id, or other parameters), as a message starting with {@code
   * requestId}; null if it is a repeat, or if this record does not know the parameters.
   */
  public @Nullable String reusedBy(GridRequest r) {
    if (!r.requestId().equals(requestId)) {
      return null;
    }
    List<String> differences = new ArrayList<>();
    if (!r.vmId().equals(vmId)) {
      differences.add("vm id " + r.vmId() + " instead of " + vmId);
    }
    if (!r.tenantId().equals(tenantId)) {
      differences.add("tenant " + r.tenantId() + " instead of " + tenantId);
    }
    if (r.cores() != cores) {
      differences.add(r.cores() + " cores instead of " + cores);
    }
    if (r.memoryMb() != memoryMb) {
      differences.add(r.memoryMb() + " MiB instead of " + memoryMb);
    }
    if (differences.isEmpty() && fingerprint != 0 && fingerprint != r.fingerprint()) {
      differences.add("another priority, availability set, anti-affinity group or cluster");
    }
    if (differences.isEmpty()) {
      return null;
    }
    return "requestId: '" + requestId + "' already placed VM " + vmId + " (" + cores + " cores, "
        + memoryMb + " MiB, tenant " + tenantId + ") on " + serverId + "; this request asks for "
        + String.join(", ", differences) + ". A request id names one request: repeat it"
        + " unchanged, or use a new id";
  }

  static final class Serializer implements CompactSerializer<Placement> {
    @Override
    public Placement read(CompactReader in) {
      return new Placement(
          GridRequest.nonNull(in.readString("vmId")),
          GridRequest.nonNull(in.readString("requestId")),
          GridRequest.nonNull(in.readString("serverId")),
          GridRequest.nonNull(in.readString("tenantId")),
          in.readInt64("cores"),
          in.readInt64("memoryMb"),
          // absent from older writers' schema
          in.getFieldKind("fingerprint") == FieldKind.INT64 ? in.readInt64("fingerprint") : 0,
          in.getFieldKind("agentId") == FieldKind.STRING
              ? GridRequest.nonNull(in.readString("agentId")) : "");
    }

    @Override
    public void write(CompactWriter out, Placement p) {
      out.writeString("vmId", p.vmId());
      out.writeString("requestId", p.requestId());
      out.writeString("serverId", p.serverId());
      out.writeString("tenantId", p.tenantId());
      out.writeInt64("cores", p.cores());
      out.writeInt64("memoryMb", p.memoryMb());
      out.writeInt64("fingerprint", p.fingerprint());
      out.writeString("agentId", p.agentId());
    }

    @Override
    public String getTypeName() {
      return "vmgrid.Placement";
    }

    @Override
    public Class<Placement> getCompactClass() {
      return Placement.class;
    }
  }
}
