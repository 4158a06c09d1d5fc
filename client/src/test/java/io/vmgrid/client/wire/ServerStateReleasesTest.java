package io.vmgrid.client.wire;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * A server's remembered releases: a client's release is told apart from the grid's own, and the
 * minute a release happened (kept mod 2^16) is compared with a copy's placement time correctly
 * across the wrap-around, for entries an idle server kept too long, and with clocks a little
 * apart.
 */
class ServerStateReleasesTest {
  private static final long MINUTE = 60_000;
  /** A time whose minute number is just past a multiple of 2^16 (the wrap-around). */
  private static final long NOW = (65_536L * 460 + 3) * MINUTE + 17_000;

  private static int minute(long millis) {
    return (int) ((millis / MINUTE) & 0xFFFF);
  }

  @Test
  void aReleaseCountsForCopiesPlacedInOrBeforeItsMinute() {
    int releasedNow = minute(NOW);
    assertThat(ServerState.releasedSince(releasedNow, NOW - 5 * MINUTE, NOW)).isTrue();
    assertThat(ServerState.releasedSince(releasedNow, NOW - 30 * 24 * 60 * MINUTE, NOW))
        .as("a VM placed a month before").isTrue();
    assertThat(ServerState.releasedSince(releasedNow, NOW + 2 * MINUTE, NOW))
        .as("a copy placed after the release").isFalse();
    int tenMinutesAgo = minute(NOW - 10 * MINUTE); // before the wrap-around
    assertThat(ServerState.releasedSince(tenMinutesAgo, NOW - 11 * MINUTE, NOW)).isTrue();
    assertThat(ServerState.releasedSince(tenMinutesAgo, NOW - 2 * MINUTE, NOW)).isFalse();
  }

  @Test
  void oldEntriesAndClocksAheadAreReadSafely() {
    assertThat(ServerState.releasedSince(minute(NOW - 3 * 60 * MINUTE), NOW - 5 * 60 * MINUTE,
        NOW)).as("an entry an idle server kept for hours no longer counts").isFalse();
    assertThat(ServerState.releasedSince(minute(NOW + MINUTE), NOW, NOW))
        .as("another member's clock a minute ahead: the release counts as now").isTrue();
    assertThat(ServerState.releasedSince(minute(NOW + MINUTE), NOW + MINUTE, NOW))
        .as("not for a copy placed after now").isFalse();
  }

  @Test
  void aClientsReleaseIsRememberedApartAndBothKindsCountForMerges() {
    HostedVm vm = new HostedVm("vm-1", "t1", 2, 1_024, "r-1", "REGULAR", NOW - MINUTE);
    ServerState s = ServerState.empty("s", "c", 8, 8_192).with(vm);
    ServerState byClient = s.releasing("vm-1", NOW, true);
    ServerState byGrid = s.releasing("vm-1", NOW, false);
    assertThat(byClient.releasedHere(vm)).isTrue();
    assertThat(byGrid.releasedHere(vm)).isTrue();
    java.util.List<Long> clientKeys = new java.util.ArrayList<>();
    byClient.forEachRelease((key, m) -> clientKeys.add(key));
    assertThat(clientKeys).containsExactly(ServerState.clientReleaseKey(vm));
    java.util.List<Long> gridKeys = new java.util.ArrayList<>();
    byGrid.forEachRelease((key, m) -> gridKeys.add(key));
    assertThat(gridKeys).containsExactly(ServerState.releaseKey(vm))
        .doesNotContain(ServerState.clientReleaseKey(vm));
  }
}
