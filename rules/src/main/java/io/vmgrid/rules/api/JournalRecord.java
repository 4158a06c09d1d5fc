package io.vmgrid.rules.api;

import org.jspecify.annotations.Nullable;

/**
 * One applied inventory change as the journal keeps it: enough for a cached rule result to decide
 * whether, and where, to re-evaluate.
 *
 * @param revision the change's revision (strictly increasing, from 1)
 * @param server the server's index in the inventory
 * @param kinds a bit set of {@link ChangeKind#bit()}
 * @param tenant the tenant of the VM placed or released, or null
 * @param availabilitySet its availability set, or null
 * @param antiAffinityGroup its anti-affinity group, or null
 */
public record JournalRecord(
    long revision,
    int server,
    int kinds,
    @Nullable String tenant,
    @Nullable String availabilitySet,
    @Nullable String antiAffinityGroup) {

  /** Whether this change altered {@code kind}. */
  public boolean has(ChangeKind kind) {
    return (kinds & kind.bit()) != 0;
  }
}
