package io.vmgrid.node.cli;

import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The {@code vmgrid} command line. Exit codes: 0 success, 1 the command failed (one line on stderr
 * says why), 2 bad usage (unknown subcommand or option; usage is printed).
 */
@Command(
    name = "vmgrid",
    mixinStandardHelpOptions = true,
    version = "vmgrid 0.1.0-SNAPSHOT",
    description = "VM allocation for a cloud availability zone, on a Hazelcast grid.",
    subcommands = {DemoCommand.class, NodeCommand.class, CommandLine.HelpCommand.class},
    footer = {"", "Exit codes: 0 success, 1 failure, 2 bad usage."})
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
    HAZELCAST_LOG.setLevel(Level.WARNING);
    return new CommandLine(new VmgridMain())
        .setExecutionExceptionHandler(
            (e, cmd, parsed) -> {
              String message = e.getMessage() == null ? e.toString() : e.getMessage();
              cmd.getErr().println("vmgrid " + cmd.getCommandName() + ": error: " + message);
              return 1;
            })
        .execute(args);
  }
}
