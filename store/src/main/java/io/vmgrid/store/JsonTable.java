package io.vmgrid.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.hazelcast.map.MapStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The {@code MapStore} of one persisted map: each entry one row of its table, keyed by the map's
 * key, the value as JSON. Batches (write-behind's {@code storeAll} and {@code deleteAll}, and the
 * initial load's {@code loadAll}) go in one transaction or a few statements each.
 *
 * <p>A row that cannot be read back (hand-edited, or written by something else) stops the load
 * with a {@link StoreException} naming the table and the id, rather than being skipped: skipping a
 * placement would let its VM id and capacity be given out twice.
 *
 * @param <V> the map's value type (a record)
 */
public final class JsonTable<V> implements MapStore<String, V> {
  /** Keys per {@code SELECT ... IN} statement when loading. */
  static final int LOAD_CHUNK = 500;

  private final Store store;
  private final Store.Table table;
  private final Class<V> type;

  /** The store of {@code table}, whose rows hold {@code type} values. */
  public JsonTable(Store store, Store.Table table, Class<V> type) {
    this.store = store;
    this.table = table;
    this.type = type;
  }

  @Override
  public void store(String key, V value) {
    String doc = Documents.write(value);
    store.call(c -> {
      try (PreparedStatement ps = c.prepareStatement(store.dialect().upsert(table))) {
        ps.setString(1, key);
        ps.setString(2, doc);
        return ps.executeUpdate();
      }
    });
  }

  @Override
  public void storeAll(Map<String, V> map) {
    if (map.isEmpty()) {
      return;
    }
    Map<String, String> docs = new HashMap<>();
    map.forEach((k, v) -> docs.put(k, Documents.write(v)));
    batch(store.dialect().upsert(table), docs.entrySet(), (ps, e) -> {
      ps.setString(1, e.getKey());
      ps.setString(2, e.getValue());
    });
  }

  @Override
  public void delete(String key) {
    store.call(c -> {
      try (PreparedStatement ps =
          c.prepareStatement("DELETE FROM " + table.sqlName() + " WHERE id = ?")) {
        ps.setString(1, key);
        return ps.executeUpdate();
      }
    });
  }

  @Override
  public void deleteAll(Collection<String> keys) {
    if (keys.isEmpty()) {
      return;
    }
    batch("DELETE FROM " + table.sqlName() + " WHERE id = ?", List.copyOf(keys),
        (ps, k) -> ps.setString(1, k));
  }

  /** Binds one row of a batch statement. */
  @FunctionalInterface
  private interface Binder<T> {
    void bind(PreparedStatement ps, T item) throws SQLException;
  }

  /** Runs {@code sql} once per item as one batch in one transaction (all or nothing). */
  private <T> void batch(String sql, Iterable<T> items, Binder<T> binder) {
    store.call(c -> {
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        for (T item : items) {
          binder.bind(ps, item);
          ps.addBatch();
        }
        ps.executeBatch();
        c.commit();
        return Boolean.TRUE;
      } catch (SQLException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    });
  }

  @Override
  public @Nullable V load(String key) {
    return store.call(c -> {
      try (PreparedStatement ps =
          c.prepareStatement("SELECT doc FROM " + table.sqlName() + " WHERE id = ?")) {
        ps.setString(1, key);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? java.util.Optional.of(decode(key, rs.getString(1)))
              : java.util.Optional.<V>empty();
        }
      }
    }).orElse(null);
  }

  @Override
  public Map<String, V> loadAll(Collection<String> keys) {
    List<String> list = List.copyOf(keys);
    Map<String, V> out = new HashMap<>();
    for (int from = 0; from < list.size(); from += LOAD_CHUNK) {
      List<String> chunk = list.subList(from, Math.min(list.size(), from + LOAD_CHUNK));
      String sql = "SELECT id, doc FROM " + table.sqlName() + " WHERE id IN ("
          + "?,".repeat(chunk.size() - 1) + "?)";
      store.call(c -> {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
          for (int i = 0; i < chunk.size(); i++) {
            ps.setString(i + 1, chunk.get(i));
          }
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              String id = rs.getString(1);
              out.put(id, decode(id, rs.getString(2)));
            }
          }
        }
        return Boolean.TRUE;
      });
    }
    return out;
  }

  @Override
  public Iterable<String> loadAllKeys() {
    return store.call(c -> {
      List<String> keys = new ArrayList<>();
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT id FROM " + table.sqlName())) {
        while (rs.next()) {
          keys.add(rs.getString(1));
        }
      }
      return keys;
    });
  }

  private V decode(String id, String doc) {
    try {
      return Documents.read(doc, type);
    } catch (JsonProcessingException | RuntimeException e) {
      throw new StoreException("store " + store.settings().displayUrl() + ": row '" + id
          + "' of " + table.sqlName() + " is not a valid " + type.getSimpleName() + ": "
          + Store.firstLine(e), e);
    }
  }

  @Override
  public String toString() {
    return "JsonTable[" + table.sqlName() + " of " + type.getSimpleName() + "]";
  }
}
