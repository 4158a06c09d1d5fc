package io.vmgrid.helm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The grid node image recipe ({@code ../Dockerfile}), read as text. {@link ContainerClusterTest}
 * builds and runs it.
 */
class DockerfileTest {

  private static final Path ROOT = Path.of("..");
  private static List<String> instructions;

  @BeforeAll
  static void read() throws IOException {
    instructions = instructions(Files.readString(ROOT.resolve("Dockerfile")));
  }

  @Test
  void basesAreBuildArgumentsDefaultingToThePublicTemurinImages() {
    List<String> beforeFirstFrom = instructions.subList(0, instructions.indexOf(withKeywordLines("FROM").get(0)));

    assertThat(beforeFirstFrom).containsExactly(
        "ARG JDK_IMAGE=eclipse-temurin:17-jdk", "ARG JRE_IMAGE=eclipse-temurin:17-jre", "ARG JAR=source");
    assertThat(withKeyword("FROM")).containsExactly(
        "${JDK_IMAGE} AS jar-source", "scratch AS jar-prebuilt", "jar-${JAR} AS jar", "${JRE_IMAGE}");
  }

  @Test
  void buildsTheJarWithTheMavenWrapperOrTakesTheOneTheBuildMade() {
    assertThat(withKeyword("RUN")).anyMatch(r -> r.contains("./mvnw -B -q -pl grid-node -am package"));
    assertThat(withKeyword("COPY")).contains(
        "grid-node/target/vmgrid-node.jar /src/grid-node/target/vmgrid-node.jar");
    assertThat(finalStage("COPY")).singleElement().asString().startsWith("--from=jar ")
        .endsWith(" /src/grid-node/target/vmgrid-node.jar /opt/vmgrid/vmgrid-node.jar");
  }

  @Test
  void needsNoRegistryForItsFrontend() throws IOException {
    // A "# syntax=" line makes BuildKit pull its Dockerfile frontend from a registry first.
    assertThat(Files.readAllLines(ROOT.resolve("Dockerfile"))).noneMatch(l -> l.startsWith("# syntax="));
  }

  @Test
  void theJarsDirectoryIsMadeReadableBeforeTheJarIsCopiedIntoIt() {
    List<String> runs = finalStage("RUN");
    List<String> copies = finalStage("COPY");

    // Left to COPY, BuildKit may give /opt/vmgrid the jar's --chmod mode, which the user cannot enter.
    assertThat(runs).anyMatch(r -> r.matches(".*install -d( -[og] root)* -m 0755 /opt/vmgrid.*"));
    assertThat(instructions.indexOf("RUN " + runs.get(runs.size() - 1)))
        .isLessThan(instructions.indexOf("COPY " + copies.get(0)));
  }

  @Test
  void runsAsANonRootUser() {
    List<String> users = finalStage("USER");

    assertThat(users).isNotEmpty();
    String user = users.get(users.size() - 1).split(":", -1)[0];
    assertThat(user).isNotIn("root", "0", "");
    // The chart's pod security context runs as the same uid.
    assertThat(Chart.template().podSpec().path("securityContext").path("runAsUser").asText()).isEqualTo(user);
  }

  @Test
  void exposesTheMemberAndMetricsPorts() {
    List<String> ports = new ArrayList<>();
    for (String expose : finalStage("EXPOSE")) {
      ports.addAll(List.of(expose.split("\\s+", -1)));
    }

    assertThat(ports).contains("5701", "9401");
  }

  @Test
  void entrypointStartsTheNodeWithTheChartsConfigAndThePodIp() {
    List<String> entrypoints = finalStage("ENTRYPOINT");

    assertThat(entrypoints).hasSize(1);
    assertThat(entrypoints.get(0))
        .contains("exec java $JAVA_OPTS -jar /opt/vmgrid/vmgrid-node.jar node")
        .contains("--config \\\"$VMGRID_CONFIG\\\"")
        .contains("--bind \\\"${POD_IP");
    assertThat(Chart.template().env("VMGRID_CONFIG").path("value").asText()).isEqualTo("/etc/vmgrid/node.yaml");
  }

  @Test
  void dockerignoreKeepsWhatTheBuildNeeds() throws IOException {
    List<String> ignored = Files.readAllLines(ROOT.resolve(".dockerignore")).stream()
        .map(String::strip)
        .filter(l -> !l.isEmpty() && !l.startsWith("#"))
        .toList();

    assertThat(ignored).contains("**/target", ".git");
    assertThat(ignored).doesNotContain("mvnw", ".mvn", "build", "pom.xml", "grid-node", "rules", "helm");
  }

  /** Instructions of the last stage with this keyword, arguments only. */
  private static List<String> finalStage(String keyword) {
    int lastFrom = 0;
    for (int i = 0; i < instructions.size(); i++) {
      if (keyword(instructions.get(i)).equals("FROM")) {
        lastFrom = i;
      }
    }
    List<String> out = new ArrayList<>();
    for (String line : instructions.subList(lastFrom, instructions.size())) {
      if (keyword(line).equals(keyword)) {
        out.add(arguments(line));
      }
    }
    return out;
  }

  private static List<String> withKeyword(String keyword) {
    return withKeywordLines(keyword).stream().map(DockerfileTest::arguments).toList();
  }

  private static List<String> withKeywordLines(String keyword) {
    return instructions.stream().filter(l -> keyword(l).equals(keyword)).toList();
  }

  private static String keyword(String line) {
    return line.split("\\s+", 2)[0].toUpperCase(Locale.ROOT);
  }

  private static String arguments(String line) {
    String[] parts = line.split("\\s+", 2);
    return parts.length < 2 ? "" : parts[1].strip();
  }

  /** Joins continuation lines and drops comments and blank lines. */
  static List<String> instructions(String text) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String raw : text.split("\n", -1)) {
      String line = raw.strip();
      if (line.startsWith("#") || (line.isEmpty() && current.length() == 0)) {
        continue;
      }
      if (line.endsWith("\\")) {
        current.append(line, 0, line.length() - 1).append(' ');
        continue;
      }
      current.append(line);
      String instruction = current.toString().strip().replaceAll("\\s+", " ");
      if (!instruction.isEmpty()) {
        out.add(instruction);
      }
      current.setLength(0);
    }
    return out;
  }
}
