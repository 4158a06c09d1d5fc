package io.vmgrid.client.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads an inventory file: CSV with the header {@code serverId,clusterId,cores,memoryMb}, or JSON (an
 * array of objects with those fields). Every bad line or value is reported with file, line (or array
 * index) and field; all problems are collected before failing.
 */
public final class InventoryFile {
  /** The CSV header, in this order. */
  public static final String CSV_HEADER = "serverId,clusterId,cores,memoryMb";
  /** The CSV header with topology columns (rack, domains within the cluster, machine type). */
  public static final String CSV_HEADER_TOPOLOGY =
      CSV_HEADER + ",rack,faultDomain,updateDomain,machineType";
  /** Most problems listed in one error message. */
  static final int MAX_REPORTED = 20;

  private InventoryFile() {}

  /** Reads {@code file} ({@code .json} as JSON, anything else as CSV). */
  public static List<ServerSpec> read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new InvalidRequestException("file", "file: " + file + " does not exist or is not a file");
    }
    return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json")
        ? readJson(file)
        : readCsv(file);
  }

  private static List<ServerSpec> readCsv(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    List<String> problems = new ArrayList<>();
    List<ServerSpec> out = new ArrayList<>();
    String header = lines.isEmpty() ? "" : lines.get(0).trim();
    if (!header.equals(CSV_HEADER) && !header.equals(CSV_HEADER_TOPOLOGY)) {
      throw new InvalidRequestException("file", "file: " + file + ":1: header must be '"
          + CSV_HEADER + "' or '" + CSV_HEADER_TOPOLOGY + "'");
    }
    int fields = header.split(",").length;
    for (int i = 1; i < lines.size(); i++) {
      String line = lines.get(i).trim();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String where = file + ":" + (i + 1);
      String[] f = line.split(",", -1);
      if (f.length != fields) {
        problems.add(where + ": expected " + fields + " fields (" + header + "), found " + f.length);
        continue;
      }
      Long cores = number(f[2], where, "cores", problems);
      Long memory = number(f[3], where, "memoryMb", problems);
      if (fields == 4) {
        if (cores != null && memory != null) {
          add(out, problems, where, f[0].trim(), f[1].trim(), cores, memory);
        }
        continue;
      }
      Long fd = number(f[5], where, "faultDomain", problems);
      Long ud = number(f[6], where, "updateDomain", problems);
      if (cores != null && memory != null && fd != null && ud != null) {
        addWithTopology(out, problems, where, f[0].trim(), f[1].trim(), cores, memory, f[4].trim(),
            fd, ud, f[7].trim());
      }
    }
    return finish(file, out, problems);
  }

  private static List<ServerSpec> readJson(Path file) throws IOException {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(file.toFile());
    } catch (IOException e) {
      throw new InvalidRequestException("file", "file: " + file + ": not valid JSON: " + e.getMessage());
    }
    if (root == null || !root.isArray()) {
      throw new InvalidRequestException("file", "file: " + file + ": expected a JSON array of servers");
    }
    List<String> problems = new ArrayList<>();
    List<ServerSpec> out = new ArrayList<>();
    for (int i = 0; i < root.size(); i++) {
      JsonNode n = root.get(i);
      String where = file + "[" + i + "]";
      if (!n.isObject()) {
        problems.add(where + ": expected an object");
        continue;
      }
      List<String> missing = new ArrayList<>();
      for (String field : List.of("serverId", "clusterId", "cores", "memoryMb")) {
        if (!n.hasNonNull(field)) {
          missing.add(field);
        }
      }
      if (!missing.isEmpty()) {
        problems.add(where + ": " + String.join(", ", missing) + ": is required");
        continue;
      }
      if (!whole(n.get("cores")) || !whole(n.get("memoryMb"))) {
        problems.add(where + ": cores and memoryMb must be whole numbers");
        continue;
      }
      if (!n.has("rack")) {
        add(out, problems, where, n.get("serverId").asText(), n.get("clusterId").asText(),
            n.get("cores").asLong(), n.get("memoryMb").asLong());
        continue;
      }
      JsonNode fd = n.path("faultDomain");
      JsonNode ud = n.path("updateDomain");
      if (!whole(fd) || !whole(ud)) {
        problems.add(where + ": faultDomain and updateDomain must be whole numbers when rack is given");
        continue;
      }
      addWithTopology(out, problems, where, n.get("serverId").asText(), n.get("clusterId").asText(),
          n.get("cores").asLong(), n.get("memoryMb").asLong(), n.get("rack").asText(),
          fd.asLong(), ud.asLong(), n.path("machineType").asText(""));
    }
    return finish(file, out, problems);
  }

  /** A JSON integer that fits a {@code long}: 1.5 is not truncated to 1, and "8" is no number. */
  private static boolean whole(JsonNode n) {
    return n.isIntegralNumber() && n.canConvertToLong();
  }

  private static void add(List<ServerSpec> out, List<String> problems, String where, String id,
      String cluster, long cores, long memory) {
    try {
      out.add(new ServerSpec(id, cluster, cores, memory));
    } catch (InvalidRequestException e) {
      problems.add(where + ": " + e.getMessage());
    }
  }

  private static void addWithTopology(List<ServerSpec> out, List<String> problems, String where,
      String id, String cluster, long cores, long memory, String rack, long fd, long ud,
      String machineType) {
    try {
      // only kept within int, so that ServerSpec's range check names the file's value
      out.add(ServerSpec.of(id, cluster, cores, memory, rack, Math.toIntExact(clampToInt(fd)),
          Math.toIntExact(clampToInt(ud)), machineType));
    } catch (InvalidRequestException e) {
      problems.add(where + ": " + e.getMessage());
    }
  }

  private static long clampToInt(long v) {
    return Math.max(Integer.MIN_VALUE, Math.min(v, Integer.MAX_VALUE));
  }

  private static @org.jspecify.annotations.Nullable Long number(String text, String where, String field, List<String> problems) {
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      problems.add(where + ": " + field + ": '" + text.trim() + "' is not a whole number");
      return null;
    }
  }

  private static List<ServerSpec> finish(Path file, List<ServerSpec> out, List<String> problems) {
    if (!problems.isEmpty()) {
      StringBuilder sb = new StringBuilder("file: " + file + " has " + problems.size() + " problem(s):");
      problems.stream().limit(MAX_REPORTED).forEach(p -> sb.append(System.lineSeparator()).append("  ").append(p));
      if (problems.size() > MAX_REPORTED) {
        sb.append(System.lineSeparator()).append("  ... and ").append(problems.size() - MAX_REPORTED).append(" more");
      }
      throw new InvalidRequestException("file", sb.toString());
    }
    return out;
  }
}
