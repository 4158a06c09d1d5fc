package io.vmgrid.client.api;

import java.util.List;
import java.util.stream.Collectors;

/**
 * {@link AllocationClient#connect} reached no member of the cluster: every address was refused,
 * unknown, answered for another cluster, or did not answer within the connect timeout. The message
 * is one line naming each address and what happened there.
 */
public class ClusterUnreachableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What happened at one address. */
  public enum Cause {
    /** Nothing listens there (the connection was refused), or the network has no route to it. */
    REFUSED,
    /** The host name does not resolve. */
    UNKNOWN_HOST,
    /** A member answered, but its cluster has another name. */
    WRONG_CLUSTER_NAME,
    /** A member answered, but does not admit this client. */
    NOT_ALLOWED,
    /** The remote side closed the connection at once (not a Hazelcast member?). */
    CLOSED,
    /** No answer within the connect timeout. */
    TIMEOUT
  }

  /**
   * One address and what happened there.
   *
   * @param address the address tried, as {@code host:port}
   * @param cause the kind of failure
   * @param detail the failure in words, e.g. {@code connection refused}
   */
  public record Attempt(String address, Cause cause, String detail) {}

  private final String clusterName;
  private final List<Attempt> attempts;

  /** The failure to reach {@code clusterName} through {@code attempts}. */
  public ClusterUnreachableException(String clusterName, List<Attempt> attempts) {
    super(message(clusterName, attempts));
    this.clusterName = clusterName;
    this.attempts = List.copyOf(attempts);
  }

  /** The cluster name this client asked for. */
  public String clusterName() {
    return clusterName;
  }

  /** Every address tried, with what happened there. */
  public List<Attempt> attempts() {
    return attempts;
  }

  private static String message(String clusterName, List<Attempt> attempts) {
    String where = attempts.size() == 1
        ? attempts.get(0).address() + ": " + attempts.get(0).detail()
        : attempts.stream().map(a -> a.address() + " (" + a.detail() + ")")
            .collect(Collectors.joining(", "));
    return "cannot connect to cluster '" + clusterName + "' at " + where;
  }
}
