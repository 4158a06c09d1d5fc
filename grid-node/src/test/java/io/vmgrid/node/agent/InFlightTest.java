package io.vmgrid.node.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmgrid.node.Fixtures;
import io.vmgrid.node.inventory.Mirrors;
import io.vmgrid.rules.api.Inventory;
import io.vmgrid.rules.api.VmRequest;
import org.junit.jupiter.api.Test;

/** {@link InFlight}: capacity claimed by this member's commits in flight. */
class InFlightTest {
  @Test
  void aServerFitsOnlyWhatIsLeftOnceTheClaimsLandAndReleasedClaimsGiveItBack() {
    Inventory inv = Mirrors.inventory(Fixtures.servers(2, 16, 65_536), 16);
    int s0 = inv.indexOf("srv-000");
    InFlight inFlight = new InFlight();
    VmRequest eight = Mirrors.request(Fixtures.allocation("r-1", "vm-1", 8, 8_192));
    assertThat(inFlight.fits(inv, s0, eight)).isTrue();
    InFlight.Claim a = inFlight.claim("srv-000", 8, 8_192);
    assertThat(inFlight.fits(inv, s0, eight)).as("8 of 16 cores claimed").isTrue();
    InFlight.Claim b = inFlight.claim("srv-000", 4, 4_096);
    assertThat(inFlight.fits(inv, s0, eight)).as("12 of 16 cores claimed").isFalse();
    assertThat(inFlight.fits(inv, inv.indexOf("srv-001"), eight)).as("another server").isTrue();
    inFlight.release(a);
    assertThat(inFlight.fits(inv, s0, eight)).isTrue();
    inFlight.release(b);
    assertThat(inFlight.servers()).as("nothing left behind").isZero();
  }
}
