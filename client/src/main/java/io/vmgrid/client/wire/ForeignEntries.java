package io.vmgrid.client.wire;

import com.hazelcast.core.HazelcastInstance;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * The one check every reader of the grid's maps makes on an entry: is it vmgrid's own (a key and a
 * value of the map's types), or foreign (written by a Hazelcast client that is not vmgrid's: a plain
 * string, a number, a JSON value, a Compact record of another schema)? A foreign entry is skipped,
 * counted per map, and logged once per map (a WARNING naming the map, the key and the value's class;
 * later ones are only counted). It is left in place: vmgrid does not delete data it does not
 * understand.
 *
 * <p>One instance per Hazelcast instance (member or client), kept in its user context: see
 * {@link #of(HazelcastInstance)}. Members export the counts as
 * {@code vmgrid_foreign_entries_total{map}}. Thread-safe.
 */
public final class ForeignEntries {
  private static final Logger LOG = Logger.getLogger(ForeignEntries.class.getName());
  /** Key of the instance in a Hazelcast instance's user context. */
  static final String CONTEXT_KEY = "vmgrid.foreignEntries";

  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
  private final Set<String> logged = ConcurrentHashMap.newKeySet();

  /** A new, empty tally (tests; readers use {@link #of(HazelcastInstance)}). */
  public ForeignEntries() {}

  /** The tally of {@code hz}, created on first use. */
  public static ForeignEntries of(HazelcastInstance hz) {
    return (ForeignEntries) hz.getUserContext()
        .computeIfAbsent(CONTEXT_KEY, k -> new ForeignEntries());
  }

  /**
   * {@code value} as a {@code type} if the entry is vmgrid's own: a {@code String} key and a value
   * of {@code type}; otherwise null, and the entry is counted as foreign. A null value (no entry)
   * is null and not counted.
   */
  public <V> @Nullable V value(String map, @Nullable Object key, @Nullable Object value,
      Class<V> type) {
    if (value == null) {
      return null;
    }
    if (key instanceof String && type.isInstance(value)) {
      return type.cast(value);
    }
    skip(map, key, value);
    return null;
  }

  /**
   * As {@link #value(String, Object, Object, Class)}, and the value must also name its own key
   * ({@code id} of it equals the key): a value of the right type under another id is foreign too.
   */
  public <V> @Nullable V value(String map, @Nullable Object key, @Nullable Object value,
      Class<V> type, Function<V, String> id) {
    V v = value(map, key, value, type);
    if (v == null || id.apply(v).equals(key)) {
      return v;
    }
    skip(map, key, value);
    return null;
  }

  /** Whether {@code key} is a {@code String}, as every key of the grid's maps is; counts it if not. */
  public boolean ownKey(String map, @Nullable Object key, @Nullable Object value) {
    if (key instanceof String) {
      return true;
    }
    skip(map, key, value);
    return false;
  }

  /** Counts and (the first time for {@code map}) logs an entry its reader found foreign. */
  public void skip(String map, @Nullable Object key, @Nullable Object value) {
    skip(map, String.valueOf(key), value == null ? "null" : value.getClass().getName());
  }

  /**
   * Counts and (the first time for {@code map}) logs a foreign entry described by its key's string
   * form and its value's class name: for readers that learn of it from another member.
   */
  public void skip(String map, String key, String valueClass) {
    counts.computeIfAbsent(map, m -> new LongAdder()).increment();
    if (logged.add(map)) {
      LOG.warning(() -> "map '" + map + "': skipping a foreign entry (key '" + abbreviate(key)
          + "', value " + valueClass + "): it is not vmgrid's, so it is left in place and ignored;"
          + " later ones in this map are only counted (vmgrid_foreign_entries_total)");
    }
  }

  /** Foreign entries skipped so far in {@code map} (each time a reader met one). */
  public long count(String map) {
    LongAdder n = counts.get(map);
    return n == null ? 0 : n.sum();
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }
}
