package io.vmgrid.helm;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmgrid.node.GridNodeConfig;
import io.vmgrid.node.NodeFile;
import io.vmgrid.node.routing.Scheduling;
import java.util.List;
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

  @ParameterizedTest(name = "scheduler {0}")
  @CsvSource({"kamino-request", "kamino-rule", "round-robin", "random", "jsq", "power-of-two",
      "bounded-hash", "hash-ws", "direct"})
  void everySchedulerTheSchemaListsTheNodeRuns(String policy) {
    assertThat(helmAccepts("node.scheduler", policy)).isTrue();
    Scheduling.validatePolicy("scheduler", policy);
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
      new GridNodeConfig(f.clusterName(), "10.0.0.1", f.port(), List.of(), f.workers(), f.metricsPort(),
          f.kubernetesDns(), f.quorum() == null ? 1 : f.quorum());
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
