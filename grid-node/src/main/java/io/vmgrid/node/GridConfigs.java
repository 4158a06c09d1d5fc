package io.vmgrid.node;

import com.hazelcast.config.Config;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MergePolicyConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.config.SplitBrainProtectionConfig;
import com.hazelcast.spi.properties.ClusterProperty;
import com.hazelcast.splitbrainprotection.SplitBrainProtectionOn;
import io.vmgrid.client.wire.CallbackThreads;
import io.vmgrid.client.wire.GridTask;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.client.wire.ServerState;
import io.vmgrid.client.wire.WireSerialization;
import io.vmgrid.node.agent.AgentHost;
import io.vmgrid.node.agent.AgentSerialization;
import io.vmgrid.node.commit.CommitSerialization;
import io.vmgrid.node.intake.IntakeSerialization;
import io.vmgrid.node.recovery.Reconciler;
import io.vmgrid.node.recovery.ServerMergePolicy;
import io.vmgrid.node.routing.Estimates;
import io.vmgrid.node.routing.RoutingSerialization;
import io.vmgrid.node.time.NodeTimings;
import io.vmgrid.node.time.Timing;
import io.vmgrid.node.topology.KubernetesDnsDiscovery;

/**
 * A member's Hazelcast configuration: networking and discovery from the node's settings, and the
 * grid's maps (backups, split-brain protection, merge policy, time to live), executors, Jet and
 * serializers. {@link GridNode#memberConfig} and {@link GridNode#applyGridConfig} are its public
 * face.
 */
final class GridConfigs {
  private GridConfigs() {}

  /**
   * The full member configuration: {@link #apply} plus networking. Members bind to
   * {@code bindAddress} only and join by TCP/IP or, under Kubernetes, by DNS lookup of a headless
   * service; multicast and auto-detection are off. The heartbeat timeout (and an interval of a
   * tenth of it) and the partition group come from {@code node}.
   */
  static Config member(GridNodeConfig node) {
    Config config = NodeTimings.install(new Config(), node.timings()); // before apply reads them
    config.setClusterName(node.clusterName());
    config.setProperty("hazelcast.logging.type", System.getProperty("hazelcast.logging.type", "jdk"));
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.socket.bind.any", "false");
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    config.setProperty("hazelcast.max.no.heartbeat.seconds",
        String.valueOf(node.heartbeatTimeoutSeconds()));
    config.setProperty("hazelcast.heartbeat.interval.seconds",
        String.valueOf(node.heartbeatIntervalSeconds()));
    NetworkConfig network = config.getNetworkConfig();
    network.setPort(node.port()).setPortAutoIncrement(true).setPortCount(100);
    network.getInterfaces().setEnabled(true).addInterface(node.bindAddress());
    JoinConfig join = network.getJoin();
    join.getAutoDetectionConfig().setEnabled(false);
    join.getMulticastConfig().setEnabled(false);
    if (!node.kubernetesDns().isEmpty()) {
      // DNS lookup of a headless service: no Kubernetes API access (RBAC) needed. Hazelcast's own
      // strategy would overwrite the member's node and zone with "unknown": see there.
      join.getTcpIpConfig().setEnabled(false);
      KubernetesDnsDiscovery.configure(config, node.kubernetesDns(), node.partitionGroup());
    } else {
      join.getTcpIpConfig().setEnabled(true);
      if (node.members().isEmpty()) {
        join.getTcpIpConfig().addMember(node.bindAddress());
      } else {
        node.members().forEach(join.getTcpIpConfig()::addMember);
      }
    }
    node.partitionGroup().applyTo(config); // replicas of a partition on different nodes or zones
    return apply(config, node.quorum());
  }

  /**
   * Adds the grid's map configurations, serializers, the Java deserialization allow-list and the
   * split-brain protection of the placement store to {@code config}, and returns it.
   *
   * @param quorum fewest members a side needs to change {@code servers} or {@code placements}
   */
  static Config apply(Config config, int quorum) {
    CallbackThreads.install(); // before the member exists: see there (2-core machines)
    // A write whose synchronous backups did not confirm in time (a split cut them off) fails with
    // IndeterminateOperationStateException instead of succeeding with the primary's copy alone, and
    // so does one whose primary left after it ran: an acknowledged commit or record is then on every
    // replica, and one that is not is answered IN_DOUBT. Hazelcast's default completes it anyway
    // after the backup timeout; a nemesis run acknowledged placements whose record only the
    // minority's primary held (its release then answered UNKNOWN_VM), and VMs that only the
    // minority's copy of the server held (released on the majority, they came back with the merge)
    config.setProperty(ClusterProperty.FAIL_ON_INDETERMINATE_OPERATION_STATE.getName(), "true");
    WireSerialization.register(config.getSerializationConfig());
    boolean protect = quorum > 1; // a quorum of 1 protects nothing: every side has one member
    if (protect) {
      config.addSplitBrainProtectionConfig(new SplitBrainProtectionConfig(GridNode.QUORUM, true, quorum)
          .setProtectOn(SplitBrainProtectionOn.WRITE));
    }
    CommitSerialization.register(config.getSerializationConfig());
    Reconciler.register(config.getSerializationConfig());
    AgentSerialization.register(config.getSerializationConfig());
    RoutingSerialization.register(config.getSerializationConfig());
    IntakeSerialization.register(config.getSerializationConfig());
    // agents' cache records: next to the agent (partition key = agent id), no backup (rebuildable)
    config.addMapConfig(new MapConfig(AgentHost.AGENT_CACHE)
        .setBackupCount(0)
        .setInMemoryFormat(InMemoryFormat.OBJECT));
    config.addMapConfig(new MapConfig(AgentHost.AGENT_INDICATORS).setBackupCount(1));
    config.getExecutorConfig(GridTask.INTAKE_EXECUTOR).setPoolSize(GridNode.INTAKE_THREADS);
    config.getExecutorConfig(GridTask.QUERY_EXECUTOR).setPoolSize(GridNode.QUERY_THREADS);
    config.getExecutorConfig(IntakeSerialization.FORWARD_EXECUTOR).setPoolSize(GridNode.FORWARD_THREADS);
    config.addMapConfig(
        new MapConfig(MapNames.SERVERS)
            .setSplitBrainProtectionName(protect ? GridNode.QUORUM : null)
            .setBackupCount(GridNode.STORE_BACKUPS)
            .setAsyncBackupCount(0)
            .setInMemoryFormat(InMemoryFormat.OBJECT)
            .setMergePolicyConfig(new MergePolicyConfig(ServerMergePolicy.class.getName(), 100)));
    config.addMapConfig(
        new MapConfig(MapNames.PLACEMENTS)
            .setSplitBrainProtectionName(protect ? GridNode.QUORUM : null)
            .setBackupCount(GridNode.STORE_BACKUPS));
    // the repair log is what operators and tenants learn lost and evicted VMs from: kept like the store
    config.addMapConfig(new MapConfig(MapNames.REPAIRS).setBackupCount(GridNode.STORE_BACKUPS));
    // the eviction log tells owners which VMs the grid took away: kept like the repair log
    config.addMapConfig(new MapConfig(MapNames.EVICTIONS).setBackupCount(GridNode.STORE_BACKUPS));
    // clients' releases, per VM, for as long as a split may last before a merge could bring a
    // released VM back: a busy server's own memory of its releases covers a few seconds of them (a
    // nemesis run made about 66 releases on one server in the 18 s from a split's first release to
    // its merge; the first two came back)
    config.addMapConfig(new MapConfig(MapNames.RELEASES).setBackupCount(GridNode.STORE_BACKUPS)
        .setTimeToLiveSeconds(ServerState.RELEASED_KEPT_MINUTES * 60));
    config.addMapConfig(new MapConfig(Estimates.STATE_MAP).setBackupCount(1));
    config.getJetConfig().setEnabled(true).setCooperativeThreadCount(GridNode.JET_THREADS);
    config.setProperty("hazelcast.jet.idle.cooperative.max.microseconds",
        String.valueOf(GridNode.JET_IDLE_MAX_MICROS));
    if (System.getProperty(GridNode.JET_JOB_SCAN_PROPERTY) == null) {
      config.setProperty(GridNode.JET_JOB_SCAN_PROPERTY,
          String.valueOf(NodeTimings.of(config).millis(Timing.JET_JOB_SCAN)));
    }
    return config;
  }
}
