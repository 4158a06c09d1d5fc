package io.vmgrid.rules.trace;

import io.vmgrid.rules.api.Priority;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads a {@code vm-sample-*.csv} file ({@code vmId,tenantId,cores,ram,vmTypeId,starttime,endtime}).
 * {@code cores} and {@code ram} must be non-negative whole numbers (written {@code 30.0}); {@code
 * vmTypeId} is the priority, 0 or 1; {@code endtime} may be {@code inf} and must not precede {@code
 * starttime}; VM ids must be unique. Every problem is reported.
 */
public final class VmSampleReader {
  static final List<String> HEADER =
      List.of("vmId", "tenantId", "cores", "ram", "vmTypeId", "starttime", "endtime");

  private VmSampleReader() {}

  /** Reads the file; throws {@link TraceFormatException} listing every problem. */
  public static List<TraceRequest> read(Path file) throws IOException {
    Problems problems = new Problems(file.getFileName().toString());
    List<TraceRequest> out = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    Csv.read(file, HEADER, problems, (line, f) -> {
      long before = problems.total();
      long vm = Csv.id(f[0], line, "vmId", problems);
      long tenant = Csv.id(f[1], line, "tenantId", problems);
      long cores = whole(f[2], line, "cores", problems);
      long ram = whole(f[3], line, "ram", problems);
      Priority priority = Priority.REGULAR;
      switch (f[4].strip()) {
        case "0" -> priority = Priority.REGULAR;
        case "1" -> priority = Priority.LOW;
        default -> problems.add(line, "vmTypeId", "expected 0 or 1 (priority), got '" + f[4] + "'");
      }
      double start = Csv.number(f[5], line, "starttime", problems);
      double end = f[6].strip().equals("inf")
          ? Double.POSITIVE_INFINITY
          : Csv.number(f[6], line, "endtime", problems);
      if (!Double.isNaN(start) && !Double.isNaN(end) && end < start) {
        problems.add(line, "endtime", "ends (" + end + ") before it starts (" + start + ")");
      }
      if (cores == 0 && ram == 0) {
        problems.add(line, "cores", "cores and ram are both 0");
      }
      if (vm >= 0 && !ids.add(f[0].strip())) {
        problems.add(line, "vmId", "duplicate vmId " + vm);
      }
      if (problems.total() == before) {
        out.add(new TraceRequest(Long.toString(vm), Long.toString(tenant), cores, ram, priority,
            start, end));
      }
    });
    problems.throwIfAny();
    return out;
  }

  private static long whole(String text, long line, String field, Problems problems) {
    double d = Csv.number(text, line, field, problems);
    if (Double.isNaN(d)) {
      return 0;
    }
    if (d < 0 || d != Math.rint(d) || d > 1e15) {
      problems.add(line, field, "must be a non-negative whole number, got " + text);
      return 0;
    }
    return (long) d;
  }
}
