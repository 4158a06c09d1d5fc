package io.vmgrid.client.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmgrid.client.wire.Checks;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A request is checked field by field when it is built, so an invalid one never leaves the client;
 * the exception names the first bad field, both as {@code field()} and at the start of its message.
 */
class VmRequestTest {

  private static VmRequest.Builder valid() {
    return VmRequest.builder().requestId("r-1").vmId("vm-1").tenantId("tenant-a").cores(4)
        .memoryMb(16_384);
  }

  private static InvalidRequestException refusal(Consumer<VmRequest.Builder> change) {
    VmRequest.Builder b = valid();
    change.accept(b);
    Throwable[] thrown = new Throwable[1];
    assertThatThrownBy(b::build).isInstanceOfSatisfying(InvalidRequestException.class,
        e -> thrown[0] = e);
    return (InvalidRequestException) thrown[0];
  }

  @Test
  void aValidRequestKeepsEveryFieldAndDefaultsToRegularWithoutConstraints() {
    VmRequest r = valid().build();

    assertThat(r).isEqualTo(new VmRequest("r-1", "vm-1", "tenant-a", 4, 16_384,
        Priority.REGULAR, "", "", ""));
  }

  @Test
  void theBuilderGivesEachRequestItsOwnRandomIdUnlessOneIsChosen() {
    VmRequest.Builder b = VmRequest.builder().vmId("vm-1").tenantId("t").cores(1).memoryMb(1);

    String first = b.build().requestId();
    String second = b.build().requestId();

    assertThat(first).isNotEqualTo(second);
    assertThat(Checks.idProblem("requestId", first)).as("a random id is a valid id").isNull();
    assertThat(b.requestId("mine").build().requestId()).isEqualTo("mine");
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', value = {
    "vmId             | vmId: is required",
    "tenantId         | tenantId: is required",
    "cores            | cores: must be > 0 (was 0)",
    "memoryMb         | memoryMb: must be > 0 (was 0)",
  })
  void aMissingRequiredFieldIsNamed(String field, String message) {
    VmRequest.Builder builder = switch (field) {
      case "vmId" -> VmRequest.builder().tenantId("t").cores(1).memoryMb(1);
      case "tenantId" -> VmRequest.builder().vmId("vm-1").cores(1).memoryMb(1);
      case "cores" -> VmRequest.builder().vmId("vm-1").tenantId("t").memoryMb(1);
      default -> VmRequest.builder().vmId("vm-1").tenantId("t").cores(1);
    };

    assertThatThrownBy(builder::build).isInstanceOfSatisfying(InvalidRequestException.class, e -> {
      assertThat(e.field()).isEqualTo(field);
      assertThat(e).hasMessage(message);
    });
  }

  @Test
  void badValuesAreRefusedNamingTheirField() {
    assertThat(refusal(b -> b.vmId("vm 1")))
        .hasMessageStartingWith("vmId: 'vm 1' may contain only letters, digits and . _ : -")
        .satisfies(e -> assertThat(e.field()).isEqualTo("vmId"));
    assertThat(refusal(b -> b.tenantId("-t"))).hasMessageContaining("must start with a letter");
    assertThat(refusal(b -> b.requestId("r/1")).field()).isEqualTo("requestId");
    assertThat(refusal(b -> b.cores(-3))).hasMessage("cores: must be > 0 (was -3)");
    assertThat(refusal(b -> b.cores(Checks.MAX_CORES + 1)))
        .hasMessage("cores: must be <= 100000 (was 100001)");
    assertThat(refusal(b -> b.memoryMb(Checks.MAX_MEMORY_MB + 1)))
        .hasMessageStartingWith("memoryMb: must be <= " + Checks.MAX_MEMORY_MB);
    assertThat(refusal(b -> b.availabilitySet("web set")).field()).isEqualTo("availabilitySet");
    assertThat(refusal(b -> b.antiAffinityGroup("*")).field()).isEqualTo("antiAffinityGroup");
    assertThat(refusal(b -> b.clusterPin("c/1")).field()).isEqualTo("clusterPin");
  }

  @Test
  void theLimitsThemselvesAreAccepted() {
    String longest = "v".repeat(Checks.MAX_ID_LENGTH);

    VmRequest r = valid().vmId(longest).cores(Checks.MAX_CORES).memoryMb(Checks.MAX_MEMORY_MB)
        .build();

    assertThat(r.vmId()).hasSize(128);
    assertThat(refusal(b -> b.vmId(longest + "v")))
        .hasMessage("vmId: longer than 128 characters (129)");
  }

  @Test
  void aLongBadValueIsAbbreviatedInTheMessage() {
    String bad = "x".repeat(60) + " y";

    assertThat(refusal(b -> b.tenantId(bad)).getMessage())
        .contains("'" + "x".repeat(40) + "...'").doesNotContain(" y'");
  }

  @Test
  void theFirstBadFieldInDeclarationOrderIsTheOneNamed() {
    assertThat(refusal(b -> b.vmId("").tenantId("").cores(0)).field()).isEqualTo("vmId");
    assertThat(refusal(b -> b.cores(0).memoryMb(0)).field()).isEqualTo("cores");
    assertThat(refusal(b -> b.memoryMb(0).clusterPin("bad pin")).field()).isEqualTo("memoryMb");
  }

  @Test
  void nullConstraintsMeanNoneAndANullPriorityIsRefused() {
    VmRequest r = new VmRequest("r", "v", "t", 1, 1, Priority.LOW, null, null, null);

    assertThat(List.of(r.availabilitySet(), r.antiAffinityGroup(), r.clusterPin()))
        .containsOnly("");
    assertThatThrownBy(() -> new VmRequest("r", "v", "t", 1, 1, null))
        .isInstanceOfSatisfying(InvalidRequestException.class,
            e -> assertThat(e.field()).isEqualTo("priority"))
        .hasMessage("priority: is required");
  }

  @Test
  void identifiersMayUseDotsUnderscoresColonsAndDashesAfterTheFirstCharacter() {
    VmRequest r = valid().vmId("a.b_c:d-e").tenantId("0tenant").availabilitySet("as-1")
        .antiAffinityGroup("g.2").clusterPin("zone:a").build();

    assertThat(r.vmId()).isEqualTo("a.b_c:d-e");
    assertThat(r.clusterPin()).isEqualTo("zone:a");
    assertThat(refusal(b -> b.vmId(".hidden")).field()).isEqualTo("vmId");
    assertThat(refusal(b -> b.vmId("vm-é")).field()).as("letters are ASCII").isEqualTo("vmId");
  }

  @Test
  void anExceptionBuiltFromAMessageWithoutAFieldNamesTheRequest() {
    assertThat(InvalidRequestException.of("no colon here").field()).isEqualTo("request");
    assertThat(InvalidRequestException.of(": leading colon").field()).isEqualTo("request");
    assertThat(InvalidRequestException.of("cores: bad").field()).isEqualTo("cores");
  }
}
