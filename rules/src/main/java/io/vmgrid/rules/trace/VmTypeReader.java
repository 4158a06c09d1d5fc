package io.vmgrid.rules.trace;

import io.vmgrid.rules.api.VmTypeCatalog;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads {@code vmType.csv} ({@code id,vmTypeId,machineId,core,memory,hdd,ssd,nic}) into a
 * {@link VmTypeCatalog} keyed by {@code vmTypeId} and {@code machineId} (as decimal strings). Fractions
 * must be numbers in [0, 1]; {@code hdd} may be empty, the others may not; a repeated
 * (vmTypeId, machineId) pair is an error. Every problem is reported.
 */
public final class VmTypeReader {
  static final List<String> HEADER =
      List.of("id", "vmTypeId", "machineId", "core", "memory", "hdd", "ssd", "nic");

  private VmTypeReader() {}

  /** Reads the file; throws {@link TraceFormatException} listing every problem. */
  public static VmTypeCatalog read(Path file) throws IOException {
    Problems problems = new Problems(file.getFileName().toString());
    Map<String, Map<String, VmTypeCatalog.Fraction>> out = new HashMap<>();
    Csv.read(file, HEADER, problems, (line, f) -> {
      long before = problems.total();
      Csv.id(f[0], line, "id", problems);
      long vmType = Csv.id(f[1], line, "vmTypeId", problems);
      long machine = Csv.id(f[2], line, "machineId", problems);
      double core = fraction(f[3], line, "core", problems);
      double memory = fraction(f[4], line, "memory", problems);
      if (!f[5].isBlank()) {
        fraction(f[5], line, "hdd", problems);
      }
      double ssd = fraction(f[6], line, "ssd", problems);
      fraction(f[7], line, "nic", problems);
      if (problems.total() > before) {
        return;
      }
      VmTypeCatalog.Fraction prev = out.computeIfAbsent(Long.toString(vmType), k -> new HashMap<>())
          .putIfAbsent(Long.toString(machine), new VmTypeCatalog.Fraction(core, memory, ssd));
      if (prev != null) {
        problems.add(line, "machineId",
            "vmTypeId " + vmType + " on machineId " + machine + " is defined twice");
      }
    });
    problems.throwIfAny();
    return new VmTypeCatalog(out);
  }

  private static double fraction(String text, long line, String field, Problems problems) {
    if (text.isBlank()) {
      problems.add(line, field, "is empty");
      return Double.NaN;
    }
    double d = Csv.number(text, line, field, problems);
    if (!Double.isNaN(d) && (d < 0 || d > 1)) {
      problems.add(line, field, "must be a fraction in [0, 1], got " + d);
    }
    return d;
  }
}
