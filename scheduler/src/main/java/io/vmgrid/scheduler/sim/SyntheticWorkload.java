package io.vmgrid.scheduler.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A seeded synthetic workload: Poisson arrivals with periodic bursts, sizes drawn Zipf-distributed
 * from a seeded table of (cores, ram, priority), tenants uniform.
 */
public final class SyntheticWorkload implements TraceReader {
  private static final int[] CORES = {1, 2, 4, 8, 16, 24, 32, 48, 64};
  private static final int[] RAM_PER_CORE = {2, 4, 8};

  private final SyntheticSettings settings;
  private final long seed;

  /** A generator with these settings and seed. */
  public SyntheticWorkload(SyntheticSettings settings, long seed) {
    this.settings = settings;
    this.seed = seed;
  }

  @Override
  public String description() {
    return "synthetic:requests=" + settings.requests() + ",sizes=" + settings.sizes() + ",zipf="
        + settings.zipfExponent() + ",seed=" + seed;
  }

  @Override
  public List<TraceRecord> read() {
    SplittableRandom rnd = new SplittableRandom(seed);
    int k = settings.sizes();
    double[][] sizes = new double[k][];
    for (int i = 0; i < k; i++) {
      int c = CORES[rnd.nextInt(CORES.length)];
      int r = c * RAM_PER_CORE[rnd.nextInt(RAM_PER_CORE.length)] + i / (CORES.length * 6);
      sizes[i] = new double[] {c, r, rnd.nextInt(4) == 0 ? 1 : 0};
    }
    double[] cdf = new double[k];
    double sum = 0;
    for (int i = 0; i < k; i++) {
      sum += 1.0 / Math.pow(i + 1, settings.zipfExponent());
      cdf[i] = sum;
    }
    List<TraceRecord> out = new ArrayList<>(settings.requests());
    double t = 0;
    double burstLen = settings.burstPeriodSec() * settings.burstFraction();
    for (int n = 0; n < settings.requests(); n++) {
      boolean burst = t % settings.burstPeriodSec() < burstLen;
      double rate = settings.baseRatePerSec() * (burst ? settings.burstMultiplier() : 1.0);
      t += -Math.log(1.0 - rnd.nextDouble()) / rate;
      double u = rnd.nextDouble() * sum;
      int lo = 0;
      int hi = k - 1;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (cdf[mid] < u) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      double[] s = sizes[lo];
      out.add(new TraceRecord(n, rnd.nextInt(settings.tenants()), s[0], s[1], (int) s[2], t));
    }
    return out;
  }
}
