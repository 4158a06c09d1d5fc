package io.vmgrid.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.config.Config;
import com.hazelcast.config.ListenerConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.internal.partition.InternalPartition;
import com.hazelcast.internal.partition.InternalPartitionService;
import com.hazelcast.internal.partition.PartitionReplica;
import com.hazelcast.map.IMap;
import com.hazelcast.test.Accessors;
import com.hazelcast.test.HazelcastTestSupport;
import com.hazelcast.test.TestHazelcastInstanceFactory;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.client.wire.ServerState;
import io.vmgrid.node.topology.PartitionGroup;
import io.vmgrid.node.topology.RedundancyWatch;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Partition groups by node on real in-JVM members: a partition's primary and backups of the
 * placement store never share a node name, and fewer node names than replicas are reported rather
 * than silently costing backups.
 */
class PartitionGroupClusterTest {
  private static final int SERVERS = 300;

  private final TestHazelcastInstanceFactory factory = new TestHazelcastInstanceFactory(5);
  private final Logger watchLog = Logger.getLogger(RedundancyWatch.class.getName());
  private final List<LogRecord> warnings = new CopyOnWriteArrayList<>();
  private final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord record) {
      if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
        warnings.add(record);
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  @BeforeEach
  void captureWarnings() {
    watchLog.addHandler(capture);
  }

  @AfterEach
  void tearDown() {
    watchLog.removeHandler(capture);
    factory.terminateAll();
  }

  /** A member on Kubernetes node {@code node}, with the grid's maps and a redundancy watch. */
  private HazelcastInstance member(String node, List<RedundancyWatch> watches) {
    Config config = GridNode.applyGridConfig(HazelcastTestSupport.smallInstanceConfig());
    new PartitionGroup(PartitionGroup.Kind.NODE, node).applyTo(config);
    RedundancyWatch watch = new RedundancyWatch(PartitionGroup.Kind.NODE, GridNode.STORE_BACKUPS);
    watches.add(watch);
    config.addListenerConfig(new ListenerConfig(watch));
    return factory.newHazelcastInstance(config);
  }

  @Test
  void fourMembersOnTwoNodesKeepEachPartitionsReplicasOnBothNodesAndSaySoOneBackupIsMissing() {
    List<RedundancyWatch> watches = new ArrayList<>();
    List<HazelcastInstance> members = new ArrayList<>();
    for (String node : List.of("a", "a", "b", "b")) {
      members.add(member(node, watches));
    }
    HazelcastTestSupport.assertClusterSizeEventually(4, members);
    IMap<String, ServerState> servers = members.get(0).getMap(MapNames.SERVERS);
    Map<String, ServerState> inventory = new HashMap<>();
    Fixtures.servers(SERVERS, 32, 131_072).forEach(s -> inventory.put(s.serverId(), s));
    servers.putAll(inventory);
    HazelcastTestSupport.waitAllForSafeState(members);

    Map<UUID, String> nodeOf = new HashMap<>();
    members.forEach(m -> nodeOf.put(m.getCluster().getLocalMember().getUuid(),
        m.getCluster().getLocalMember().getAttribute(PartitionGroup.Kind.NODE.attribute())));
    InternalPartitionService partitions = Accessors.getPartitionService(members.get(0));
    for (int id = 0; id < partitions.getPartitionCount(); id++) {
      InternalPartition partition = partitions.getPartition(id);
      List<String> nodes = new ArrayList<>();
      for (int replica = 0; replica <= GridNode.STORE_BACKUPS; replica++) {
        PartitionReplica r = partition.getReplica(replica);
        if (r != null) {
          nodes.add(nodeOf.get(r.uuid()));
        }
      }
      assertThat(nodes).as("nodes of partition %d's primary and backups", id)
          .containsExactlyInAnyOrder("a", "b");
    }
    // the store's entries: each once as a primary and once as a backup, on the other node
    HazelcastTestSupport.assertTrueEventually(() -> {
      long owned = 0;
      long backups = 0;
      for (HazelcastInstance m : members) {
        owned += m.getMap(MapNames.SERVERS).getLocalMapStats().getOwnedEntryCount();
        backups += m.getMap(MapNames.SERVERS).getLocalMapStats().getBackupEntryCount();
      }
      assertThat(owned).isEqualTo(SERVERS);
      assertThat(backups).isEqualTo(SERVERS);
    });

    for (RedundancyWatch watch : watches) {
      assertThat(watch.status()).isEqualTo(
          new RedundancyWatch.Status(4, 2, Map.of("a", 2, "b", 2), 2, 1));
    }
    assertThat(warnings).anySatisfy(w -> assertThat(w.getMessage())
        .contains("partitionGroup node: the 4 members run in 2 Kubernetes nodes {a=2, b=2}")
        .contains("keeps 1 backup(s) per partition instead of 2")
        .contains("at least 3 Kubernetes nodes"));

    // a member on a third node: three groups, both backups again
    warnings.clear();
    members.add(member("c", watches));
    HazelcastTestSupport.assertClusterSizeEventually(5, members);
    HazelcastTestSupport.waitAllForSafeState(members);
    for (RedundancyWatch watch : watches) {
      assertThat(watch.status().reduced()).isFalse();
      assertThat(watch.status().effective()).isEqualTo(2);
    }
    assertThat(warnings).extracting(LogRecord::getMessage).isEmpty();
    HazelcastTestSupport.assertTrueEventually(() -> {
      long backups = 0;
      for (HazelcastInstance m : members) {
        backups += m.getMap(MapNames.SERVERS).getLocalMapStats().getBackupEntryCount();
      }
      assertThat(backups).isEqualTo(2L * SERVERS);
    });
  }

  @Test
  void membersAllOnOneNodeAreSplitInTwoGroupsByHazelcastAndKeepOneBackup() {
    List<RedundancyWatch> watches = new ArrayList<>();
    List<HazelcastInstance> members = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      members.add(member("only", watches));
    }
    HazelcastTestSupport.assertClusterSizeEventually(3, members);
    HazelcastTestSupport.waitAllForSafeState(members);

    assertThat(watches.get(0).status()).isEqualTo(
        new RedundancyWatch.Status(3, 2, Map.of("only", 3), 2, 1));
    InternalPartition partition = Accessors.getPartitionService(members.get(0)).getPartition(0);
    assertThat(partition.getReplica(1)).as("Hazelcast keeps a first backup").isNotNull();
    assertThat(partition.getReplica(2)).as("but not the second the store is configured with")
        .isNull();
    assertThat(warnings).isNotEmpty();
  }
}
