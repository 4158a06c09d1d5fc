package io.vmgrid.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmgrid.client.wire.Eviction;
import io.vmgrid.client.wire.HostedVm;
import io.vmgrid.client.wire.Placement;
import io.vmgrid.client.wire.Repair;
import io.vmgrid.client.wire.ServerHealth;
import io.vmgrid.client.wire.ServerState;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What every store must do, run against each database by a subclass. */
abstract class StoreContract {
  /** Settings for a fresh, empty database. */
  abstract StoreSettings fresh() throws Exception;

  static ServerState server(String id, int vms) {
    ServerState s = ServerState.empty(id, "c" + (id.hashCode() & 3), 64, 262_144,
        new ServerState.Topology("r1", 2, 3, "gen5"));
    for (int i = 0; i < vms; i++) {
      s = s.with(new HostedVm(id + "-vm" + i, "tenant-" + i, 2, 4_096, "req-" + i,
          i % 2 == 0 ? "REGULAR" : "LOW", 1_700_000_000_000L + i, i == 1 ? "as-1" : "",
          i == 2 ? "aa-2" : ""));
    }
    return s;
  }

  @Test
  void entriesWrittenAreReadBackEqualAfterTheStoreIsReopened() throws Exception {
    StoreSettings settings = fresh();
    ServerState busy = server("srv-1", 3).withHealth(ServerHealth.MAINTENANCE);
    Placement placed = Placement.of(busy.vms().get(1), "srv-1");
    Repair repair = new Repair("vm-9", "srv-1", "PLACEMENT_RESTORED", "t", "LOW", 4, 17L);
    // a server with a preemption not logged yet, and the log entry it becomes
    ServerState preempting = server("srv-4", 3).preempting(List.of("srv-4-vm1"),
        new HostedVm("big", "t", 4, 4_096, "req-big", "REGULAR", 1_700_000_001_000L),
        1_700_000_001_000L);
    Eviction eviction = preempting.preempted().get(0);
    try (Store store = Store.open(settings)) {
      JsonTable<ServerState> servers = new JsonTable<>(store, Store.Table.SERVERS,
          ServerState.class);
      servers.store("srv-1", server("srv-1", 0));
      servers.store("srv-1", busy); // an update replaces the row
      servers.storeAll(Map.of("srv-2", server("srv-2", 1), "srv-3", server("srv-3", 0)));
      servers.delete("srv-3");
      new JsonTable<>(store, Store.Table.PLACEMENTS, Placement.class).store(placed.vmId(), placed);
      new JsonTable<>(store, Store.Table.REPAIRS, Repair.class).store("vm-9@srv-1", repair);
      servers.store("srv-4", preempting);
      new JsonTable<>(store, Store.Table.EVICTIONS, Eviction.class).store(eviction.key(), eviction);
    }
    try (Store store = Store.open(settings)) {
      JsonTable<ServerState> servers = new JsonTable<>(store, Store.Table.SERVERS,
          ServerState.class);
      assertThat(servers.loadAllKeys()).containsExactlyInAnyOrder("srv-1", "srv-2", "srv-4");
      assertThat(servers.load("srv-4")).isEqualTo(preempting);
      assertThat(new JsonTable<>(store, Store.Table.EVICTIONS, Eviction.class).load(eviction.key()))
          .isEqualTo(eviction);
      assertThat(servers.load("srv-1")).isEqualTo(busy);
      assertThat(servers.load("srv-3")).isNull();
      assertThat(servers.loadAll(List.of("srv-1", "srv-2", "nope")))
          .containsOnlyKeys("srv-1", "srv-2").containsEntry("srv-2", server("srv-2", 1));
      assertThat(new JsonTable<>(store, Store.Table.PLACEMENTS, Placement.class)
          .load(placed.vmId())).isEqualTo(placed);
      assertThat(new JsonTable<>(store, Store.Table.REPAIRS, Repair.class).load("vm-9@srv-1"))
          .isEqualTo(repair);
    }
  }

  @Test
  void batchesLargerThanOneStatementLoadAndDeleteCompletely() throws Exception {
    try (Store store = Store.open(fresh())) {
      JsonTable<ServerState> servers = new JsonTable<>(store, Store.Table.SERVERS,
          ServerState.class);
      Map<String, ServerState> all = new HashMap<>();
      for (int i = 0; i < JsonTable.LOAD_CHUNK * 2 + 17; i++) {
        all.put("s" + i, server("s" + i, i % 3));
      }
      servers.storeAll(all);
      List<String> keys = new ArrayList<>();
      servers.loadAllKeys().forEach(keys::add);
      assertThat(keys).hasSize(all.size());
      assertThat(servers.loadAll(keys)).isEqualTo(all);
      Set<String> gone = new HashSet<>(keys.subList(0, JsonTable.LOAD_CHUNK + 3));
      servers.deleteAll(gone);
      assertThat(store.count(Store.Table.SERVERS)).isEqualTo(all.size() - gone.size());
    }
  }

  @Test
  void aRowThatIsNotAValidEntryStopsTheLoadNamingTableAndId() throws Exception {
    StoreSettings settings = fresh();
    try (Store store = Store.open(settings)) {
      try (Connection c = DriverManager.getConnection(settings.url(), props(settings));
          Statement st = c.createStatement()) {
        st.execute("INSERT INTO vmgrid_placements (id, doc) VALUES ('vm-x', '{\"vmId\":\"vm-x\"}')");
        st.execute("INSERT INTO vmgrid_servers (id, doc) VALUES ('srv-x', 'not json')");
      }
      JsonTable<Placement> placements = new JsonTable<>(store, Store.Table.PLACEMENTS,
          Placement.class);
      assertThatThrownBy(() -> placements.load("vm-x")).isInstanceOf(StoreException.class)
          .hasMessageContaining("row 'vm-x' of vmgrid_placements is not a valid Placement");
      assertThatThrownBy(() -> new JsonTable<>(store, Store.Table.SERVERS, ServerState.class)
          .loadAll(List.of("srv-x"))).isInstanceOf(StoreException.class)
          .hasMessageContaining("row 'srv-x' of vmgrid_servers is not a valid ServerState");
    }
  }

  @Test
  void aSchemaOfANewerVersionIsRefusedWithOneLine() throws Exception {
    StoreSettings settings = fresh();
    try (Store store = Store.open(settings)) {
      try (Connection c = DriverManager.getConnection(settings.url(), props(settings));
          Statement st = c.createStatement()) {
        st.execute("UPDATE vmgrid_schema SET version = " + (Store.SCHEMA_VERSION + 1));
      }
    }
    assertThatThrownBy(() -> Store.open(settings)).isInstanceOf(StoreException.class)
        .hasMessageContaining("schema version " + (Store.SCHEMA_VERSION + 1)
            + " is newer than this vmgrid's (" + Store.SCHEMA_VERSION + ")")
        .hasMessageNotContaining("\n");
  }

  @Test
  void manyThreadsShareAFewConnections() throws Exception {
    try (Store store = Store.open(fresh())) {
      JsonTable<ServerState> servers = new JsonTable<>(store, Store.Table.SERVERS,
          ServerState.class);
      List<Thread> threads = new ArrayList<>();
      List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
      for (int t = 0; t < Store.POOL_SIZE * 4; t++) {
        int id = t;
        threads.add(new Thread(() -> {
          try {
            for (int i = 0; i < 20; i++) {
              servers.store("t" + id + "-" + i, server("t" + id + "-" + i, i % 2));
            }
          } catch (RuntimeException e) {
            errors.add(e);
          }
        }));
      }
      threads.forEach(Thread::start);
      for (Thread t : threads) {
        t.join();
      }
      assertThat(errors).isEmpty();
      assertThat(store.count(Store.Table.SERVERS)).isEqualTo(Store.POOL_SIZE * 4 * 20L);
      assertThat(store.connectionsOpen()).isBetween(1, Store.POOL_SIZE);
    }
  }

  @Test
  void aStoreErrorCrossesTheWireWithoutTheDriversClasses() throws Exception {
    StoreException e = new StoreException("store x: broken",
        new java.sql.SQLException("driver detail", "08001"));
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
      out.writeObject(e);
    }
    try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(
        new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
      in.setObjectInputFilter(info -> info.serialClass() == null
          || !info.serialClass().getName().startsWith("java.sql")
          ? java.io.ObjectInputFilter.Status.UNDECIDED : java.io.ObjectInputFilter.Status.REJECTED);
      Object back = in.readObject();
      assertThat(back).isInstanceOf(StoreException.class);
      assertThat(((StoreException) back).getMessage()).isEqualTo("store x: broken");
      assertThat(((StoreException) back).getCause()).isNull();
    }
    assertThat(e.getCause()).hasMessage("driver detail");
  }

  static java.util.Properties props(StoreSettings s) {
    java.util.Properties p = new java.util.Properties();
    if (!s.user().isEmpty()) {
      p.setProperty("user", s.user());
    }
    return p;
  }
}
