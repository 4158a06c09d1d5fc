package io.vmgrid.bench.packing;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmgrid.rules.api.Inventory;
import io.vmgrid.rules.api.MachineType;
import io.vmgrid.rules.api.Priority;
import io.vmgrid.rules.api.Resources;
import io.vmgrid.rules.api.ServerSpec;
import io.vmgrid.rules.ruleset.RuleSet;
import io.vmgrid.rules.trace.TraceRequest;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The replay's side of preemption: an evicted VM leaves the inventory and its departure is skipped,
 * and the counters say what happened, with preemption on and off.
 */
class ReplayPreemptionTest {
  private static final double INF = Double.POSITIVE_INFINITY;
  private static final List<TraceRequest> ROWS = List.of(
      new TraceRequest("low-1", "t1", 64, 64, Priority.LOW, 0, 5),
      new TraceRequest("reg-1", "t2", 32, 32, Priority.REGULAR, 1, 3),
      new TraceRequest("reg-2", "t3", 32, 32, Priority.REGULAR, 6, INF));

  private static Inventory oneServer() {
    return Inventory.builder()
        .machineType(new MachineType("m", new Resources(64, 256, 0), Set.of()))
        .server(new ServerSpec("s0", "c0", "r0", 0, 0, "m"))
        .build();
  }

  private static Replay.Result replay(RuleSet rules) {
    Inventory inv = oneServer();
    return new Replay(inv, Placer.rules("p", inv, rules, 1)).run(ROWS);
  }

  @Test
  void anEvictedVmIsGoneAndItsDepartureSkipped() {
    Replay.Result r = replay(RuleSet.defaults().withClusterUtilizationLimit(1, 1));
    assertThat(r.placed()).isEqualTo(3);
    assertThat(r.rejected()).isZero();
    assertThat(r.rejectedRegular()).isZero();
    assertThat(r.preemptions()).isEqualTo(1);
    assertThat(r.evictions()).isEqualTo(1);
    assertThat(r.evictedCores()).isEqualTo(64);
    assertThat(r.preemptionSearches()).isEqualTo(1);
  }

  @Test
  void withPreemptionOffTheRegularRequestIsRejected() {
    RuleSet rules = RuleSet.defaults().withClusterUtilizationLimit(1, 1);
    Replay.Result r = replay(rules.withPreemption(rules.preemption().withEnabled(false)));
    assertThat(r.placed()).isEqualTo(2);
    assertThat(r.rejected()).isEqualTo(1);
    assertThat(r.rejectedRegular()).isEqualTo(1);
    assertThat(r.evictions()).isZero();
    assertThat(r.preemptionSearches()).isZero();
  }
}
