package io.vmgrid.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * NOTES.txt, rendered. {@code helm template} skips NOTES.txt and {@code helm install --dry-run}
 * needs a cluster, so this renders a copy of the chart in which NOTES.txt is the body of a ConfigMap.
 */
class NotesTest {

  @TempDir Path tmp;

  @Test
  void tellHowToConnectAClientAndWhereMetricsAre() throws IOException {
    String notes = renderNotes(List.of());

    assertThat(notes)
        .contains("VMGRID_ADDRESSES=vm-vmgrid.demo.svc.cluster.local:5701")
        .contains("VMGRID_CLUSTER=vmgrid")
        .contains("INSIDE the Kubernetes cluster only")
        .contains("/metrics", "/health/ready", "port 9401")
        .contains("grafana_dashboard")
        .contains("--set replicas=N");
  }

  @Test
  void tellToLabelClientPodsAndWarnWhenTheNetworkPolicyAdmitsNoClientOrIsOff() throws IOException {
    assertThat(renderNotes(List.of()))
        .contains("NetworkPolicy admits clients matching networkPolicy.clients only")
        .contains("label your client pods vmgrid-client: \"true\"")
        .contains("--labels vmgrid-client=true");
    assertThat(renderNotes(List.of("networkPolicy.clients=null")))
        .contains("NO client can connect");
    assertThat(renderNotes(List.of("networkPolicy.enabled=false")))
        .contains("No NetworkPolicy: anything that reaches a pod IP on port 5701 can read and change"
            + " every map")
        .doesNotContain("NetworkPolicy admits");
  }

  @Test
  void sayWhatTheQuorumIsAndThatKubectlScaleDoesNotFollowIt() throws IOException {
    assertThat(renderNotes(List.of()))
        .contains("Split-brain quorum: 2 of 3 member(s) (a majority of replicas, node.quorum unset)")
        .contains("for 15 s (node.heartbeatTimeoutSeconds)")
        .contains("not kubectl scale")
        .contains("Backups are kept on other Kubernetes nodes than their primaries");
    assertThat(renderNotes(List.of("replicas=5", "node.quorum=4")))
        .contains("Split-brain quorum: 4 of 5 member(s) (node.quorum)");
    assertThat(renderNotes(List.of("replicas=2")))
        .contains("With 2 members the majority is 2: every restart of one member stops placements");
    assertThat(renderNotes(List.of("node.partitionGroup=none"))).doesNotContain("Backups are kept");
  }

  @Test
  void sayWhereThePlacementStoreIs() throws IOException {
    assertThat(renderNotes(List.of())).contains("Placement store: memory only");
    assertThat(renderNotes(List.of("store.url=jdbc:postgresql://db:5432/vmgrid",
        "store.existingSecret=vmgrid-db")))
        .contains("Placement store: jdbc:postgresql://db:5432/vmgrid (write-through), password from"
            + " Secret vmgrid-db key password.");
  }

  private String renderNotes(List<String> sets) throws IOException {
    Path chart = tmp.resolve("chart-" + sets.size() + "-" + sets.hashCode());
    copy(Chart.DIR, chart);
    Path notes = chart.resolve("templates/NOTES.txt");
    StringBuilder body = new StringBuilder("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes\ndata:\n  notes: |\n");
    for (String line : Files.readAllLines(notes)) {
      body.append("    ").append(line).append('\n');
    }
    Files.delete(notes);
    Files.writeString(chart.resolve("templates/notes.yaml"), body);
    var command = new Helm(chart).template().withName(Chart.RELEASE).withNamespace(Chart.NAMESPACE);
    for (String set : sets) {
      int eq = set.indexOf('=');
      command = command.set(set.substring(0, eq), set.substring(eq + 1));
    }
    return Chart.Rendered.parse(command.call()).get("ConfigMap", "notes").path("data").path("notes").asText();
  }

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : files.sorted(Comparator.naturalOrder()).toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}
