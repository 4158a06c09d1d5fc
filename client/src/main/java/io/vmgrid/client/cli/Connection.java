package io.vmgrid.client.cli;

import io.vmgrid.client.api.AllocationClient;
import io.vmgrid.client.api.ClientSettings;
import io.vmgrid.client.api.InvalidRequestException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * Connection options shared by every client command. An option given on the command line wins;
 * an unset one falls back to its environment variable ({@code VMGRID_CLUSTER}, {@code
 * VMGRID_ADDRESSES}, {@code VMGRID_TIMEOUT_MS}, {@code VMGRID_CONNECT_TIMEOUT_MS}) unless that is
 * empty, then to the default. A bad value is refused naming the option or variable it came from.
 */
public final class Connection {
  @Option(names = "--cluster-name", paramLabel = "NAME",
      description = "Cluster to connect to (env VMGRID_CLUSTER; default vmgrid).")
  String clusterName = "";

  @Option(names = "--address", paramLabel = "HOST:PORT",
      description = "A member to connect to, repeatable (env VMGRID_ADDRESSES, comma-separated;"
          + " default 127.0.0.1:5701).")
  List<String> addresses = new ArrayList<>();

  @Option(names = "--timeout-ms", paramLabel = "MS",
      description = "Per-request timeout (env VMGRID_TIMEOUT_MS; default 30000).")
  @Nullable Long timeoutMs;

  @Option(names = "--connect-timeout-ms", paramLabel = "MS",
      description = "Longest wait to reach the cluster; sooner when every address says no (env"
          + " VMGRID_CONNECT_TIMEOUT_MS; default 5000).")
  @Nullable Long connectTimeoutMs;

  @Option(names = "--json", description = "Print machine-readable JSON instead of text.")
  boolean json;

  /** The settings these options and the process environment describe. */
  ClientSettings settings() {
    return settings(System.getenv());
  }

  /** The settings these options and {@code env} describe. */
  ClientSettings settings(Map<String, String> env) {
    List<String> chosen = new ArrayList<>();
    for (String a : addresses) {
      chosen.addAll(ClientSettings.addresses(a)); // --address a,b works too
    }
    String source = "--address";
    if (chosen.isEmpty()) {
      chosen = ClientSettings.addresses(env.getOrDefault("VMGRID_ADDRESSES", ""));
      source = "VMGRID_ADDRESSES";
    }
    if (chosen.isEmpty()) {
      chosen = List.of(ClientSettings.DEFAULT_ADDRESS);
    }
    for (String a : chosen) {
      String problem = ClientSettings.addressProblem(source, a);
      if (problem != null) {
        throw new InvalidRequestException(source, problem);
      }
    }
    String cluster = clusterName.isBlank() ? env.getOrDefault("VMGRID_CLUSTER", "").trim()
        : clusterName.trim();
    return new ClientSettings(cluster.isEmpty() ? ClientSettings.DEFAULT_CLUSTER : cluster, chosen,
        duration(timeoutMs, "--timeout-ms", env, "VMGRID_TIMEOUT_MS",
            ClientSettings.DEFAULT_TIMEOUT),
        duration(connectTimeoutMs, "--connect-timeout-ms", env, "VMGRID_CONNECT_TIMEOUT_MS",
            ClientSettings.DEFAULT_CONNECT_TIMEOUT));
  }

  private static Duration duration(@Nullable Long flag, String option, Map<String, String> env,
      String variable, Duration fallback) {
    if (flag != null) {
      if (flag <= 0) {
        throw new InvalidRequestException(option, option + ": must be > 0 (was " + flag + ")");
      }
      return Duration.ofMillis(flag);
    }
    Duration fromEnv = ClientSettings.millis(env, variable);
    return fromEnv == null ? fallback : fromEnv;
  }

  /** Connects with {@link #settings()}. */
  AllocationClient connect() {
    return AllocationClient.connect(settings());
  }
}
