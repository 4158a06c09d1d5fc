package io.vmgrid.scheduler.sim;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Reads an Azure packing 2020 sample ({@code vm-sample-*.csv}: {@code
 * vmId,tenantId,cores,ram,vmTypeId,starttime,endtime}).
 *
 * <p>{@code vmTypeId} is the priority (0 regular, 1 low priority); {@code starttime} is in fractional
 * days. Rows with a negative start time (the {@code -1497} marker, and in these samples mostly other
 * negative times: VMs created before the 14-day window) describe VMs already running when the trace
 * starts: they are initial state, not requests, and are skipped. {@code endtime} is checked but not used.
 */
public final class AzureSampleReader implements TraceReader {
  static final double ALREADY_RUNNING = -1497.0;
  private static final String[] COLUMNS =
      {"vmId", "tenantId", "cores", "ram", "vmTypeId", "starttime", "endtime"};
  private static final double SECONDS_PER_DAY = 86_400.0;

  private final Path file;

  /** A reader of {@code file}. */
  public AzureSampleReader(Path file) {
    this.file = file;
  }

  @Override
  public String description() {
    return "azure-sample:" + file.getFileName();
  }

  @Override
  public List<TraceRecord> read() throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString(), null, "trace file not found");
    }
    List<TraceRecord> out = new ArrayList<>();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String header = in.readLine();
      if (header == null || !header.trim().equals(String.join(",", COLUMNS))) {
        throw new TraceFormatException(file, 1, "header",
            "expected '" + String.join(",", COLUMNS) + "', found '" + header + "'");
      }
      String line;
      long n = 1;
      while ((line = in.readLine()) != null) {
        n++;
        if (line.isBlank()) {
          continue;
        }
        String[] f = line.split(",", -1);
        if (f.length != COLUMNS.length) {
          throw new TraceFormatException(file, n, "line",
              "expected " + COLUMNS.length + " comma-separated fields, found " + f.length);
        }
        long vmId = parseLong(f, 0, n);
        long tenant = parseLong(f, 1, n);
        double cores = parsePositive(f, 2, n);
        double ram = parsePositive(f, 3, n);
        long priority = parseLong(f, 4, n);
        if (priority != 0 && priority != 1) {
          throw new TraceFormatException(file, n, COLUMNS[4], "expected 0 or 1, found " + f[4]);
        }
        double start = parseDouble(f, 5, n);
        double end = parseDouble(f, 6, n);
        if (end < start) {
          throw new TraceFormatException(file, n, COLUMNS[6], "ends before it starts: " + f[6]);
        }
        if (start == ALREADY_RUNNING || start < 0) {
          continue;
        }
        out.add(new TraceRecord(vmId, tenant, cores, ram, (int) priority, start * SECONDS_PER_DAY));
      }
    }
    out.sort(Comparator.comparingDouble(TraceRecord::time));
    return out;
  }

  private long parseLong(String[] f, int i, long line) {
    try {
      return Long.parseLong(f[i].trim());
    } catch (NumberFormatException e) {
      throw new TraceFormatException(file, line, COLUMNS[i], "not an integer: '" + f[i] + "'");
    }
  }

  private double parseDouble(String[] f, int i, long line) {
    String s = f[i].trim();
    if (s.equals("inf")) {
      return Double.POSITIVE_INFINITY;
    }
    try {
      double v = Double.parseDouble(s);
      if (Double.isNaN(v)) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new TraceFormatException(file, line, COLUMNS[i], "not a number: '" + f[i] + "'");
    }
  }

  private double parsePositive(String[] f, int i, long line) {
    double v = parseDouble(f, i, line);
    if (!(v > 0) || Double.isInfinite(v)) {
      throw new TraceFormatException(file, line, COLUMNS[i], "must be a positive number: '" + f[i] + "'");
    }
    return v;
  }
}
