package io.vmgrid.rules.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JournalRecordTest {

  @Test
  void namesMatchOnlyWhenEqual() {
    JournalRecord r = new JournalRecord(1, 0, ChangeKind.HOSTED_VMS.bit(), "Aa", "set-1", null);
    assertThat(r.tenantHash()).isEqualTo("Aa".hashCode());
    assertThat(r.tenantIs("Aa")).isTrue();
    assertThat(r.tenantIs(new String("Aa"))).isTrue();
    assertThat("BB".hashCode()).isEqualTo("Aa".hashCode()); // same hash, different name
    assertThat(r.tenantIs("BB")).isFalse();
    assertThat(r.tenantIs("other")).isFalse();
    assertThat(r.tenantIs(null)).isFalse();
    assertThat(r.availabilitySetIs("set-1")).isTrue();
    assertThat(r.availabilitySetIs("set-2")).isFalse();
    assertThat(r.antiAffinityGroupIs(null)).isFalse();
    assertThat(r.antiAffinityGroupIs("")).isFalse(); // "" hashes to 0, like the null it has
  }
}
