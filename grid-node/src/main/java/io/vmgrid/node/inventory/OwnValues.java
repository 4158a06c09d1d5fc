package io.vmgrid.node.inventory;

import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import com.hazelcast.map.IMap;
import com.hazelcast.projection.Projection;
import io.vmgrid.client.wire.ForeignEntries;
import io.vmgrid.client.wire.Placement;
import io.vmgrid.client.wire.ServerState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads every value of {@code servers}, {@code placements} or {@code releases} that is vmgrid's own: a value of the
 * map's type under its own id. Runs on each member over the entries it owns, where an entry of
 * another type (a foreign client's string, number or JSON value), under another key type, or one
 * the deserialization filter refuses, becomes a {@link String} describing it instead of failing the
 * whole read ({@code entrySet()} would throw for the whole map on one of them). The caller skips it
 * and counts it with {@link ForeignEntries}.
 */
public final class OwnValues implements Projection<Map.Entry<Object, Object>, Object> {
  private static final long serialVersionUID = 1L;

  /** The maps it reads. */
  public enum Kind {
    SERVERS,
    PLACEMENTS,
    /** {@code releases}: the values only (each encodes its placement and minute). */
    RELEASES
  }

  private final Kind kind;

  /** A projection reading the map of {@code kind}. */
  public OwnValues(Kind kind) {
    this.kind = kind;
  }

  /**
   * The entry's value if it is vmgrid's own, else a {@code String} naming the foreign entry: its
   * key's string form, a tab, and its value's class (what {@link ForeignEntries} logs).
   */
  @Override
  public Object transform(Map.Entry<Object, Object> entry) {
    Object key = "?";
    try {
      key = entry.getKey();
      Object value = entry.getValue();
      Object own = key instanceof String id ? switch (kind) {
        case SERVERS -> value instanceof ServerState s && s.serverId().equals(id) ? s : null;
        case PLACEMENTS -> value instanceof Placement p && p.vmId().equals(id) ? p : null;
        case RELEASES -> value instanceof Long l ? l : null;
      } : null;
      return own != null ? own : key + "\t" + (value == null ? "null" : value.getClass().getName());
    } catch (RuntimeException e) { // not deserializable here (refused class, unknown schema)
      return key + "\t(not deserializable: " + e.getClass().getSimpleName() + ")";
    }
  }

  /** The servers in {@code map}, foreign entries skipped and counted in {@code foreign}. */
  public static List<ServerState> servers(IMap<String, ServerState> map, ForeignEntries foreign) {
    return read(map, Kind.SERVERS, ServerState.class, foreign);
  }

  /** The placement records in {@code map}, foreign entries skipped and counted in {@code foreign}. */
  public static List<Placement> placements(IMap<String, Placement> map, ForeignEntries foreign) {
    return read(map, Kind.PLACEMENTS, Placement.class, foreign);
  }

  /**
   * The client releases in {@code map} ({@code releases}), each as
   * {@link io.vmgrid.client.wire.ServerState#clientReleaseEntry} encodes it; foreign entries
   * skipped and counted.
   */
  public static List<Long> releases(IMap<String, Long> map, ForeignEntries foreign) {
    return read(map, Kind.RELEASES, Long.class, foreign);
  }

  @SuppressWarnings("unchecked")
  private static <T> List<T> read(IMap<String, ?> map, Kind kind, Class<T> type,
      ForeignEntries foreign) {
    Collection<Object> values = ((IMap<Object, Object>) (IMap<?, ?>) map)
        .project(new OwnValues(kind));
    List<T> out = new ArrayList<>(values.size());
    for (Object v : values) {
      if (type.isInstance(v)) {
        out.add(type.cast(v));
      } else {
        String described = String.valueOf(v);
        int tab = described.lastIndexOf('\t');
        foreign.skip(map.getName(), tab < 0 ? described : described.substring(0, tab),
            tab < 0 ? "?" : described.substring(tab + 1));
      }
    }
    return out;
  }

  /** Compact serializer (member-internal). */
  public static final class Serializer implements CompactSerializer<OwnValues> {
    @Override
    public OwnValues read(CompactReader in) {
      return new OwnValues(Kind.valueOf(Objects.requireNonNull(in.readString("kind"), "kind")));
    }

    @Override
    public void write(CompactWriter out, OwnValues p) {
      out.writeString("kind", p.kind.name());
    }

    @Override
    public String getTypeName() {
      return "vmgrid.OwnValues";
    }

    @Override
    public Class<OwnValues> getCompactClass() {
      return OwnValues.class;
    }
  }
}
