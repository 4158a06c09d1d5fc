package io.vmgrid.rules.api;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One applied inventory change as the journal keeps it: enough for a cached rule result to decide
 * whether, and where, to re-evaluate.
 *
 * <p>It also keeps the hash codes of its names, so that {@link #tenantIs} and its siblings, which a
 * refresh calls for every record it replays, mostly answer without reading the names themselves: on
 * a large grid member the record's strings are rarely in the CPU cache, and comparing them was a
 * fifth of an agent's time in top-level hits (JFR, 100,000 servers).
 *
 * @param revision the change's revision (strictly increasing, from 1)
 * @param server the server's index in the inventory
 * @param kinds a bit set of {@link ChangeKind#bit()}
 * @param tenant the tenant of the VM placed or released, or null
 * @param availabilitySet its availability set, or null
 * @param antiAffinityGroup its anti-affinity group, or null
 * @param tenantHash {@code tenant}'s hash code (0 for null)
 * @param availabilitySetHash {@code availabilitySet}'s hash code (0 for null)
 * @param antiAffinityGroupHash {@code antiAffinityGroup}'s hash code (0 for null)
 */
public record JournalRecord(
    long revision,
    int server,
    int kinds,
    @Nullable String tenant,
    @Nullable String availabilitySet,
    @Nullable String antiAffinityGroup,
    int tenantHash,
    int availabilitySetHash,
    int antiAffinityGroupHash) {

  /** A record with the hash codes of its names. */
  public JournalRecord(long revision, int server, int kinds, @Nullable String tenant,
      @Nullable String availabilitySet, @Nullable String antiAffinityGroup) {
    this(revision, server, kinds, tenant, availabilitySet, antiAffinityGroup,
        Objects.hashCode(tenant), Objects.hashCode(availabilitySet),
        Objects.hashCode(antiAffinityGroup));
  }

  /** Whether this change altered {@code kind}. */
  public boolean has(ChangeKind kind) {
    return (kinds & kind.bit()) != 0;
  }

  /** Whether the change concerns a VM of tenant {@code name} (false for null). */
  public boolean tenantIs(@Nullable String name) {
    return same(name, tenantHash, tenant);
  }

  /** Whether the change concerns a VM of availability set {@code name} (false for null). */
  public boolean availabilitySetIs(@Nullable String name) {
    return same(name, availabilitySetHash, availabilitySet);
  }

  /** Whether the change concerns a VM of anti-affinity group {@code name} (false for null). */
  public boolean antiAffinityGroupIs(@Nullable String name) {
    return same(name, antiAffinityGroupHash, antiAffinityGroup);
  }

  private static boolean same(@Nullable String name, int hash, @Nullable String value) {
    return name != null && name.hashCode() == hash && name.equals(value);
  }
}
