package io.vmgrid.node.cli;

import io.vmgrid.client.cli.ClientCommands;
import io.vmgrid.scheduler.sim.cli.SimCommand;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionException;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The {@code vmgrid} command line. Exit codes: 0 success, 1 the command failed (one line on stderr
 * says why), 2 bad usage (unknown subcommand or option; usage is printed), 3 the grid said no
 * (rejected allocation, unknown VM or server).
 */
@Command(
    name = "vmgrid",
    mixinStandardHelpOptions = true,
    version = "vmgrid 0.1.0-SNAPSHOT",
    description = "VM allocation for a cloud availability zone, on a Hazelcast grid.",
    subcommands = {DemoCommand.class, NodeCommand.class, CommandLine.HelpCommand.class},
    footer = {"", "Exit codes: 0 success, 1 failure, 2 bad usage, 3 the grid said no (rejected,"
        + " unknown VM or server)."})
public final class VmgridMain implements Runnable {
  /** Keeps the configured logger alive: java.util.logging holds loggers only weakly. */
  private static final Logger HAZELCAST_LOG = Logger.getLogger("com.hazelcast");

  @Spec CommandSpec spec;

  @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
      description = "Show Hazelcast's own log at INFO level.")
  void verbose(boolean on) {
    HAZELCAST_LOG.setLevel(on ? Level.INFO : Level.WARNING);
  }

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
    return execute(
        new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true),
        new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true),
        args);
  }

  /** Runs the command line with the given output streams and returns its exit code. */
  public static int execute(PrintWriter out, PrintWriter err, String... args) {
    HAZELCAST_LOG.setLevel(Level.WARNING);
    CommandLine cli = new CommandLine(new VmgridMain());
    for (Class<?> command : ClientCommands.all()) {
      cli.addSubcommand(command);
    }
    cli.addSubcommand(SimCommand.class);
    return cli
        .setOut(out)
        .setErr(err)
        .setExecutionExceptionHandler(
            (e, cmd, parsed) -> {
              Throwable shown = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
              String message = shown instanceof java.nio.file.NoSuchFileException missing
                  ? "file not found: " + missing.getFile()
                  : shown.getMessage() == null ? shown.toString() : shown.getMessage();
              cmd.getErr().println("vmgrid " + cmd.getCommandName() + ": error: " + message);
              return 1;
            })
        .execute(args);
  }
}
