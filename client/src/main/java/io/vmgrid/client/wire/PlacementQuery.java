package io.vmgrid.client.wire;

import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import com.hazelcast.query.Predicate;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A query over the {@code placements} map that matches only vmgrid's own records: a
 * {@link Placement} under its VM id whose fields match every non-empty criterion. Any other entry
 * (a foreign client's string, number, JSON value or Compact record) simply does not match, where
 * Hazelcast's attribute predicates ({@code Predicates.equal("tenantId", ...)}) would fail the whole
 * query on the first value without such an attribute. Evaluated on the members in Java (the map has
 * no index these could use).
 *
 * @param tenantId the tenant, or empty for any
 * @param serverId the server, or empty for any
 * @param vmIdPrefix a prefix of the VM id, or empty
 * @param requestIdPrefix a prefix of the request id, or empty
 * @param requestIds request ids of which one must match exactly, or empty for any
 */
public record PlacementQuery(String tenantId, String serverId, String vmIdPrefix,
    String requestIdPrefix, List<String> requestIds) implements Predicate<Object, Object> {
  private static final long serialVersionUID = 1L;

  /** Copies {@code requestIds}. */
  public PlacementQuery {
    requestIds = List.copyOf(requestIds);
  }

  @Override
  public boolean apply(Map.Entry<Object, Object> entry) {
    try {
      return entry.getKey() instanceof String id && entry.getValue() instanceof Placement p
          && p.vmId().equals(id) && matches(p);
    } catch (RuntimeException e) { // a value this member cannot deserialize: not vmgrid's
      return false;
    }
  }

  private boolean matches(Placement p) {
    return (tenantId.isEmpty() || tenantId.equals(p.tenantId()))
        && (serverId.isEmpty() || serverId.equals(p.serverId()))
        && p.vmId().startsWith(vmIdPrefix)
        && p.requestId().startsWith(requestIdPrefix)
        && (requestIds.isEmpty() || requestIds.contains(p.requestId()));
  }

  static final class Serializer implements CompactSerializer<PlacementQuery> {
    @Override
    public PlacementQuery read(CompactReader in) {
      String[] ids = in.readArrayOfString("requestIds");
      return new PlacementQuery(GridRequest.nonNull(in.readString("tenantId")),
          GridRequest.nonNull(in.readString("serverId")),
          GridRequest.nonNull(in.readString("vmIdPrefix")),
          GridRequest.nonNull(in.readString("requestIdPrefix")),
          ids == null ? List.of()
              : java.util.Arrays.stream(ids).map(Objects::requireNonNull).toList());
    }

    @Override
    public void write(CompactWriter out, PlacementQuery q) {
      out.writeString("tenantId", q.tenantId());
      out.writeString("serverId", q.serverId());
      out.writeString("vmIdPrefix", q.vmIdPrefix());
      out.writeString("requestIdPrefix", q.requestIdPrefix());
      out.writeArrayOfString("requestIds", q.requestIds().toArray(new String[0]));
    }

    @Override
    public String getTypeName() {
      return "vmgrid.PlacementQuery";
    }

    @Override
    public Class<PlacementQuery> getCompactClass() {
      return PlacementQuery.class;
    }
  }
}
