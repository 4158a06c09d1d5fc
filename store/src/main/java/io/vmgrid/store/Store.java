package io.vmgrid.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * An open placement store: the database reached, its schema checked (created on first use,
 * refused if another version made it), and a pool of connections (Hazelcast calls
 * a {@code MapStore} from partition threads and its offload threads when writing through, and
 * from its loader and write-behind threads), at most {@link #POOL_SIZE}.
 *
 * <p>Tables: {@code vmgrid_schema} (one row: the version), {@code vmgrid_servers},
 * {@code vmgrid_placements} and {@code vmgrid_repairs} (each {@code id} primary key, {@code doc}
 * the entry as JSON). Documents rather than columns per field: the wire types already validate
 * themselves, an operator can still read a row, and a field added later needs no migration.
 */
public final class Store implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Store.class.getName());
  /** The schema version this code reads and writes. */
  public static final int SCHEMA_VERSION = 1;
  /** Seconds to wait for a connection before giving up. */
  static final int CONNECT_TIMEOUT_SECONDS = 5;
  /**
   * Connections one member opens at most: Hazelcast writes from its partition threads and its
   * map-store offload threads, loads from others; without a bound a member opened one per thread
   * and three members exhausted PostgreSQL's default 100.
   */
  public static final int POOL_SIZE = 8;
  /** Seconds a caller waits for a free connection. */
  static final int BUSY_WAIT_SECONDS = 30;

  /** The tables, one per persisted map. */
  public enum Table {
    /** The {@code servers} map. */
    SERVERS("vmgrid_servers"),
    /** The {@code placements} map. */
    PLACEMENTS("vmgrid_placements"),
    /** The {@code repairs} map. */
    REPAIRS("vmgrid_repairs"),
    /** The {@code evictions} map. */
    EVICTIONS("vmgrid_evictions");

    private final String sql;

    Table(String sql) {
      this.sql = sql;
    }

    /** The table's name in SQL. */
    public String sqlName() {
      return sql;
    }
  }

  /** What differs between the two databases. */
  enum Dialect {
    POSTGRES("TEXT", "TEXT"),
    H2("VARCHAR(512)", "CHARACTER LARGE OBJECT");

    final String idType;
    final String docType;

    Dialect(String idType, String docType) {
      this.idType = idType;
      this.docType = docType;
    }

    String upsert(Table t) {
      return this == POSTGRES
          ? "INSERT INTO " + t.sqlName() + " (id, doc) VALUES (?, ?) ON CONFLICT (id) DO UPDATE"
              + " SET doc = EXCLUDED.doc"
          : "MERGE INTO " + t.sqlName() + " (id, doc) KEY (id) VALUES (?, ?)";
    }
  }

  private final StoreSettings settings;
  private final Dialect dialect;
  /** Connections not in use; at most {@link #POOL_SIZE} exist at once. */
  private final BlockingQueue<Connection> idle = new LinkedBlockingQueue<>();
  private final Semaphore permits = new Semaphore(POOL_SIZE, true);
  private final Set<Connection> open = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  private Store(StoreSettings settings) {
    this.settings = settings;
    this.dialect = settings.isEmbedded() ? Dialect.H2 : Dialect.POSTGRES;
  }

  /**
   * Opens the store: connects, then creates the schema if the database has none, or checks its
   * version. Throws {@link StoreException} with one line an operator can act on.
   */
  public static Store open(StoreSettings settings) {
    Store store = new Store(settings);
    try {
      store.call(store::ensureSchema);
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    LOG.info(() -> "store: " + settings + ", schema version " + SCHEMA_VERSION + ", up to "
        + POOL_SIZE + " connections");
    return store;
  }

  /** The settings it was opened with. */
  public StoreSettings settings() {
    return settings;
  }

  Dialect dialect() {
    return dialect;
  }

  /** Work done with one connection. */
  @FunctionalInterface
  interface SqlWork<T> {
    T run(Connection c) throws SQLException;
  }

  /**
   * Runs {@code work} on a pooled connection (waiting up to {@link #BUSY_WAIT_SECONDS} for one); a
   * connection the database dropped is replaced and the work tried once more. SQL errors become
   * {@link StoreException}s naming the store.
   */
  <T> T call(SqlWork<T> work) {
    if (closed) {
      throw new StoreException("store " + settings.displayUrl() + " is closed");
    }
    try {
      if (!permits.tryAcquire(BUSY_WAIT_SECONDS, TimeUnit.SECONDS)) {
        throw new StoreException("store " + settings.displayUrl() + ": all " + POOL_SIZE
            + " connections busy for " + BUSY_WAIT_SECONDS + " s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException("store " + settings.displayUrl() + ": interrupted");
    }
    try {
      SQLException first = null;
      for (int attempt = 0; attempt < 2; attempt++) {
        Connection c = idle.poll();
        if (c == null) {
          c = connect();
        }
        try {
          T result = work.run(c);
          idle.offer(c);
          return result;
        } catch (SQLException e) {
          first = first == null ? e : first;
          if (isConnectionLost(e, c)) {
            drop(c);
            continue;
          }
          idle.offer(c);
          break;
        } catch (RuntimeException e) {
          idle.offer(c);
          throw e;
        }
      }
      throw new StoreException("store " + settings.displayUrl() + ": " + firstLine(first), first);
    } finally {
      permits.release();
    }
  }

  private Connection connect() {
    Properties p = new Properties();
    if (!settings.user().isEmpty()) {
      p.setProperty("user", settings.user());
    }
    if (!settings.password().isEmpty()) {
      p.setProperty("password", settings.password());
    }
    if (dialect == Dialect.POSTGRES) {
      p.setProperty("connectTimeout", String.valueOf(CONNECT_TIMEOUT_SECONDS));
      p.setProperty("loginTimeout", String.valueOf(CONNECT_TIMEOUT_SECONDS));
      p.setProperty("ApplicationName", "vmgrid");
    }
    Connection c;
    try {
      c = DriverManager.getConnection(settings.url(), p);
    } catch (SQLException e) {
      throw new StoreException("store " + settings.displayUrl() + ": cannot connect: "
          + firstLine(e), e);
    }
    open.add(c);
    return c;
  }

  private void drop(Connection c) {
    open.remove(c);
    try {
      c.close();
    } catch (SQLException ignored) {
      // already broken
    }
  }

  private static boolean isConnectionLost(SQLException e, Connection c) {
    String state = e.getSQLState();
    if (state != null && state.startsWith("08")) {
      return true; // connection exception class
    }
    try {
      return c.isClosed() || !c.isValid(CONNECT_TIMEOUT_SECONDS);
    } catch (SQLException ignored) {
      return true;
    }
  }

  static String firstLine(@Nullable Throwable e) {
    if (e == null) {
      return "unknown error";
    }
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int nl = m.indexOf('\n');
    return (nl < 0 ? m : m.substring(0, nl)).trim();
  }

  private Boolean ensureSchema(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("CREATE TABLE IF NOT EXISTS vmgrid_schema (id INTEGER PRIMARY KEY,"
          + " version INTEGER NOT NULL)");
    } catch (SQLException e) {
      if (!isDuplicate(e)) { // several members creating it at once: one wins
        throw e;
      }
    }
    Integer version = version(c);
    if (version == null) {
      try (PreparedStatement ps =
          c.prepareStatement("INSERT INTO vmgrid_schema (id, version) VALUES (1, ?)")) {
        ps.setInt(1, SCHEMA_VERSION);
        ps.executeUpdate();
        version = SCHEMA_VERSION;
      } catch (SQLException e) {
        if (!isDuplicate(e)) {
          throw e;
        }
        version = version(c);
      }
    }
    if (version == null || version != SCHEMA_VERSION) {
      throw new StoreException("store " + settings.displayUrl() + ": schema version " + version
          + (version != null && version > SCHEMA_VERSION
              ? " is newer than this vmgrid's (" + SCHEMA_VERSION + "): run the vmgrid that wrote"
                  + " it, or a newer one"
              : " is not one this vmgrid can read (" + SCHEMA_VERSION + ")"));
    }
    for (Table t : Table.values()) {
      try (Statement st = c.createStatement()) {
        st.execute("CREATE TABLE IF NOT EXISTS " + t.sqlName() + " (id " + dialect.idType
            + " PRIMARY KEY, doc " + dialect.docType + " NOT NULL)");
      } catch (SQLException e) {
        if (!isDuplicate(e)) {
          throw e;
        }
      }
    }
    return Boolean.TRUE;
  }

  private static @Nullable Integer version(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT version FROM vmgrid_schema WHERE id = 1")) {
      return rs.next() ? rs.getInt(1) : null;
    }
  }

  private static boolean isDuplicate(SQLException e) {
    return "23505".equals(e.getSQLState()) || "42P07".equals(e.getSQLState());
  }

  /** Rows in {@code table} (for operators and tests). */
  public long count(Table table) {
    return call(c -> {
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + table.sqlName())) {
        rs.next();
        return rs.getLong(1);
      }
    });
  }

  /** Connections open now (pooled or in use). */
  int connectionsOpen() {
    return open.size();
  }

  /** Closes every connection it opened. */
  @Override
  public void close() {
    closed = true;
    for (Connection c : open) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // closing anyway
      }
    }
    open.clear();
    idle.clear();
  }
}
