package io.vmgrid.node.cli;

import io.vmgrid.node.demo.Demo;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vmgrid demo}: an embedded one-member cluster, a generated inventory and workload. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description =
        "Start an embedded one-member cluster on loopback, load a generated inventory, allocate VMs through a real client, release some, and print a summary.")
final class DemoCommand implements Callable<Integer> {
  @Option(names = "--scheduler", paramLabel = "POLICY", defaultValue = "kamino-request",
      description = "Policy of the scheduler job that routes allocations to agents (kamino-request,"
          + " kamino-rule, round-robin, random, jsq, power-of-two, bounded-hash, hash-ws), or direct"
          + " for no job (default ${DEFAULT-VALUE}).")
  String scheduler = "kamino-request";

  @Option(names = "--servers", defaultValue = "64", description = "Servers in the inventory (default ${DEFAULT-VALUE}).")
  int servers;

  @Option(names = "--requests", defaultValue = "600", description = "VM requests to allocate (default ${DEFAULT-VALUE}).")
  int requests;

  @Option(names = "--release-fraction", defaultValue = "0.25",
      description = "Share of placed VMs to release afterwards, 0..1 (default ${DEFAULT-VALUE}).")
  double releaseFraction;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of inventory and workload (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--workers", defaultValue = "4", description = "Request threads on the member (default ${DEFAULT-VALUE}).")
  int workers;

  @Option(names = "--in-flight", defaultValue = "32", description = "Most requests outstanding at once (default ${DEFAULT-VALUE}).")
  int inFlight;

  @Override
  public Integer call() {
    Demo.Report report =
        Demo.run(new Demo.Settings(servers, requests, releaseFraction, seed, workers, inFlight,
            scheduler), System.out);
    return report.invariantsHold() ? 0 : 1;
  }
}
