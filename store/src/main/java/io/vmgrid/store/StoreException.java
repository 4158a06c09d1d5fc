package io.vmgrid.store;

/** The store cannot be used: unreachable, refused, a schema of another version, a bad row. */
public final class StoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** An error with a one-line message for operators. */
  public StoreException(String message, @org.jspecify.annotations.Nullable Throwable cause) {
    super(message, cause);
  }

  /** An error with a one-line message for operators. */
  public StoreException(String message) {
    super(message);
  }
}
