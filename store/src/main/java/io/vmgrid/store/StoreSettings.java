package io.vmgrid.store;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Where the placement store is kept and how changes reach it.
 *
 * @param url JDBC URL: {@code jdbc:postgresql://host:port/db} for a cluster, or {@code jdbc:h2:...}
 *     (made by {@link #embedded}) for one machine
 * @param user database user ({@code ""}: none, or the URL's own)
 * @param password database password ({@code ""}: none)
 * @param mode write-through (a commit is acknowledged after the database has it) or write-behind
 *     (batched, coalesced, at most {@code writeDelaySeconds} late)
 * @param writeDelaySeconds write-behind's delay, 1 to 300; ignored for write-through
 */
public record StoreSettings(String url, String user, String password, Mode mode,
    int writeDelaySeconds) {
  /** Longest write-behind delay accepted, in seconds. */
  public static final int MAX_WRITE_DELAY_SECONDS = 300;

  /** How a change reaches the database. */
  public enum Mode {
    /** Each change is written before its operation completes. */
    WRITE_THROUGH,
    /** Changes are queued, coalesced per key and written in batches after a delay. */
    WRITE_BEHIND;

    /** Parses {@code write-through} / {@code write-behind} (case and {@code _} or {@code -}). */
    public static Mode parse(String text) {
      String t = text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
      for (Mode m : values()) {
        if (m.name().equals(t)) {
          return m;
        }
      }
      throw new IllegalArgumentException("store mode: '" + text
          + "' is not write-through or write-behind");
    }
  }

  /** Checks every field; messages name the field. */
  public StoreSettings {
    if (url == null || !(url.startsWith("jdbc:postgresql:") || url.startsWith("jdbc:h2:"))) {
      throw new IllegalArgumentException("store: '" + url + "' is not a jdbc:postgresql: URL"
          + " (or an embedded jdbc:h2: one)");
    }
    if (user == null || password == null || mode == null) {
      throw new IllegalArgumentException("store: user, password and mode must be set");
    }
    if (mode == Mode.WRITE_BEHIND
        && (writeDelaySeconds < 1 || writeDelaySeconds > MAX_WRITE_DELAY_SECONDS)) {
      throw new IllegalArgumentException("store write delay: " + writeDelaySeconds
          + " s is outside 1.." + MAX_WRITE_DELAY_SECONDS + " (write-behind needs a delay)");
    }
  }

  /** A PostgreSQL (or other JDBC URL) store. */
  public static StoreSettings of(String url, String user, String password, Mode mode,
      int writeDelaySeconds) {
    return new StoreSettings(url, user, password, mode, writeDelaySeconds);
  }

  /**
   * The embedded store in {@code dir} (created if absent): one H2 database file that only one
   * process can open at a time, written through.
   */
  public static StoreSettings embedded(Path dir) {
    Path abs = dir.toAbsolutePath().normalize();
    if (abs.toString().contains(";")) {
      throw new IllegalArgumentException("data directory: '" + dir + "' may not contain ';'");
    }
    return new StoreSettings("jdbc:h2:file:" + abs.resolve("vmgrid") + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0",
        "", "", Mode.WRITE_THROUGH, 0);
  }

  /** Whether this is the embedded (one-process) database. */
  public boolean isEmbedded() {
    return url.startsWith("jdbc:h2:");
  }

  /** The URL without credentials or options, for messages and logs. */
  public String displayUrl() {
    int semicolon = url.indexOf(';');
    String base = semicolon < 0 ? url : url.substring(0, semicolon);
    int q = base.indexOf('?');
    return q < 0 ? base : base.substring(0, q);
  }

  @Override
  public String toString() {
    return "StoreSettings[" + displayUrl() + ", user=" + (user.isEmpty() ? "-" : user) + ", "
        + mode + (mode == Mode.WRITE_BEHIND ? " " + writeDelaySeconds + " s" : "") + "]";
  }
}
