package io.vmgrid.node.cli;

import io.vmgrid.node.demo.Demo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.logging.FileHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import picocli.CommandLine.Command;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

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

  @Option(names = "--rate", defaultValue = "200",
      description = "Allocations started per second, so that the latency line shows one"
          + " allocation rather than a queue; 0 starts them as fast as --in-flight allows"
          + " (default ${DEFAULT-VALUE}).")
  double rate;

  /** The root command, for its {@code --verbose}: the member's log printed here, not to a file. */
  @ParentCommand
  @Nullable VmgridMain main;

  @Override
  public Integer call() throws IOException {
    Demo.Settings settings = new Demo.Settings(servers, requests, releaseFraction, seed, workers,
        inFlight, scheduler, rate);
    if (main == null || !main.verbose()) {
      Path log = logToFile();
      System.out.println(
          "vmgrid demo: the member's log is in " + log + " (--verbose prints it here)");
    }
    Demo.Report report = Demo.run(settings, System.out);
    return report.invariantsHold() ? 0 : 1;
  }

  /**
   * Sends every log record to a new file, and only warnings and errors to the console, so that the
   * summary reads without the members' INFO lines in between.
   */
  private static Path logToFile() throws IOException {
    Path log = Files.createTempFile("vmgrid-demo-", ".log");
    Logger root = LogManager.getLogManager().getLogger("");
    for (Handler h : root.getHandlers()) {
      h.setLevel(Level.WARNING);
    }
    FileHandler file = new FileHandler(log.toString(), false);
    file.setFormatter(new SimpleFormatter());
    file.setLevel(Level.ALL);
    root.addHandler(file);
    return log;
  }
}
