package io.vmgrid.store;

import com.hazelcast.config.Config;
import com.hazelcast.config.MapStoreConfig;
import io.vmgrid.client.wire.Eviction;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.client.wire.Placement;
import io.vmgrid.client.wire.Repair;
import io.vmgrid.client.wire.ServerState;

/**
 * Puts the placement store's maps behind a {@link Store}: {@code servers}, {@code placements},
 * {@code repairs} and {@code evictions} load eagerly from it when the cluster first uses them, and every change is
 * written to it, through (before the change's operation completes) or behind (coalesced per key,
 * in batches, at most the delay late).
 */
public final class StoreMaps {
  /** Entries per write-behind batch statement. */
  static final int WRITE_BATCH = 500;

  private StoreMaps() {}

  /**
   * Adds the map stores to {@code config}, whose map configs for the four maps must already be
   * set (their backups, quorum and merge policy stay as they are).
   */
  public static Config attach(Config config, Store store) {
    StoreSettings s = store.settings();
    attach(config, MapNames.SERVERS, new JsonTable<>(store, Store.Table.SERVERS,
        ServerState.class), s);
    attach(config, MapNames.PLACEMENTS, new JsonTable<>(store, Store.Table.PLACEMENTS,
        Placement.class), s);
    attach(config, MapNames.REPAIRS, new JsonTable<>(store, Store.Table.REPAIRS, Repair.class), s);
    attach(config, MapNames.EVICTIONS, new JsonTable<>(store, Store.Table.EVICTIONS,
        Eviction.class), s);
    return config;
  }

  private static void attach(Config config, String map, JsonTable<?> table, StoreSettings s) {
    boolean behind = s.mode() == StoreSettings.Mode.WRITE_BEHIND;
    config.getMapConfig(map).setMapStoreConfig(new MapStoreConfig()
        .setEnabled(true)
        .setImplementation(table)
        .setInitialLoadMode(MapStoreConfig.InitialLoadMode.EAGER)
        .setWriteDelaySeconds(behind ? s.writeDelaySeconds() : 0)
        .setWriteBatchSize(behind ? WRITE_BATCH : 1)
        .setWriteCoalescing(true));
  }
}
