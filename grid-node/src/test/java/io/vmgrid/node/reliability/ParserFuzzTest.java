package io.vmgrid.node.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmgrid.client.api.InventoryFile;
import io.vmgrid.client.api.Reason;
import io.vmgrid.client.wire.GridRequest;
import io.vmgrid.client.wire.GridResult;
import io.vmgrid.node.Fixtures;
import io.vmgrid.node.NodeFile;
import io.vmgrid.node.TestGrid;
import io.vmgrid.rules.ruleset.RuleRegistry;
import io.vmgrid.rules.ruleset.RuleSet;
import io.vmgrid.rules.ruleset.RuleSetException;
import io.vmgrid.rules.trace.TraceFormatException;
import io.vmgrid.rules.trace.VmSampleReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded garbage into every parser and into a live member. Each input is either accepted or refused
 * with the parser's own clear error (never a NullPointerException, NumberFormatException or the
 * like), and the member keeps serving and holds no capacity for refused requests. Replay a failure
 * with {@code -Dvmgrid.test.seed=S}.
 */
class ParserFuzzTest {
  private static final int ROUNDS = 300;
  private static final List<String> TOKENS = List.of(
      "clusterName", "port", "metricsPort", "workers", "quorum", "rules", "discovery", "mode",
      "kubernetes", "tcp-ip", "members", "serviceDns", "serverId", "clusterId", "cores", "memoryMb",
      "name", "kind", "validator", "preference", "level", "server", "cluster", "priority", "weight",
      "arguments", "args", "cores-fit", "resource-fit", "best-fit", "vmId", "tenantId", "ram",
      "vmTypeId", "starttime", "endtime", "inf", "-1497.0", "0", "1", "-1", "2147483648",
      "99999999999999999999", "1e309", "NaN", "0.5", "", " ", ",", ":", "- ", "[", "]", "{", "}",
      "\"", "'", "\n", "\n  ", "\t", "#", "null", "~", "true", "é", "\u0000", "𝕏", "&a", "*a",
      "!!binary", "---", "...");

  @TempDir Path tmp;

  private static String garbage(Random r) {
    StringBuilder sb = new StringBuilder();
    int n = r.nextInt(40);
    for (int i = 0; i < n; i++) {
      if (r.nextInt(8) == 0) {
        sb.append((char) r.nextInt(0x3000));
      } else {
        sb.append(TOKENS.get(r.nextInt(TOKENS.size())));
      }
    }
    return sb.toString();
  }

  private static final String NODE_YAML = """
      clusterName: vmgrid
      port: 5701
      metricsPort: 9401
      workers: 4
      quorum: 2
      discovery:
        mode: kubernetes
        serviceDns: vmgrid-hs.ns.svc.cluster.local
      store:
        url: jdbc:postgresql://db:5432/vmgrid
        user: vmgrid
        mode: write-behind
        delaySeconds: 1
      """;

  /** A valid document with one to three random edits: a line dropped, doubled, or a token replaced. */
  private static String mutate(Random r, String valid) {
    List<String> lines = new java.util.ArrayList<>(List.of(valid.split("\n", -1)));
    int edits = 1 + r.nextInt(3);
    for (int e = 0; e < edits && !lines.isEmpty(); e++) {
      int i = r.nextInt(lines.size());
      switch (r.nextInt(3)) {
        case 0 -> lines.remove(i);
        case 1 -> lines.add(i, lines.get(i));
        default -> {
          String[] words = lines.get(i).split(" ", -1);
          words[r.nextInt(words.length)] = TOKENS.get(r.nextInt(TOKENS.size()));
          lines.set(i, String.join(" ", words));
        }
      }
    }
    return String.join("\n", lines);
  }

  /** A CSV with a valid header (sometimes) and rows of random fields. */
  private static String csv(Random r, String header, int columns) {
    StringBuilder sb = new StringBuilder(r.nextInt(5) == 0 ? garbage(r) : header).append('\n');
    int rows = r.nextInt(6);
    for (int i = 0; i < rows; i++) {
      int fields = r.nextInt(4) == 0 ? r.nextInt(columns + 3) : columns;
      for (int f = 0; f < fields; f++) {
        sb.append(f == 0 ? "" : ",").append(r.nextBoolean() ? TOKENS.get(r.nextInt(TOKENS.size())) : garbage(r).replace("\n", ""));
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  private static final Map<String, int[]> TALLY = new java.util.TreeMap<>();

  private static void acceptedOrClear(String what, String input, Class<? extends RuntimeException> clear,
      Callable<?> parse) {
    int[] t = TALLY.computeIfAbsent(what, k -> new int[2]);
    try {
      parse.call();
      t[0]++;
    } catch (Exception e) {
      t[1]++;
      assertThat(e).as("%s on input %s", what, printable(input)).isInstanceOf(clear);
      assertThat(e.getMessage()).as("%s message", what).isNotBlank();
    }
  }

  private static String printable(String s) {
    String flat = s.replace("\n", "\\n");
    return flat.length() > 300 ? flat.substring(0, 300) + "..." : flat;
  }

  @Test
  void everyParserAcceptsOrRefusesClearly() throws Exception {
    long seed = Long.getLong("vmgrid.test.seed", System.nanoTime());
    System.out.println("ParserFuzzTest seed=" + seed);
    Random r = new Random(seed);
    String defaultRules;
    try (var in = RuleSet.class.getResourceAsStream(RuleSet.DEFAULT_RESOURCE)) {
      defaultRules = new String(java.util.Objects.requireNonNull(in).readAllBytes(), StandardCharsets.UTF_8);
    }
    for (int i = 0; i < ROUNDS; i++) {
      String yaml = garbage(r);
      String rulesMutant = mutate(r, defaultRules);
      acceptedOrClear("rule set (mutated default)", rulesMutant, RuleSetException.class,
          () -> RuleSet.parse(rulesMutant, "rules.yaml", RuleRegistry.builtin()));
      String nodeMutant = mutate(r, NODE_YAML);
      acceptedOrClear("node file (mutated)", nodeMutant, IllegalArgumentException.class,
          () -> NodeFile.parse(nodeMutant, "node.yaml"));
      acceptedOrClear("node file", yaml, IllegalArgumentException.class,
          () -> NodeFile.parse(yaml, "node.yaml"));
      acceptedOrClear("rule set", yaml, RuleSetException.class,
          () -> RuleSet.parse(yaml, "rules.yaml", RuleRegistry.builtin()));

      String inventory = csv(r, InventoryFile.CSV_HEADER, 4);
      Path inv = tmp.resolve("inv-" + i + ".csv");
      Files.writeString(inv, inventory, StandardCharsets.UTF_8);
      acceptedOrClear("inventory csv", inventory, IllegalArgumentException.class, () -> InventoryFile.read(inv));
      Path invJson = tmp.resolve("inv-" + i + ".json");
      Files.writeString(invJson, yaml, StandardCharsets.UTF_8);
      acceptedOrClear("inventory json", yaml, IllegalArgumentException.class, () -> InventoryFile.read(invJson));

      String trace = csv(r, "vmId,tenantId,cores,ram,vmTypeId,starttime,endtime", 7);
      Path tr = tmp.resolve("trace-" + i + ".csv");
      Files.writeString(tr, trace, StandardCharsets.UTF_8);
      acceptedOrClear("trace", trace, TraceFormatException.class, () -> VmSampleReader.read(tr));
    }
    TALLY.forEach((k, v) -> System.out.printf("%s: %d accepted, %d refused%n", k, v[0], v[1]));
  }

  @Test
  void absurdRequestsNeverCrashAMemberNorHoldCapacity() throws Exception {
    long seed = Long.getLong("vmgrid.test.seed", System.nanoTime());
    System.out.println("ParserFuzzTest member seed=" + seed);
    Random r = new Random(seed);
    long[] numbers = {Long.MIN_VALUE, -1, 0, 1, 2, 8, 4096, 100_001, Long.MAX_VALUE};
    try (TestGrid grid = TestGrid.start(1).load(Fixtures.servers(2, 8, 8_192))) {
      List<GridRequest> requests = new java.util.ArrayList<>();
      for (int i = 0; i < 60; i++) {
        String id = "fuzz-" + i;
        GridRequest.Op op = r.nextInt(4) == 0 ? GridRequest.Op.RELEASE : GridRequest.Op.ALLOCATE;
        requests.add(new GridRequest(r.nextInt(10) == 0 ? null : op, id,
            r.nextBoolean() ? "vm-" + i : garbage(r), r.nextBoolean() ? "t" : garbage(r),
            numbers[r.nextInt(numbers.length)], numbers[r.nextInt(numbers.length)],
            r.nextBoolean() ? "REGULAR" : garbage(r)));
      }
      List<GridResult> results = new java.util.ArrayList<>();
      for (int from = 0; from < requests.size(); from += 7) { // in tasks of several, like a client
        results.addAll(Fixtures.send(grid.clientInstance(),
            requests.subList(from, Math.min(from + 7, requests.size())).toArray(new GridRequest[0])));
      }
      assertThat(results).hasSameSizeAs(requests);
      int invalid = 0;
      for (int i = 0; i < requests.size(); i++) {
        GridRequest req = requests.get(i);
        GridResult res = results.get(i);
        assertThat(res.requestId()).isEqualTo(req.requestId());
        if (req.problem() != null) {
          invalid++;
          assertThat(res.status()).as("%s: %s", req, res).isEqualTo(GridResult.Status.FAILED);
          assertThat(res.reason()).as(res.message()).isEqualTo(Reason.INVALID_INPUT);
          String field = req.problem().substring(0, req.problem().indexOf(':'));
          assertThat(res.message()).as("names the field").startsWith(field + ":");
        } else {
          assertThat(res.reason()).as("%s: %s", req, res).isNotIn(Reason.INVALID_INPUT,
              Reason.INTERNAL);
        }
      }
      assertThat(invalid).as("the seed made absurd requests").isGreaterThan(10);
      Map<String, Long> byOutcome = new java.util.TreeMap<>();
      results.forEach(x -> byOutcome.merge(x.status() + "/" + x.reason(), 1L, Long::sum));
      System.out.println("outcomes " + byOutcome);
      Map<String, String> placed = Fixtures.assertInvariants(grid.member(0));
      assertThat(results.stream().filter(x -> x.status() == GridResult.Status.PLACED)
          .map(GridResult::vmId)).containsAll(placed.keySet());
      assertThat(grid.member(0).getLifecycleService().isRunning()).isTrue();
    }
  }
}
