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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;

/** The client commands, run in-process against a real member on loopback, output checked. */
class ClientCommandsTest {
  private static GridNode node;
  private static List<String> connect;

  @TempDir Path tmp;

  record Run(int exit, String out, String err) {
    JsonNode json() throws Exception {
      return new ObjectMapper().readTree(out);
    }
  }

  @BeforeAll
  static void start() {
    GridNodeConfig config =
        GridNodeConfig.builder().clusterName("cli-" + UUID.randomUUID()).port(5851).workers(2)
            .build();
    node = GridNode.start(config);
    connect = List.of("--cluster-name", config.clusterName(), "--address", node.clientAddress(),
        "--timeout-ms", "20000");
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  static Run run(String... args) {
    List<String> argv = new ArrayList<>(List.of(args));
    if (!argv.contains("generate")) { // the one client command that needs no cluster
      argv.addAll(connect); // picocli accepts options after positional parameters
    }
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = VmgridMain.execute(new PrintWriter(out, true), new PrintWriter(err, true),
        argv.toArray(new String[0]));
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void inventoryLifecycleFromFileToDrain() throws Exception {
    Path csv = tmp.resolve("servers.csv");
    Files.writeString(csv, "serverId,clusterId,cores,memoryMb\ncli-a,c1,16,65536\ncli-b,c1,16,65536\n");

    Run load = run("inventory", "load", csv.toString(), "--json");
    assertThat(load.exit()).isZero();
    assertThat(load.json().get("added").asInt()).isEqualTo(2);

    Run again = run("inventory", "load", csv.toString());
    assertThat(again.out()).contains("0 servers added, 2 already present");

    Run drain = run("inventory", "drain", "cli-a");
    assertThat(drain.exit()).isZero();
    assertThat(drain.out()).contains("cli-a: HEALTHY -> MAINTENANCE");

    Run show = run("inventory", "show", "--json");
    assertThat(show.json().get("byHealth").get("MAINTENANCE").asInt()).isGreaterThanOrEqualTo(1);

    Run unknown = run("inventory", "drain", "no-such-server");
    assertThat(unknown.exit()).isEqualTo(3);
    assertThat(unknown.out()).contains("no server no-such-server in the inventory; nothing drained");
    run("inventory", "drain", "--undo", "cli-a");
  }

  @Test
  void allocateStatusRelease() throws Exception {
    node.hazelcast().<String, ServerState>getMap(MapNames.SERVERS)
        .set("cli-z", ServerState.empty("cli-z", "c9", 8, 8_192));

    Run placed = run("allocate", "--vm-id", "cli-vm", "--tenant", "t", "--cores", "2",
        "--memory-mb", "1024", "--json");
    assertThat(placed.exit()).as(placed.err()).isZero();
    assertThat(placed.json().get("outcome").asText()).isEqualTo("placed");
    String server = placed.json().get("serverId").asText();

    Run status = run("status", "cli-vm");
    assertThat(status.exit()).isZero();
    assertThat(status.out()).contains("cli-vm: placed on " + server);

    Run rejected = run("allocate", "--vm-id", "cli-huge", "--tenant", "t", "--cores", "99999",
        "--memory-mb", "1024");
    assertThat(rejected.exit()).isEqualTo(3);
    assertThat(rejected.out()).contains("rejected cli-huge: CONSTRAINT_UNSATISFIABLE: the VM"
        + " (99,999 cores, 1,024 MiB) is larger than every server");

    Run released = run("release", "cli-vm", "--json");
    assertThat(released.exit()).isZero();
    assertThat(released.json().get("serverId").asText()).isEqualTo(server);

    Run again = run("release", "cli-vm");
    assertThat(again.exit()).isEqualTo(3);
    assertThat(again.out()).contains("vmId: no VM 'cli-vm' is allocated");

    Run gone = run("status", "cli-vm", "--json");
    assertThat(gone.exit()).isEqualTo(3);
    assertThat(gone.json().get("state").asText()).isEqualTo("unknown");
  }

  @Test
  void aRegularVmPreemptsAndEvictionsListsWhatItEvicted() throws Exception {
    for (String id : List.of("cli-p1", "cli-p2")) {
      node.hazelcast().<String, ServerState>getMap(MapNames.SERVERS)
          .set(id, ServerState.empty(id, "cp", 8, 16_384));
    }
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < 12; i++) {
      lines.append("{\"vmId\":\"cli-spot-").append(i).append("\",\"tenant\":\"spot-")
          .append(i % 2).append("\",\"cores\":2,\"memoryMb\":1024,\"priority\":\"LOW\","
              + "\"cluster\":\"cp\"}\n");
    }
    Path file = tmp.resolve("spot.jsonl");
    Files.writeString(file, lines);
    Run fill = run("allocate", "-f", file.toString());
    assertThat(fill.out()).as("the low-priority VMs fill cluster cp").contains("rejected");
    assertThat(run("evictions").out()).contains("0 evictions");

    Run explain = run("explain", "--cores", "4", "--memory-mb", "1024", "--cluster", "cp",
        "--tenant", "prod");
    assertThat(explain.out()).contains("preemption: would place it on cli-p");

    Run placed = run("allocate", "--vm-id", "cli-prod", "--tenant", "prod", "--cores", "4",
        "--memory-mb", "1024", "--cluster", "cp", "--json");
    assertThat(placed.exit()).as(placed.out() + placed.err()).isZero();
    String server = placed.json().get("serverId").asText();

    Run all = run("evictions", "--json");
    assertThat(all.exit()).isZero();
    JsonNode log = all.json().get("evictions");
    assertThat(log.size()).as(all.out()).isPositive().isEqualTo(all.json().get("count").asInt());
    for (JsonNode e : log) {
      assertThat(e.get("reason").asText()).isEqualTo("PREEMPTED");
      assertThat(e.get("byVmId").asText()).isEqualTo("cli-prod");
      assertThat(e.get("serverId").asText()).isEqualTo(server);
      assertThat(e.get("priority").asText()).isEqualTo("LOW");
      assertThat(run("status", e.get("vmId").asText()).exit()).as("evicted: gone").isEqualTo(3);
    }
    String tenant = log.get(0).get("tenantId").asText();
    Run one = run("evictions", "--tenant", tenant);
    assertThat(one.out()).contains("PREEMPTED").contains("by cli-prod").doesNotContain(
        tenant.equals("spot-0") ? "spot-1 " : "spot-0 ");
    assertThat(run("evictions", "--tenant", "bad tenant").exit()).isEqualTo(2);
  }

  @Test
  void explainCapacityAndConsolidateAnswerWithoutPlacing() throws Exception {
    node.hazelcast().<String, ServerState>getMap(MapNames.SERVERS)
        .set("cli-q", ServerState.empty("cli-q", "cq", 16, 65_536));
    Run explain = run("explain", "--cores", "4", "--memory-mb", "4096", "--cluster", "cq", "--json");
    assertThat(explain.exit()).as(explain.err()).isZero();
    assertThat(explain.json().get("passing").asInt()).isEqualTo(1);
    assertThat(explain.json().get("validators").toString()).contains("cluster-pin", "cores-fit");
    Run human = run("explain", "--cores", "999", "--memory-mb", "4096", "--cluster", "cq");
    assertThat(human.exit()).isZero();
    assertThat(human.out()).contains("0 of").contains("cores-fit");

    Run capacity = run("capacity", "--cores", "4", "--memory-mb", "4096", "--cluster", "cq", "--json");
    assertThat(capacity.exit()).as(capacity.err()).isZero();
    assertThat(capacity.json().get("perCluster").get("cq").asLong()).isPositive();
    assertThat(capacity.json().get("total").asLong())
        .isEqualTo(capacity.json().get("perCluster").get("cq").asLong());

    Run plan = run("consolidate", "--cores", "4", "--memory-mb", "4096", "--json");
    assertThat(plan.exit()).as(plan.err()).isZero();
    assertThat(plan.json().has("moves")).isTrue();

    Run bad = run("capacity", "--cores", "-1", "--memory-mb", "4096");
    assertThat(bad.exit()).isNotZero();
    assertThat(bad.err()).contains("cores");
    assertThat(node.hazelcast().getMap(MapNames.PLACEMENTS).containsKey("query"))
        .as("queries place nothing").isFalse();
  }

  @Test
  void whatIfFragmentationAndTheShapesInDemandFromTheCommandLine() throws Exception {
    node.hazelcast().<String, ServerState>getMap(MapNames.SERVERS)
        .set("cli-w", ServerState.empty("cli-w", "cw", 16, 65_536));
    Run placed = run("allocate", "--vm-id", "cli-w-vm", "--tenant", "t", "--cores", "12",
        "--memory-mb", "4096", "--cluster", "cw");
    assertThat(placed.exit()).as(placed.err()).isZero();

    Run type = run("capacity", "--type", "2c2048m", "--cluster", "cw", "--json");
    assertThat(type.exit()).as(type.err()).isZero();
    assertThat(type.json().get("total").asLong()).as("4 cores left on cli-w, 85%% limit")
        .isEqualTo(1);
    Run inDemand = run("capacity", "--in-demand", "50", "--json");
    assertThat(inDemand.exit()).as(inDemand.err()).isZero();
    assertThat(inDemand.json().get("templates").toString()).contains("\"id\":\"12c4096m\"");

    Run whatIf = run("what-if", "--type", "2c2048m", "--cluster", "cw", "--limit", "1.0", "--json");
    assertThat(whatIf.exit()).as(whatIf.err()).isZero();
    JsonNode t = whatIf.json().get("templates").get(0);
    assertThat(t.get("headroom").get("total").asLong()).isEqualTo(1);
    assertThat(t.get("after").get("total").asLong()).as("limit 1.0: all 4 free cores").isEqualTo(2);
    assertThat(whatIf.json().get("notes").get(0).asText()).contains("-> 1.000");
    Run human = run("what-if", "--type", "2c2048m", "--cluster", "cw", "--drain", "cli-w");
    assertThat(human.exit()).as(human.err()).isZero();
    assertThat(human.out()).contains("drained 1 servers").contains("2c2048m").contains("-1");

    Run frag = run("fragmentation", "--type", "8c2048m", "--servers", "100000", "--json");
    assertThat(frag.exit()).as(frag.err()).isZero();
    assertThat(frag.json().get("stranded").toString()).contains("cli-w");

    Run bad = run("what-if", "--type", "2c2048m", "--drain", "no-such-server");
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("vmgrid what-if: error: --drain: unknown server no-such-server");
    Run noChange = run("what-if", "--type", "2c2048m");
    assertThat(noChange.exit()).isEqualTo(2);
    assertThat(noChange.err()).contains("no change named: give at least one of --rules");
    Run badType = run("capacity", "--type", "big");
    assertThat(badType.err()).contains("--type: must be a shape id like 8c32768m");
    Run noShape = run("explain");
    assertThat(noShape.exit()).isEqualTo(2);
    assertThat(noShape.err()).contains("--cores: give a shape");
    Run half = run("capacity", "--cores", "2");
    assertThat(half.err()).contains("--memory-mb: give both --cores and --memory-mb");
    Run badAdd = run("what-if", "--add-servers", "cw:x");
    assertThat(badAdd.err()).contains("--add-servers: must be CLUSTER:MACHINE_TYPE:COUNT");
    assertThat(node.hazelcast().<String, ServerState>getMap(MapNames.SERVERS).get("cli-w").health())
        .as("the what-if drain drained nothing").isEqualTo(io.vmgrid.client.wire.ServerHealth.HEALTHY);
  }

  /** A small trace in the Azure sample format, made here so the test needs no external data. */
  private Path syntheticTrace(int rows) throws Exception {
    StringBuilder csv = new StringBuilder("vmId,tenantId,cores,ram,vmTypeId,starttime,endtime\n");
    for (int i = 0; i < rows; i++) {
      int cores = 1 << (i % 3);
      csv.append(1000 + i).append(',').append(i % 7).append(',').append(cores).append(".0,")
          .append(cores * 4).append(".0,").append(i % 5 == 0 ? 1 : 0).append(',')
          .append(i < 10 ? "-1497.0" : String.valueOf(i / 100.0)).append(',')
          .append(i % 2 == 0 ? "inf" : String.valueOf(20.0)).append('\n');
    }
    Path trace = tmp.resolve("trace.csv");
    Files.writeString(trace, csv);
    return trace;
  }

  @Test
  void replayAllocatesEveryTraceRowAndSummarizesLatency() throws Exception {
    Path inventory = tmp.resolve("inv.csv");
    Run generated = run("inventory", "generate", "--servers", "40", "--machines", "synthetic",
        "--out", inventory.toString());
    assertThat(generated.exit()).as(generated.err()).isZero();
    assertThat(generated.out()).contains("wrote").contains("40 servers");
    // the node is shared by this class's tests, and another loads generated servers of the same
    // ids with other sizes (which a load reports with exit 3): rename these. The synthetic types
    // have 256-768 MiB, less than one trace core's 1,024 MiB: give them GiB instead, so the
    // replay fits whatever else the other tests loaded (or skipped: without ../shared)
    List<String> lines = Files.readAllLines(inventory);
    List<String> renamed = new ArrayList<>(List.of(lines.get(0)));
    lines.stream().skip(1).map(l -> {
      String[] f = l.split(",", -1);
      f[3] = Long.toString(Long.parseLong(f[3]) * 1024);
      return "rp-" + String.join(",", f);
    }).forEach(renamed::add);
    Files.write(inventory, renamed);
    Run load = run("inventory", "load", inventory.toString());
    assertThat(load.exit()).as(load.out()).isZero();

    Run replay = run("replay", "--trace", syntheticTrace(300).toString(), "--run-id", "rp1", "--json");

    assertThat(replay.exit()).as(replay.err()).isZero();
    JsonNode json = replay.json();
    assertThat(json.get("requests").asInt()).isEqualTo(300);
    assertThat(json.get("placed").asInt() + json.get("rejected").asInt()).isEqualTo(300);
    assertThat(json.get("failed").asInt()).isZero();
    assertThat(json.get("oversized").asInt()).isZero();
    assertThat(replay.err()).doesNotContain("larger than any server");
    assertThat(json.get("p99Ms").asDouble()).isGreaterThanOrEqualTo(json.get("p50Ms").asDouble());
    assertThat(json.get("throughputPerSec").asDouble()).isPositive();
    assertThat(Fixtures.assertInvariants(node.hazelcast()))
        .containsKey("rp1-1000").hasSizeGreaterThanOrEqualTo(json.get("placed").asInt());
  }

  @Test
  void replayWarnsBeforeStartingWhenRequestsAreLargerThanAnyServer() throws Exception {
    // the node is shared by this class's tests, so sizes are chosen beyond any of their servers
    Path inventory = tmp.resolve("small.csv");
    Files.writeString(inventory, "serverId,clusterId,cores,memoryMb\nunits-s1,c1,48,393216\n");
    assertThat(run("inventory", "load", inventory.toString()).exit()).isZero();
    Path trace = tmp.resolve("units.csv");
    Files.writeString(trace, "vmId,tenantId,cores,ram,vmTypeId,starttime,endtime\n"
        + "1,1,1.0,1.0,0,-1497.0,inf\n" // fits: 1 core, 256 MiB
        + "2,1,100000.0,1.0,0,-1497.0,inf\n" // 1,000 cores: more than any server
        + "3,1,1.0,4000.0,0,0.5,inf\n" // 1,024,000 MiB: more memory than any server
        + "4,1,20000000.0,1.0,0,0.6,inf\n"); // 200,000 cores: more than a request may ask for

    Run replay = run("replay", "--trace", trace.toString(), "--run-id", "big", "--json");

    assertThat(replay.exit()).as(replay.err()).isZero();
    assertThat(replay.err()).contains("demands in the trace's units scaled: 100 core units = 1"
            + " core, 1 memory unit = 256 MiB")
        .contains("warning: 2 of 3 requests are larger than any server")
        .contains("the largest has").contains("vmgrid inventory generate")
        .contains("skipping trace row vmId 4: cores: must be <= 100000");
    assertThat(replay.json().get("oversized").asInt()).isEqualTo(2);
    assertThat(replay.json().get("skipped").asInt()).isEqualTo(1);
    assertThat(replay.json().get("requests").asInt()).isEqualTo(3);
    assertThat(replay.json().get("rejected").asInt()).isGreaterThanOrEqualTo(2);
    assertThat(replay.json().get("failed").asInt()).isZero();
  }

  @Test
  void replayRejectsBadInputClearly() throws Exception {
    Run missing = run("replay", "--trace", tmp.resolve("nope.csv").toString());
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.err()).contains("--trace:").contains("does not exist");

    Path bad = tmp.resolve("bad-trace.csv");
    Files.writeString(bad, "vmId,tenantId,cores,ram,vmTypeId,starttime,endtime\n1,1,x,1,0,0.1,inf\n2,1,1,1,7,0.1,inf\n");
    Run malformed = run("replay", "--trace", bad.toString());
    assertThat(malformed.exit()).isEqualTo(2);
    assertThat(malformed.err()).contains("bad-trace.csv").contains("cores").contains("vmTypeId");

    Run negative = run("replay", "--trace", bad.toString(), "--rate", "-5");
    assertThat(negative.exit()).isEqualTo(2);
    assertThat(negative.err()).contains("--rate: must be a number >= 0 (was -5.0)");
    Run notANumber = run("replay", "--trace", bad.toString(), "--rate", "NaN");
    assertThat(notANumber.exit()).isEqualTo(2);
    assertThat(notANumber.err()).contains("--rate: must be a number >= 0 (was NaN)");
  }

  @Test
  @EnabledIf("azureTracePresent")
  void replaysTheRealAzureSampleOnATraceShapedInventory() throws Exception {
    Path inventory = tmp.resolve("trace-inv.csv");
    Run generated = run("inventory", "generate", "--servers", "200", "--data", azureData().toString(),
        "--out", inventory.toString());
    assertThat(generated.exit()).as(generated.err()).isZero();
    assertThat(generated.out()).contains("capacities in the trace's units scaled: 100 core units"
        + " = 1 core, 1 memory unit = 256 MiB");
    List<String> rows = Files.readAllLines(inventory).subList(1, 201);
    assertThat(rows).as("servers in cores and MiB: the trace's 24 to 104 cores, 192 to 768 GiB")
        .allSatisfy(row -> {
          String[] f = row.split(",", -1);
          assertThat(Long.parseLong(f[2])).isBetween(1L, 104L);
          assertThat(Long.parseLong(f[3]) % 256).isZero();
        });
    assertThat(run("inventory", "load", inventory.toString()).exit()).isZero();
    // the README's example VM fits this inventory
    Run readme = run("allocate", "--vm-id", "readme-vm-1", "--tenant", "tenant-a", "--cores", "4",
        "--memory-mb", "16384", "--availability-set", "web");
    assertThat(readme.exit()).as(readme.out() + readme.err()).isZero();
    assertThat(run("release", "readme-vm-1").exit()).isZero();

    Run replay = run("replay", "--trace", azureData().resolve("vm-sample-bernoulli-0.csv").toString(),
        "--limit", "300", "--run-id", "az", "--json");

    assertThat(replay.exit()).as(replay.err()).isZero();
    assertThat(replay.json().get("requests").asInt() + replay.json().get("skipped").asInt()).isEqualTo(300);
    assertThat(replay.json().get("placed").asInt()).isPositive();
    Fixtures.assertInvariants(node.hazelcast());
  }

  static Path azureData() {
    return Fixtures.azureData();
  }

  static boolean azureTracePresent() {
    return Files.isRegularFile(azureData().resolve("vm-sample-bernoulli-0.csv"));
  }

  @Test
  void badArgumentsAndFilesGiveOneClearLine() throws Exception {
    Run negative = run("allocate", "--vm-id", "x", "--tenant", "t", "--cores", "-1",
        "--memory-mb", "1");
    assertThat(negative.exit()).isEqualTo(2);
    assertThat(negative.err()).contains("vmgrid allocate: error: --cores: must be > 0 (was -1)");

    Run missing = run("allocate", "--vm-id", "x");
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.err()).contains("--tenant, --cores, --memory-mb: are required");

    Path bad = tmp.resolve("bad.csv");
    Files.writeString(bad, "serverId,clusterId,cores,memoryMb\ns1,c1,many,1\ns2,c1,4\ns 3,c1,4,1\n");
    Run badFile = run("inventory", "load", bad.toString());
    assertThat(badFile.exit()).isEqualTo(2);
    assertThat(badFile.err())
        .contains("has 3 problem(s)")
        .contains("bad.csv:2: cores: 'many' is not a whole number")
        .contains("bad.csv:3: expected 4 fields")
        .contains("bad.csv:4: serverId:");

    Path json = tmp.resolve("bad.json");
    Files.writeString(json, "[{\"serverId\":\"s1\",\"clusterId\":\"c\",\"cores\":4}, 7]");
    Run badJson = run("inventory", "load", json.toString());
    assertThat(badJson.exit()).isEqualTo(2);
    assertThat(badJson.err()).contains("bad.json[0]: memoryMb: is required")
        .contains("bad.json[1]: expected an object");

    Run noFile = run("inventory", "load", tmp.resolve("absent.csv").toString());
    assertThat(noFile.exit()).isEqualTo(2);
    assertThat(noFile.err()).contains("does not exist");
  }
}
