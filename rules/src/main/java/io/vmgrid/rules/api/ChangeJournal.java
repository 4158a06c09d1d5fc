package io.vmgrid.rules.api;

import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A bounded journal of inventory changes, each with a revision one greater than the last. It keeps the
 * most recent {@code capacity} records; a reader that applied revision {@code r} can catch up only
 * while record {@code r + 1} is still kept ({@link #canReplayFrom}).
 *
 * <p>Not thread-safe: it is written and read by whoever owns the {@link Inventory}.
 */
public final class ChangeJournal {
  private final JournalRecord[] ring;
  private long revision;

  /** Creates an empty journal keeping at most {@code capacity} records. */
  public ChangeJournal(int capacity) {
    if (capacity < 1) {
      throw new ValidationException("capacity", "must be >= 1, was " + capacity);
    }
    this.ring = new JournalRecord[capacity];
  }

  /** The latest revision (0 before the first change). */
  public long revision() {
    return revision;
  }

  /** How many records this journal keeps at most. */
  public int capacity() {
    return ring.length;
  }

  /** The oldest revision still kept, or {@code revision() + 1} when empty. */
  public long oldestRevision() {
    return Math.max(1, revision - ring.length + 1);
  }

  /** Whether every change after {@code applied} is still kept. */
  public boolean canReplayFrom(long applied) {
    return applied >= revision || applied + 1 >= oldestRevision();
  }

  /** Number of changes after {@code applied}. */
  public long pendingSince(long applied) {
    return Math.max(0, revision - applied);
  }

  /** Appends a record with the next revision and returns that revision. */
  long append(
      int server,
      int kinds,
      @Nullable String tenant,
      @Nullable String set,
      @Nullable String group) {
    long next = revision + 1;
    ring[(int) (next % ring.length)] = new JournalRecord(next, server, kinds, tenant, set, group);
    revision = next;
    return next;
  }

  /**
   * Feeds every record after {@code applied}, oldest first, to {@code action}.
   *
   * @throws IllegalStateException if the journal no longer reaches back to {@code applied + 1}
   */
  public void replay(long applied, Consumer<JournalRecord> action) {
    if (!canReplayFrom(applied)) {
      throw new IllegalStateException(
          "journal truncated: applied " + applied + ", oldest kept " + oldestRevision());
    }
    for (long r = applied + 1; r <= revision; r++) {
      action.accept(ring[(int) (r % ring.length)]);
    }
  }
}
