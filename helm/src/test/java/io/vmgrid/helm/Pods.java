package io.vmgrid.helm;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Pods of the rendered StatefulSet run as containers the way the kubelet would run them: the
 * container's image, command, arguments and environment; its ConfigMap volumes written out and
 * mounted where the pod mounts them, an emptyDir as a tmpfs; its security context and limits.
 *
 * <p>There is no Kubernetes network or DNS here. Each pod gets a loopback address of its own as its
 * pod IP on the host network (added to {@code lo}, as the node binds only addresses of an
 * interface, and removed again at the end), and its /etc/hosts lists, under the headless Service's
 * DNS name in {@code clusterDomain}, every pod started before it that still runs and itself: what
 * the cluster DNS answers a pod that OrderedReady has just started. Each pod plays running on a
 * Kubernetes node of its own: {@code spec.nodeName} in the downward API is {@link #nodeName(int)}.
 */
final class Pods implements AutoCloseable {
  /** Label on every container started here, so that an aborted run's leftovers are removed. */
  static final String LABEL = "io.vmgrid.test=container-cluster";

  private final Engine engine;
  private final Chart.Rendered chart;
  private final Path workDir;
  private final String serviceDns;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private final List<Pod> all = new ArrayList<>();
  private final List<Pod> running = new ArrayList<>();
  private final List<String> addedAddresses = new ArrayList<>();

  /** A started pod: its name, pod IP, container name and the Kubernetes node it plays running on. */
  record Pod(String name, String ip, String container, String node) {}

  /** An HTTP GET probe of the node container, its port resolved to a number. */
  record Probe(String path, int port, int periodSeconds, int failureThreshold) {
    /** How long Kubernetes lets it fail before acting: period times failure threshold. */
    Duration budget() {
      return Duration.ofSeconds((long) periodSeconds * failureThreshold);
    }
  }

  /**
   * Pods of {@code chart}'s StatefulSet, whose headless Service resolves in {@code clusterDomain};
   * files and logs go under {@code workDir}. Removes containers left by an earlier run.
   */
  Pods(Engine engine, Chart.Rendered chart, String clusterDomain, Path workDir) {
    this.engine = engine;
    this.chart = chart;
    this.workDir = workDir;
    JsonNode headless = chart.statefulSet().path("spec").path("serviceName");
    JsonNode service = chart.get("Service", headless.asText()).path("metadata");
    this.serviceDns = service.path("name").asText() + "." + service.path("namespace").asText() + ".svc."
        + clusterDomain;
    String leftovers = engine.ok(Duration.ofSeconds(30), "ps", "--all", "--quiet", "--filter", "label=" + LABEL);
    for (String id : leftovers.strip().split("\\s+", -1)) {
      if (!id.isEmpty()) {
        engine.ok(Duration.ofSeconds(60), "rm", "--force", id);
      }
    }
  }

  /** The pod IP of pod {@code ordinal}: a loopback address of its own. */
  static String ip(int ordinal) {
    return "127.20.0." + (ordinal + 1);
  }

  /**
   * The Kubernetes node pod {@code ordinal} runs on ({@code spec.nodeName}): one of its own, as
   * the chart's anti-affinity places members when there are enough nodes.
   */
  static String nodeName(int ordinal) {
    return "k8s-node-" + (ordinal + 1);
  }

  /** node.yaml from the rendered ConfigMap, parsed. */
  JsonNode nodeYaml() {
    return chart.nodeYaml();
  }

  /** The pod template's security context. */
  JsonNode podSecurityContext() {
    return chart.podSpec().path("securityContext");
  }

  /** The node container of the pod template. */
  JsonNode container() {
    return chart.container();
  }

  /** The pod template's probe {@code kind} (startupProbe, readinessProbe, livenessProbe). */
  Probe probe(String kind) {
    JsonNode probe = container().path(kind);
    JsonNode get = probe.path("httpGet");
    if (get.isMissingNode()) {
      throw new AssertionError(kind + " is not an httpGet probe: " + probe);
    }
    return new Probe(get.path("path").asText(), port(get.path("port")),
        probe.path("periodSeconds").asInt(10), probe.path("failureThreshold").asInt(3));
  }

  /** A container port by number or by its name in the container's ports. */
  int port(JsonNode port) {
    if (port.canConvertToInt()) {
      return port.asInt();
    }
    for (JsonNode p : container().path("ports")) {
      if (p.path("name").asText().equals(port.asText())) {
        return p.path("containerPort").asInt();
      }
    }
    throw new AssertionError("no container port named " + port + " in " + container().path("ports"));
  }

  /** Starts pod {@code ordinal} of the StatefulSet. */
  Pod start(int ordinal) {
    String name = chart.statefulSet().path("metadata").path("name").asText() + "-" + ordinal;
    Pod pod = new Pod(name, ip(ordinal), "vmgrid-test-" + name, nodeName(ordinal));
    addLoopbackAddress(pod.ip());
    List<String> run = new ArrayList<>(List.of("run", "--detach", "--name", pod.container(),
        "--label", LABEL, "--network", "host"));
    for (Pod peer : running) {
      run.addAll(List.of("--add-host", serviceDns + ":" + peer.ip()));
    }
    run.addAll(List.of("--add-host", serviceDns + ":" + pod.ip()));
    run.addAll(securityOptions());
    run.addAll(limits());
    run.addAll(volumes(pod));
    run.addAll(environment(pod));
    List<String> command = texts(container().path("command"));
    if (!command.isEmpty()) {
      run.addAll(List.of("--entrypoint", command.get(0)));
    }
    run.add(container().path("image").asText());
    if (!command.isEmpty()) {
      run.addAll(command.subList(1, command.size()));
    }
    run.addAll(texts(container().path("args")));
    engine.ok(Duration.ofSeconds(60), run.toArray(String[]::new));
    all.add(pod);
    running.add(pod);
    return pod;
  }

  /** Kills pod's container with SIGKILL, as a node failure would. */
  void kill(Pod pod) {
    engine.ok(Duration.ofSeconds(30), "kill", "--signal", "KILL", pod.container());
    running.remove(pod);
  }

  /**
   * Stops pod's container as the kubelet deletes a pod: SIGTERM, then SIGKILL after the pod's
   * termination grace period. Returns the container's exit code.
   */
  int stop(Pod pod) {
    int grace = chart.podSpec().path("terminationGracePeriodSeconds").asInt(30);
    engine.ok(Duration.ofSeconds(grace + 30L), "stop", "--time", Integer.toString(grace), pod.container());
    running.remove(pod);
    return Integer.parseInt(engine.ok(Duration.ofSeconds(30), "inspect", "--format", "{{.State.ExitCode}}",
        pod.container()).strip());
  }

  /** The pods started and not killed or stopped, in start order. */
  List<Pod> running() {
    return List.copyOf(running);
  }

  /** Runs {@code command} inside pod's container. */
  Engine.Result exec(Pod pod, String... command) {
    List<String> args = new ArrayList<>(List.of("exec", pod.container()));
    args.addAll(List.of(command));
    return engine.run(Duration.ofSeconds(30), args.toArray(String[]::new));
  }

  /** The container's output so far. */
  String logs(Pod pod) {
    Engine.Result logs = engine.run(Duration.ofSeconds(30), "logs", pod.container());
    return logs.out() + logs.err();
  }

  /** GET {@code path} on {@code port} of pod's IP: the status code, or -1 when nothing answers. */
  int status(Pod pod, int port, String path) {
    return get(pod, port, path).statusCode();
  }

  /** GET {@code path} on {@code port} of pod's IP; a status code of -1 when nothing answers. */
  Response get(Pod pod, int port, String path) {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + pod.ip() + ":" + port + path))
        .timeout(Duration.ofSeconds(3)).build();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      return new Response(response.statusCode(), response.body());
    } catch (IOException e) {
      return new Response(-1, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** A status code and body. */
  record Response(int statusCode, String body) {}

  /** Whether pod's container is still running. */
  boolean runs(Pod pod) {
    return engine.run(Duration.ofSeconds(30), "inspect", "--format", "{{.State.Running}}", pod.container())
        .out().strip().equals("true");
  }

  /**
   * Keeps every container's log under the work directory, removes the containers and the loopback
   * addresses added for them.
   */
  @Override
  public void close() throws IOException {
    Files.createDirectories(workDir);
    for (Pod pod : all) {
      Files.writeString(workDir.resolve(pod.name() + ".log"), logs(pod));
      engine.run(Duration.ofSeconds(60), "rm", "--force", pod.container());
    }
    for (String address : addedAddresses) {
      ip("address", "delete", address + "/32", "dev", "lo");
    }
  }

  private void addLoopbackAddress(String address) {
    if (ip("-o", "address", "show", "dev", "lo").contains(" " + address + "/32 ")) {
      return;
    }
    ip("address", "add", address + "/32", "dev", "lo");
    addedAddresses.add(address);
  }

  private static String ip(String... args) {
    List<String> command = new ArrayList<>(List.of("ip"));
    command.addAll(List.of(args));
    Engine.Result result = Engine.exec(command, Duration.ofSeconds(30), Map.of());
    if (!result.ok()) {
      throw new AssertionError(String.join(" ", command) + ": " + (result.err() + result.out()).strip()
          + "\nThe pods' addresses must be on lo: as root, ip address add " + ip(0) + "/32 dev lo (and "
          + ip(1) + ", " + ip(2) + ", " + ip(3) + ")");
    }
    return result.out();
  }

  private List<String> securityOptions() {
    JsonNode pod = chart.podSpec().path("securityContext");
    JsonNode own = container().path("securityContext");
    List<String> options = new ArrayList<>();
    JsonNode user = own.has("runAsUser") ? own.path("runAsUser") : pod.path("runAsUser");
    JsonNode group = own.has("runAsGroup") ? own.path("runAsGroup") : pod.path("runAsGroup");
    if (!user.isMissingNode()) {
      options.addAll(List.of("--user", user.asText() + (group.isMissingNode() ? "" : ":" + group.asText())));
    }
    boolean nonRoot = own.path("runAsNonRoot").asBoolean(pod.path("runAsNonRoot").asBoolean(false));
    if (nonRoot && (user.isMissingNode() || user.asInt() == 0)) {
      throw new AssertionError("runAsNonRoot without a non-zero runAsUser: the kubelet checks the image's"
          + " user, which this test does not");
    }
    if (own.path("readOnlyRootFilesystem").asBoolean(false)) {
      options.add("--read-only");
    }
    if (!own.path("allowPrivilegeEscalation").asBoolean(true)) {
      options.addAll(List.of("--security-opt", "no-new-privileges"));
    }
    for (String cap : texts(own.path("capabilities").path("drop"))) {
      options.addAll(List.of("--cap-drop", cap));
    }
    for (String cap : texts(own.path("capabilities").path("add"))) {
      options.addAll(List.of("--cap-add", cap));
    }
    return options;
  }

  private List<String> limits() {
    JsonNode limits = container().path("resources").path("limits");
    List<String> options = new ArrayList<>();
    if (limits.has("memory")) {
      options.addAll(List.of("--memory", Long.toString(bytes(limits.path("memory").asText()))));
    }
    if (limits.has("cpu")) {
      options.addAll(List.of("--cpus", cpus(limits.path("cpu").asText())));
    }
    return options;
  }

  private List<String> volumes(Pod pod) {
    List<String> options = new ArrayList<>();
    for (JsonNode mount : container().path("volumeMounts")) {
      String name = mount.path("name").asText();
      String path = mount.path("mountPath").asText();
      if (mount.has("subPath")) {
        throw new AssertionError("volume mount " + name + ": subPath is not supported here");
      }
      JsonNode volume = volume(name);
      if (volume.has("emptyDir")) {
        JsonNode size = volume.path("emptyDir").path("sizeLimit");
        options.addAll(List.of("--tmpfs", path + ":rw,exec,mode=1777"
            + (size.isMissingNode() ? "" : ",size=" + bytes(size.asText()))));
        continue;
      }
      List<JsonNode> configMaps = new ArrayList<>();
      if (volume.has("configMap")) {
        configMaps.add(volume.path("configMap"));
      } else if (volume.has("projected")) {
        for (JsonNode source : volume.path("projected").path("sources")) {
          if (!source.has("configMap")) {
            throw new AssertionError("volume " + name + ": only configMap sources are supported: " + source);
          }
          configMaps.add(source.path("configMap"));
        }
      } else {
        throw new AssertionError("volume " + name + ": only configMap, projected and emptyDir are supported");
      }
      Path dir = workDir.resolve(pod.name()).resolve(name);
      writeConfigMaps(configMaps, dir);
      options.addAll(List.of("--volume", dir.toAbsolutePath() + ":" + path
          + (mount.path("readOnly").asBoolean(false) ? ":ro" : "")));
    }
    return options;
  }

  /** Writes the ConfigMaps' keys (or their items' paths) as files, mode 0644 like the kubelet's. */
  private void writeConfigMaps(List<JsonNode> configMaps, Path dir) {
    try {
      Files.createDirectories(dir);
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
      for (JsonNode ref : configMaps) {
        JsonNode data = chart.get("ConfigMap", ref.path("name").asText()).path("data");
        List<Map.Entry<String, String>> files = new ArrayList<>();
        if (ref.has("items")) {
          for (JsonNode item : ref.path("items")) {
            files.add(Map.entry(item.path("path").asText(), data.path(item.path("key").asText()).asText()));
          }
        } else {
          data.properties().forEach(e -> files.add(Map.entry(e.getKey(), e.getValue().asText())));
        }
        for (Map.Entry<String, String> file : files) {
          Path target = dir.resolve(file.getKey());
          Files.writeString(target, file.getValue());
          Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private List<String> environment(Pod pod) {
    List<String> options = new ArrayList<>();
    for (JsonNode env : container().path("env")) {
      String name = env.path("name").asText();
      String value;
      if (env.has("value")) {
        value = env.path("value").asText();
        if (value.contains("$(")) {
          throw new AssertionError("env " + name + ": $(VAR) references are not expanded here");
        }
      } else {
        String field = env.path("valueFrom").path("fieldRef").path("fieldPath").asText();
        value = switch (field) {
          case "status.podIP" -> pod.ip();
          case "metadata.name" -> pod.name();
          case "metadata.namespace" -> chart.statefulSet().path("metadata").path("namespace").asText();
          case "spec.nodeName" -> pod.node();
          default -> throw new AssertionError("env " + name + ": only the pod's IP, name, namespace and"
              + " node name are supported, not " + env.path("valueFrom"));
        };
      }
      options.addAll(List.of("--env", name + "=" + value));
    }
    return options;
  }

  private JsonNode volume(String name) {
    for (JsonNode v : chart.podSpec().path("volumes")) {
      if (v.path("name").asText().equals(name)) {
        return v;
      }
    }
    throw new AssertionError("no volume " + name + " in the pod template");
  }

  /** A Kubernetes memory quantity in bytes (binary and decimal suffixes). */
  static long bytes(String quantity) {
    String[][] suffixes = {{"Ki", "1024"}, {"Mi", "1048576"}, {"Gi", "1073741824"}, {"Ti", "1099511627776"},
        {"k", "1000"}, {"M", "1000000"}, {"G", "1000000000"}, {"T", "1000000000000"}};
    for (String[] s : suffixes) {
      if (quantity.endsWith(s[0])) {
        return new BigDecimal(quantity.substring(0, quantity.length() - s[0].length()))
            .multiply(new BigDecimal(s[1])).longValueExact();
      }
    }
    return new BigDecimal(quantity).longValueExact();
  }

  /** A Kubernetes CPU quantity as docker's --cpus (decimal cores). */
  static String cpus(String quantity) {
    return quantity.endsWith("m")
        ? new BigDecimal(quantity.substring(0, quantity.length() - 1)).movePointLeft(3).toPlainString()
        : new BigDecimal(quantity).toPlainString();
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
