package io.vmgrid.node.demo;

import io.vmgrid.client.api.Priority;
import io.vmgrid.client.api.VmRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A seeded stream of VM requests drawn from a small catalog of common sizes (2 to 64 cores, 4 GiB per
 * core), weighted towards small VMs as public-cloud mixes are; one VM in five belongs to its
 * tenant's availability set (spread over fault and update domains by the rules). Same seed, same
 * requests.
 */
public final class DemoWorkload {
  /** A catalog entry: cores per VM and relative weight. */
  record Size(int cores, int weight) {}

  static final List<Size> CATALOG =
      List.of(new Size(2, 30), new Size(4, 30), new Size(8, 20), new Size(16, 12), new Size(32, 6),
          new Size(64, 2));

  private DemoWorkload() {}

  /** {@code count} requests for VMs {@code vm-00000..}, tenants {@code tenant-0..9}. */
  public static List<VmRequest> generate(int count, long seed) {
    Random random = new Random(seed);
    int total = CATALOG.stream().mapToInt(Size::weight).sum();
    List<VmRequest> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int pick = random.nextInt(total);
      Size size = CATALOG.get(0);
      for (Size s : CATALOG) {
        if (pick < s.weight()) {
          size = s;
          break;
        }
        pick -= s.weight();
      }
      int tenant = random.nextInt(10);
      boolean inSet = random.nextInt(5) == 0;
      out.add(VmRequest.builder()
          .requestId(String.format("demo-%d-%05d", seed, i))
          .availabilitySet(inSet ? "as-" + tenant + "-" + random.nextInt(3) : "")
          .vmId(String.format("vm-%05d", i))
          .tenantId("tenant-" + tenant)
          .cores(size.cores())
          .memoryMb(size.cores() * 4L * 1024)
          .priority(random.nextInt(10) == 0 ? Priority.LOW : Priority.REGULAR)
          .build());
    }
    return out;
  }
}
