package io.vmgrid.rules.trace;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code server_vm_cores_ram.json}: an array of objects whose keys are {@code vm_cores[i]},
 * {@code server_cores[m]}, {@code vm_ram[i]} or {@code server_ram[m]} and whose values are
 * non-negative whole numbers. Each bad key or value is reported with its line; a key given twice is
 * an error.
 */
public final class ServerCapacityReader {
  private static final Pattern KEY = Pattern.compile("(vm_cores|server_cores|vm_ram|server_ram)\\[(\\d+)]");

  private ServerCapacityReader() {}

  /** Reads the file; throws {@link TraceFormatException} listing every problem. */
  public static ServerCapacities read(Path file) throws IOException {
    Problems problems = new Problems(file.getFileName().toString());
    SortedMap<Integer, Long> vmCores = new TreeMap<>();
    SortedMap<Integer, Long> serverCores = new TreeMap<>();
    SortedMap<Integer, Long> vmRam = new TreeMap<>();
    SortedMap<Integer, Long> serverRam = new TreeMap<>();
    Map<String, SortedMap<Integer, Long>> maps = Map.of(
        "vm_cores", vmCores, "server_cores", serverCores, "vm_ram", vmRam, "server_ram", serverRam);
    try (JsonParser p = new JsonFactory().createParser(file.toFile())) {
      JsonToken t = p.nextToken();
      if (t != JsonToken.START_ARRAY) {
        problems.add(line(p), "(top level)", "expected an array of objects");
        problems.throwIfAny();
      }
      while ((t = p.nextToken()) != JsonToken.END_ARRAY && t != null) {
        if (t != JsonToken.START_OBJECT) {
          problems.add(line(p), "(array element)", "expected an object, got " + t);
          p.skipChildren();
          continue;
        }
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
          String key = p.currentName();
          long line = line(p);
          JsonToken v = p.nextToken();
          Matcher m = KEY.matcher(key);
          if (!m.matches()) {
            problems.add(line, key, "unknown key (expected vm_cores[i], server_cores[m], vm_ram[i] or"
                + " server_ram[m])");
            p.skipChildren();
            continue;
          }
          if (!v.isNumeric()) {
            problems.add(line, key, "expected a number, got " + p.getText());
            p.skipChildren();
            continue;
          }
          double d = p.getDoubleValue();
          if (d < 0 || d != Math.rint(d)) {
            problems.add(line, key, "must be a non-negative whole number, got " + p.getText());
            continue;
          }
          int index;
          try {
            index = Integer.parseInt(m.group(2));
          } catch (NumberFormatException e) {
            problems.add(line, key, "index out of range");
            continue;
          }
          if (maps.getOrDefault(m.group(1), vmCores).put(index, (long) d) != null) {
            problems.add(line, key, "given twice");
          }
        }
      }
    } catch (JsonParseException e) {
      problems.add(e.getLocation().getLineNr(), "(syntax)", e.getOriginalMessage());
    }
    problems.throwIfAny();
    return new ServerCapacities(serverCores, serverRam, vmCores, vmRam);
  }

  private static long line(JsonParser p) {
    return p.currentTokenLocation().getLineNr();
  }
}
