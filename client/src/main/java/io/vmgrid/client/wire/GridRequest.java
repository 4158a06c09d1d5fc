package io.vmgrid.client.wire;

import com.hazelcast.nio.serialization.FieldKind;
import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import io.vmgrid.client.wire.query.QueryArguments;
import org.jspecify.annotations.Nullable;

/**
 * A request as it travels to a member inside a {@link GridTask}: an allocation, a release, a move
 * or a query.
 *
 * <p>Fields are not validated on construction: a member reads whatever a client sent and must be
 * able to answer a malformed request with a clear {@link GridResult}. Call {@link #problem()}.
 *
 * @param op what to do; null when a writer sent an operation this version does not know
 * @param requestId unique id of this request; a retry reuses it
 * @param vmId the VM to place, release or move
 * @param tenantId owner of the VM (empty for releases)
 * @param cores cores demanded (0 for releases)
 * @param memoryMb memory demanded in MiB (0 for releases)
 * @param priority {@code REGULAR} or {@code LOW} (empty for releases)
 * @param availabilitySet availability set of the VM (spread over fault/update domains), or empty
 * @param antiAffinityGroup anti-affinity group of the VM (never two on one server), or empty
 * @param clusterPin the only cluster the VM may go to, or empty
 * @param targetServerId for {@link Op#MOVE}: the server to move the VM to (empty otherwise)
 * @param arguments for the capacity queries: what they ask beyond the shape (the what-if changes,
 *     how many shapes in demand to report, how many stranded servers to list); null for other ops,
 *     and when the writer is a client from before typed arguments (whose JSON string in the field
 *     {@code arguments} this version does not read). Validated by the member that answers
 */
public record GridRequest(
    @Nullable Op op,
    String requestId,
    String vmId,
    String tenantId,
    long cores,
    long memoryMb,
    String priority,
    String availabilitySet,
    String antiAffinityGroup,
    String clusterPin,
    String targetServerId,
    @Nullable QueryArguments arguments) {

  /** A request without query arguments. */
  public GridRequest(@Nullable Op op, String requestId, String vmId, String tenantId, long cores,
      long memoryMb, String priority, String availabilitySet, String antiAffinityGroup,
      String clusterPin, String targetServerId) {
    this(op, requestId, vmId, tenantId, cores, memoryMb, priority, availabilitySet,
        antiAffinityGroup, clusterPin, targetServerId, null);
  }

  /** A request without placement constraints, move target or query arguments. */
  public GridRequest(@Nullable Op op, String requestId, String vmId, String tenantId, long cores,
      long memoryMb, String priority) {
    this(op, requestId, vmId, tenantId, cores, memoryMb, priority, "", "", "", "", null);
  }

  /** The operations a request may ask for. */
  public enum Op {
    ALLOCATE,
    RELEASE,
    /** Why servers would be rejected for this request (nothing is placed). */
    EXPLAIN,
    /** How many more VMs like this request fit now (nothing is placed). */
    CAPACITY,
    /** A consolidation plan for VMs like this request (nothing is moved). */
    CONSOLIDATE,
    /** Move placed VM {@code vmId} to {@code targetServerId} (place there, then release the source). */
    MOVE,
    /** Headroom before and after the what-if changes in {@code arguments} (nothing changes). */
    WHAT_IF,
    /** Where free capacity is stranded for VMs like this request (nothing is placed). */
    FRAGMENTATION,
    /** Each cluster's capacity, use and utilization limit (nothing changes; no VM fields). */
    CLUSTERS;

    /**
     * Whether this is a capacity query that may leave the shape out ({@code cores} and {@code
     * memoryMb} both 0): it is then asked about the shapes most common among the VMs placed now.
     */
    public boolean acceptsShapesInDemand() {
      return this == CAPACITY || this == WHAT_IF || this == FRAGMENTATION || this == CONSOLIDATE;
    }

    /** Whether this only reads: answered on a member's query threads, never by an agent. */
    public boolean isQuery() {
      return this == EXPLAIN || this == CAPACITY || this == CONSOLIDATE || this == WHAT_IF
          || this == FRAGMENTATION || this == CLUSTERS;
    }

    static @Nullable Op parse(@Nullable String name) {
      for (Op op : values()) {
        if (op.name().equals(name)) {
          return op;
        }
      }
      return null;
    }
  }

  /**
   * A hash of what this request asks for beyond its ids (tenant, shape, priority and constraints),
   * never 0: a request id repeated with another fingerprint is not a repeat of the same request.
   * Stable across JVMs (it hashes with {@link String#hashCode()}, whose algorithm is specified).
   */
  public long fingerprint() {
    long h = 0x9E3779B97F4A7C15L;
    for (Object part : new Object[] {tenantId, cores, memoryMb, priority, availabilitySet,
        antiAffinityGroup, clusterPin}) {
      h = (h ^ part.hashCode()) * 0xBF58476D1CE4E5B9L;
      h ^= h >>> 31;
    }
    return h == 0 ? 1 : h;
  }

  /** Returns the first problem with this request's fields (message starts with the field), or null. */
  public @Nullable String problem() {
    if (op == null) {
      return "op: must be ALLOCATE, RELEASE, EXPLAIN, CAPACITY, CONSOLIDATE, MOVE, WHAT_IF,"
          + " FRAGMENTATION or CLUSTERS";
    }
    String p = Checks.idProblem("requestId", requestId);
    if (p == null) {
      p = Checks.idProblem("vmId", vmId);
    }
    if (op == Op.MOVE) {
      return p != null ? p : Checks.idProblem("targetServerId", targetServerId);
    }
    if (p != null || op == Op.RELEASE || op == Op.CLUSTERS) {
      return p;
    }
    p = Checks.idProblem("tenantId", tenantId);
    boolean inDemand = op.acceptsShapesInDemand() && cores == 0 && memoryMb == 0;
    if (p == null && !inDemand) {
      p = Checks.coresProblem(cores);
    }
    if (p == null && !inDemand) {
      p = Checks.memoryProblem(memoryMb);
    }
    if (p == null) {
      p = Checks.priorityProblem(priority);
    }
    if (p == null) {
      p = Checks.optionalIdProblem("availabilitySet", availabilitySet);
    }
    if (p == null) {
      p = Checks.optionalIdProblem("antiAffinityGroup", antiAffinityGroup);
    }
    if (p == null) {
      p = Checks.optionalIdProblem("clusterPin", clusterPin);
    }
    return p;
  }

  static final class Serializer implements CompactSerializer<GridRequest> {
    @Override
    public GridRequest read(CompactReader in) {
      return new GridRequest(
          Op.parse(in.readString("op")),
          nonNull(in.readString("requestId")),
          nonNull(in.readString("vmId")),
          nonNull(in.readString("tenantId")),
          in.readInt64("cores"),
          in.readInt64("memoryMb"),
          nonNull(in.readString("priority")),
          nonNull(in.readString("availabilitySet")),
          nonNull(in.readString("antiAffinityGroup")),
          nonNull(in.readString("clusterPin")),
          nonNull(in.readString("targetServerId")),
          // absent from older writers' schema (theirs, if any, are JSON in "arguments", not read)
          in.getFieldKind("query") == FieldKind.COMPACT ? in.readCompact("query") : null);
    }

    @Override
    public void write(CompactWriter out, GridRequest r) {
      Op op = r.op();
      out.writeString("op", op == null ? null : op.name());
      out.writeString("requestId", r.requestId());
      out.writeString("vmId", r.vmId());
      out.writeString("tenantId", r.tenantId());
      out.writeInt64("cores", r.cores());
      out.writeInt64("memoryMb", r.memoryMb());
      out.writeString("priority", r.priority());
      out.writeString("availabilitySet", r.availabilitySet());
      out.writeString("antiAffinityGroup", r.antiAffinityGroup());
      out.writeString("clusterPin", r.clusterPin());
      out.writeString("targetServerId", r.targetServerId());
      out.writeCompact("query", r.arguments());
    }

    @Override
    public String getTypeName() {
      return "vmgrid.GridRequest";
    }

    @Override
    public Class<GridRequest> getCompactClass() {
      return GridRequest.class;
    }
  }

  static String nonNull(@Nullable String s) {
    return s == null ? "" : s;
  }
}
