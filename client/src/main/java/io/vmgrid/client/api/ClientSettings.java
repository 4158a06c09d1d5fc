package io.vmgrid.client.api;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * How to reach a vmgrid cluster.
 *
 * @param clusterName the Hazelcast cluster name (default {@code vmgrid})
 * @param addresses member addresses as {@code host:port} (or {@code host}: ports 5701 to 5703)
 * @param requestTimeout how long an operation may take before it fails with {@code TIMEOUT}
 * @param connectTimeout how long {@link AllocationClient#connect} may take to reach the cluster
 *     before it fails with {@link ClusterUnreachableException}; it fails sooner when every address
 *     has answered no (refused, unknown host, another cluster name)
 */
public record ClientSettings(String clusterName, List<String> addresses, Duration requestTimeout,
    Duration connectTimeout) {

  /** Default cluster name shared by members and clients. */
  public static final String DEFAULT_CLUSTER = "vmgrid";
  /** Default member address. */
  public static final String DEFAULT_ADDRESS = "127.0.0.1:5701";
  /** Default per-request timeout. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
  /** Default time to reach the cluster. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

  /** Validates the settings. */
  public ClientSettings {
    if (clusterName == null || clusterName.isBlank()) {
      throw new InvalidRequestException("clusterName", "clusterName: is required");
    }
    if (addresses == null || addresses.isEmpty()) {
      throw new InvalidRequestException("addresses", "addresses: at least one host:port is required");
    }
    addresses = List.copyOf(addresses);
    for (String a : addresses) {
      String problem = addressProblem("addresses", a);
      if (problem != null) {
        throw new InvalidRequestException("addresses", problem);
      }
    }
    if (requestTimeout == null || requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new InvalidRequestException("requestTimeout", "requestTimeout: must be > 0");
    }
    if (connectTimeout == null || connectTimeout.isNegative() || connectTimeout.isZero()) {
      throw new InvalidRequestException("connectTimeout", "connectTimeout: must be > 0");
    }
  }

  /** Settings with the default connect timeout. */
  public ClientSettings(String clusterName, List<String> addresses, Duration requestTimeout) {
    this(clusterName, addresses, requestTimeout, DEFAULT_CONNECT_TIMEOUT);
  }

  /** Settings for a cluster at {@code addresses} with the defaults otherwise. */
  public static ClientSettings of(String... addresses) {
    return new ClientSettings(DEFAULT_CLUSTER, Arrays.asList(addresses), DEFAULT_TIMEOUT);
  }

  /**
   * What is wrong with {@code address} as a member address ({@code host:port}, {@code host}, or
   * {@code [v6]:port}), as a message starting with {@code field}; null when nothing is.
   */
  public static @Nullable String addressProblem(String field, String address) {
    String a = address.trim();
    String host = a;
    String port = null;
    if (a.startsWith("[")) { // [v6] or [v6]:port
      int close = a.indexOf(']');
      if (close < 0 || (close + 1 < a.length() && a.charAt(close + 1) != ':')) {
        return field + ": '" + address + "' is not HOST:PORT";
      }
      host = a.substring(1, close);
      port = close + 1 < a.length() ? a.substring(close + 2) : null;
    } else if (a.indexOf(':') >= 0 && a.indexOf(':') == a.lastIndexOf(':')) { // one colon: host:port
      host = a.substring(0, a.indexOf(':'));
      port = a.substring(a.indexOf(':') + 1);
    } // several colons without brackets: a bare IPv6 address
    if (host.isEmpty() || host.chars().anyMatch(Character::isWhitespace)) {
      return field + ": '" + address + "' is not HOST:PORT (no host)";
    }
    if (port != null) {
      int p = -1;
      if (!port.isEmpty() && port.length() <= 5 && port.chars().allMatch(Character::isDigit)) {
        p = Integer.parseInt(port);
      }
      if (p < 1 || p > 65_535) {
        return field + ": '" + address + "' is not HOST:PORT (the port must be a number from 1 to"
            + " 65535)";
      }
    }
    return null;
  }

  /**
   * Settings from environment variables: {@code VMGRID_CLUSTER}, {@code VMGRID_ADDRESSES}
   * (comma-separated), {@code VMGRID_TIMEOUT_MS} and {@code VMGRID_CONNECT_TIMEOUT_MS}; defaults
   * where unset or empty. A bad value is refused naming its variable.
   */
  public static ClientSettings fromEnvironment(Map<String, String> env) {
    String cluster = env.getOrDefault("VMGRID_CLUSTER", "").trim();
    List<String> addresses = addresses(env.getOrDefault("VMGRID_ADDRESSES", ""));
    for (String a : addresses) {
      String problem = addressProblem("VMGRID_ADDRESSES", a);
      if (problem != null) {
        throw new InvalidRequestException("VMGRID_ADDRESSES", problem);
      }
    }
    Duration timeout = millis(env, "VMGRID_TIMEOUT_MS");
    Duration connect = millis(env, "VMGRID_CONNECT_TIMEOUT_MS");
    return new ClientSettings(cluster.isEmpty() ? DEFAULT_CLUSTER : cluster,
        addresses.isEmpty() ? List.of(DEFAULT_ADDRESS) : addresses,
        timeout == null ? DEFAULT_TIMEOUT : timeout,
        connect == null ? DEFAULT_CONNECT_TIMEOUT : connect);
  }

  /** The addresses of a comma-separated list, trimmed, empty entries left out. */
  public static List<String> addresses(String commaSeparated) {
    return Arrays.stream(commaSeparated.split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .toList();
  }

  /**
   * The duration in milliseconds in environment variable {@code name}, or null when it is unset or
   * empty; a value that is not a positive whole number is refused naming the variable.
   */
  public static @Nullable Duration millis(Map<String, String> env, String name) {
    String ms = env.getOrDefault(name, "").trim();
    if (ms.isEmpty()) {
      return null;
    }
    long value;
    try {
      value = Long.parseLong(ms);
    } catch (NumberFormatException e) {
      value = -1;
    }
    if (value <= 0) {
      throw new InvalidRequestException(name, name + ": '" + ms + "' is not a positive number of"
          + " milliseconds");
    }
    return Duration.ofMillis(value);
  }
}
