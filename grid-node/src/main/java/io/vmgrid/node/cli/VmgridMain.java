package io.vmgrid.node.cli;

import io.vmgrid.client.api.UnknownServerException;
import io.vmgrid.client.api.UnknownVmException;
import io.vmgrid.client.cli.ClientCommands;
import io.vmgrid.rules.ruleset.RuleSetException;
import io.vmgrid.rules.trace.TraceFormatException;
import io.vmgrid.scheduler.sim.cli.SimCommand;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code vmgrid} command line. Exit codes: 0 success, 1 the command failed (one line on stderr
 * says why), 2 bad usage (an unknown subcommand or option, or a bad value: one line naming the
 * option, and a one-line usage hint), 3 the grid said no (rejected allocation, unknown VM or
 * server).
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
  /** Exit code of a usage error. */
  static final int USAGE = 2;
  /** Exit code when the grid said no. */
  static final int NOT_DONE = 3;
  /** Keeps the configured logger alive: java.util.logging holds loggers only weakly. */
  private static final Logger HAZELCAST_LOG = Logger.getLogger("com.hazelcast");

  @Spec CommandSpec spec;

  private boolean verbose;

  @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
      description = "Show the log: INFO and up (by default members show warnings, the demo writes"
          + " its member's log to a file, and client commands show nothing of it).")
  void verbose(boolean on) {
    verbose = on;
  }

  /** Whether {@code --verbose} was given. */
  boolean verbose() {
    return verbose;
  }

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing subcommand");
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
    VmgridMain main = new VmgridMain();
    CommandLine cli = new CommandLine(main);
    for (Class<?> command : ClientCommands.all()) {
      cli.addSubcommand(command);
    }
    cli.addSubcommand(SimCommand.class);
    return cli
        .setOut(out)
        .setErr(err)
        .setExecutionStrategy(parsed -> {
          HAZELCAST_LOG.setLevel(logLevel(parsed, main.verbose));
          return new CommandLine.RunLast().execute(parsed);
        })
        .setParameterExceptionHandler(VmgridMain::usageError)
        .setExecutionExceptionHandler((e, cmd, parsed) -> failed(e, cmd))
        .execute(args);
  }

  /**
   * Hazelcast's log level for the command {@code parsed} runs: members (node, demo) show warnings,
   * client commands nothing (their failures are reported in one line); INFO with --verbose.
   */
  static Level logLevel(ParseResult parsed, boolean verbose) {
    if (verbose) {
      return Level.INFO;
    }
    List<CommandLine> path = parsed.asCommandLineList();
    CommandSpec leaf = path.get(path.size() - 1).getCommandSpec();
    return leaf.mixins().containsKey("connection") ? Level.OFF : Level.WARNING;
  }

  /** Bad usage: one line saying what is wrong, one line saying how the command is used. */
  private static int usageError(ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    PrintWriter err = cmd.getErr();
    err.println(qualifiedName(cmd) + ": error: " + e.getMessage());
    if (e instanceof UnmatchedArgumentException unmatched) {
      UnmatchedArgumentException.printSuggestions(unmatched, err);
    }
    err.println(Usage.hint(cmd));
    err.flush();
    return USAGE;
  }

  /**
   * A command that threw: a bad value (it names its option) or a bad file given to an option (a
   * missing file, a rule set or trace that does not parse) is a usage error; an unknown VM or
   * server is the grid saying no; anything else failed the command.
   */
  private static int failed(Exception e, CommandLine cmd) {
    Throwable shown = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    PrintWriter err = cmd.getErr();
    String message = shown instanceof NoSuchFileException missing
        ? "file not found: " + missing.getFile()
        : shown.getMessage() == null ? shown.toString() : shown.getMessage();
    err.println(qualifiedName(cmd) + ": error: " + message);
    int code = 1;
    if (shown instanceof IllegalArgumentException || shown instanceof NoSuchFileException
        || shown instanceof RuleSetException || shown instanceof TraceFormatException) {
      err.println(Usage.hint(cmd));
      code = USAGE;
    } else if (shown instanceof UnknownVmException || shown instanceof UnknownServerException) {
      code = NOT_DONE;
    }
    err.flush();
    return code;
  }

  private static String qualifiedName(CommandLine cmd) {
    return cmd.getCommandSpec().qualifiedName(" ");
  }
}
