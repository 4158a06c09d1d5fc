package io.vmgrid.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vmgrid.node.NodeFile;
import io.vmgrid.store.StoreSettings.Mode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code helm template} with values overridden. */
class ChartOverridesTest {

  private static final String CUSTOM_RULES = """
      # a custom rule set
      combination: lexicographic
      rules:
        - {name: cores-fit, rule: resource-fit, kind: validator, level: server, priority: 30, arguments: {resource: cores}}
        - {name: best-fit, kind: preference, level: server, priority: 30, weight: 1.0, arguments: {resource: cores}}
      """;

  @TempDir Path tmp;

  @Test
  void everyOptionalObjectTogether() {
    Chart.Rendered out = Chart.template(Map.of(
        "replicas", "5",
        "networkPolicy.enabled", "true",
        "serviceMonitor.enabled", "true",
        "serviceMonitor.labels.release", "prom"),
        Chart.valuesFile(tmp, "rules:\n  inline: |\n" + CUSTOM_RULES.indent(4)));

    assertThat(out.statefulSet().path("spec").path("replicas").asInt()).isEqualTo(5);
    assertThat(out.kinds()).contains("NetworkPolicy", "ServiceMonitor");
    assertThat(out.configMap().path("data").path("rules.yaml").asText()).isEqualTo(CUSTOM_RULES);

    JsonNode sm = out.get("ServiceMonitor", Chart.FULLNAME);
    assertThat(sm.path("metadata").path("labels").path("release").asText()).isEqualTo("prom");
    assertThat(sm.path("spec").path("endpoints").path(0).path("port").asText()).isEqualTo("metrics");
    assertThat(sm.path("spec").path("endpoints").path(0).path("path").asText()).isEqualTo("/metrics");
    // It selects the headless service (every pod, ready or not) and only that one.
    JsonNode selector = sm.path("spec").path("selector").path("matchLabels");
    assertThat(matches(selector, out.get("Service", Chart.FULLNAME + "-hs"))).isTrue();
    assertThat(matches(selector, out.get("Service", Chart.FULLNAME))).isFalse();
  }

  @Test
  void networkPolicyAdmitsMembersClientsAndScrapersOnlyByDefault() {
    Chart.Rendered out = Chart.template();
    JsonNode spec = out.get("NetworkPolicy", Chart.FULLNAME).path("spec");
    JsonNode memberSelector = out.statefulSet().path("spec").path("selector").path("matchLabels");

    assertThat(spec.path("podSelector").path("matchLabels")).isEqualTo(memberSelector);
    assertThat(texts(spec.path("policyTypes"))).containsExactly("Ingress");
    assertThat(rules(spec)).containsExactly(
        "5701<-" + Chart.YAML.createObjectNode().set("podSelector",
            Chart.YAML.createObjectNode().set("matchLabels", memberSelector)),
        "5701<-{\"podSelector\":{\"matchLabels\":{\"vmgrid-client\":\"true\"}}}",
        "9401<-{\"namespaceSelector\":{\"matchLabels\":{\"kubernetes.io/metadata.name\":\"monitoring\"}}}");
  }

  @Test
  void networkPolicyWithNoClientsRendersNoClientRuleInsteadOfAnEmptyOneThatAdmitsEveryone() {
    Chart.Rendered out = Chart.template(Map.of("networkPolicy.enabled", "true"),
        Chart.valuesFile(tmp, "networkPolicy:\n  clients: []\n  metrics:\n    - podSelector: {matchLabels: {app: prometheus}}\n"));
    JsonNode spec = out.get("NetworkPolicy", Chart.FULLNAME).path("spec");

    assertThat(spec.path("ingress")).hasSize(2);
    for (JsonNode rule : spec.path("ingress")) {
      assertThat(rule.path("from")).isNotEmpty();
    }
    assertThat(rules(spec)).last().isEqualTo("9401<-{\"podSelector\":{\"matchLabels\":{\"app\":\"prometheus\"}}}");
  }

  static Stream<Arguments> configChanges() {
    return Stream.of(
        Arguments.of("node.workers", "8"),
        Arguments.of("node.clusterName", "other"),
        Arguments.of("node.quorum", "3"),
        Arguments.of("node.heartbeatTimeoutSeconds", "30"),
        Arguments.of("node.partitionGroup", "none"),
        Arguments.of("node.scheduler", "round-robin"),
        Arguments.of("replicas", "5"), // the derived quorum: 3 of 5
        Arguments.of("rules.inline", "rules: []"));
  }

  @ParameterizedTest(name = "{0}={1}")
  @MethodSource("configChanges")
  void aConfigChangeReachesTheConfigMapAndChangesTheChecksum(String key, String value) {
    Chart.Rendered before = Chart.template();
    Chart.Rendered after = Chart.template(Map.of(key, value));

    assertThat(after.configMap()).isNotEqualTo(before.configMap());
    assertThat(after.checksum()).isNotEqualTo(before.checksum());
  }

  @Test
  void aChangeOutsideTheConfigKeepsTheChecksum() {
    assertThat(Chart.template(Map.of("minReadySeconds", "30")).checksum())
        .isEqualTo(Chart.template().checksum());
    assertThat(Chart.template(Map.of("replicas", "2")).checksum())
        .as("replicas 2 and 3 have the same majority, 2").isEqualTo(Chart.template().checksum());
    assertThat(Chart.template(Map.of("replicas", "7", "node.quorum", "2")).checksum())
        .as("a pinned quorum does not follow replicas")
        .isEqualTo(Chart.template(Map.of("node.quorum", "2")).checksum());
  }

  /**
   * Without node.quorum the quorum is a majority of replicas, so that at most one side of a split
   * places VMs; a replicas change through helm re-renders it (and rolls the pods to read it).
   */
  @ParameterizedTest(name = "replicas {0}: quorum {1}")
  @CsvSource({"1, 1", "2, 2", "3, 2", "4, 3", "5, 3", "6, 4", "7, 4", "9, 5"})
  void theDefaultQuorumIsAMajorityOfReplicas(int replicas, int quorum) {
    Chart.Rendered out = Chart.template(Map.of("replicas", Integer.toString(replicas)));

    assertThat(out.nodeYaml().path("quorum").asInt()).isEqualTo(quorum);
    assertThat(2 * quorum).as("more than half").isGreaterThan(replicas);
    assertThat(2 * (quorum - 1)).as("the smallest such number").isLessThanOrEqualTo(replicas);
  }

  @Test
  void nodeSettingsReachNodeYaml() {
    Chart.Rendered out = Chart.template(Map.of(
        "node.clusterName", "prod", "node.workers", "8", "node.quorum", "3"));
    JsonNode node = out.nodeYaml();

    assertThat(node.path("clusterName").asText()).isEqualTo("prod");
    assertThat(node.path("workers").asInt()).isEqualTo(8);
    assertThat(node.path("quorum").asInt()).isEqualTo(3);
    assertThat(Chart.template(Map.of("node.quorum", "1")).nodeYaml().path("quorum").asInt())
        .as("quorum 1 (no protection) only when asked for").isEqualTo(1);
  }

  @Test
  void heartbeatAndPartitionGroupReachNodeYaml() {
    JsonNode node = Chart.template(Map.of("node.heartbeatTimeoutSeconds", "8",
        "node.partitionGroup", "none")).nodeYaml();

    assertThat(node.path("heartbeatTimeoutSeconds").asInt()).isEqualTo(8);
    assertThat(node.path("partitionGroup").asText()).isEqualTo("none");
  }

  @Test
  void withoutPartitionGroupsThePodGetsNoNodeName() {
    Chart.Rendered out = Chart.template(Map.of("node.partitionGroup", "none"));

    assertThat(out.container().path("env").findValuesAsText("name")).doesNotContain("VMGRID_NODE_NAME");
    assertThat(out.podSpec().path("automountServiceAccountToken").asBoolean(true)).isFalse();
    assertThat(out.has("ClusterRole")).isFalse();
  }

  /**
   * Zones come from the Kubernetes API (node labels are not in the downward API): the pod gets its
   * node's name, its service-account token, and a ClusterRole to get nodes, bound to its account.
   */
  @Test
  void zoneGroupingMountsTheTokenAndMayReadNodes() {
    Chart.Rendered out = Chart.template(Map.of("node.partitionGroup", "zone"));

    assertThat(out.nodeYaml().path("partitionGroup").asText()).isEqualTo("zone");
    assertThat(out.env("VMGRID_NODE_NAME").path("valueFrom").path("fieldRef").path("fieldPath").asText())
        .isEqualTo("spec.nodeName");
    assertThat(out.podSpec().path("automountServiceAccountToken").asBoolean()).isTrue();
    String name = Chart.NAMESPACE + "-" + Chart.FULLNAME + "-node-reader";
    JsonNode role = out.get("ClusterRole", name);
    assertThat(role.path("rules")).isEqualTo(Chart.yaml(
        "[{apiGroups: [''], resources: [nodes], verbs: [get]}]"));
    JsonNode binding = out.get("ClusterRoleBinding", name);
    assertThat(binding.path("roleRef").path("name").asText()).isEqualTo(name);
    assertThat(binding.path("subjects")).isEqualTo(Chart.yaml("[{kind: ServiceAccount, name: "
        + out.podSpec().path("serviceAccountName").asText() + ", namespace: " + Chart.NAMESPACE + "}]"));

    Chart.Rendered own = Chart.template(Map.of("node.partitionGroup", "zone", "rbac.create", "false"));
    assertThat(own.has("ClusterRole")).as("rbac.create=false: bind one yourself").isFalse();
    assertThat(own.has("ClusterRoleBinding")).isFalse();
    assertThat(own.podSpec().path("automountServiceAccountToken").asBoolean()).isTrue();
  }

  @Test
  void theNetworkPolicyCanBeTurnedOff() {
    assertThat(Chart.template(Map.of("networkPolicy.enabled", "false")).has("NetworkPolicy")).isFalse();
  }

  @Test
  void portsFollowTheValuesEverywhere() {
    Chart.Rendered out = Chart.template(Map.of("node.port", "5801", "node.metricsPort", "9501"));

    assertThat(out.nodeYaml().path("port").asInt()).isEqualTo(5801);
    assertThat(out.nodeYaml().path("metricsPort").asInt()).isEqualTo(9501);
    // Hazelcast's DNS discovery looks for the other members on 5701 unless told the port.
    assertThat(out.env("HAZELCAST_KUBERNETES_SERVICE_PORT").path("value").asText()).isEqualTo("5801");
    assertThat(out.container().path("ports").findValuesAsText("containerPort")).containsExactly("5801", "9501");
    assertThat(out.get("Service", Chart.FULLNAME + "-hs").path("spec").path("ports").findValuesAsText("port"))
        .containsExactly("5801", "9501");
    assertThat(out.statefulSet().path("spec").path("template").path("metadata").path("annotations")
        .path("prometheus.io/port").asText()).isEqualTo("9501");
  }

  @Test
  void clusterDomainNamesTheServicesEverywhere() throws IOException {
    Chart.Rendered out = Chart.template(Map.of("clusterDomain", "corp.example"));

    assertThat(out.nodeYaml().path("discovery").path("serviceDns").asText())
        .isEqualTo("vm-vmgrid-hs.demo.svc.corp.example");
    assertThat(out.text()).doesNotContain("cluster.local");
    assertThat(Files.readString(Chart.DIR.resolve("templates/NOTES.txt"))).doesNotContain("cluster.local");
  }

  /**
   * The member's shutdown fits in the grace period: Hazelcast's leave gets the grace period less
   * the 30 s that draining the agents (10 s), the mirror (2 s) and the reconciler (5 s) and the
   * JVM's exit may take.
   */
  @ParameterizedTest(name = "grace {0} s: leave waits {1} s")
  @CsvSource({"60, 30", "120, 90", "600, 570"})
  void theGracefulLeaveEndsThirtySecondsBeforeTheGracePeriod(int grace, int wait) {
    Chart.Rendered out = Chart.template(Map.of("terminationGracePeriodSeconds", Integer.toString(grace)));

    assertThat(out.env("JAVA_OPTS").path("value").asText())
        .contains("-Dhazelcast.graceful.shutdown.max.wait=" + wait + " ");
    assertThat(out.podSpec().path("terminationGracePeriodSeconds").asInt()).isEqualTo(grace);
  }

  @Test
  void theCollectorIsAValue() {
    assertThat(Chart.template(Map.of("jvm.gc", "Z")).env("JAVA_OPTS").path("value").asText())
        .contains("-XX:+UseZGC").doesNotContain("G1");
  }

  @Test
  void existingRulesConfigMapIsProjectedAsRulesYaml() {
    Chart.Rendered out = Chart.template(Map.of(
        "rules.existingConfigMap", "my-rules", "rules.existingConfigMapKey", "prod.yaml"));

    assertThat(out.configMap().path("data").has("rules.yaml")).isFalse();
    assertThat(out.configMap().path("data").has("node.yaml")).isTrue();
    JsonNode sources = ChartDefaultsTest.volume(out.podSpec(), "config").path("projected").path("sources");
    assertThat(sources).hasSize(2);
    assertThat(sources.path(1).path("configMap").path("name").asText()).isEqualTo("my-rules");
    assertThat(sources.path(1).path("configMap").path("items").path(0).path("key").asText()).isEqualTo("prod.yaml");
    assertThat(sources.path(1).path("configMap").path("items").path(0).path("path").asText()).isEqualTo("rules.yaml");
  }

  @Test
  void hardAntiAffinityIsRequired() {
    JsonNode anti = Chart.template(Map.of("antiAffinity.mode", "hard"))
        .podSpec().path("affinity").path("podAntiAffinity");

    assertThat(anti.has("preferredDuringSchedulingIgnoredDuringExecution")).isFalse();
    assertThat(anti.path("requiredDuringSchedulingIgnoredDuringExecution").path(0).path("topologyKey").asText())
        .isEqualTo("kubernetes.io/hostname");
    assertThat(Chart.template(Map.of("antiAffinity.mode", "none")).podSpec().has("affinity")).isFalse();
  }

  @Test
  void heapAndGracePeriodFollowTheValues() {
    Chart.Rendered out = Chart.template(Map.of(
        "jvm.maxRAMPercentage", "60", "terminationGracePeriodSeconds", "300",
        "resources.limits.memory", "4Gi", "image.tag", "dev", "image.repository", "reg.example/vmgrid"));

    assertThat(out.env("JAVA_OPTS").path("value").asText())
        .contains("-XX:MaxRAMPercentage=60", "-Dhazelcast.graceful.shutdown.max.wait=270");
    assertThat(out.podSpec().path("terminationGracePeriodSeconds").asInt()).isEqualTo(300);
    assertThat(out.container().path("resources").path("limits").path("memory").asText()).isEqualTo("4Gi");
    assertThat(out.container().path("image").asText()).isEqualTo("reg.example/vmgrid:dev");
  }

  @Test
  void aDatabaseStoreReachesNodeYamlAndThePasswordComesFromTheSecret() {
    String url = "jdbc:postgresql://db.example:5432/vmgrid?sslmode=require&ApplicationName=vmgrid";
    Chart.Rendered out = Chart.template(Map.of(
        "store.url", url, "store.user", "vmgrid", "store.mode", "write-behind",
        "store.delaySeconds", "2", "store.existingSecret", "vmgrid-db", "store.passwordKey", "pw"));

    JsonNode store = out.nodeYaml().path("store");
    assertThat(store.path("url").asText()).isEqualTo(url);
    assertThat(store.path("user").asText()).isEqualTo("vmgrid");
    assertThat(store.path("mode").asText()).isEqualTo("write-behind");
    assertThat(store.path("delaySeconds").asInt()).isEqualTo(2);
    // The node reads the rendered file as the chart meant it.
    NodeFile file = NodeFile.parse(out.configMap().path("data").path("node.yaml").asText(), "node.yaml");
    assertThat(file.store()).isEqualTo(new NodeFile.StoreKeys(url, null, "vmgrid", Mode.WRITE_BEHIND, 2));

    JsonNode password = out.env("VMGRID_STORE_PASSWORD");
    assertThat(password.has("value")).as("never a literal").isFalse();
    assertThat(password.path("valueFrom").path("secretKeyRef").path("name").asText()).isEqualTo("vmgrid-db");
    assertThat(password.path("valueFrom").path("secretKeyRef").path("key").asText()).isEqualTo("pw");
    assertThat(out.checksum()).as("a store change rolls the pods").isNotEqualTo(Chart.template().checksum());
  }

  @Test
  void aStoreNeedsOnlyItsUrlAndSecret() {
    Chart.Rendered out = Chart.template(Map.of(
        "store.url", "jdbc:postgresql://db:5432/vmgrid", "store.existingSecret", "vmgrid-db"));

    JsonNode store = out.nodeYaml().path("store");
    assertThat(store).as("no user or delay unless set")
        .isEqualTo(Chart.yaml("{url: 'jdbc:postgresql://db:5432/vmgrid', mode: write-through}"));
    assertThat(NodeFile.parse(out.configMap().path("data").path("node.yaml").asText(), "node.yaml").store())
        .isEqualTo(new NodeFile.StoreKeys("jdbc:postgresql://db:5432/vmgrid", null, null,
            Mode.WRITE_THROUGH, null));
    assertThat(out.env("VMGRID_STORE_PASSWORD").path("valueFrom").path("secretKeyRef").path("key").asText())
        .isEqualTo("password");
  }

  @Test
  void optionalObjectsCanBeTurnedOff() {
    Chart.Rendered out = Chart.template(Map.of(
        "podDisruptionBudget.enabled", "false", "dashboard.enabled", "false",
        "serviceAccount.create", "false", "metrics.podAnnotations", "false",
        "networkPolicy.enabled", "false"));

    assertThat(out.kinds()).containsExactly("ConfigMap", "Service", "Service", "StatefulSet");
    assertThat(out.podSpec().path("serviceAccountName").asText()).isEqualTo("default");
    assertThat(out.statefulSet().path("spec").path("template").path("metadata").path("annotations")
        .has("prometheus.io/scrape")).isFalse();
  }

  private static boolean matches(JsonNode selector, JsonNode object) {
    JsonNode labels = object.path("metadata").path("labels");
    for (Map.Entry<String, JsonNode> e : selector.properties()) {
      if (!labels.path(e.getKey()).equals(e.getValue())) {
        return false;
      }
    }
    return true;
  }

  /** Each ingress rule as "port<-peers" (peers as JSON, one line per rule and peer). */
  private static List<String> rules(JsonNode spec) {
    List<String> rules = new ArrayList<>();
    for (JsonNode rule : spec.path("ingress")) {
      assertThat(rule.path("ports")).hasSize(1);
      for (JsonNode peer : rule.path("from")) {
        rules.add(rule.path("ports").path(0).path("port").asInt() + "<-" + peer);
      }
    }
    return rules;
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
