package io.vmgrid.node.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/** A command's usage in one line, printed after a usage error instead of the whole help. */
final class Usage {
  private Usage() {}

  /**
   * {@code usage: vmgrid allocate --vm-id VM_ID --tenant TENANT [OPTIONS] (--help: all
   * options)}: the full command path, the required options, the parameters.
   */
  static String hint(CommandLine cmd) {
    CommandSpec spec = cmd.getCommandSpec();
    String[] custom = spec.usageMessage().customSynopsis();
    if (custom.length > 0) {
      List<String> forms = new ArrayList<>();
      for (String line : custom) {
        forms.add(line.strip().replaceFirst("^or: ", ""));
      }
      return "usage: " + String.join("  |  ", forms) + "   (" + spec.qualifiedName(" ")
          + " --help: all options)";
    }
    List<String> parts = new ArrayList<>();
    parts.add(spec.qualifiedName(" "));
    boolean optional = false;
    for (OptionSpec o : spec.options()) {
      if (o.required()) {
        parts.add(o.longestName() + (o.arity().max() > 0 ? " " + label(o.paramLabel()) : ""));
      } else if (!o.usageHelp() && !o.versionHelp() && !o.hidden()) {
        optional = true;
      }
    }
    if (optional) {
      parts.add("[OPTIONS]");
    }
    for (PositionalParamSpec p : spec.positionalParameters()) {
      String label = label(p.paramLabel()) + (p.arity().max() > 1 ? "..." : "");
      parts.add(p.arity().min() == 0 ? "[" + label + "]" : label);
    }
    if (!cmd.getSubcommands().isEmpty()) {
      parts.add("COMMAND");
    }
    return "usage: " + String.join(" ", parts) + "   (" + spec.qualifiedName(" ")
        + " --help: all options)";
  }

  private static String label(String paramLabel) {
    return paramLabel.replace("<", "").replace(">", "").toUpperCase(java.util.Locale.ROOT);
  }
}
