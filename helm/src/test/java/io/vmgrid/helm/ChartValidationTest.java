package io.vmgrid.helm;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Invalid values fail {@code helm template} through values.schema.json, naming the field. */
class ChartValidationTest {

  @TempDir Path tmp;

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(delimiter = '|', value = {
      "replicas                      | 0       | /replicas",
      "replicas                      | -2      | /replicas",
      "image.repository              | ''      | /image/repository",
      "image.pullPolicy              | Sometimes | /image/pullPolicy",
      "node.port                     | -1      | /node/port",
      "node.metricsPort              | 70000   | /node/metricsPort",
      "service.port                  | 0       | /service/port",
      "node.workers                  | 0       | /node/workers",
      "node.quorum                   | 0       | /node/quorum",
      "resources.requests.cpu        | lots    | /resources/requests/cpu",
      "resources.limits.memory       | null    | memory",
      "jvm.maxRAMPercentage          | 100     | /jvm/maxRAMPercentage",
      "terminationGracePeriodSeconds | 59      | /terminationGracePeriodSeconds",
      "podManagementPolicy           | Parallel | 'podManagementPolicy'",
      "clusterDomain                 | 'cluster local' | /clusterDomain",
      "jvm.gc                        | CMS     | /jvm/gc",
      "antiAffinity.mode             | maybe   | /antiAffinity/mode",
      "podDisruptionBudget.maxUnavailable | 0  | /podDisruptionBudget/maxUnavailable",
      "serviceMonitor.interval       | often   | /serviceMonitor/interval",
      "replicass                     | 3       | 'replicass'",
      "node.bindAddress              | 0.0.0.0 | 'bindAddress'",
      "networkPolicy.enable          | true    | 'enable'",
  })
  void invalidValueFailsNamingTheField(String key, String value, String named) {
    assertThatThrownBy(() -> Chart.template(Map.of(key, value)))
        .hasMessageContaining("values don't meet the specifications of the schema")
        .hasMessageContaining(named);
  }

  @Test
  void metricsPortOnTheMemberPortFails() {
    assertThatThrownBy(() -> Chart.template(Map.of("node.metricsPort", "5701")))
        .hasMessageContaining("node.metricsPort: must differ from node.port (both 5701)");
  }

  @Test
  void missingImageRepositoryFails() {
    assertThatThrownBy(() -> Chart.template(Map.of("image.repository", "null")))
        .hasMessageContaining("/image")
        .hasMessageContaining("repository");
  }

  @Test
  void emptyNetworkPolicyPeerFails() {
    assertThatThrownBy(() -> Chart.template(Map.of(),
        Chart.valuesFile(tmp, "networkPolicy:\n  clients:\n    - {}\n")))
        .hasMessageContaining("/networkPolicy/clients/0");
  }
}
