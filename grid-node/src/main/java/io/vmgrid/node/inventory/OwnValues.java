package io.vmgrid.node.inventory;

import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import com.hazelcast.projection.Projection;
import io.vmgrid.client.wire.Placement;
import io.vmgrid.client.wire.ServerState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Reads every value of {@code servers} or {@code placements} that is vmgrid's own: a value of the
 * map's type under its own id. Runs on each member over the entries it owns, where an entry of
 * another type (a foreign client's string, number or JSON value), under another key type, or one
 * the deserialization filter refuses, becomes null instead of failing the whole read: such an entry
 * is skipped, never thrown on. ({@code entrySet()} would throw for the whole map on one of them.)
 */
public final class OwnValues implements Projection<Map.Entry<Object, Object>, Object> {
  private static final long serialVersionUID = 1L;

  /** The maps it reads. */
  public enum Kind {
    SERVERS,
    PLACEMENTS
  }

  private final Kind kind;

  /** A projection reading the map of {@code kind}. */
  public OwnValues(Kind kind) {
    this.kind = kind;
  }

  @Override
  public @Nullable Object transform(Map.Entry<Object, Object> entry) {
    try {
      Object key = entry.getKey();
      Object value = entry.getValue();
      if (!(key instanceof String id)) {
        return null;
      }
      return switch (kind) {
        case SERVERS -> value instanceof ServerState s && s.serverId().equals(id) ? s : null;
        case PLACEMENTS -> value instanceof Placement p && p.vmId().equals(id) ? p : null;
      };
    } catch (RuntimeException e) { // not deserializable here (refused class, unknown schema)
      return null;
    }
  }

  /** The servers in {@code map}, foreign entries left out. */
  public static List<ServerState> servers(com.hazelcast.map.IMap<String, ServerState> map) {
    return read(map, Kind.SERVERS, ServerState.class);
  }

  /** The placement records in {@code map}, foreign entries left out. */
  public static List<Placement> placements(com.hazelcast.map.IMap<String, Placement> map) {
    return read(map, Kind.PLACEMENTS, Placement.class);
  }

  @SuppressWarnings("unchecked")
  private static <T> List<T> read(com.hazelcast.map.IMap<String, ?> map, Kind kind, Class<T> type) {
    Collection<Object> values = ((com.hazelcast.map.IMap<Object, Object>) (com.hazelcast.map.IMap<?, ?>) map)
        .project(new OwnValues(kind));
    List<T> out = new ArrayList<>(values.size());
    for (Object v : values) {
      if (type.isInstance(v)) {
        out.add(type.cast(v));
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
