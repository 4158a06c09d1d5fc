package io.vmgrid.rules.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Immutable values validate on construction and name the offending field. */
class ValuesTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "id,                         ' ',  t, 1, ,    ",
    "tenant,                     vm,   '', 1, ,    ",
    "demand,                     vm,   t, 0, ,    ",
    "vmType,                     vm,   t, 1, ' ', ",
    "constraints.availabilitySet, vm,  t, 1, ,    ' '",
  })
  void requestNamesTheBadField(String field, String id, String tenant, long cores, String vmType,
      String set) {
    assertThatThrownBy(() -> new VmRequest(id, vmType, new Resources(cores, 0, 0), tenant,
        Priority.REGULAR, new Constraints(Set.of(), Set.of(), set, null, null)))
        .isInstanceOf(ValidationException.class)
        .hasMessageStartingWith(field + ":")
        .satisfies(e -> assertThat(((ValidationException) e).field()).isEqualTo(field));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"cores, -1, 0, 0", "memory, 0, -1, 0", "ssd, 0, 0, -1"})
  void resourcesNameTheNegativeField(String field, long c, long m, long s) {
    assertThatThrownBy(() -> new Resources(c, m, s)).hasMessageStartingWith(field + ":");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"faultDomain, -1, 0", "updateDomain, 0, -1"})
  void serverSpecNamesTheBadDomain(String field, int fd, int ud) {
    assertThatThrownBy(() -> new ServerSpec("s", "c", "r", fd, ud, "m"))
        .hasMessageStartingWith(field + ":");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"cores, 1.5, 0, 0", "memory, 0, -0.1, 0", "ssd, 0, 0, NaN"})
  void fractionsMustBeInUnitInterval(String field, double c, double m, double s) {
    assertThatThrownBy(() -> new VmTypeCatalog.Fraction(c, m, s))
        .hasMessageStartingWith(field + ":");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"0.25, 64, 16", "0.3, 10, 3", "0.31, 10, 4"})
  void fractionOfCapacityRoundsUp(double f, long capacity, long expected) {
    assertThat(new VmTypeCatalog.Fraction(f, 0, 0).on(new Resources(capacity, 0, 0)).cores())
        .isEqualTo(expected);
  }
}
