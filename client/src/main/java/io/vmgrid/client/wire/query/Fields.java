package io.vmgrid.client.wire.query;

import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** Reads and writes the field shapes the query records share (lists, ordered maps, strings). */
final class Fields {
  private Fields() {}

  /** String field {@code name}; empty when null. */
  static String string(CompactReader in, String name) {
    @Nullable String s = in.readString(name);
    return s == null ? "" : s;
  }

  /** Array-of-Compact field {@code name} as a list (null: empty; a null element is refused). */
  static <T> List<T> list(CompactReader in, String name, Class<T> type) {
    T @Nullable [] all = in.readArrayOfCompact(name, type);
    List<T> out = new ArrayList<>(all == null ? 0 : all.length);
    if (all != null) {
      for (T t : all) {
        out.add(Objects.requireNonNull(t, name + ": null element"));
      }
    }
    return out;
  }

  /** Array-of-string field {@code name} as a list (null elements read as empty). */
  static List<String> strings(CompactReader in, String name) {
    String @Nullable [] all = in.readArrayOfString(name);
    List<String> out = new ArrayList<>(all == null ? 0 : all.length);
    if (all != null) {
      for (String s : all) {
        out.add(s == null ? "" : s);
      }
    }
    return out;
  }

  static void strings(CompactWriter out, String name, List<String> values) {
    out.writeArrayOfString(name, values.toArray(new String[0]));
  }

  /** An ordered map of counts, written as two arrays: {@code <name>Keys} and {@code <name>}. */
  static void counts(CompactWriter out, String name, Map<String, Long> map) {
    long[] values = new long[map.size()];
    int i = 0;
    for (long v : map.values()) {
      values[i++] = v;
    }
    out.writeArrayOfString(name + "Keys", map.keySet().toArray(new String[0]));
    out.writeArrayOfInt64(name, values);
  }

  static Map<String, Long> counts(CompactReader in, String name) {
    List<String> keys = strings(in, name + "Keys");
    long @Nullable [] values = in.readArrayOfInt64(name);
    Map<String, Long> out = new LinkedHashMap<>();
    for (int i = 0; i < keys.size(); i++) {
      out.put(keys.get(i), values != null && i < values.length ? values[i] : 0L);
    }
    return out;
  }

  /** An ordered map of scores, written as two arrays: {@code <name>Keys} and {@code <name>}. */
  static void scores(CompactWriter out, String name, Map<String, Double> map) {
    double[] values = new double[map.size()];
    int i = 0;
    for (double v : map.values()) {
      values[i++] = v;
    }
    out.writeArrayOfString(name + "Keys", map.keySet().toArray(new String[0]));
    out.writeArrayOfFloat64(name, values);
  }

  static Map<String, Double> scores(CompactReader in, String name) {
    List<String> keys = strings(in, name + "Keys");
    double @Nullable [] values = in.readArrayOfFloat64(name);
    Map<String, Double> out = new LinkedHashMap<>();
    for (int i = 0; i < keys.size(); i++) {
      out.put(keys.get(i), values != null && i < values.length ? values[i] : 0.0);
    }
    return out;
  }

  /** An ordered copy of {@code map}, unmodifiable. */
  static <V> Map<String, V> ordered(Map<String, V> map) {
    return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(map));
  }
}
