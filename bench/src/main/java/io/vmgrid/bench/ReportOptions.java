package io.vmgrid.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * The options every benchmark takes ({@code @Mixin}): the seed of what it generates and the file
 * its JSON report goes to. The report's folder is checked before the benchmark runs, so a long run
 * does not end on a path it cannot write.
 */
public final class ReportOptions {
  @Option(names = "--seed", defaultValue = "42", paramLabel = "N",
      description = "Seed of everything the benchmark generates: inventory, synthetic workload,"
          + " tie-breaks (default ${DEFAULT-VALUE}); printed in its report.")
  long seed;

  @Option(names = "--json", paramLabel = "OUT",
      description = "Also write the report as JSON to OUT (its folder must exist).")
  @Nullable Path json;

  /** The seed ({@code --seed}). */
  public long seed() {
    return seed;
  }

  /** The report's file ({@code --json}), or null when none was asked for. */
  public @Nullable Path json() {
    return json;
  }

  /** The problem with {@code --json}'s folder, or null. */
  public @Nullable String problem() {
    if (json != null) {
      Path parent = json.toAbsolutePath().getParent();
      if (parent != null && !Files.isDirectory(parent)) {
        return "--json: folder " + parent + " does not exist";
      }
    }
    return null;
  }

  /**
   * Writes {@code report} (a record whose components are the document's keys, in order) to
   * {@code --json}, if given, and returns whether it did.
   */
  public boolean write(Object report) throws IOException {
    if (json == null) {
      return false;
    }
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), report);
    return true;
  }
}
