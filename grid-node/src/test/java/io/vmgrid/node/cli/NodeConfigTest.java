package io.vmgrid.node.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.vmgrid.node.GridNode;
import io.vmgrid.node.GridNodeConfig;
import io.vmgrid.node.NodeFile;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The node's configuration file, flag precedence, discovery modes and rule-set validation. */
class NodeConfigTest {
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

    assertThat(config).isEqualTo(new GridNodeConfig("zone-a", "10.1.2.3", 5800, List.of(), 2, 9500,
        "vmgrid-hs.prod.svc.cluster.local", 2));
  }

  @Test
  void defaultsWithoutFileAreLoopbackTcpIp() {
    NodeCommand command = new NodeCommand();
    new CommandLine(command).parseArgs();

    assertThat(command.resolve(NodeFile.empty())).isEqualTo(new GridNodeConfig("vmgrid", "127.0.0.1",
        5701, List.of(), 4, 9401, "", 1));
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
    assertThatThrownBy(() -> NodeFile.parse("jetThreads: 0", "n.yaml"))
        .hasMessageContaining("jetThreads: must be in 1..256 (was 0)");
  }

  @Test
  void kubernetesModeJoinsByDnsLookupOnly() {
    Config config = GridNode.memberConfig(new GridNodeConfig("k", "10.0.0.7", 5701, List.of(), 4, -1,
        "vmgrid-hs.ns.svc.cluster.local", 2));

    JoinConfig join = config.getNetworkConfig().getJoin();
    assertThat(join.getKubernetesConfig().isEnabled()).isTrue();
    assertThat(join.getKubernetesConfig().getProperty("service-dns")).isEqualTo("vmgrid-hs.ns.svc.cluster.local");
    assertThat(join.getTcpIpConfig().isEnabled()).isFalse();
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    assertThat(config.getNetworkConfig().getInterfaces().getInterfaces()).containsExactly("10.0.0.7");
    assertThat(config.getSplitBrainProtectionConfig(GridNode.QUORUM).getMinimumClusterSize()).isEqualTo(2);
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
}
