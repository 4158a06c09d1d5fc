package io.vmgrid.client.api;

import org.jspecify.annotations.Nullable;

/**
 * Why an operation was not carried out as asked: one word shared by the member that decides it, the
 * wire that carries it and the client that reports it. {@link #NONE} on success.
 */
public enum Reason {
  /** Nothing to explain: the operation succeeded. */
  NONE,
  /** A field of the request is invalid; the message starts with the field's name. */
  INVALID_INPUT,
  /** No server has room for the VM now. */
  NO_CAPACITY,
  /** A constraint no server can meet at all (e.g. a pin to an unknown cluster). */
  CONSTRAINT_UNSATISFIABLE,
  /** The VM id is already placed by another request. */
  VM_ID_IN_USE,
  /**
   * The request id was used before for another request: another VM id, or other parameters; or
   * its placement was released or evicted since (a request id places once; a placement evicted
   * from the server this copy was committed to answers {@code PLACED} there instead, the eviction
   * log saying it is gone). A request id names one request; a retry repeats it unchanged.
   */
  REQUEST_ID_REUSED,
  /** No VM with this id is allocated. */
  UNKNOWN_VM,
  /** A move breaks the rules or names the server the VM is on. */
  MOVE_INVALID,
  /** The servers' current state refused the commit (after retries for an allocation): retry. */
  CONFLICT,
  /** This side of the cluster lacks the placement quorum (a network split?); nothing committed. */
  NO_QUORUM,
  /**
   * The quorum was lost between a commit and its record and the commit could not be undone; asking
   * again with the same request id tells the outcome once the split heals.
   */
  IN_DOUBT,
  /** No member could take the request now (starting, leaving, no agent yet); nothing was done. */
  UNAVAILABLE,
  /** No outcome within the client's timeout; the request may still complete: retry with its id. */
  TIMEOUT,
  /** The client was closed before the outcome arrived. */
  CLOSED,
  /** A VM of an all-or-nothing batch was placed, then released because another one was not. */
  BATCH_ROLLED_BACK,
  /** Releasing a VM of a failed batch failed too: release it by id. */
  ROLLBACK_FAILED,
  /** The server still hosts VMs. */
  SERVER_NOT_EMPTY,
  /** An unexpected error on the member or in the client; the message says what. */
  INTERNAL,
  /** A reason this version of the client does not know (a newer member sent it). */
  UNKNOWN;

  /** The reason named {@code name}, {@link #NONE} for null or empty, {@link #UNKNOWN} otherwise. */
  public static Reason parse(@Nullable String name) {
    if (name == null || name.isEmpty()) {
      return NONE;
    }
    for (Reason r : values()) {
      if (r.name().equals(name)) {
        return r;
      }
    }
    return UNKNOWN;
  }
}
