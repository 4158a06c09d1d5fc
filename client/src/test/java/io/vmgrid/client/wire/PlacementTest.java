package io.vmgrid.client.wire;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A placement record tells a repeat of its request from a request id reused for another one. */
class PlacementTest {
  private static GridRequest request(String vmId, long cores, String cluster) {
    return new GridRequest(GridRequest.Op.ALLOCATE, "r1", vmId, "t", cores, 4096, "REGULAR", "",
        "", cluster, "");
  }

  private static Placement placedBy(GridRequest r) {
    HostedVm vm = new HostedVm(r.vmId(), r.tenantId(), r.cores(), r.memoryMb(), r.requestId(),
        r.priority(), 0);
    return Placement.of(vm, "s1", r, "agent-7");
  }

  @Test
  void theSameRequestIsARepeat() {
    Placement p = placedBy(request("vm-1", 4, ""));

    assertThat(p.reusedBy(request("vm-1", 4, ""))).isNull();
    assertThat(p.agentId()).isEqualTo("agent-7");
    assertThat(p.placedOn("s2").fingerprint()).isEqualTo(p.fingerprint());
  }

  @Test
  void otherParametersUnderTheSameIdAreNamed() {
    Placement p = placedBy(request("vm-1", 4, ""));

    assertThat(p.reusedBy(request("vm-1", 8, "")))
        .startsWith("requestId: 'r1' already placed VM vm-1 (4 cores, 4096 MiB, tenant t) on s1;"
            + " this request asks for 8 cores instead of 4.");
    assertThat(p.reusedBy(request("vm-1", 4, "c9")))
        .contains("another priority, availability set, anti-affinity group or cluster");
    assertThat(p.reusedBy(request("vm-2", 4, ""))).contains("vm id vm-2 instead of vm-1");
  }

  @Test
  void aRecordWithoutFingerprintComparesWhatItKnows() {
    Placement rebuilt = Placement.of(new HostedVm("vm-1", "t", 4, 4096, "r1", "REGULAR", 0), "s1");

    assertThat(rebuilt.fingerprint()).isZero();
    assertThat(rebuilt.reusedBy(request("vm-1", 4, "c9"))).isNull();
    assertThat(rebuilt.reusedBy(request("vm-1", 5, ""))).contains("5 cores instead of 4");
    assertThat(rebuilt.reusedBy(request("vm-1", 4, ""))).isNull();
  }

  @Test
  void theFingerprintSeesEveryParameterButTheIds() {
    GridRequest r = request("vm-1", 4, "");

    assertThat(r.fingerprint()).isEqualTo(request("vm-2", 4, "").fingerprint())
        .isNotEqualTo(request("vm-1", 4, "c1").fingerprint())
        .isNotEqualTo(request("vm-1", 5, "").fingerprint())
        .isNotZero();
  }

  @Test
  void theFingerprintIsAFixedFunction() {
    // members of different JVMs and versions compare fingerprints: the value must never drift
    assertThat(new GridRequest(GridRequest.Op.ALLOCATE, "r", "v", "t", 1, 1, "REGULAR")
        .fingerprint()).isEqualTo(FIXED);
  }

  private static final long FIXED = -6407239802982075689L;
}
