package io.vmgrid.node.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmgrid.node.NodeFile;
import io.vmgrid.store.StoreSettings;
import io.vmgrid.store.StoreSettings.Mode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** The node file's {@code store} section: its keys, its checks, and the flags that override it. */
class NodeStoreConfigTest {
  private static final String URL = "jdbc:postgresql://db:5432/vmgrid";
  private static final String OTHER_URL = "jdbc:postgresql://other:5432/vmgrid";
  /** A file naming a database with every key set. */
  private static final String DATABASE_FILE = """
      store:
        url: jdbc:postgresql://db:5432/vmgrid
        user: vmgrid
        mode: write-behind
        delaySeconds: 5
      """;

  @TempDir Path tmp;

  @Test
  void databaseKeysAreRead() {
    NodeFile file = NodeFile.parse(DATABASE_FILE, "node.yaml");

    assertThat(file.store()).isEqualTo(new NodeFile.StoreKeys(URL, null, "vmgrid", Mode.WRITE_BEHIND, 5));
    assertThat(settings(file)).isEqualTo(StoreSettings.of(URL, "vmgrid", "pw", Mode.WRITE_BEHIND, 5));
  }

  @Test
  void defaultsAreThoseOfTheFlags() {
    NodeFile file = NodeFile.parse("store: {url: " + URL + "}", "node.yaml");

    assertThat(settings(file)).isEqualTo(StoreSettings.of(URL, "", "pw", Mode.WRITE_THROUGH, 1));
    assertThat(settings(NodeFile.parse("store: {url: " + URL + ", mode: write-behind}", "n.yaml")))
        .isEqualTo(StoreSettings.of(URL, "", "pw", Mode.WRITE_BEHIND, 1));
    assertThat(settings(NodeFile.parse("port: 5701", "n.yaml"))).as("no section: memory only").isNull();
    assertThat(settings(NodeFile.parse("store:", "n.yaml"))).as("an empty key: memory only").isNull();
  }

  @Test
  void dataIsTheEmbeddedStore() {
    NodeFile file = NodeFile.parse("store:\n  data: " + tmp + "\n", "node.yaml");

    assertThat(file.store()).isEqualTo(new NodeFile.StoreKeys(null, tmp, null, null, null));
    assertThat(settings(file)).isEqualTo(StoreSettings.embedded(tmp));
  }

  @Test
  void thePasswordIsRefusedInTheFileAndTakenFromTheEnvironment() {
    assertThatThrownBy(() -> NodeFile.parse(DATABASE_FILE + "  password: secret\n", "node.yaml"))
        .hasMessageStartingWith("node.yaml: store.password: unknown key (known: data, delaySeconds,"
            + " mode, url, user); the password is never read from the file: set the environment"
            + " variable VMGRID_STORE_PASSWORD");
    NodeFile file = NodeFile.parse(DATABASE_FILE, "node.yaml");
    NodeCommand command = command();

    assertThat(command.storeSettings(file, null).password()).as("variable unset").isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "{url: " + URL + ", data: /var/lib/vmgrid}        | store.url, store.data: give one",
      "{url: 'jdbc:mysql://db/vmgrid'}                   | store.url: 'jdbc:mysql://db/vmgrid' is not a jdbc:postgresql://host:port/database URL",
      "{url: ''}                                         | store.url: '' is not a jdbc:postgresql://",
      "{url: '" + URL + "?ssl=true&Password=x'}         | store.url: has a password parameter; the password is never read from the file",
      "{url: [a, b]}                                     | store.url: expected a single value",
      "{data: ''}                                        | store.data: must name a directory",
      "{data: /d, user: vmgrid}                          | store.user: applies to store.url only (data is written through)",
      "{data: /d, mode: write-behind}                    | store.mode: applies to store.url only",
      "{user: vmgrid}                                    | store.user: needs store.url",
      "{delaySeconds: 5}                                 | store.delaySeconds: needs store.url",
      "{}                                                | store: needs url (a database) or data (an embedded file)",
      "{url: " + URL + ", mode: fast}                    | store.mode: must be write-through or write-behind (was 'fast')",
      "{url: " + URL + ", delaySeconds: 5}               | store.delaySeconds: applies to mode write-behind only (mode is write-through by default)",
      "{url: " + URL + ", mode: write-through, delaySeconds: 5} | store.delaySeconds: applies to mode write-behind only (mode is write-through)",
      "{url: " + URL + ", mode: write-behind, delaySeconds: 0}   | store.delaySeconds: must be in 1..300 (was 0)",
      "{url: " + URL + ", mode: write-behind, delaySeconds: 301} | store.delaySeconds: must be in 1..300 (was 301)",
      "{url: " + URL + ", mode: write-behind, delaySeconds: soon} | store.delaySeconds: expected a whole number (was 'soon')",
      "{url: " + URL + ", dir: /tmp}                     | store.dir: unknown key (known: data, delaySeconds, mode, url, user)",
      "jdbc:postgresql://db/vmgrid                       | store: expected a mapping",
  })
  void aBadSectionIsRefusedNamingTheKey(String section, String message) {
    assertThatThrownBy(() -> NodeFile.parse("store: " + section, "node.yaml"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("node.yaml: ")
        .hasMessageContaining(message);
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    assertThatThrownBy(() -> NodeFile.parse("""
        workers: many
        store:
          url: jdbc:postgresql://db/vmgrid
          data: /var/lib/vmgrid
          mode: sometimes
          delaySeconds: 0
          password: secret
        """, "node.yaml"))
        .hasMessageStartingWith("node.yaml: ")
        .hasMessageContaining("workers: expected a whole number (was 'many')")
        .hasMessageContaining("store.password: unknown key")
        .hasMessageContaining("store.url, store.data: give one")
        .hasMessageContaining("store.mode: must be write-through or write-behind (was 'sometimes')")
        .hasMessageContaining("store.delaySeconds: must be in 1..300 (was 0)");
  }

  /** Flags over {@link #DATABASE_FILE}: each replaces its key, and --data the whole section. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', nullValues = "-", value = {
      "-                                   | " + URL + "       | vmgrid | WRITE_BEHIND  | 5",
      "--store " + OTHER_URL + "           | " + OTHER_URL + " | vmgrid | WRITE_BEHIND  | 5",
      "--store-user admin                  | " + URL + "       | admin  | WRITE_BEHIND  | 5",
      "--store-delay 9                     | " + URL + "       | vmgrid | WRITE_BEHIND  | 9",
      "--store-mode write-through          | " + URL + "       | vmgrid | WRITE_THROUGH | 1",
      "--store-mode write-behind           | " + URL + "       | vmgrid | WRITE_BEHIND  | 5",
  })
  void flagsOverrideTheFileKeyByKey(@Nullable String flags, String url, String user, Mode mode,
      int delay) {
    NodeCommand command = command(flags == null ? new String[0] : flags.split(" "));

    assertThat(command.storeSettings(NodeFile.parse(DATABASE_FILE, "node.yaml"), "pw"))
        .isEqualTo(StoreSettings.of(url, user, "pw", mode, delay));
  }

  @Test
  void dataOnTheCommandLineReplacesTheFilesDatabase() {
    NodeCommand command = command("--data", tmp.toString());

    assertThat(command.storeSettings(NodeFile.parse(DATABASE_FILE, "node.yaml"), "pw"))
        .isEqualTo(StoreSettings.embedded(tmp));
  }

  @Test
  void aDatabaseOnTheCommandLineReplacesTheFilesData() {
    NodeFile file = NodeFile.parse("store: {data: /var/lib/vmgrid}", "node.yaml");
    NodeCommand command = command("--store", OTHER_URL, "--store-user", "admin");

    assertThat(command.storeSettings(file, "pw"))
        .isEqualTo(StoreSettings.of(OTHER_URL, "admin", "pw", Mode.WRITE_THROUGH, 1));
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "store: {data: /var/lib/vmgrid}         | --store-user admin      | apply to a database (--store or the file's store.url), not to the file's store.data",
      "store: {url: " + URL + "}              | --store-delay 3         | --store-delay: applies to write-behind",
      "store: {url: " + URL + ", mode: write-behind} | --store-mode write-through --store-delay 3 | --store-delay: applies to write-behind",
      "port: 5701                              | --store-mode write-behind | need --store (or store.url in the --config file)",
      "store: {url: " + URL + "}              | --data /d --store " + URL + " | --data and --store: give one",
  })
  void flagsFollowTheSameRulesOverTheFile(String fileText, String flags, String message) {
    NodeCommand command = command(flags.split(" "));
    NodeFile file = NodeFile.parse(fileText, "node.yaml");

    assertThatThrownBy(() -> command.storeSettings(file, "pw"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  @Test
  void aPasswordInTheFileStopsTheNodeAsBadUsage() throws Exception {
    Path config = tmp.resolve("node.yaml");
    Files.writeString(config, DATABASE_FILE + "  password: secret\n");

    StringWriter err = new StringWriter();
    int exit = VmgridMain.execute(new PrintWriter(new StringWriter()), new PrintWriter(err, true),
        "node", "--config", config.toString(), "--metrics-port", "-1");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("vmgrid node: error:").contains("store.password: unknown key")
        .contains("VMGRID_STORE_PASSWORD").doesNotContain("secret");
  }

  private static NodeCommand command(String... args) {
    NodeCommand command = new NodeCommand();
    new CommandLine(command).parseArgs(args);
    return command;
  }

  private static @Nullable StoreSettings settings(NodeFile file) {
    return command().storeSettings(file, "pw");
  }
}
