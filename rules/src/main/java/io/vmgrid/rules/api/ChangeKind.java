package io.vmgrid.rules.api;

/** What an inventory change altered; rules declare the kinds that affect their results. */
public enum ChangeKind {
  /** Used capacity of a server (placements and releases). */
  USAGE(1),
  /** The set of VMs a server hosts, with their tenants, availability sets and groups. */
  HOSTED_VMS(2),
  /** A server's {@link Health}. */
  HEALTH(4);

  private final int bit;

  ChangeKind(int bit) {
    this.bit = bit;
  }

  /** This kind's bit in {@link JournalRecord#kinds()}. */
  public int bit() {
    return bit;
  }
}
