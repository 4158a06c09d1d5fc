package io.vmgrid.helm;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
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
      "node.heartbeatTimeoutSeconds  | 4       | /node/heartbeatTimeoutSeconds",
      "node.heartbeatTimeoutSeconds  | 301     | /node/heartbeatTimeoutSeconds",
      "node.partitionGroup           | rack    | /node/partitionGroup",
      "rbac.create                   | maybe   | /rbac/create",
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
      "store.url                     | jdbc:postgresql://db/vmgrid | /store/existingSecret",
      "store.url                     | jdbc:mysql://db/vmgrid | /store/url",
      "store.mode                    | fast    | /store/mode",
      "store.user                    | vmgrid  | /store/user",
      "store.delaySeconds            | 5       | /store/delaySeconds",
      "store.existingSecret          | vmgrid-db | /store/existingSecret",
      "store.password                | secret  | 'password'",
      "store.data                    | /var/lib/vmgrid | 'data'",
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

  /** A values file: a store with its Secret, with the keys of {@code more} (YAML) put over it. */
  private Path store(String more) throws IOException {
    ObjectNode store = (ObjectNode) Chart.yaml("{url: 'jdbc:postgresql://db:5432/vmgrid', existingSecret: vmgrid-db}");
    store.setAll((ObjectNode) Chart.yaml(more));
    return Chart.valuesFile(tmp, Chart.YAML.writeValueAsString(Chart.YAML.createObjectNode().set("store", store)));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "{mode: write-behind, delaySeconds: 0}     | /store/delaySeconds",
      "{mode: write-behind, delaySeconds: 301}   | /store/delaySeconds",
      "{delaySeconds: 5}                         | /store/delaySeconds",
      "{mode: write-through, delaySeconds: 5}    | /store/delaySeconds",
      "{mode: WRITE-BEHIND}                      | /store/mode",
      "{existingSecret: ''}                      | /store/existingSecret",
      "{existingSecret: Vmgrid_DB}               | /store/existingSecret",
      "{passwordKey: ''}                         | /store/passwordKey",
      "{url: 'jdbc:postgresql://db/vmgrid?user=vmgrid&password=x'} | /store/url",
  })
  void invalidStoreFailsNamingTheField(String more, String named) throws IOException {
    Path values = store(more);
    assertThatThrownBy(() -> Chart.template(Map.of(), values))
        .hasMessageContaining("values don't meet the specifications of the schema")
        .hasMessageContaining(named);
  }

  @Test
  void emptyNetworkPolicyPeerFails() {
    assertThatThrownBy(() -> Chart.template(Map.of(),
        Chart.valuesFile(tmp, "networkPolicy:\n  clients:\n    - {}\n")))
        .hasMessageContaining("/networkPolicy/clients/0");
  }
}
