package io.vmgrid.store;

import org.jspecify.annotations.Nullable;

/**
 * The store cannot be used: unreachable, refused, a schema of another version, a bad row.
 *
 * <p>Thrown from a {@code MapStore}, it travels to the member or client that made the change,
 * whose serialization filter admits vmgrid's classes only: the database driver's exception that
 * caused it stays on this member (in {@link #getCause()} and the stack traces logged here) and is
 * not serialized; the message carries its first line.
 */
public final class StoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  /** The local cause; not serialized (the driver's classes are not admitted elsewhere). */
  private final transient @Nullable Throwable localCause;

  /** An error with a one-line message for operators. */
  public StoreException(String message, @Nullable Throwable cause) {
    super(message);
    this.localCause = cause;
  }

  /** An error with a one-line message for operators. */
  public StoreException(String message) {
    this(message, null);
  }

  @Override
  public synchronized @Nullable Throwable getCause() {
    return localCause;
  }
}
