package io.vmgrid.helm;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmgrid.node.GridNodeConfig;
import io.vmgrid.node.NodeFile;
import io.vmgrid.node.topology.PartitionGroup;
import io.vmgrid.node.routing.Scheduling;
import io.vmgrid.store.StoreSettings;
import io.vmgrid.store.StoreSettings.Mode;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The values schema accepts a node setting exactly when the node does, so a value the node would
 * refuse fails {@code helm install} instead of crash-looping the pods. The node's verdict is its
 * own: the rendered node.yaml with the value put in, read by {@link NodeFile} and checked by
 * {@link GridNodeConfig}, the way {@code vmgrid node --config} starts.
 */
class SchemaMatchesNodeTest {

  @ParameterizedTest(name = "{0}: {1} {2}")
  @CsvSource(delimiter = '|', value = {
      "port        | 0      | refused",
      "port        | 1      | accepted",
      "port        | 65435  | accepted",
      "port        | 65436  | refused",
      "metricsPort | 1      | accepted",
      "metricsPort | 65535  | accepted",
      "metricsPort | 65536  | refused",
      "workers     | 0      | refused",
      "workers     | 1      | accepted",
      "workers     | 256    | accepted",
      "workers     | 257    | refused",
      "quorum      | 0      | refused",
      "quorum      | 1      | accepted",
      "quorum      | 1000   | accepted",
      "quorum      | 1001   | refused",
      "heartbeatTimeoutSeconds | 4   | refused",
      "heartbeatTimeoutSeconds | 5   | accepted",
      "heartbeatTimeoutSeconds | 300 | accepted",
      "heartbeatTimeoutSeconds | 301 | refused",
      "partitionGroup | none  | accepted",
      "partitionGroup | node  | accepted",
      "partitionGroup | zone  | accepted",
      "partitionGroup | rack  | refused",
      "scheduler   | fastest | refused",
  })
  void schemaAndNodeAgree(String key, String value, String verdict) {
    boolean accepted = verdict.equals("accepted");

    assertThat(helmAccepts("node." + key, value)).as("helm template --set node.%s=%s", key, value)
        .isEqualTo(accepted);
    String nodeYaml = Chart.template().configMap().path("data").path("node.yaml").asText()
        .replaceAll("(?m)^" + key + ": .*$", "") + key + ": " + value + "\n";
    assertThat(nodeAccepts(nodeYaml)).as("the node given %s: %s", key, value).isEqualTo(accepted);
  }

  /** The preemption section: {@code node.preemption.*} against node.yaml's preemption keys. */
  @ParameterizedTest(name = "preemption.{0}: {1} {2}")
  @CsvSource(delimiter = '|', value = {
      "maxVictims | 0     | refused",
      "maxVictims | 1     | accepted",
      "maxVictims | 64    | accepted",
      "maxVictims | 65    | refused",
      "enabled    | false | accepted",
      "enabled    | true  | accepted",
  })
  void preemptionSchemaAndNodeAgree(String key, String value, String verdict) {
    boolean accepted = verdict.equals("accepted");

    assertThat(helmAccepts(Map.of("node.preemption." + key, value), "/node/preemption/" + key))
        .as("helm template --set node.preemption.%s=%s", key, value).isEqualTo(accepted);
    String nodeYaml = Chart.template().configMap().path("data").path("node.yaml").asText()
        .replaceAll("(?m)^  " + key + ": .*$", "  " + key + ": " + value);
    assertThat(nodeYaml).as("the value is in the rendered preemption section")
        .contains("preemption:\n").contains("  " + key + ": " + value + "\n");
    assertThat(nodeAccepts(nodeYaml)).as("the node given preemption.%s: %s", key, value)
        .isEqualTo(accepted);
  }

  @ParameterizedTest(name = "scheduler {0}")
  @CsvSource({"kamino-request", "kamino-rule", "round-robin", "random", "jsq", "power-of-two",
      "bounded-hash", "hash-ws", "direct"})
  void everySchedulerTheSchemaListsTheNodeRuns(String policy) {
    assertThat(helmAccepts("node.scheduler", policy)).isTrue();
    Scheduling.validatePolicy("scheduler", policy);
  }

  /**
   * The store's keys, alone and in combination: {@code store.*} values (with
   * {@code store.existingSecret} added when a url is given, as the schema requires) against the
   * same keys in node.yaml's store section.
   */
  @ParameterizedTest(name = "store {0}: {1}")
  @CsvSource(delimiter = '|', value = {
      "url=jdbc:postgresql://db:5432/vmgrid                                | accepted",
      "url=jdbc:postgresql://db:5432/vmgrid?sslmode=require               | accepted",
      "url=jdbc:mysql://db:3306/vmgrid                                    | refused",
      "url=jdbc:postgresql:vmgrid                                         | refused",
      "url=jdbc:postgresql://db/vmgrid?password=x                         | refused",
      "url=jdbc:postgresql://db/vmgrid user=vmgrid                        | accepted",
      "url=jdbc:postgresql://db/vmgrid mode=write-through                 | accepted",
      "url=jdbc:postgresql://db/vmgrid mode=write-behind                  | accepted",
      "url=jdbc:postgresql://db/vmgrid mode=fast                          | refused",
      "url=jdbc:postgresql://db/vmgrid mode=write-behind delaySeconds=0   | refused",
      "url=jdbc:postgresql://db/vmgrid mode=write-behind delaySeconds=1   | accepted",
      "url=jdbc:postgresql://db/vmgrid mode=write-behind delaySeconds=300 | accepted",
      "url=jdbc:postgresql://db/vmgrid mode=write-behind delaySeconds=301 | refused",
      "url=jdbc:postgresql://db/vmgrid delaySeconds=5                     | refused",
      "url=jdbc:postgresql://db/vmgrid mode=write-through delaySeconds=5  | refused",
      "user=vmgrid                                                        | refused",
      "mode=write-behind                                                  | refused",
      "delaySeconds=5                                                     | refused",
  })
  void storeSchemaAndNodeAgree(String keys, String verdict) {
    boolean accepted = verdict.equals("accepted");
    Map<String, String> values = new LinkedHashMap<>();
    for (String kv : keys.split(" ", -1)) {
      values.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
    }
    Map<String, String> sets = new LinkedHashMap<>();
    values.forEach((k, v) -> sets.put("store." + k, v));
    if (values.containsKey("url")) {
      sets.put("store.existingSecret", "vmgrid-db");
    }
    String last = values.keySet().stream().reduce((a, b) -> b).orElseThrow();

    assertThat(helmAccepts(sets, last)).as("helm template --set %s", sets).isEqualTo(accepted);
    StringBuilder nodeYaml = new StringBuilder(Chart.template().configMap().path("data")
        .path("node.yaml").asText()).append("store:\n");
    values.forEach((k, v) -> nodeYaml.append("  ").append(k).append(": '").append(v).append("'\n"));
    String typed = nodeYaml.toString().replaceAll("delaySeconds: '(.*)'", "delaySeconds: $1");
    assertThat(nodeAccepts(typed)).as("the node given store %s", values).isEqualTo(accepted);
  }

  private static boolean helmAccepts(Map<String, String> sets, String named) {
    try {
      Chart.template(sets);
      return true;
    } catch (RuntimeException e) {
      assertThat(e).hasMessageContaining(named);
      return false;
    }
  }

  private static boolean helmAccepts(String key, String value) {
    try {
      Chart.template(Map.of(key, value));
      return true;
    } catch (RuntimeException e) {
      assertThat(e).hasMessageContaining(key.substring(key.indexOf('.') + 1));
      return false;
    }
  }

  private static boolean nodeAccepts(String nodeYaml) {
    try {
      NodeFile f = NodeFile.parse(nodeYaml, "node.yaml");
      PartitionGroup.Kind kind = f.partitionGroup();
      GridNodeConfig.builder().clusterName(f.clusterName()).bindAddress("10.0.0.1").port(f.port())
          .workers(f.workers()).metricsPort(f.metricsPort()).kubernetesDns(f.kubernetesDns())
          .quorum(f.quorum() == null ? 1 : f.quorum())
          .heartbeatTimeoutSeconds(f.heartbeatTimeoutSeconds() == null
              ? GridNodeConfig.DEFAULT_HEARTBEAT_TIMEOUT_SECONDS : f.heartbeatTimeoutSeconds())
          .partitionGroup(PartitionGroup.resolve(kind == null ? PartitionGroup.Kind.NONE : kind,
              Map.of(PartitionGroup.NODE_NAME_VARIABLE, "k8s-node-1"), node -> "zone-a"))
          .build();
      NodeFile.StoreKeys store = f.store();
      if (store != null && store.url() != null) {
        StoreSettings.of(store.url(), store.user() == null ? "" : store.user(), "",
            store.mode() == null ? Mode.WRITE_THROUGH : store.mode(),
            store.delaySeconds() == null ? 1 : store.delaySeconds());
      }
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
