package io.vmgrid.client.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmgrid.client.api.InvalidRequestException;
import io.vmgrid.client.api.Priority;
import io.vmgrid.client.api.VmRequest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The files of the batch commands: {@code allocate -f} reads one request per line as a JSON object
 * ({@code {"vmId":"vm-1","tenant":"t","cores":4,"memoryMb":16384}}, with {@code requestId},
 * {@code priority}, {@code availabilitySet}, {@code antiAffinityGroup}, {@code cluster} optional);
 * {@code release -f} reads one VM id per line (or such an object). Blank lines and lines starting
 * with {@code #} are skipped; {@code -} reads standard input. Every problem is reported with its
 * line and field, and a file with any problem is refused as a whole.
 */
final class RequestsFile {
  /** Most problems one error message lists. */
  static final int MAX_REPORTED = 20;
  /** The keys a request line may have, with the request field each sets. */
  static final Map<String, String> KEYS = Map.ofEntries(
      Map.entry("vmId", "vmId"), Map.entry("tenant", "tenantId"), Map.entry("tenantId", "tenantId"),
      Map.entry("cores", "cores"), Map.entry("memoryMb", "memoryMb"),
      Map.entry("requestId", "requestId"), Map.entry("priority", "priority"),
      Map.entry("availabilitySet", "availabilitySet"),
      Map.entry("antiAffinityGroup", "antiAffinityGroup"), Map.entry("cluster", "clusterPin"),
      Map.entry("clusterPin", "clusterPin"));
  private static final ObjectMapper JSON = new ObjectMapper();

  private RequestsFile() {}

  /** One line with content: its number (from 1) and text. */
  record Line(int number, String text) {}

  /** The lines of {@code file} ({@code -}: standard input) that are neither blank nor comments. */
  static List<Line> lines(Path file, String option) throws IOException {
    List<String> raw;
    if (file.toString().equals("-")) {
      raw = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).lines()
          .toList();
    } else if (!Files.isRegularFile(file)) {
      throw new InvalidRequestException(option, option + ": " + file
          + " does not exist or is not a file");
    } else {
      raw = Files.readAllLines(file, StandardCharsets.UTF_8);
    }
    List<Line> out = new ArrayList<>();
    for (int i = 0; i < raw.size(); i++) {
      String t = raw.get(i).strip();
      if (!t.isEmpty() && !t.startsWith("#")) {
        out.add(new Line(i + 1, t));
      }
    }
    if (out.isEmpty()) {
      throw new InvalidRequestException(option, option + ": " + file + " has no lines to read");
    }
    return out;
  }

  /**
   * Requests to allocate, in order.
   *
   * @param requests the requests
   * @param chosenIds the request ids the file chose (the others are random)
   */
  record Batch(List<VmRequest> requests, Set<String> chosenIds) {}

  /** The requests of {@code file}, in order; {@link InvalidRequestException} lists every problem. */
  static Batch requests(Path file, String option) throws IOException {
    List<String> problems = new ArrayList<>();
    List<VmRequest> out = new ArrayList<>();
    Set<String> chosen = new HashSet<>();
    Map<String, Integer> vmLines = new HashMap<>();
    Map<String, Integer> requestLines = new HashMap<>();
    for (Line line : lines(file, option)) {
      String where = file + ":" + line.number();
      VmRequest r;
      try {
        r = request(line.text());
      } catch (InvalidRequestException e) {
        problems.add(where + ": " + e.getMessage());
        continue;
      }
      Integer first = vmLines.putIfAbsent(r.vmId(), line.number());
      if (first != null) {
        problems.add(where + ": vmId: '" + r.vmId() + "' is on line " + first + " already");
      }
      Integer same = requestLines.putIfAbsent(r.requestId(), line.number());
      if (same != null) {
        problems.add(where + ": requestId: '" + r.requestId() + "' is on line " + same
            + " already");
      }
      out.add(r);
      if (line.text().contains("\"requestId\"")) {
        chosen.add(r.requestId());
      }
    }
    refuseIfAny(problems, file, option);
    return new Batch(out, chosen);
  }

  /** The VM ids of {@code file}: a bare id per line, or an object with {@code vmId}. */
  static List<String> vmIds(Path file, String option) throws IOException {
    List<String> problems = new ArrayList<>();
    List<String> out = new ArrayList<>();
    for (Line line : lines(file, option)) {
      String id = line.text();
      if (id.startsWith("{")) {
        try {
          JsonNode vmId = JSON.readTree(id).path("vmId");
          if (!vmId.isMissingNode() && !vmId.isTextual()) {
            // a number is no VM id (request lines refuse it too): asText() made 7 into "7"
            problems.add(file + ":" + line.number() + ": vmId: must be a string, was " + vmId);
            continue;
          }
          id = vmId.asText("");
        } catch (JsonProcessingException e) {
          problems.add(file + ":" + line.number() + ": not a VM id or a JSON object: "
              + e.getOriginalMessage());
          continue;
        }
      }
      String problem = io.vmgrid.client.wire.Checks.idProblem("vmId", id);
      if (problem != null) {
        problems.add(file + ":" + line.number() + ": " + problem);
      } else {
        out.add(id);
      }
    }
    refuseIfAny(problems, file, option);
    return out;
  }

  private static void refuseIfAny(List<String> problems, Path file, String option) {
    if (problems.isEmpty()) {
      return;
    }
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
        "%s: %s has %d problem(s); nothing was sent:", option, file, problems.size()));
    problems.stream().limit(MAX_REPORTED).forEach(p -> sb.append(System.lineSeparator())
        .append("  ").append(p));
    if (problems.size() > MAX_REPORTED) {
      sb.append(System.lineSeparator()).append("  ... and ")
          .append(problems.size() - MAX_REPORTED).append(" more");
    }
    throw new InvalidRequestException(option, sb.toString());
  }

  /** One request line; {@link InvalidRequestException} names the key that is wrong. */
  static VmRequest request(String text) {
    JsonNode node;
    try {
      node = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new InvalidRequestException("line", "not a JSON object: " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      throw new InvalidRequestException("line", "not a JSON object");
    }
    for (Iterator<String> keys = node.fieldNames(); keys.hasNext(); ) {
      String key = keys.next();
      if (!KEYS.containsKey(key)) {
        throw new InvalidRequestException(key, key + ": unknown key (known: "
            + String.join(", ", Set.copyOf(KEYS.keySet()).stream().sorted().toList()) + ")");
      }
    }
    VmRequest.Builder b = VmRequest.builder()
        .vmId(text(node, "vmId"))
        .tenantId(node.has("tenant") ? text(node, "tenant") : text(node, "tenantId"))
        .cores((int) whole(node, "cores", Integer.MAX_VALUE))
        .memoryMb(whole(node, "memoryMb", Long.MAX_VALUE))
        .availabilitySet(text(node, "availabilitySet"))
        .antiAffinityGroup(text(node, "antiAffinityGroup"))
        .clusterPin(node.has("cluster") ? text(node, "cluster") : text(node, "clusterPin"));
    if (node.has("requestId")) {
      b.requestId(text(node, "requestId"));
    }
    if (node.has("priority")) {
      String p = text(node, "priority").toUpperCase(Locale.ROOT);
      if (!p.equals("REGULAR") && !p.equals("LOW")) {
        throw new InvalidRequestException("priority", "priority: must be REGULAR or LOW (was '"
            + text(node, "priority") + "')");
      }
      b.priority(Priority.valueOf(p));
    }
    return b.build();
  }

  private static String text(JsonNode node, String key) {
    JsonNode v = node.get(key);
    if (v == null || v.isNull()) {
      return "";
    }
    if (!v.isTextual()) {
      throw new InvalidRequestException(key, key + ": must be a string (was " + v + ")");
    }
    return v.asText();
  }

  private static long whole(JsonNode node, String key, long max) {
    JsonNode v = node.get(key);
    if (v == null || v.isNull()) {
      throw new InvalidRequestException(key, key + ": is required");
    }
    if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() > max) {
      throw new InvalidRequestException(key, key + ": must be a whole number (was " + v + ")");
    }
    return v.asLong();
  }
}
