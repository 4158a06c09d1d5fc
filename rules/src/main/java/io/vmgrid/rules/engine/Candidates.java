package io.vmgrid.rules.engine;

import io.vmgrid.rules.api.Inventory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The best servers for a request, best first, with their combined preference keys (higher is better;
 * ties go to the lower server index), and how many servers passed every validator.
 */
public final class Candidates {
  private final int[] servers;
  private final long[] keys;
  private final int passing;
  private final long revision;

  Candidates(int[] servers, long[] keys, int passing, long revision) {
    this.servers = servers;
    this.keys = keys;
    this.passing = passing;
    this.revision = revision;
  }

  /** Number of ranked candidates held (at most the engine's {@code exactTop}). */
  public int size() {
    return servers.length;
  }

  /** Whether no server passed. */
  public boolean isEmpty() {
    return servers.length == 0;
  }

  /** The server index at {@code rank} (0 = best). */
  public int server(int rank) {
    return servers[rank];
  }

  /** The combined preference key at {@code rank}. */
  public long key(int rank) {
    return keys[rank];
  }

  /** How many servers passed every validator (may exceed {@link #size()}). */
  public int passing() {
    return passing;
  }

  /** The journal revision this answer reflects. */
  public long revision() {
    return revision;
  }

  /** The candidate server ids, best first. */
  public List<String> serverIds(Inventory inventory) {
    List<String> ids = new ArrayList<>(servers.length);
    for (int s : servers) {
      ids.add(inventory.serverId(s));
    }
    return ids;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Candidates c
        && passing == c.passing
        && Arrays.equals(servers, c.servers)
        && Arrays.equals(keys, c.keys);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(servers) + passing;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("Candidates{passing=").append(passing).append(", top=[");
    for (int i = 0; i < servers.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(servers[i]).append(':').append(Long.toHexString(keys[i]));
    }
    return sb.append("]}").toString();
  }
}
