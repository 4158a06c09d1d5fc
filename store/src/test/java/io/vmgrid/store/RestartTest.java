package io.vmgrid.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.client.wire.Placement;
import io.vmgrid.client.wire.ServerState;
import io.vmgrid.client.wire.WireSerialization;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real Hazelcast members (loopback TCP) with their placement store behind a database: every
 * member is killed at once (no graceful shutdown, no flush), a new cluster starts on the same
 * database, and its maps hold what was acknowledged before the kill.
 */
class RestartTest {
  private static PostgresServer pg;
  private static int next;
  private final List<HazelcastInstance> members = new ArrayList<>();
  @TempDir Path dir;

  @BeforeAll
  static void startServer() throws Exception {
    pg = PostgresServer.start();
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (pg != null) {
      pg.close();
    }
  }

  @AfterEach
  void killMembers() {
    members.forEach(m -> m.getLifecycleService().terminate());
  }

  private StoreSettings postgres(StoreSettings.Mode mode, int delay) throws Exception {
    return StoreSettings.of(pg.newDatabase("vmgrid_restart_" + next++), "postgres", "", mode,
        delay);
  }

  /** A member of cluster {@code name} whose store maps use {@code store}. */
  private HazelcastInstance member(String name, Store store) {
    Config config = new Config().setClusterName(name);
    config.setProperty("hazelcast.logging.type", "log4j2");
    config.setProperty("hazelcast.partition.count", "31");
    config.getNetworkConfig().setPort(5901).setPortAutoIncrement(true).setPortCount(50);
    JoinConfig join = config.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).addMember("127.0.0.1"); // tries 5901-5903
    config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    WireSerialization.register(config.getSerializationConfig());
    for (String map : List.of(MapNames.SERVERS, MapNames.PLACEMENTS, MapNames.REPAIRS)) {
      config.addMapConfig(new MapConfig(map).setBackupCount(1));
    }
    StoreMaps.attach(config, store);
    HazelcastInstance hz = Hazelcast.newHazelcastInstance(config);
    members.add(hz);
    return hz;
  }

  private void killAll() {
    members.forEach(m -> m.getLifecycleService().terminate()); // abrupt: nothing is flushed
    members.clear();
  }

  /** Writes servers and placements, updates and removes some; returns what the maps held. */
  private static Map<String, Object> workload(HazelcastInstance hz, long seed, int servers) {
    Random random = new Random(seed);
    IMap<String, ServerState> s = hz.getMap(MapNames.SERVERS);
    IMap<String, Placement> p = hz.getMap(MapNames.PLACEMENTS);
    for (int i = 0; i < servers; i++) {
      s.set("srv-" + i, StoreContract.server("srv-" + i, 0));
    }
    for (int i = 0; i < servers * 2; i++) {
      String id = "srv-" + random.nextInt(servers);
      ServerState now = s.get(id);
      ServerState after = StoreContract.server(id, now.vms().size() + 1);
      s.set(id, after); // acknowledged: set returns after the store (write-through)
      p.set(after.vms().get(after.vms().size() - 1).vmId(),
          Placement.of(after.vms().get(after.vms().size() - 1), id));
    }
    List<String> keys = new ArrayList<>(p.keySet());
    keys.sort(null);
    for (int i = 0; i < keys.size() / 5; i++) {
      p.delete(keys.get(random.nextInt(keys.size()))); // releases
    }
    Map<String, Object> all = new HashMap<>(s);
    all.putAll(p);
    return all;
  }

  private static Map<String, Object> contents(HazelcastInstance hz) {
    Map<String, Object> all = new HashMap<>(hz.<String, ServerState>getMap(MapNames.SERVERS));
    all.putAll(hz.<String, Placement>getMap(MapNames.PLACEMENTS));
    return all;
  }

  @Test
  void writeThroughOnPostgresKeepsEverythingAcknowledgedWhenEveryMemberIsKilled()
      throws Exception {
    long seed = Long.getLong("vmgrid.test.seed", System.nanoTime());
    System.out.println("restart (postgres, write-through) seed=" + seed);
    StoreSettings settings = postgres(StoreSettings.Mode.WRITE_THROUGH, 0);
    String cluster = "restart-" + UUID.randomUUID();
    Map<String, Object> before;
    try (Store a = Store.open(settings); Store b = Store.open(settings)) {
      HazelcastInstance m1 = member(cluster, a);
      member(cluster, b);
      before = workload(m1, seed, 120);
      killAll();
    }
    assertThat(before).hasSizeGreaterThan(200);
    try (Store c = Store.open(settings); Store d = Store.open(settings)) {
      HazelcastInstance n1 = member(cluster, c);
      member(cluster, d);
      assertThat(contents(n1)).as("after every member was killed").isEqualTo(before);
    }
  }

  @Test
  void theEmbeddedFileKeepsAOneMemberInstallationAcrossAKill() throws Exception {
    long seed = Long.getLong("vmgrid.test.seed", System.nanoTime());
    System.out.println("restart (embedded) seed=" + seed);
    StoreSettings settings = StoreSettings.embedded(dir);
    String cluster = "restart-" + UUID.randomUUID();
    Map<String, Object> before;
    try (Store a = Store.open(settings)) {
      before = workload(member(cluster, a), seed, 60);
      killAll();
    }
    try (Store b = Store.open(settings)) {
      assertThat(contents(member(cluster, b))).isEqualTo(before);
    }
  }

  @Test
  void writeBehindLosesAtMostTheLastDelayAndAGracefulShutdownLosesNothing() throws Exception {
    long seed = Long.getLong("vmgrid.test.seed", System.nanoTime());
    System.out.println("restart (postgres, write-behind 1 s) seed=" + seed);
    StoreSettings settings = postgres(StoreSettings.Mode.WRITE_BEHIND, 1);
    String cluster = "restart-" + UUID.randomUUID();
    Map<String, Object> settled;
    Map<String, Object> last;
    try (Store a = Store.open(settings)) {
      HazelcastInstance m = member(cluster, a);
      settled = workload(m, seed, 40);
      Thread.sleep(3_000); // three delays: all of it written
      IMap<String, ServerState> s = m.getMap(MapNames.SERVERS);
      last = new HashMap<>();
      for (int i = 0; i < 50; i++) {
        ServerState late = StoreContract.server("late-" + i, 0);
        s.set(late.serverId(), late);
        last.put(late.serverId(), late);
      }
      killAll();
    }
    try (Store b = Store.open(settings)) {
      HazelcastInstance m = member(cluster, b);
      Map<String, Object> after = contents(m);
      long lateKept = last.keySet().stream().filter(after::containsKey).count();
      System.out.printf("write-behind: %d settled entries kept, %d of %d written in the last"
          + " delay kept%n", settled.keySet().stream().filter(after::containsKey).count(),
          lateKept, last.size());
      Map<String, Object> withoutLate = new HashMap<>(after);
      withoutLate.keySet().removeAll(last.keySet());
      assertThat(withoutLate).as("everything older than the delay").isEqualTo(settled);
      // a graceful shutdown flushes what is queued
      IMap<String, ServerState> s = m.getMap(MapNames.SERVERS);
      s.set("flushed", StoreContract.server("flushed", 2));
      m.shutdown();
      members.clear();
      assertThat(b.count(Store.Table.SERVERS)).as("rows after a graceful shutdown")
          .isEqualTo(settled.values().stream().filter(v -> v instanceof ServerState).count()
              + lateKept + 1);
    }
  }
}
