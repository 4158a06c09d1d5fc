package io.vmgrid.scheduler.sim;

import io.vmgrid.rules.api.Priority;
import io.vmgrid.rules.trace.TraceFormatException;
import io.vmgrid.rules.trace.TraceRequest;
import io.vmgrid.rules.trace.VmSampleReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Reads an Azure packing 2020 sample ({@code vm-sample-*.csv}: {@code
 * vmId,tenantId,cores,ram,vmTypeId,starttime,endtime}) for the simulator, through the rule module's
 * {@link VmSampleReader}, which validates every line and reports every problem with file, line and
 * field ({@link TraceFormatException}).
 *
 * <p>{@code vmTypeId} is the priority (0 regular, 1 low priority); {@code starttime} is in fractional
 * days. Rows with a negative start time (the {@code -1497} marker, and in these samples mostly other
 * negative times: VMs created before the 14-day window) describe VMs already running when the trace
 * starts: they are initial state, not requests: {@link #initial()} returns them (engine mode places
 * them before the replay). {@code endtime - starttime} is the VM's lifetime (infinite for {@code inf}).
 */
public final class AzureSampleReader implements TraceReader {
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
    return rows(false);
  }

  /**
   * The VMs already running when the trace starts (negative start time) and still running at its
   * start, each with the time until it leaves as its lifetime, in file order.
   */
  @Override
  public List<TraceRecord> initial() throws IOException {
    return rows(true);
  }

  private List<TraceRecord> rows(boolean initial) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString(), null, "trace file not found");
    }
    List<TraceRecord> out = new ArrayList<>();
    for (TraceRequest r : VmSampleReader.read(file)) {
      if (r.initial() != initial || (initial && r.end() <= 0)) {
        continue;
      }
      double start = initial ? 0 : r.start();
      out.add(new TraceRecord(Long.parseLong(r.vmId()), Long.parseLong(r.tenantId()), r.cores(),
          r.memory(), r.priority() == Priority.LOW ? 1 : 0, start * SECONDS_PER_DAY,
          (r.end() - start) * SECONDS_PER_DAY));
    }
    if (!initial) {
      out.sort(Comparator.comparingDouble(TraceRecord::time));
    }
    return out;
  }
}
