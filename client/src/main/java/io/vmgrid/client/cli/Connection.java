package io.vmgrid.client.cli;

import io.vmgrid.client.api.AllocationClient;
import io.vmgrid.client.api.ClientSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Connection options shared by every client command. Unset options fall back to the environment
 * ({@code VMGRID_CLUSTER}, {@code VMGRID_ADDRESSES}, {@code VMGRID_TIMEOUT_MS}), then to defaults.
 */
public final class Connection {
  @Option(names = "--cluster-name", description = "Cluster to connect to (env VMGRID_CLUSTER; default vmgrid).")
  String clusterName = "";

  @Option(names = "--address", paramLabel = "HOST:PORT",
      description = "A member to connect to, repeatable (env VMGRID_ADDRESSES; default 127.0.0.1:5701).")
  List<String> addresses = new ArrayList<>();

  @Option(names = "--timeout-ms", description = "Per-request timeout in ms (env VMGRID_TIMEOUT_MS; default 30000).")
  long timeoutMs;

  @Option(names = "--json", description = "Print machine-readable JSON instead of text.")
  boolean json;

  /** The settings these options and the environment describe. */
  ClientSettings settings() {
    ClientSettings env = ClientSettings.fromEnvironment(System.getenv());
    return new ClientSettings(
        clusterName.isBlank() ? env.clusterName() : clusterName,
        addresses.isEmpty() ? env.addresses() : addresses,
        timeoutMs > 0 ? Duration.ofMillis(timeoutMs) : env.requestTimeout());
  }

  /** Connects with {@link #settings()}. */
  AllocationClient connect() {
    return AllocationClient.connect(settings());
  }
}
