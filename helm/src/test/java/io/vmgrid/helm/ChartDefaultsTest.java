package io.vmgrid.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmgrid.node.NodeFile;
import io.vmgrid.node.topology.PartitionGroup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code helm template} with the default values. */
class ChartDefaultsTest {

  private static Chart.Rendered out;

  @BeforeAll
  static void render() {
    out = Chart.template();
  }

  @Test
  void rendersTheExpectedObjectsAndNoOptionalOnes() {
    assertThat(out.kinds()).containsExactly(
        "ConfigMap", "ConfigMap", "NetworkPolicy", "PodDisruptionBudget", "Service", "Service",
        "ServiceAccount", "StatefulSet");
    assertThat(out.has("ServiceMonitor")).isFalse();
    assertThat(out.has("ClusterRole")).as("no API access without partitionGroup zone").isFalse();
  }

  @Test
  void everyObjectIsInTheReleaseNamespaceWithStandardLabels() {
    for (JsonNode doc : out.docs()) {
      JsonNode meta = doc.path("metadata");
      assertThat(meta.path("namespace").asText()).as("%s namespace", doc.path("kind")).isEqualTo(Chart.NAMESPACE);
      assertThat(meta.path("labels").path("app.kubernetes.io/name").asText()).isEqualTo("vmgrid");
      assertThat(meta.path("labels").path("app.kubernetes.io/instance").asText()).isEqualTo(Chart.RELEASE);
      assertThat(meta.path("labels").path("app.kubernetes.io/managed-by").asText()).isEqualTo("Helm");
      assertThat(meta.path("labels").path("helm.sh/chart").asText()).isEqualTo("vmgrid-0.1.0");
    }
  }

  @Test
  void statefulSetRunsThreeMembersBehindTheHeadlessService() {
    JsonNode spec = out.statefulSet().path("spec");

    assertThat(spec.path("replicas").asInt()).isEqualTo(3);
    assertThat(spec.path("serviceName").asText()).isEqualTo(Chart.FULLNAME + "-hs");
    assertThat(spec.path("podManagementPolicy").asText())
        .as("each member starts once the one before it is Ready, so DNS already lists it")
        .isEqualTo("OrderedReady");
    assertThat(spec.path("updateStrategy").path("type").asText()).isEqualTo("RollingUpdate");
    JsonNode podLabels = spec.path("template").path("metadata").path("labels");
    assertThat(spec.path("selector").path("matchLabels").properties())
        .isNotEmpty()
        .allSatisfy(e -> assertThat(podLabels.path(e.getKey())).isEqualTo(e.getValue()));
    assertThat(out.podSpec().path("terminationGracePeriodSeconds").asInt()).isEqualTo(120);
    assertThat(out.container().path("image").asText()).isEqualTo("vmgrid/vmgrid-node:0.1.0");
  }

  @Test
  void nodeYamlUsesKubernetesDnsDiscoveryOfTheHeadlessService() {
    JsonNode node = out.nodeYaml();

    assertThat(node.path("clusterName").asText()).isEqualTo("vmgrid");
    assertThat(node.path("port").asInt()).isEqualTo(5701);
    assertThat(node.path("metricsPort").asInt()).isEqualTo(9401);
    assertThat(node.path("workers").asInt()).isEqualTo(4);
    assertThat(node.path("scheduler").asText()).isEqualTo("kamino-request");
    assertThat(node.path("rules").asText()).isEqualTo("/etc/vmgrid/rules.yaml");
    assertThat(node.path("quorum").asInt()).as("a majority of the 3 replicas").isEqualTo(2);
    assertThat(node.path("heartbeatTimeoutSeconds").asInt()).isEqualTo(15);
    assertThat(node.path("partitionGroup").asText()).isEqualTo("node");
    assertThat(node.path("discovery").path("mode").asText()).isEqualTo("kubernetes");
    assertThat(node.path("discovery").path("serviceDns").asText())
        .isEqualTo("vm-vmgrid-hs.demo.svc.cluster.local");
    // The node refuses unknown keys and members in kubernetes mode: render only what it reads.
    assertThat(iterable(node.fieldNames()))
        .isSubsetOf("clusterName", "bindAddress", "port", "metricsPort", "workers", "quorum",
            "heartbeatTimeoutSeconds", "partitionGroup", "rules", "discovery", "scheduler",
            "preemption");
    assertThat(iterable(node.path("preemption").fieldNames()))
        .containsExactlyInAnyOrder("enabled", "maxVictims");
    assertThat(iterable(node.path("discovery").fieldNames())).containsExactlyInAnyOrder("mode", "serviceDns");
  }

  /** The node reads the rendered node.yaml as the chart meant it, and starts from it. */
  @Test
  void theNodeAcceptsTheRenderedNodeYaml() {
    NodeFile file = NodeFile.parse(out.configMap().path("data").path("node.yaml").asText(), "node.yaml");

    assertThat(file.quorum()).isEqualTo(2);
    assertThat(file.preemption()).as("preemption on, at most 8 victims")
        .isEqualTo(new NodeFile.PreemptionKeys(true, 8));
    assertThat(file.heartbeatTimeoutSeconds()).isEqualTo(15);
    assertThat(file.partitionGroup()).isEqualTo(PartitionGroup.Kind.NODE);
    assertThat(PartitionGroup.resolve(file.partitionGroup(),
        Map.of(PartitionGroup.NODE_NAME_VARIABLE, "k8s-node-1"), n -> "?"))
        .isEqualTo(new PartitionGroup(PartitionGroup.Kind.NODE, "k8s-node-1"));
  }

  @Test
  void headlessServicePublishesNotReadyMembersForDiscovery() {
    JsonNode spec = out.get("Service", Chart.FULLNAME + "-hs").path("spec");

    assertThat(spec.path("clusterIP").asText()).isEqualTo("None");
    assertThat(spec.path("publishNotReadyAddresses").asBoolean()).isTrue();
    assertThat(ports(spec)).containsExactlyInAnyOrder("member:5701", "metrics:9401");
  }

  @Test
  void clientServiceIsClusterIpOnTheMemberPort() {
    JsonNode spec = out.get("Service", Chart.FULLNAME).path("spec");

    assertThat(spec.path("type").asText()).isEqualTo("ClusterIP");
    assertThat(spec.has("clusterIP")).isFalse();
    assertThat(ports(spec)).containsExactly("member:5701");
  }

  /**
   * Startup waits for the join (ready: joined and loaded), readiness for every backup to be in sync
   * (so a rollout or a drain takes the next member only when losing one is safe), and liveness
   * fails once the member has stopped.
   */
  @ParameterizedTest(name = "{0} GET {1} on port {2}")
  @CsvSource({
      "startupProbe,   /health/ready, metrics",
      "readinessProbe, /health/safe,  metrics",
      "livenessProbe,  /health/live,  metrics",
  })
  void probesUseTheHealthEndpoints(String probe, String path, String port) {
    JsonNode get = out.container().path(probe).path("httpGet");

    assertThat(get.path("path").asText()).isEqualTo(path);
    assertThat(get.path("port").asText()).isEqualTo(port);
    assertThat(ports(out.container())).contains("metrics:9401", "member:5701");
  }

  @Test
  void thePlacementStoreIsMemoryOnly() {
    assertThat(out.nodeYaml().has("store")).isFalse();
    assertThat(out.container().path("env").findValuesAsText("name")).doesNotContain("VMGRID_STORE_PASSWORD");
  }

  @Test
  void podGetsItsIpConfigAndHeapFromTheMemoryLimit() {
    assertThat(out.env("POD_IP").path("valueFrom").path("fieldRef").path("fieldPath").asText())
        .isEqualTo("status.podIP");
    assertThat(out.env("VMGRID_CONFIG").path("value").asText()).isEqualTo("/etc/vmgrid/node.yaml");
    assertThat(out.env("VMGRID_NODE_NAME").path("valueFrom").path("fieldRef").path("fieldPath").asText())
        .as("the Kubernetes node, for partitionGroup node").isEqualTo("spec.nodeName");
    assertThat(out.env("JAVA_OPTS").path("value").asText())
        .contains("-XX:MaxRAMPercentage=75", "-XX:InitialRAMPercentage=75", "-XX:+UseG1GC",
            "-Dhazelcast.graceful.shutdown.max.wait=90");
    assertThat(out.env("HAZELCAST_KUBERNETES_SERVICE_PORT").path("value").asText()).isEqualTo("5701");
    JsonNode resources = out.container().path("resources");
    assertThat(resources.path("limits").path("memory").asText()).isEqualTo("3Gi");
    assertThat(resources.path("requests").path("memory").asText()).isEqualTo("3Gi");
    assertThat(resources.path("requests").path("cpu").asText()).isEqualTo("500m");
  }

  @Test
  void runsAsNonRootOnAReadOnlyRootFilesystemWithAWritableTmp() {
    JsonNode pod = out.podSpec();
    JsonNode container = out.container();

    assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();
    assertThat(pod.path("securityContext").path("runAsUser").asInt()).isPositive();
    assertThat(container.path("securityContext").path("readOnlyRootFilesystem").asBoolean()).isTrue();
    assertThat(container.path("securityContext").path("allowPrivilegeEscalation").asBoolean()).isFalse();
    assertThat(mounts(container)).contains("tmp:/tmp", "config:/etc/vmgrid");
    JsonNode tmp = volume(pod, "tmp");
    assertThat(tmp.has("emptyDir")).isTrue();
    assertThat(pod.path("automountServiceAccountToken").asBoolean(true)).isFalse();
  }

  @Test
  void configMapCarriesTheProjectsDefaultRuleSet() throws IOException {
    String rules = out.configMap().path("data").path("rules.yaml").asText();
    Path projectDefault = Path.of("..", "rules", "src", "main", "resources", "io", "vmgrid", "rules", "ruleset",
        "default-rules.yaml");

    assertThat(rules).isEqualTo(Files.readString(Chart.DIR.resolve("files/rules.yaml")));
    assertThat(Files.readString(Chart.DIR.resolve("files/rules.yaml")))
        .as("helm/vmgrid/files/rules.yaml is a copy of %s: copy it again", projectDefault)
        .isEqualTo(Files.readString(projectDefault));
    assertThat(Chart.yaml(rules).path("rules").isArray()).isTrue();
  }

  @Test
  void podDisruptionBudgetAllowsOneMemberDown() {
    JsonNode pdb = out.get("PodDisruptionBudget", Chart.FULLNAME);

    assertThat(pdb.path("spec").path("maxUnavailable").asInt()).isEqualTo(1);
    assertThat(pdb.path("spec").path("selector").path("matchLabels"))
        .isEqualTo(out.statefulSet().path("spec").path("selector").path("matchLabels"));
  }

  @Test
  void antiAffinityAcrossNodesIsPreferredByDefault() {
    JsonNode anti = out.podSpec().path("affinity").path("podAntiAffinity");

    assertThat(anti.has("requiredDuringSchedulingIgnoredDuringExecution")).isFalse();
    JsonNode term = anti.path("preferredDuringSchedulingIgnoredDuringExecution").path(0).path("podAffinityTerm");
    assertThat(term.path("topologyKey").asText()).isEqualTo("kubernetes.io/hostname");
    assertThat(term.path("labelSelector").path("matchLabels"))
        .isEqualTo(out.statefulSet().path("spec").path("selector").path("matchLabels"));
  }

  @Test
  void podsCarryPrometheusScrapeAnnotationsAndAConfigChecksum() {
    JsonNode annotations = out.statefulSet().path("spec").path("template").path("metadata").path("annotations");

    assertThat(annotations.path("prometheus.io/scrape").asText()).isEqualTo("true");
    assertThat(annotations.path("prometheus.io/port").asText()).isEqualTo("9401");
    assertThat(annotations.path("prometheus.io/path").asText()).isEqualTo("/metrics");
    assertThat(out.checksum()).matches("[0-9a-f]{64}");
  }

  @Test
  void dashboardConfigMapShipsTheDashboardForTheGrafanaSidecar() throws IOException {
    JsonNode cm = out.get("ConfigMap", Chart.FULLNAME + "-dashboard");
    String json = cm.path("data").path("vmgrid.json").asText();

    assertThat(cm.path("metadata").path("labels").path("grafana_dashboard").asText()).isEqualTo("1");
    assertThat(json).isEqualTo(Files.readString(Chart.DIR.resolve("dashboards/vmgrid.json")).strip());
    assertThat(new ObjectMapper().readTree(json).path("uid").asText()).isEqualTo("vmgrid-overview");
  }

  private static List<String> ports(JsonNode node) {
    return StreamSupport.stream(node.path("ports").spliterator(), false)
        .map(p -> p.path("name").asText() + ":" + (p.has("containerPort") ? p.path("containerPort") : p.path("port")).asInt())
        .toList();
  }

  private static List<String> mounts(JsonNode container) {
    return StreamSupport.stream(container.path("volumeMounts").spliterator(), false)
        .map(m -> m.path("name").asText() + ":" + m.path("mountPath").asText())
        .toList();
  }

  static JsonNode volume(JsonNode podSpec, String name) {
    for (JsonNode v : podSpec.path("volumes")) {
      if (v.path("name").asText().equals(name)) {
        return v;
      }
    }
    throw new AssertionError("no volume " + name);
  }

  private static <T> Iterable<T> iterable(Iterator<T> it) {
    return () -> it;
  }
}
