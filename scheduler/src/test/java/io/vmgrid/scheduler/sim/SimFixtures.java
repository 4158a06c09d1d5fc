package io.vmgrid.scheduler.sim;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Test workloads made on the spot: small synthetic streams and tiny Azure-format CSV files. */
final class SimFixtures {
  static final String HEADER = "vmId,tenantId,cores,ram,vmTypeId,starttime,endtime";

  private SimFixtures() {}

  static RequestStream synthetic(int requests, long seed, double rate) {
    List<TraceRecord> records =
        new SyntheticWorkload(SyntheticSettings.DEFAULTS.withRequests(requests), seed).read();
    return RequestStream.of("synthetic", records, new ModelClassifier(seed), rate, 1.0);
  }

  /** A CSV in the Azure sample format with {@code n} requests (plus two already-running VMs). */
  static Path azureCsv(Path dir, int n, long seed) throws IOException {
    SplittableRandom rnd = new SplittableRandom(seed);
    List<String> lines = new ArrayList<>();
    lines.add(HEADER);
    lines.add("1,1,8.0,4.0,0,-1497.0,inf");
    lines.add("2,1,8.0,4.0,0,-3.5,2.0");
    double t = 0;
    for (int i = 0; i < n; i++) {
      t += rnd.nextDouble() * 1e-4;
      int cores = 1 << rnd.nextInt(5);
      lines.add((100 + i) + "," + rnd.nextInt(50) + "," + cores + ".0," + (cores * 2) + ".0,"
          + rnd.nextInt(2) + "," + t + "," + (t + 1));
    }
    Path f = dir.resolve("trace.csv");
    Files.write(f, lines);
    return f;
  }

  static SimSettings settings(long seed, int agents) {
    return SimSettings.defaults(seed).withAgents(agents).withCacheBytes(512 * 1024);
  }
}
