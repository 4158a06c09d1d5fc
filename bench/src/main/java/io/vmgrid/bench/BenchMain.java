package io.vmgrid.bench;

import io.vmgrid.bench.e2e.E2eBenchCommand;
import io.vmgrid.bench.grid.GridBenchCommand;
import io.vmgrid.bench.packing.PackingBenchCommand;
import io.vmgrid.bench.rules.RulesBenchCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code vmgrid bench} command: a container of benchmark subcommands ({@code rules},
 * {@code packing}, {@code grid}, {@code e2e}). Exit codes: 0 success, 1 the benchmark failed, 2 bad usage.
 */
@Command(
    name = "vmgrid bench",
    mixinStandardHelpOptions = true,
    version = "vmgrid bench 0.1.0-SNAPSHOT",
    description = "Benchmarks of vmgrid's components; results go to docs/benchmarks/.",
    subcommands = {RulesBenchCommand.class, PackingBenchCommand.class, GridBenchCommand.class,
        E2eBenchCommand.class,
        CommandLine.HelpCommand.class},
    footer = {"", "Exit codes: 0 success, 1 failure, 2 bad usage."})
public final class BenchMain implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand");
  }

  /** Runs the command line and exits with its code. */
  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs the command line and returns its exit code. */
  public static int execute(String... args) {
    return new CommandLine(new BenchMain())
        .setExecutionExceptionHandler(
            (e, cmd, parsed) -> {
              String message = e.getMessage() == null ? e.toString() : e.getMessage();
              cmd.getErr().println("vmgrid bench " + cmd.getCommandName() + ": error: " + message);
              return 1;
            })
        .execute(args);
  }
}
