package io.vmgrid.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.client.wire.ServerState;
import io.vmgrid.node.Fixtures;
import io.vmgrid.node.GridNode;
import io.vmgrid.node.GridNodeConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line as an operator meets it in the first hour, in-process against a real member on
 * loopback: connection failures in one line, usage errors in the user's words, request ids that
 * name one request, the inspection commands, batches and cleaning up after a replay.
 */
class OperatorCommandsTest {
  private static GridNode node;
  private static List<String> connect;

  @TempDir Path tmp;

  record Run(int exit, String out, String err, Duration took) {
    JsonNode json() throws Exception {
      return new ObjectMapper().readTree(out);
    }

    List<String> errLines() {
      return err.lines().toList();
    }
  }

  @BeforeAll
  static void start() {
    GridNodeConfig config =
        GridNodeConfig.builder().clusterName("ops-" + UUID.randomUUID()).port(5881).workers(2)
            .build();
    node = GridNode.start(config);
    connect = List.of("--cluster-name", config.clusterName(), "--address", node.clientAddress(),
        "--timeout-ms", "20000");
    var servers = node.hazelcast().<String, ServerState>getMap(MapNames.SERVERS);
    for (int i = 1; i <= 4; i++) {
      servers.set("oc-" + i, ServerState.empty("oc-" + i, "oc", 16, 65_536));
    }
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  /** Runs the command line with this member's connection options after {@code args}. */
  static Run run(String... args) {
    List<String> argv = new ArrayList<>(List.of(args));
    argv.addAll(connect);
    return bare(argv.toArray(new String[0]));
  }

  /** Runs the command line with exactly {@code args}. */
  static Run bare(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    long t0 = System.nanoTime();
    int exit = VmgridMain.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Run(exit, out.toString(), err.toString(), Duration.ofNanos(System.nanoTime() - t0));
  }

  @Test
  void aRefusedPortIsOneLineWithinSeconds() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }

    Run refused = bare("status", "vm-1", "--address", "127.0.0.1:" + port);

    assertThat(refused.exit()).isEqualTo(1);
    assertThat(refused.out()).isEmpty();
    assertThat(refused.errLines()).containsExactly("vmgrid status: error: cannot connect to"
        + " cluster 'vmgrid' at 127.0.0.1:" + port + ": connection refused (is a member running"
        + " there?)");
    assertThat(refused.took()).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void aWrongClusterNameAndABadAddressAreNamed() {
    Run wrong = bare("members", "--cluster-name", "not-this-one", "--address",
        node.clientAddress());
    assertThat(wrong.exit()).isEqualTo(1);
    assertThat(wrong.errLines()).containsExactly("vmgrid members: error: cannot connect to"
        + " cluster 'not-this-one' at " + node.clientAddress() + ": a member answered, but its"
        + " cluster is not named 'not-this-one'");

    Run bad = bare("status", "vm-1", "--address", "notahost:abc");
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.errLines()).hasSize(2).first().asString().isEqualTo("vmgrid status: error:"
        + " --address: 'notahost:abc' is not HOST:PORT (the port must be a number from 1 to"
        + " 65535)");
  }

  @Test
  void usageErrorsExitTwoWithTheFullCommandPathAndOneUsageLine() {
    Run noServers = run("inventory", "drain");
    assertThat(noServers.exit()).isEqualTo(2);
    assertThat(noServers.errLines()).hasSize(2);
    assertThat(noServers.errLines().get(0)).startsWith("vmgrid inventory drain: error: Missing"
        + " required parameter");
    assertThat(noServers.errLines().get(1)).startsWith("usage: vmgrid inventory drain [OPTIONS]"
        + " SERVER_ID...");

    Run notNumber = run("allocate", "--vm-id", "v", "--tenant", "t", "--cores", "two",
        "--memory-mb", "1");
    assertThat(notNumber.exit()).isEqualTo(2);
    assertThat(notNumber.err()).contains("'two'").contains("--cores")
        .contains("usage: vmgrid allocate --vm-id ID");

    Run badTenant = run("vm", "list", "--tenant", "no way");
    assertThat(badTenant.exit()).isEqualTo(2);
    assertThat(badTenant.errLines().get(0)).isEqualTo("vmgrid vm list: error: --tenant: 'no way'"
        + " may contain only letters, digits and . _ : - and must start with a letter or digit");

    Run zero = run("capacity", "--cores", "0", "--memory-mb", "1");
    assertThat(zero.exit()).isEqualTo(2);
    assertThat(zero.err()).contains("vmgrid capacity: error: --cores: must be > 0 (was 0)");

    Run limit = run("what-if", "--limit-change", "3");
    assertThat(limit.exit()).isEqualTo(2);
    assertThat(limit.err()).contains("--limit-change: must be in [-1, 1], was 3.0");

    assertThat(bare("vm").exit()).isEqualTo(2);
    assertThat(bare("nonsense").exit()).isEqualTo(2);
  }

  @Test
  void aRequestIdNamesOneRequest() throws Exception {
    Run first = run("allocate", "--vm-id", "idem-1", "--tenant", "ti", "--cores", "2",
        "--memory-mb", "1024", "--request-id", "rq-1", "--json");
    assertThat(first.exit()).as(first.err()).isZero();
    String server = first.json().get("serverId").asText();
    String agent = first.json().get("agentId").asText();
    assertThat(agent).isNotEmpty();

    Run repeat = run("allocate", "--vm-id", "idem-1", "--tenant", "ti", "--cores", "2",
        "--memory-mb", "1024", "--request-id", "rq-1", "--json");
    assertThat(repeat.exit()).isZero();
    assertThat(repeat.json().get("serverId").asText()).isEqualTo(server);
    assertThat(repeat.json().get("agentId").asText()).as("the original agent").isEqualTo(agent);
    assertThat(repeat.json().get("repeat").asBoolean()).isTrue();

    Run bigger = run("allocate", "--vm-id", "idem-1", "--tenant", "ti", "--cores", "4",
        "--memory-mb", "1024", "--request-id", "rq-1");
    assertThat(bigger.exit()).isEqualTo(3);
    assertThat(bigger.out()).contains("REQUEST_ID_REUSED")
        .contains("requestId: 'rq-1' already placed VM idem-1 (2 cores, 1024 MiB, tenant ti)")
        .contains("4 cores instead of 2");

    Run otherVm = run("allocate", "--vm-id", "idem-2", "--tenant", "ti", "--cores", "2",
        "--memory-mb", "1024", "--request-id", "rq-1");
    assertThat(otherVm.exit()).isEqualTo(3);
    assertThat(otherVm.out()).contains("REQUEST_ID_REUSED").contains("already placed VM idem-1");

    assertThat(run("status", "idem-2").exit()).as("nothing placed for the reused id").isEqualTo(3);
    Run shown = run("server", "show", server, "--json");
    assertThat(shown.json().get("vms").toString()).contains("idem-1").doesNotContain("idem-2");
    Fixtures.assertInvariants(node.hazelcast());
  }

  @Test
  void theInspectionCommandsShowVmsServersMembersAndClusters() throws Exception {
    assertThat(run("allocate", "--vm-id", "look-a1", "--tenant", "look-a", "--cores", "1",
        "--memory-mb", "512", "--cluster", "oc").exit()).isZero();
    assertThat(run("allocate", "--vm-id", "look-a2", "--tenant", "look-a", "--cores", "1",
        "--memory-mb", "512", "--cluster", "oc").exit()).isZero();
    Run b = run("allocate", "--vm-id", "look-b1", "--tenant", "look-b", "--cores", "3",
        "--memory-mb", "512", "--json");
    String bServer = b.json().get("serverId").asText();

    Run tenant = run("vm", "list", "--tenant", "look-a", "--json");
    assertThat(tenant.exit()).isZero();
    assertThat(tenant.json().get("count").asInt()).isEqualTo(2);
    assertThat(tenant.json().get("vms").findValuesAsText("vmId"))
        .containsExactly("look-a1", "look-a2");
    Run text = run("vm", "list", "--tenant", "look-a");
    assertThat(text.out()).contains("look-a1").contains("2 VMs of tenant look-a");

    Run onServer = run("vm", "list", "--server", bServer, "--json");
    assertThat(onServer.json().get("vms").findValuesAsText("vmId")).contains("look-b1");
    assertThat(onServer.json().get("vms").findValuesAsText("serverId")).as("only that server's")
        .containsOnly(bServer);
    assertThat(onServer.json().get("count").asInt())
        .isEqualTo(run("server", "show", bServer, "--json").json().get("vms").size());
    assertThat(run("vm", "list", "--server", "no-such").exit()).isEqualTo(3);

    Run server = run("server", "show", bServer, "--json");
    assertThat(server.exit()).isZero();
    assertThat(server.json().get("health").asText()).isEqualTo("HEALTHY");
    assertThat(server.json().get("freeCores").asLong())
        .isEqualTo(16 - server.json().get("usedCores").asLong());
    assertThat(server.json().get("vms").findValuesAsText("vmId")).contains("look-b1");
    Run missing = run("server", "show", "no-such");
    assertThat(missing.exit()).isEqualTo(3);
    assertThat(missing.err()).contains("vmgrid server show: error:")
        .contains("no server 'no-such' in the inventory");

    Run members = run("members", "--json");
    assertThat(members.json().get("members")).hasSize(1);
    assertThat(members.json().get("members").get(0).get("address").asText())
        .isEqualTo(node.clientAddress());

    Run inventory = run("inventory", "show", "--json");
    JsonNode oc = null;
    for (JsonNode c : inventory.json().get("clusters")) {
      if (c.get("clusterId").asText().equals("oc")) {
        oc = c;
      }
    }
    assertThat(oc).isNotNull();
    assertThat(oc.get("cores").asLong()).isEqualTo(64);
    assertThat(oc.get("limit").asDouble()).isEqualTo(0.85);
    assertThat(oc.get("headroomCores").asLong())
        .isEqualTo((long) Math.floor(0.85 * 64) - oc.get("usedCores").asLong());
    assertThat(run("inventory", "show").out()).contains("CLUSTER").contains("HEADROOM");
  }

  @Test
  void drainingSaysMaintenanceAndAnUnknownServerDrainsNothing() {
    Run mixed = run("inventory", "drain", "oc-3", "no-such-server");
    assertThat(mixed.exit()).isEqualTo(3);
    assertThat(mixed.out()).contains("no server no-such-server in the inventory; nothing drained");
    assertThat(node.hazelcast().<String, ServerState>getMap(MapNames.SERVERS).get("oc-3").health())
        .as("the known server was not drained either")
        .isEqualTo(io.vmgrid.client.wire.ServerHealth.HEALTHY);

    assertThat(run("inventory", "drain", "oc-3").out()).contains("oc-3: HEALTHY -> MAINTENANCE");
    try {
      Run explain = run("explain", "--cores", "1", "--memory-mb", "1", "--cluster", "oc");
      assertThat(explain.out()).contains("oc-3: server is in MAINTENANCE")
          .doesNotContain("UNHEALTHY");
      Run whatIf = run("what-if", "--cores", "1", "--memory-mb", "1", "--drain", "oc-4");
      assertThat(whatIf.out()).contains("drained 1 servers to MAINTENANCE");
    } finally {
      run("inventory", "drain", "--undo", "oc-3");
    }
  }

  @Test
  void impossibleRequestsAreNamedAsSuch() {
    Run pinned = run("allocate", "--vm-id", "imp-1", "--tenant", "t", "--cores", "1",
        "--memory-mb", "1", "--cluster", "c9");
    assertThat(pinned.exit()).isEqualTo(3);
    assertThat(pinned.out()).contains("CONSTRAINT_UNSATISFIABLE: clusterPin: no cluster 'c9' in"
        + " the inventory (clusters: ");

    Run huge = run("allocate", "--vm-id", "imp-2", "--tenant", "t", "--cores", "1",
        "--memory-mb", "10000000");
    assertThat(huge.exit()).isEqualTo(3);
    assertThat(huge.out()).contains("is larger than every server");

    Run newCluster = run("what-if", "--cores", "1", "--memory-mb", "1", "--add-servers",
        "c9:c16-m65536:2");
    assertThat(newCluster.exit()).as(newCluster.err()).isZero();
    assertThat(newCluster.out()).contains("as a new cluster c9 (no cluster of that name exists)");
  }

  @Test
  void loadingAServerThatExistsOtherwiseIsReportedNotHidden() throws Exception {
    Path csv = tmp.resolve("servers.csv");
    Files.writeString(csv, "serverId,clusterId,cores,memoryMb\noc-1,oc,32,65536\noc-2,oc,16,"
        + "65536\nload-new,ld,16,65536\n");

    Run load = run("inventory", "load", csv.toString());

    assertThat(load.exit()).isEqualTo(3);
    assertThat(load.out()).contains("1 servers added, 2 already present; 1 of them differ from"
        + " the file and were not changed:")
        .contains("oc-1: present as oc, 16 cores, 65536 MiB").contains("the file says oc, 32 cores");
    assertThat(node.hazelcast().<String, ServerState>getMap(MapNames.SERVERS).get("oc-1")
        .capacityCores()).isEqualTo(16);
  }

  @Test
  void aBatchFileIsCheckedWholeThenAllocatedAndReleasedInOneRun() throws Exception {
    Path bad = tmp.resolve("bad.jsonl");
    Files.writeString(bad, """
        {"vmId":"batch-1","tenant":"tb","cores":1,"memoryMb":256}
        {"vmId":"batch-2","tenant":"tb","cores":0,"memoryMb":256}
        """);
    Run refused = run("allocate", "-f", bad.toString());
    assertThat(refused.exit()).isEqualTo(2);
    assertThat(refused.err()).contains(bad + ":2: cores: must be > 0 (was 0)")
        .contains("nothing was sent");
    assertThat(run("status", "batch-1").exit()).as("nothing was sent").isEqualTo(3);

    Path good = tmp.resolve("good.jsonl");
    Files.writeString(good, """
        {"vmId":"batch-1","tenant":"tb","cores":1,"memoryMb":256}
        {"vmId":"batch-2","tenant":"tb","cores":1,"memoryMb":256,"requestId":"batch-r2"}
        {"vmId":"batch-3","tenant":"tb","cores":1,"memoryMb":256,"cluster":"c9"}
        """);
    Run batch = run("allocate", "-f", good.toString(), "--json");
    assertThat(batch.exit()).as("one of three cannot be placed").isEqualTo(3);
    assertThat(batch.json().get("placed").asInt()).isEqualTo(2);
    assertThat(batch.json().get("rejected").asInt()).isEqualTo(1);
    assertThat(batch.json().get("results").findValuesAsText("vmId"))
        .containsExactly("batch-1", "batch-2", "batch-3");
    Path more = tmp.resolve("more.jsonl");
    Files.writeString(more, "{\"vmId\":\"batch-4\",\"tenant\":\"tb\",\"cores\":1,"
        + "\"memoryMb\":256}\n");
    Run text = run("allocate", "-f", more.toString());
    assertThat(text.exit()).isZero();
    assertThat(text.out()).contains("placed batch-4 on ")
        .contains("1 requests from " + more + ": 1 placed, 0 rejected, 0 failed");

    Path ids = tmp.resolve("release.txt");
    Files.writeString(ids, "batch-1\nbatch-2\nbatch-3\nbatch-4\n");
    Run released = run("release", "-f", ids.toString());
    assertThat(released.exit()).as("batch-3 was never placed").isEqualTo(3);
    assertThat(released.out()).contains("released batch-1").contains("released batch-2")
        .contains("3 released, 1 unknown, 0 failed");
    Fixtures.assertInvariants(node.hazelcast());
  }

  @Test
  void whatAReplayPlacedIsReleasedByItsRunId() throws Exception {
    StringBuilder trace = new StringBuilder("vmId,tenantId,cores,ram,vmTypeId,starttime,endtime\n");
    for (int i = 0; i < 30; i++) {
      trace.append(5000 + i).append(",1,1.0,4.0,0,").append(i < 5 ? "-1497.0" : i / 100.0)
          .append(",inf\n");
    }
    Path file = tmp.resolve("trace.csv");
    Files.writeString(file, trace);
    Run replay = run("replay", "--trace", file.toString(), "--run-id", "clean", "--json");
    assertThat(replay.exit()).as(replay.err()).isZero();
    int placed = replay.json().get("placed").asInt();
    assertThat(placed).isPositive();
    assertThat(run("vm", "list", "--tenant", "tenant-1", "--json").json().get("count").asInt())
        .isGreaterThanOrEqualTo(placed);

    Run release = run("release", "--run-id", "clean", "--json");

    assertThat(release.exit()).as(release.err()).isZero();
    assertThat(release.json().get("released").asInt()).isEqualTo(placed);
    assertThat(Fixtures.assertInvariants(node.hazelcast()).keySet())
        .noneMatch(vm -> vm.startsWith("clean-"));
    assertThat(run("release", "--run-id", "clean").out()).contains("0 released");
  }
}
