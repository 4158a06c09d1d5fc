package io.vmgrid.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.spi.partitiongroup.PartitionGroupMetaData;
import io.vmgrid.client.api.AllocationClient;
import io.vmgrid.client.api.AllocationOutcome;
import io.vmgrid.client.api.ClientSettings;
import io.vmgrid.client.api.Released;
import io.vmgrid.client.api.ServerSpec;
import io.vmgrid.client.api.VmRequest;
import io.vmgrid.client.wire.HostedVm;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.client.wire.Placement;
import io.vmgrid.client.wire.ServerState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The node image, built and run: members started as containers from the chart's rendered
 * StatefulSet ({@link Pods}), driven through the Java client, with the rendered probes waited on as
 * the kubelet would. Members start one after another as OrderedReady starts them and find each
 * other through the DNS discovery of the rendered node.yaml (the name answered from each
 * container's /etc/hosts, as cluster DNS would answer it), each on a Kubernetes node of its own
 * whose name (the downward API's {@code spec.nodeName}) reaches Hazelcast's partition grouping
 * with the chart's default {@code node.partitionGroup: node}; VMs are placed and released; a fourth
 * member joins and its agents take allocations; one member is killed (SIGKILL) and one is stopped
 * (SIGTERM, within the grace period). After each step every partition's backups are in sync
 * ({@code /health/safe}) and every acknowledged placement is in the grid where it was acknowledged.
 *
 * <p>Needs a container engine ({@link Engine}); where none is reachable it is skipped, saying so,
 * and fails in CI ({@code CI=true}). Alone: {@code ./mvnw -B -pl helm -am verify
 * -Dtest=ContainerClusterTest -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class ContainerClusterTest {
  private static final Path WORK = Path.of("target", "container-cluster");
  private static final Duration READY_WITHIN = Duration.ofMinutes(3);
  private static final Map<String, Duration> TIMINGS = new LinkedHashMap<>();
  private static Engine engine;
  private static String image;

  @BeforeAll
  static void buildImage() {
    Engine found = Engine.find();
    if (found == null) {
      return; // each test is skipped, with the reason
    }
    engine = found;
    NodeImage.Timings built = NodeImage.build(engine);
    image = NodeImage.REPOSITORY + ":" + NodeImage.TAG;
    TIMINGS.put("JRE base image " + built.base() + " (0 when already there)", built.baseImage());
    TIMINGS.put("node image build (prebuilt jar)", built.nodeImage());
  }

  @BeforeEach
  void needsAnEngine() {
    Assumptions.assumeTrue(engine != null, Engine::unusable);
  }

  @AfterAll
  static void printTimings() {
    TIMINGS.forEach((step, d) -> System.out.printf(Locale.ROOT, "container test: %-60s %6.1f s%n",
        step, d.toMillis() / 1000.0));
  }

  /** The chart rendered with the test's image and {@code sets}; every other value its default. */
  private static Chart.Rendered render(Map<String, String> sets) {
    Map<String, String> all = new HashMap<>(sets);
    all.put("image.repository", NodeImage.REPOSITORY);
    all.put("image.tag", NodeImage.TAG);
    return Chart.template(all);
  }

  @Test
  void theImageRunsAsTheChartsUserWhoCanReadTheJar() {
    JsonNode security = render(Map.of()).podSpec().path("securityContext");
    String user = security.path("runAsUser").asText() + ":" + security.path("runAsGroup").asText();

    assertThat(engine.ok(Duration.ofSeconds(30), "image", "inspect", "--format", "{{.Config.User}}", image)
        .strip()).isEqualTo(user);
    assertThat(engine.ok(Duration.ofSeconds(60), "run", "--rm", "--network", "none", "--user", user,
        "--entrypoint", "stat", image, "-c", "%a %U:%G %n", "/opt/vmgrid", "/opt/vmgrid/vmgrid-node.jar")
        .lines()).containsExactly("755 root:root /opt/vmgrid", "444 root:root /opt/vmgrid/vmgrid-node.jar");
    assertThat(engine.ok(Duration.ofSeconds(60), "run", "--rm", "--network", "none", "--user", user,
        "--entrypoint", "java", image, "-jar", "/opt/vmgrid/vmgrid-node.jar", "--version"))
        .startsWith("vmgrid ");
  }

  @Test
  void theRenderedJvmFlagsChooseG1AndGiveTheHeapItsShareOfTheMemoryLimit() {
    Chart.Rendered chart = render(Map.of());
    String javaOpts = chart.env("JAVA_OPTS").path("value").asText();
    JsonNode limits = chart.container().path("resources").path("limits");
    long limit = Pods.bytes(limits.path("memory").asText());
    Matcher percent = Pattern.compile("-XX:MaxRAMPercentage=([0-9.]+)").matcher(javaOpts);
    assertThat(percent.find()).as("MaxRAMPercentage in %s", javaOpts).isTrue();

    List<String> run = new ArrayList<>(List.of("run", "--rm", "--network", "none", "--memory",
        Long.toString(limit), "--cpus", Pods.cpus(limits.path("cpu").asText()), "--entrypoint", "java", image));
    run.addAll(List.of(javaOpts.split(" ", -1)));
    run.addAll(List.of("-XX:+PrintFlagsFinal", "-version"));
    String flags = engine.ok(Duration.ofSeconds(60), run.toArray(String[]::new));

    assertThat(flag(flags, "UseG1GC")).isEqualTo("true");
    assertThat(flag(flags, "UseSerialGC")).isEqualTo("false");
    long heap = Long.parseLong(flag(flags, "MaxHeapSize"));
    assertThat((double) heap).isCloseTo(limit * Double.parseDouble(percent.group(1)) / 100, within(limit * 0.02));
    assertThat(heap).as("default heap: at least the 2 GiB of a 100,000-server benchmark member")
        .isGreaterThanOrEqualTo(2L << 30);
  }

  @Test
  void threeMembersPlaceAndReleaseAFourthJoinsAndAKillAndAStopLoseNothing() throws Exception {
    Chart.Rendered chart = render(Map.of());
    JsonNode node = chart.nodeYaml();
    assertThat(node.path("discovery").path("mode").asText()).isEqualTo("kubernetes");
    int metricsPort = node.path("metricsPort").asInt();
    try (Pods pods = new Pods(engine, chart, "cluster.local", WORK.resolve("defaults"))) {
      Pods.Probe liveness = pods.probe("livenessProbe");
      assertThat(List.of(pods.probe("startupProbe").port(), pods.probe("readinessProbe").port(), liveness.port()))
          .as("probe ports: the node serves HTTP on node.yaml's metricsPort").containsOnly(metricsPort);

      for (int i = 0; i < 3; i++) {
        startOrderedReady(pods, i);
      }
      Pods.Pod first = pods.running().get(0);
      assertThat(pods.status(first, liveness.port(), liveness.path())).as("liveness probe").isEqualTo(200);
      assertRunsAsTheChartsUserOnAReadOnlyRoot(pods, first);

      HazelcastInstance hz = client(node, pods);
      try (AllocationClient client = AllocationClient.using(hz, Duration.ofSeconds(30))) {
        eventually(() -> assertThat(hz.getCluster().getMembers()).hasSize(3), Duration.ofSeconds(60));
        // the node names from the downward API reach Hazelcast's partition grouping (its own DNS
        // discovery would have overwritten them with "unknown")
        assertThat(hz.getCluster().getMembers()).extracting(m -> m.getAttribute(PartitionGroupMetaData.PARTITION_GROUP_NODE))
            .as("members' node names").containsExactlyInAnyOrder(
                Pods.nodeName(0), Pods.nodeName(1), Pods.nodeName(2));
        List<ServerSpec> servers = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
          servers.add(new ServerSpec(String.format("s-%02d", i), "c0", 32, 131_072));
        }
        client.loadInventory(servers).join();
        // the load returns once the map has the servers; each member's mirror follows by events,
        // so the first allocation may still find none: wait until a probe places (then release it)
        eventually(() -> assertThat(client.allocateAndWait(VmRequest.builder().vmId("probe")
            .tenantId("t").cores(1).memoryMb(1_024).build()))
            .isInstanceOf(AllocationOutcome.Placed.class), Duration.ofSeconds(30));
        client.releaseAndWait("probe");
        Map<String, String> acknowledged = new HashMap<>();
        timed("60 allocations and 10 releases, 3 members", () -> {
          allocate(client, acknowledged, "a", 60);
          for (int i = 0; i < 10; i++) {
            Released released = client.releaseAndWait("a-" + i);
            assertThat(released.serverId()).isEqualTo(acknowledged.remove("a-" + i));
          }
        });
        assertEveryAcknowledgedPlacementRemains(hz, acknowledged);

        Pods.Pod fourth = startOrderedReady(pods, 3);
        eventually(() -> assertThat(hz.getCluster().getMembers()).hasSize(4), Duration.ofSeconds(60));
        int workers = node.path("workers").asInt();
        eventually(() -> assertThat(agents(pods, fourth, metricsPort)).as("agents on the new member")
            .hasSizeGreaterThanOrEqualTo(workers), Duration.ofSeconds(60));
        for (Pods.Pod pod : pods.running()) {
          System.out.printf("container test: %s runs agents %s%n", pod.name(), agents(pods, pod, metricsPort));
        }
        double lookupsBefore = sum(pods.get(fourth, metricsPort, "/metrics").body(), "vmgrid_cache_lookups_total");
        timed("40 allocations, 4 members", () -> allocate(client, acknowledged, "b", 40));
        // Every allocation an agent evaluates is one cache lookup on the member that runs the agent.
        double onFourth = sum(pods.get(fourth, metricsPort, "/metrics").body(), "vmgrid_cache_lookups_total")
            - lookupsBefore;
        System.out.printf("container test: %s's agents evaluated %.0f of 40 allocations%n", fourth.name(), onFourth);
        assertThat(onFourth).as("allocations evaluated by the new member's agents").isGreaterThan(0);
        awaitSafe(pods, metricsPort, "after the scale-out");
        assertEveryAcknowledgedPlacementRemains(hz, acknowledged);

        Pods.Pod killed = pods.running().get(1);
        long kill = System.nanoTime();
        pods.kill(killed);
        eventually(() -> assertThat(hz.getCluster().getMembers()).hasSize(3), Duration.ofSeconds(60));
        awaitSafe(pods, metricsPort, "after killing " + killed.name());
        TIMINGS.put("docker kill " + killed.name() + " to /health/safe on the 3 others", since(kill));
        assertEveryAcknowledgedPlacementRemains(hz, acknowledged);
        timed("20 allocations after the kill", () -> allocate(client, acknowledged, "c", 20));

        int grace = chart.podSpec().path("terminationGracePeriodSeconds").asInt();
        long stop = System.nanoTime();
        int exit = pods.stop(fourth);
        Duration stopping = since(stop);
        TIMINGS.put("docker stop " + fourth.name() + " (SIGTERM, graceful leave)", stopping);
        assertThat(exit).as("exit code of %s (137: killed at the end of the grace period)", fourth.name())
            .isNotEqualTo(137);
        assertThat(stopping).as("stop of %s", fourth.name()).isLessThan(Duration.ofSeconds(grace));
        assertThat(pods.logs(fourth)).contains("vmgrid node: stopped");
        eventually(() -> assertThat(hz.getCluster().getMembers()).hasSize(2), Duration.ofSeconds(60));
        awaitSafe(pods, metricsPort, "after stopping " + fourth.name());
        assertEveryAcknowledgedPlacementRemains(hz, acknowledged);
      } finally {
        hz.shutdown();
      }
    }
  }

  @Test
  void anotherMemberPortAndClusterDomainStillMakeOneCluster() throws Exception {
    Chart.Rendered chart = render(Map.of("node.port", "5801", "node.metricsPort", "9501",
        "clusterDomain", "cluster.test"));
    try (Pods pods = new Pods(engine, chart, "cluster.test", WORK.resolve("other-port-and-domain"))) {
      startOrderedReady(pods, 0);
      Pods.Pod second = startOrderedReady(pods, 1);
      assertThat(metric(pods.get(second, 9501, "/metrics").body(), "vmgrid_cluster_members"))
          .as("members seen by %s", second.name()).isEqualTo(2);
    }
  }

  /**
   * Starts pod {@code ordinal} once the pods before it run, then waits as OrderedReady does: for the
   * startup probe, within its budget, and for the readiness probe. When the startup probe first
   * passes the member must have joined the others.
   */
  private static Pods.Pod startOrderedReady(Pods pods, int ordinal) {
    Pods.Probe startup = pods.probe("startupProbe");
    Pods.Probe readiness = pods.probe("readinessProbe");
    int metricsPort = pods.nodeYaml().path("metricsPort").asInt();
    long t0 = System.nanoTime();
    Pods.Pod pod = pods.start(ordinal);
    int members = pods.running().size();
    await(() -> pods.status(pod, startup.port(), startup.path()) == 200, startup.budget(),
        () -> "startup probe GET " + startup.path() + " of " + pod.name(), pods, pod);
    Duration started = since(t0);
    assertThat(metric(pods.get(pod, metricsPort, "/metrics").body(), "vmgrid_cluster_members"))
        .as("members %s had joined when its startup probe passed", pod.name()).isEqualTo(members);
    await(() -> pods.status(pod, readiness.port(), readiness.path()) == 200, READY_WITHIN,
        () -> "readiness probe GET " + readiness.path() + " of " + pod.name(), pods, pod);
    TIMINGS.put("start " + pod.name() + ": startup probe passed", started);
    TIMINGS.put("start " + pod.name() + ": readiness probe passed", since(t0));
    return pod;
  }

  private static void assertRunsAsTheChartsUserOnAReadOnlyRoot(Pods pods, Pods.Pod pod) {
    JsonNode security = pods.container().path("securityContext");
    String uid = pods.podSecurityContext().path("runAsUser").asText();
    assertThat(pods.exec(pod, "cat", "/proc/1/status").orFail().lines().filter(l -> l.startsWith("Uid:")))
        .as("the node process's user ids").singleElement().asString()
        .matches("Uid:\\s+" + uid + "\\s+" + uid + "\\s+" + uid + "\\s+" + uid);
    assertThat(security.path("readOnlyRootFilesystem").asBoolean()).as("the chart asks for a read-only root").isTrue();
    Engine.Result write = pods.exec(pod, "touch", "/opt/vmgrid/written");
    assertThat(write.ok()).as("writing to the root filesystem").isFalse();
    assertThat(write.err()).contains("Read-only file system");
    pods.exec(pod, "touch", "/tmp/written").orFail();
  }

  private static HazelcastInstance client(JsonNode node, Pods pods) {
    List<String> addresses = pods.running().stream().map(p -> p.ip() + ":" + node.path("port").asInt()).toList();
    ClientConfig config = AllocationClient.clientConfig(
        new ClientSettings(node.path("clusterName").asText(), addresses, Duration.ofSeconds(30)));
    config.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(120_000);
    return HazelcastClient.newHazelcastClient(config);
  }

  private static void allocate(AllocationClient client, Map<String, String> acknowledged, String batch, int n) {
    for (int i = 0; i < n; i++) {
      String vm = batch + "-" + i;
      AllocationOutcome outcome = client.allocateAndWait(VmRequest.builder().requestId("r-" + vm).vmId(vm)
          .tenantId("t").cores(1 + i % 4).memoryMb(2_048).build());
      assertThat(outcome).as("allocation of %s", vm).isInstanceOf(AllocationOutcome.Placed.class);
      acknowledged.put(vm, ((AllocationOutcome.Placed) outcome).serverId());
    }
  }

  /**
   * The grid holds exactly the acknowledged VMs, each on its acknowledged server, and the
   * reliability invariants hold: no server over capacity, used equal to the sum of its VMs, every
   * VM on one server, placement records agreeing with the servers.
   */
  private static void assertEveryAcknowledgedPlacementRemains(HazelcastInstance hz, Map<String, String> acknowledged) {
    eventually(() -> {
      IMap<String, ServerState> servers = hz.getMap(MapNames.SERVERS);
      IMap<String, Placement> placements = hz.getMap(MapNames.PLACEMENTS);
      Map<String, String> hostOf = new HashMap<>();
      for (ServerState s : servers.values()) {
        assertThat(s.usedCores()).as("cores used on %s", s.serverId()).isLessThanOrEqualTo(s.capacityCores());
        assertThat(s.vms().stream().mapToLong(HostedVm::cores).sum()).isEqualTo(s.usedCores());
        for (HostedVm vm : s.vms()) {
          assertThat(hostOf.put(vm.vmId(), s.serverId())).as("VM %s on two servers", vm.vmId()).isNull();
        }
      }
      Map<String, Placement> records = placements.getAll(placements.keySet());
      for (Placement p : records.values()) {
        assertThat(hostOf.get(p.vmId())).as("server of %s", p.vmId()).isEqualTo(p.serverId());
      }
      assertThat(records.keySet()).as("placement records vs VMs on servers").isEqualTo(hostOf.keySet());
      assertThat(hostOf).as("VMs in the grid vs acknowledged placements").isEqualTo(acknowledged);
    }, Duration.ofSeconds(60));
  }

  private static void awaitSafe(Pods pods, int metricsPort, String when) {
    for (Pods.Pod pod : pods.running()) {
      await(() -> pods.status(pod, metricsPort, "/health/safe") == 200, READY_WITHIN,
          () -> "/health/safe of " + pod.name() + " " + when, pods, pod);
    }
  }

  /** The agents a member runs, from its /metrics. */
  private static Set<String> agents(Pods pods, Pods.Pod pod, int metricsPort) {
    Set<String> agents = new TreeSet<>();
    Matcher m = Pattern.compile("(?m)^vmgrid_agent_queue_length\\{[^}]*agent=\"([^\"]+)\"")
        .matcher(pods.get(pod, metricsPort, "/metrics").body());
    while (m.find()) {
      agents.add(m.group(1));
    }
    return agents;
  }

  /** The sum of the samples of {@code name} in a Prometheus exposition, 0 when there are none. */
  private static double sum(String exposition, String name) {
    Matcher m = Pattern.compile("(?m)^" + name + "(?:\\{[^}]*\\})? ([-+0-9.eE]+)$").matcher(exposition);
    double sum = 0;
    while (m.find()) {
      sum += Double.parseDouble(m.group(1));
    }
    return sum;
  }

  /** The sum of the samples of {@code name} in a Prometheus exposition, which must have some. */
  private static double metric(String exposition, String name) {
    Matcher m = Pattern.compile("(?m)^" + name + "(?:\\{[^}]*\\})? ([-+0-9.eE]+)$").matcher(exposition);
    double sum = 0;
    boolean found = false;
    while (m.find()) {
      sum += Double.parseDouble(m.group(1));
      found = true;
    }
    assertThat(found).as("%s in /metrics", name).isTrue();
    return sum;
  }

  /** A flag's value in {@code java -XX:+PrintFlagsFinal} output. */
  private static String flag(String printFlagsFinal, String name) {
    Matcher m = Pattern.compile("(?m)^\\s*\\S+\\s+" + name + "\\s+= (\\S+)").matcher(printFlagsFinal);
    assertThat(m.find()).as("flag %s", name).isTrue();
    return m.group(1);
  }

  private static void timed(String step, ThrowingRunnable work) throws Exception {
    long t0 = System.nanoTime();
    work.run();
    TIMINGS.put(step, since(t0));
  }

  /** A step that may throw. */
  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  private static Duration since(long nanos) {
    return Duration.ofNanos(System.nanoTime() - nanos);
  }

  /** Polls {@code condition} until it holds; fails after {@code within} with the pod's log. */
  private static void await(BooleanSupplier condition, Duration within, Supplier<String> what, Pods pods,
      Pods.Pod pod) {
    long deadline = System.nanoTime() + within.toNanos();
    for (int polls = 1; !condition.getAsBoolean(); polls++) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what.get() + ": not 200 within " + within + ". Container log:\n"
            + pods.logs(pod));
      }
      if (polls % 8 == 0 && !pods.runs(pod)) {
        throw new AssertionError(what.get() + ": the container has exited. Its log:\n" + pods.logs(pod));
      }
      pause();
    }
  }

  /** Retries {@code assertion} until it passes or {@code within} has gone by. */
  private static void eventually(Runnable assertion, Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    while (true) {
      try {
        assertion.run();
        return;
      } catch (AssertionError | RuntimeException e) { // e.g. a read cut off by a member's departure
        if (System.nanoTime() > deadline) {
          throw e;
        }
      }
      pause();
    }
  }

  private static void pause() {
    try {
      Thread.sleep(250);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
