package io.vmgrid.client.api;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * How to reach a vmgrid cluster.
 *
 * @param clusterName the Hazelcast cluster name (default {@code vmgrid})
 * @param addresses member addresses as {@code host:port}
 * @param requestTimeout how long an operation may take before it fails with {@code TIMEOUT}
 */
public record ClientSettings(String clusterName, List<String> addresses, Duration requestTimeout) {

  /** Default cluster name shared by members and clients. */
  public static final String DEFAULT_CLUSTER = "vmgrid";
  /** Default member address. */
  public static final String DEFAULT_ADDRESS = "127.0.0.1:5701";
  /** Default per-request timeout. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

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
      if (a.isBlank() || a.contains(" ")) {
        throw new InvalidRequestException("addresses", "addresses: '" + a + "' is not host:port");
      }
    }
    if (requestTimeout == null || requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new InvalidRequestException("requestTimeout", "requestTimeout: must be > 0");
    }
  }

  /** Settings for a cluster at {@code addresses} with the defaults otherwise. */
  public static ClientSettings of(String... addresses) {
    return new ClientSettings(DEFAULT_CLUSTER, Arrays.asList(addresses), DEFAULT_TIMEOUT);
  }

  /**
   * Settings from environment variables: {@code VMGRID_CLUSTER}, {@code VMGRID_ADDRESSES}
   * (comma-separated) and {@code VMGRID_TIMEOUT_MS}; defaults where unset.
   */
  public static ClientSettings fromEnvironment(Map<String, String> env) {
    String cluster = env.getOrDefault("VMGRID_CLUSTER", DEFAULT_CLUSTER);
    List<String> addresses =
        Arrays.stream(env.getOrDefault("VMGRID_ADDRESSES", DEFAULT_ADDRESS).split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .toList();
    Duration timeout = DEFAULT_TIMEOUT;
    String ms = env.get("VMGRID_TIMEOUT_MS");
    if (ms != null) {
      try {
        timeout = Duration.ofMillis(Long.parseLong(ms.trim()));
      } catch (NumberFormatException e) {
        throw new InvalidRequestException(
            "VMGRID_TIMEOUT_MS", "VMGRID_TIMEOUT_MS: '" + ms + "' is not a number of milliseconds");
      }
    }
    return new ClientSettings(cluster, addresses, timeout);
  }
}
