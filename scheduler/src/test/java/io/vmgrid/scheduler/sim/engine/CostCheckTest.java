package io.vmgrid.scheduler.sim.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmgrid.rules.ruleset.RuleSet;
import io.vmgrid.scheduler.sim.SyntheticSettings;
import io.vmgrid.scheduler.sim.SyntheticWorkload;
import io.vmgrid.scheduler.sim.TraceRecord;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class CostCheckTest {

  @Test
  void reportsEveryLookupOfTheSecondPassWithPositiveCounts() throws IOException {
    List<TraceRecord> records =
        new SyntheticWorkload(SyntheticSettings.DEFAULTS.withRequests(300), 4).read();
    EngineWorkload w = EngineWorkload.create(records, List.of(), RuleSet.defaults(),
        EngineModeSettings.DEFAULTS.withServers(200), null, 4);
    long[] tick = {0};
    List<CostCheck.Row> rows = CostCheck.run(w, EngineCosts.DEFAULTS, 300, 2, 1L << 20, 4,
        () -> tick[0] += 1_000);
    assertThat(rows.stream().mapToInt(CostCheck.Row::lookups).sum()).isEqualTo(300);
    assertThat(rows).allSatisfy(r -> {
      assertThat(r.measuredMicros()).isEqualTo(1.0);
      assertThat(r.countedMicros()).isPositive();
    });
  }
}
