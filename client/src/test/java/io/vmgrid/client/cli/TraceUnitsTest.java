package io.vmgrid.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The trace's units as cores and MiB: Azure's familiar sizes come out, nothing rounds to zero. */
class TraceUnitsTest {
  private static final TraceUnits SCALED = new TraceUnits(true);
  private static final TraceUnits RAW = new TraceUnits(false);

  @ParameterizedTest(name = "{0} core units, {1} memory units -> {2} cores, {3} MiB")
  @CsvSource({
    "100, 7, 1, 1792",       // 1 core, 1.75 GiB
    "400, 56, 4, 14336",     // 4 cores, 14 GiB
    "800, 112, 8, 28672",    // 8 cores, 28 GiB
    "1, 1, 1, 256",          // a hundredth of a core takes a whole one
    "150, 2, 2, 512",        // rounded up
    "6400, 3072, 64, 786432", // the trace's machine type 10
    "10400, 2250, 104, 576000",
  })
  void scales(long coreUnits, long memoryUnits, long cores, long memoryMb) {
    assertThat(SCALED.cores(coreUnits)).isEqualTo(cores);
    assertThat(SCALED.memoryMb(memoryUnits)).isEqualTo(memoryMb);
    assertThat(RAW.cores(coreUnits)).isEqualTo(coreUnits);
    assertThat(RAW.memoryMb(memoryUnits)).isEqualTo(memoryUnits);
  }

  @ParameterizedTest
  @CsvSource({"0", "-5"})
  void leavesWhatIsNoDemandForTheRequestToRefuse(long units) {
    assertThat(SCALED.cores(units)).isEqualTo(units);
    assertThat(SCALED.memoryMb(units)).isEqualTo(units);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "true  | scaled: 100 core units = 1 core, 1 memory unit = 256 MiB",
    "false | own units (not cores and MiB)"})
  void saysWhichUnits(boolean scaled, String words) {
    assertThat(new TraceUnits(scaled).describe()).contains(words);
  }
}
