package io.vmgrid.scheduler.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmgrid.rules.trace.TraceFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AzureSampleReaderTest {
  @TempDir Path dir;

  @Test
  void skipsAlreadyRunningVmsAndConvertsDaysToSeconds() throws IOException {
    Path f = dir.resolve("t.csv");
    Files.write(f, List.of(SimFixtures.HEADER, "1,9,8.0,4.0,0,-1497.0,inf",
        "2,9,4.0,2.0,1,0.5,inf", "3,8,2.0,1.0,0,0.25,0.75", "4,8,2.0,1.0,0,-12.5,0.75"));
    List<TraceRecord> r = new AzureSampleReader(f).read();
    assertThat(r).extracting(TraceRecord::id).containsExactly(3L, 2L);
    assertThat(r.get(0).time()).isEqualTo(0.25 * 86_400);
    assertThat(r.get(1).priority()).isEqualTo(1);
    assertThat(r.get(0).lifetime()).isCloseTo(0.5 * 86_400, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(r.get(1).lifetime()).isInfinite();
    List<TraceRecord> initial = new AzureSampleReader(f).initial();
    assertThat(initial).extracting(TraceRecord::id).containsExactly(1L, 4L);
    assertThat(initial.get(1).lifetime()).isCloseTo(0.75 * 86_400,
        org.assertj.core.data.Offset.offset(1e-6));
  }

  @ParameterizedTest
  @CsvSource(delimiter = ';', value = {
      "2,9,4.0,2.0,1,0.5; bad.csv:2: ",
      "2,x,4.0,2.0,1,0.5,inf; bad.csv:2: tenantId: ",
      "2,9,-4.0,2.0,1,0.5,inf; bad.csv:2: cores: ",
      "2,9,4.0,2.0,3,0.5,inf; bad.csv:2: vmTypeId: expected 0 or 1",
      "2,9,4.0,2.0,1,soon,inf; bad.csv:2: starttime: "})
  void malformedLinesNameFileLineAndField(String line, String message) throws IOException {
    Path f = dir.resolve("bad.csv");
    Files.write(f, List.of(SimFixtures.HEADER, line));
    assertThatThrownBy(() -> new AzureSampleReader(f).read())
        .isInstanceOf(TraceFormatException.class)
        .hasMessageContaining("bad.csv")
        .hasMessageContaining(message);
  }

  @Test
  void wrongHeaderAndMissingFileAreClearErrors() throws IOException {
    Path f = dir.resolve("h.csv");
    Files.write(f, List.of("a,b,c"));
    assertThatThrownBy(() -> new AzureSampleReader(f).read())
        .hasMessageContaining("h.csv:1: ");
    assertThatThrownBy(() -> new AzureSampleReader(dir.resolve("nope.csv")).read())
        .isInstanceOf(NoSuchFileException.class);
  }

  static boolean realTracePresent() {
    return Files.isDirectory(Workloads.resolve(Workloads.DEFAULT_TRACE).getParent());
  }

  @Test
  @EnabledIf("realTracePresent")
  void readsTheRealAzureSamples() throws IOException {
    Path dir = Workloads.resolve(Workloads.DEFAULT_TRACE).getParent();
    for (String name : List.of("vm-sample-bernoulli-0.csv", "vm-sample-batched-0.csv")) {
      List<TraceRecord> r = new AzureSampleReader(dir.resolve(name)).read();
      assertThat(r).hasSizeBetween(40_000, 50_000);
      assertThat(r.get(0).time()).isGreaterThanOrEqualTo(0);
      assertThat(r.get(r.size() - 1).time()).isLessThanOrEqualTo(14 * 86_400.0);
      RequestStream s = RequestStream.of(name, r, new ModelClassifier(42), 400, 1.0);
      assertThat(s.typeCount()).isBetween(100, 2_000);
      assertThat(s.size() / s.spanSeconds()).isCloseTo(400, org.assertj.core.data.Offset.offset(1.0));
    }
  }
}
