package io.vmgrid.node.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.PartitionGroupConfig.MemberGroupType;
import io.vmgrid.node.GridNode;
import io.vmgrid.node.GridNodeConfig;
import io.vmgrid.node.NodeFile;
import io.vmgrid.node.time.NodeTimings;
import io.vmgrid.node.time.Timing;
import io.vmgrid.node.topology.KubernetesDnsDiscovery;
import io.vmgrid.node.topology.PartitionGroup;
import io.vmgrid.node.topology.PartitionGroup.Kind;
import io.vmgrid.node.topology.ZoneLookup;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The node's configuration file, flag precedence, discovery modes and rule-set validation. */
class NodeConfigTest {
  /** A zone lookup for tests that must not ask one. */
  private static final ZoneLookup NO_ZONES = node -> {
    throw new AssertionError("no zone lookup expected for " + node);
  };

  @TempDir Path tmp;

  @Test
  void fileIsReadAndFlagsOverrideIt() {
    NodeFile file = NodeFile.parse("""
        clusterName: zone-a
        port: 5800
        metricsPort: 9500
        workers: 8
        quorum: 2
        discovery:
          mode: kubernetes
          serviceDns: vmgrid-hs.prod.svc.cluster.local
        """, "node.yaml");
    NodeCommand command = new NodeCommand();
    new CommandLine(command).parseArgs("--workers", "2", "--bind", "10.1.2.3");

    GridNodeConfig config = command.resolve(file);

    assertThat(config).isEqualTo(GridNodeConfig.builder().clusterName("zone-a")
        .bindAddress("10.1.2.3").port(5800).workers(2).metricsPort(9500)
        .kubernetesDns("vmgrid-hs.prod.svc.cluster.local").quorum(2).build());
  }

  @Test
  void preemptionComesFromTheRuleSetTheFileAndTheFlagsInThatOrder() throws Exception {
    NodeCommand none = new NodeCommand();
    new CommandLine(none).parseArgs();
    assertThat(none.rules(NodeFile.empty()).preemption())
        .as("the default rule set's").isEqualTo(io.vmgrid.rules.ruleset.Preemption.defaults());

    NodeFile file = NodeFile.parse("preemption: {enabled: false, maxVictims: 3}", "n.yaml");
    assertThat(file.preemption()).isEqualTo(new NodeFile.PreemptionKeys(false, 3));
    var fromFile = none.rules(file).preemption();
    assertThat(fromFile.enabled()).isFalse();
    assertThat(fromFile.maxVictims()).isEqualTo(3);

    NodeCommand flags = new NodeCommand();
    new CommandLine(flags).parseArgs("--preemption", "on", "--max-victims", "5");
    var fromFlags = flags.rules(file).preemption();
    assertThat(fromFlags.enabled()).isTrue();
    assertThat(fromFlags.maxVictims()).isEqualTo(5);
    assertThat(fromFlags.searchBudget()).isEqualTo(fromFile.searchBudget());

    assertThatThrownBy(() -> NodeFile.parse(
        "preemption: {enabled: maybe, maxVictims: 0, victims: 2}", "n.yaml"))
        .hasMessageContaining("preemption.enabled: expected true or false (was 'maybe')")
        .hasMessageContaining("preemption.maxVictims: must be in 1..64 (was 0)")
        .hasMessageContaining("preemption.victims: unknown key");
    assertThatThrownBy(() -> NodeFile.parse("preemption: on", "n.yaml"))
        .hasMessageContaining("preemption: expected a mapping");
    NodeCommand bad = new NodeCommand();
    new CommandLine(bad).parseArgs("--preemption", "maybe");
    assertThatThrownBy(() -> bad.rules(NodeFile.empty()))
        .hasMessage("--preemption: must be on or off (was 'maybe')");
    NodeCommand tooMany = new NodeCommand();
    new CommandLine(tooMany).parseArgs("--max-victims", "65");
    assertThatThrownBy(() -> tooMany.rules(NodeFile.empty()))
        .hasMessage("--max-victims: must be in 1..64 (was 65)");
  }

  @Test
  void defaultsWithoutFileAreLoopbackTcpIp() {
    NodeCommand command = new NodeCommand();
    new CommandLine(command).parseArgs();

    assertThat(command.resolve(NodeFile.empty()))
        .isEqualTo(GridNodeConfig.builder().metricsPort(9401).build());
  }

  @Test
  void everyProblemInTheFileIsNamed() {
    assertThatThrownBy(() -> NodeFile.parse("""
        clusterName: x
        colour: blue
        port: fifty
        discovery:
          mode: kubernetes
          members: [a]
        """, "node.yaml"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("node.yaml: ")
        .hasMessageContaining("colour: unknown key")
        .hasMessageContaining("port: expected a whole number (was 'fifty')")
        .hasMessageContaining("discovery.serviceDns: required for mode kubernetes")
        .hasMessageContaining("discovery.members: only for mode tcp-ip");
    assertThatThrownBy(() -> NodeFile.parse("discovery: {mode: multicast}", "n.yaml"))
        .hasMessageContaining("discovery.mode: must be tcp-ip or kubernetes (was 'multicast')");
    assertThatThrownBy(() -> NodeFile.parse("port: [", "n.yaml")).hasMessageContaining("not valid YAML");
    assertThatThrownBy(() -> NodeFile.parse("scheduler: fastest", "n.yaml"))
        .hasMessageContaining("scheduler: unknown policy 'fastest'; known: kamino-request");
    assertThatThrownBy(() -> NodeFile.parse("scheduler: shared-queue", "n.yaml"))
        .hasMessageContaining("scheduler: shared-queue cannot be expressed on the grid");
    assertThat(NodeFile.parse("scheduler: jsq", "n.yaml").scheduler()).isEqualTo("jsq");
    assertThat(NodeFile.parse("jetThreads: 1", "n.yaml").jetThreads()).isEqualTo(1);
    assertThat(NodeFile.parse("port: 5701", "n.yaml").jetThreads()).isNull();
    assertThat(NodeFile.parse("jetThreads: 0", "n.yaml").jetThreads()).as("one per core, as the flag")
        .isEqualTo(0);
    assertThatThrownBy(() -> NodeFile.parse("jetThreads: -1", "n.yaml"))
        .hasMessageContaining("jetThreads: must be 0 (one per core) or 1..256 (was -1)");
    assertThatThrownBy(() -> NodeFile.parse("jetThreads: 257", "n.yaml"))
        .hasMessageContaining("jetThreads: must be 0 (one per core) or 1..256 (was 257)");
    NodeCommand flag = new NodeCommand();
    new CommandLine(flag).parseArgs("--jet-threads", "-1");
    assertThatThrownBy(() -> flag.jetThreads(NodeFile.empty()))
        .hasMessage("--jet-threads: must be 0 (one per core) or 1..256 (was -1)");
    NodeCommand none = new NodeCommand();
    new CommandLine(none).parseArgs();
    assertThat(none.jetThreads(NodeFile.empty())).as("one per core by default").isZero();
    assertThat(none.jetThreads(NodeFile.parse("jetThreads: 2", "n.yaml"))).isEqualTo(2);
  }

  @Test
  void kubernetesModeJoinsByDnsLookupOnly() {
    Config config = GridNode.memberConfig(GridNodeConfig.builder().clusterName("k")
        .bindAddress("10.0.0.7").kubernetesDns("vmgrid-hs.ns.svc.cluster.local").quorum(2).build());

    JoinConfig join = config.getNetworkConfig().getJoin();
    // Hazelcast's Kubernetes strategy, through vmgrid's factory (KubernetesDnsDiscovery says why)
    assertThat(config.getProperty("hazelcast.discovery.enabled")).isEqualTo("true");
    assertThat(join.getKubernetesConfig().isEnabled()).isFalse();
    assertThat(join.getDiscoveryConfig().getDiscoveryStrategyConfigs()).singleElement().satisfies(d -> {
      assertThat(d.getDiscoveryStrategyFactory()).isInstanceOf(KubernetesDnsDiscovery.class);
      assertThat(d.getProperties()).containsExactly(Map.entry("service-dns", "vmgrid-hs.ns.svc.cluster.local"));
    });
    assertThat(join.getTcpIpConfig().isEnabled()).isFalse();
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    assertThat(config.getNetworkConfig().getInterfaces().getInterfaces()).containsExactly("10.0.0.7");
    assertThat(config.getSplitBrainProtectionConfig(GridNode.QUORUM).getMinimumClusterSize()).isEqualTo(2);
  }

  @Test
  void heartbeatTimeoutAndPartitionGroupComeFromTheFileTheFlagsAndTheEnvironment() {
    NodeFile file = NodeFile.parse("""
        heartbeatTimeoutSeconds: 20
        partitionGroup: node
        """, "node.yaml");
    Map<String, String> env = Map.of(PartitionGroup.NODE_NAME_VARIABLE, "k8s-node-3");
    NodeCommand command = new NodeCommand();
    new CommandLine(command).parseArgs();

    GridNodeConfig config = command.resolve(file, env, NO_ZONES);

    assertThat(config.heartbeatTimeoutSeconds()).isEqualTo(20);
    assertThat(config.heartbeatIntervalSeconds()).isEqualTo(2);
    assertThat(config.partitionGroup()).isEqualTo(new PartitionGroup(Kind.NODE, "k8s-node-3"));

    NodeCommand flags = new NodeCommand();
    new CommandLine(flags).parseArgs("--heartbeat-timeout", "8", "--partition-group", "zone");
    GridNodeConfig overridden = flags.resolve(file, Map.of(PartitionGroup.NODE_NAME_VARIABLE,
        "k8s-node-3"), node -> node.equals("k8s-node-3") ? "zone-b" : "?");
    assertThat(overridden.heartbeatTimeoutSeconds()).isEqualTo(8);
    assertThat(overridden.heartbeatIntervalSeconds()).isEqualTo(1);
    assertThat(overridden.partitionGroup()).isEqualTo(new PartitionGroup(Kind.ZONE, "zone-b"));
    assertThat(flags.resolve(file, Map.of(PartitionGroup.ZONE_VARIABLE, "rack-9"), NO_ZONES)
        .partitionGroup()).as("an explicit zone wins over the lookup")
        .isEqualTo(new PartitionGroup(Kind.ZONE, "rack-9"));
  }

  @Test
  void defaultsAreFifteenSecondsAndNoGrouping() {
    NodeCommand command = new NodeCommand();
    new CommandLine(command).parseArgs();

    GridNodeConfig config = command.resolve(NodeFile.empty(), Map.of(), NO_ZONES);

    assertThat(config.heartbeatTimeoutSeconds()).isEqualTo(15);
    assertThat(config.heartbeatIntervalSeconds()).isEqualTo(1);
    assertThat(config.partitionGroup()).isEqualTo(PartitionGroup.none());
    assertThat(GridNodeConfig.builder().heartbeatTimeoutSeconds(60).build()
        .heartbeatIntervalSeconds()).as("Hazelcast's own pair").isEqualTo(5);
  }

  @Test
  void hazelcastsOwnHeartbeatPropertyAppliesWhenNoFlagOrKeyIsGiven() {
    String before = System.getProperty(NodeCommand.HEARTBEAT_PROPERTY);
    System.setProperty(NodeCommand.HEARTBEAT_PROPERTY, "8");
    try {
      NodeCommand command = new NodeCommand();
      new CommandLine(command).parseArgs();
      assertThat(command.resolve(NodeFile.empty(), Map.of(), NO_ZONES).heartbeatTimeoutSeconds())
          .isEqualTo(8);
      assertThat(command.resolve(NodeFile.parse("heartbeatTimeoutSeconds: 12", "n.yaml"), Map.of(),
          NO_ZONES).heartbeatTimeoutSeconds()).isEqualTo(12);
    } finally {
      if (before == null) {
        System.clearProperty(NodeCommand.HEARTBEAT_PROPERTY);
      } else {
        System.setProperty(NodeCommand.HEARTBEAT_PROPERTY, before);
      }
    }
  }

  @Test
  void jetScansItsJobsEveryThirtySecondsUnlessTheJvmIsToldOtherwise() {
    String before = System.getProperty(GridNode.JET_JOB_SCAN_PROPERTY);
    try {
      System.clearProperty(GridNode.JET_JOB_SCAN_PROPERTY);
      assertThat(GridNode.memberConfig(GridNodeConfig.defaults())
          .getProperty(GridNode.JET_JOB_SCAN_PROPERTY)).isEqualTo("30000");
      System.setProperty(GridNode.JET_JOB_SCAN_PROPERTY, "5000");
      Config config = GridNode.memberConfig(GridNodeConfig.defaults());
      assertThat(config.getProperty(GridNode.JET_JOB_SCAN_PROPERTY))
          .as("the JVM's value, not overridden").isEqualTo("5000");
    } finally {
      if (before == null) {
        System.clearProperty(GridNode.JET_JOB_SCAN_PROPERTY);
      } else {
        System.setProperty(GridNode.JET_JOB_SCAN_PROPERTY, before);
      }
    }
  }

  @Test
  void badHeartbeatAndPartitionGroupSettingsAreNamed() {
    NodeCommand command = new NodeCommand();
    new CommandLine(command).parseArgs();

    assertThatThrownBy(() -> command.resolve(NodeFile.parse("heartbeatTimeoutSeconds: 2", "n.yaml"),
        Map.of(), NO_ZONES)).hasMessage("heartbeatTimeoutSeconds: must be in 5..300 (was 2)");
    assertThatThrownBy(() -> command.resolve(NodeFile.parse("heartbeatTimeoutSeconds: 301", "n.yaml"),
        Map.of(), NO_ZONES)).hasMessage("heartbeatTimeoutSeconds: must be in 5..300 (was 301)");
    assertThatThrownBy(() -> NodeFile.parse("heartbeatTimeoutSeconds: soon\npartitionGroup: rack",
        "n.yaml"))
        .hasMessageContaining("heartbeatTimeoutSeconds: expected a whole number (was 'soon')")
        .hasMessageContaining("partitionGroup: must be none, node or zone (was 'rack')");
    assertThatThrownBy(() -> command.resolve(NodeFile.parse("partitionGroup: node", "n.yaml"),
        Map.of(), NO_ZONES))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("partitionGroup node: the environment variable VMGRID_NODE_NAME is not set");
    assertThatThrownBy(() -> command.resolve(NodeFile.parse("partitionGroup: zone", "n.yaml"),
        Map.of(), NO_ZONES))
        .hasMessageContaining("partitionGroup zone: set VMGRID_ZONE")
        .hasMessageContaining("or VMGRID_NODE_NAME");
    assertThatThrownBy(() -> command.resolve(NodeFile.parse("partitionGroup: node", "n.yaml"),
        Map.of(PartitionGroup.NODE_NAME_VARIABLE, "two words"), NO_ZONES))
        .hasMessageContaining("partitionGroup node: 'two words' is not a node name");
    NodeCommand flag = new NodeCommand();
    new CommandLine(flag).parseArgs("--partition-group", "host");
    assertThatThrownBy(() -> flag.resolve(NodeFile.empty(), Map.of(), NO_ZONES))
        .hasMessage("--partition-group: must be none, node or zone (was 'host')");
  }

  @Test
  void memberConfigCarriesTheHeartbeatAndTheNodeGroup() {
    Config config = GridNode.memberConfig(GridNodeConfig.builder().clusterName("k")
        .bindAddress("10.0.0.7").kubernetesDns("vmgrid-hs.ns.svc.cluster.local").quorum(2)
        .heartbeatTimeoutSeconds(10).partitionGroup(new PartitionGroup(Kind.NODE, "k8s-node-1"))
        .build());

    assertThat(config.getProperty("hazelcast.max.no.heartbeat.seconds")).isEqualTo("10");
    assertThat(config.getProperty("hazelcast.heartbeat.interval.seconds")).isEqualTo("1");
    assertThat(config.getPartitionGroupConfig().isEnabled()).isTrue();
    assertThat(config.getPartitionGroupConfig().getGroupType()).isEqualTo(MemberGroupType.NODE_AWARE);
    assertThat(config.getMemberAttributeConfig().getAttribute("hazelcast.partition.group.node"))
        .isEqualTo("k8s-node-1");
    assertThat(GridNode.memberConfig(GridNodeConfig.defaults()).getPartitionGroupConfig().isEnabled())
        .as("no grouping unless asked").isFalse();
  }

  @Test
  void nodeRefusesToStartWithABadRuleSetOrConfig() throws Exception {
    Path rules = tmp.resolve("rules.yaml");
    Files.writeString(rules, "rules:\n  - name: nonsense\n    kind: validator\n");
    Path config = tmp.resolve("node.yaml");
    Files.writeString(config, "workers: 0\n");

    StringWriter err = new StringWriter();
    int exit = VmgridMain.execute(new PrintWriter(new StringWriter()), new PrintWriter(err, true),
        "node", "--rules", rules.toString(), "--metrics-port", "-1");
    assertThat(exit).as("a bad file given to a flag is bad usage").isEqualTo(2);
    assertThat(err.toString()).contains("vmgrid node: error:").contains("rules.yaml");

    StringWriter err2 = new StringWriter();
    int exit2 = VmgridMain.execute(new PrintWriter(new StringWriter()), new PrintWriter(err2, true),
        "node", "--config", config.toString());
    assertThat(exit2).isEqualTo(2);
    assertThat(err2.toString()).contains("workers: must be in 1..256 (was 0)");
  }

  @Test
  void theConfigHoldsEveryStartingSettingWithItsDefaultsInTheBuilder() {
    GridNodeConfig d = GridNodeConfig.defaults();
    assertThat(d.rules()).isEqualTo(io.vmgrid.rules.ruleset.RuleSet.defaults());
    assertThat(d.scheduler()).isEqualTo("direct");
    assertThat(d.jetThreads()).isEqualTo(-1);
    assertThat(d.store()).isNull();
    assertThat(d.timings()).isEqualTo(NodeTimings.defaults());
    assertThat(d.toBuilder().build()).isEqualTo(d);

    assertThatThrownBy(() -> GridNodeConfig.builder().scheduler("fastest").build())
        .hasMessageContaining("scheduler");
    assertThatThrownBy(() -> GridNodeConfig.builder().jetThreads(-2).build())
        .hasMessage("jetThreads: must be -1 (the default, 1), 0 (one per core) or 1..256 (was -2)");
    assertThatThrownBy(() -> GridNodeConfig.builder().workers(0).build())
        .hasMessage("workers: must be in 1..256 (was 0)");

    NodeTimings quick = NodeTimings.defaults().with(Timing.RECONCILE_PERIOD, Duration.ofSeconds(5));
    Config member = GridNode.memberConfig(GridNodeConfig.builder().timings(quick).build());
    assertThat(NodeTimings.of(member)).as("the member reads the config's timings").isSameAs(quick);
  }
}
