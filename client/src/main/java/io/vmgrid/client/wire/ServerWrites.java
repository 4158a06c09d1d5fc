package io.vmgrid.client.wire;

import com.hazelcast.core.IndeterminateOperationStateException;
import com.hazelcast.map.IMap;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Writes of whole servers into the {@code servers} map that finish confirmed. Members fail a write
 * whose backups did not acknowledge in time, or whose primary left after running it, with
 * {@code IndeterminateOperationStateException} rather than count the primary's copy alone as
 * written; so do the writes a member sends on for a client (a single-member client's, a
 * {@code putAll}). A smart client's own writes keep Hazelcast's default and never fail so. A batch that failed so may partly stand, and an agent may already have
 * placed VMs on a server it created, so it is not simply written again: each server is added if it
 * is still missing ({@link InventoryProcessors.AddServer}), or, if it holds exactly what was
 * written, written again with the same value ({@code replace(k, v, v)}), which is a write with
 * backups and so confirms it. A server that holds something else changed after the write (a
 * placement, a drain) and is left as it is.
 */
public final class ServerWrites {
  /** Server-by-server rounds after a batch's write was not confirmed. */
  public static final int ROUNDS = 4;
  /** Pause before the first round; each later round waits one more of it. */
  public static final long PAUSE_MILLIS = 500;

  private ServerWrites() {}

  /**
   * Writes {@code batch} with one {@code putAll} (replacing entries with the same ids) and, if the
   * grid did not confirm it, server by server as described above. {@code warn} hears each round.
   *
   * @throws IllegalStateException when servers are still unconfirmed after {@link #ROUNDS} rounds;
   *     the message counts them and says that loading again adds only what is missing
   */
  public static void putAllConfirmed(IMap<String, ServerState> map, Map<String, ServerState> batch,
      Consumer<String> warn) {
    if (batch.isEmpty()) {
      return;
    }
    RuntimeException last;
    try {
      map.putAll(batch);
      return;
    } catch (RuntimeException e) {
      if (!indeterminate(e)) {
        throw e;
      }
      last = e;
    }
    Map<String, ServerState> left = new HashMap<>(batch);
    for (int round = 1; round <= ROUNDS && !left.isEmpty(); round++) {
      warn.accept("the grid did not confirm writing " + left.size() + " servers ("
          + last.getMessage() + "); writing them again one by one, round " + round + " of "
          + ROUNDS);
      pause(PAUSE_MILLIS * round);
      for (Map.Entry<String, ServerState> e : Map.copyOf(left).entrySet()) {
        try {
          if (!"ADDED".equals(map.executeOnKey(e.getKey(),
              new InventoryProcessors.AddServer(e.getValue())))) {
            map.replace(e.getKey(), e.getValue(), e.getValue()); // false: changed since; left so
          }
          left.remove(e.getKey());
        } catch (RuntimeException failed) {
          if (!indeterminate(failed)) {
            throw failed;
          }
          last = failed;
        }
      }
    }
    if (!left.isEmpty()) {
      throw new IllegalStateException("the grid did not confirm writing " + left.size()
          + " servers after " + (ROUNDS + 1) + " attempts (their backups did not acknowledge: "
          + last.getMessage() + "); servers already written stay, and loading the same servers"
          + " again adds only what is missing");
    }
  }

  /** Whether {@code error} or a cause of it is Hazelcast's {@code IndeterminateOperationStateException}. */
  public static boolean indeterminate(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof IndeterminateOperationStateException) {
        return true;
      }
    }
    return false;
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while writing servers", e);
    }
  }
}
