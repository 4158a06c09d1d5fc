package io.vmgrid.rules.build;

import static org.assertj.core.api.Assertions.assertThat;

import com.puppycrawl.tools.checkstyle.Checker;
import com.puppycrawl.tools.checkstyle.ConfigurationLoader;
import com.puppycrawl.tools.checkstyle.PropertiesExpander;
import com.puppycrawl.tools.checkstyle.api.AuditEvent;
import com.puppycrawl.tools.checkstyle.api.AuditListener;
import com.puppycrawl.tools.checkstyle.api.CheckstyleException;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.xml.sax.InputSource;

/**
 * Runs the build's own Checkstyle configuration (the one {@code mvn validate} enforces) on throwaway
 * sources, so that the layering rules are shown to reject what they must and accept what they must.
 */
class LayeringCheckTest {

  @TempDir Path tmp;

  @ParameterizedTest(name = "{0} importing {1} -> violation: {2}")
  @CsvSource({
    "io.vmgrid.rules,                com.hazelcast.core.HazelcastInstance,      true",
    "io.vmgrid.rules.engine,         com.hazelcast.map.IMap,                    true",
    "io.vmgrid.rules,                io.vmgrid.client.AllocationClient,         true",
    "io.vmgrid.rules,                io.vmgrid.scheduler.Policy,                true",
    "io.vmgrid.rules,                java.util.List,                            false",
    "io.vmgrid.scheduler,            com.hazelcast.jet.pipeline.Pipeline,       true",
    "io.vmgrid.scheduler.policy,     com.hazelcast.core.HazelcastInstance,      true",
    "io.vmgrid.scheduler,            io.vmgrid.node.GridNode,                   true",
    "io.vmgrid.scheduler.jet,        com.hazelcast.jet.pipeline.Pipeline,       false",
    "io.vmgrid.scheduler.jet.stages, com.hazelcast.map.IMap,                    false",
    "io.vmgrid.scheduler,            io.vmgrid.rules.Inventory,                 false",
    "io.vmgrid.client,               io.vmgrid.node.GridNode,                   true",
    "io.vmgrid.client,               com.hazelcast.core.HazelcastInstance,      false",
    "io.vmgrid.node,                 com.hazelcast.core.HazelcastInstance,      false",
  })
  void importControlFollowsModuleLayering(String pkg, String imported, boolean violation)
      throws Exception {
    Path source = throwawaySource(pkg, imported);

    List<String> errors = runCheckstyle(source);

    if (violation) {
      assertThat(errors).anySatisfy(e -> assertThat(e).contains("Disallowed import").contains(imported));
    } else {
      assertThat(errors).isEmpty();
    }
  }

  private Path throwawaySource(String pkg, String imported) throws IOException {
    Path dir = tmp.resolve("src/main/java").resolve(pkg.replace('.', '/'));
    Files.createDirectories(dir);
    String simpleName = imported.substring(imported.lastIndexOf('.') + 1);
    Path file = dir.resolve("Throwaway.java");
    Files.writeString(
        file,
        "package " + pkg + ";\n\nimport " + imported + ";\n\n"
            + "final class Throwaway {\n  " + simpleName + " field;\n}\n");
    return file;
  }

  private static List<String> runCheckstyle(Path source) throws CheckstyleException {
    Path configDir = repositoryRoot().resolve("build/checkstyle");
    Properties props = new Properties();
    props.setProperty("config_loc", configDir.toString());
    var config =
        ConfigurationLoader.loadConfiguration(
            new InputSource(configDir.resolve("checkstyle.xml").toUri().toString()),
            new PropertiesExpander(props),
            ConfigurationLoader.IgnoredModulesOptions.OMIT);
    Checker checker = new Checker();
    checker.setModuleClassLoader(Checker.class.getClassLoader());
    checker.configure(config);
    List<String> errors = new ArrayList<>();
    checker.addListener(new CollectingListener(errors));
    try {
      checker.process(List.of(new File(source.toString())));
    } finally {
      checker.destroy();
    }
    return errors;
  }

  static Path repositoryRoot() {
    String root = System.getProperty("vmgrid.root");
    Path candidate = root != null && !root.isBlank() ? Path.of(root) : Path.of("..");
    return candidate.toAbsolutePath().normalize();
  }

  private record CollectingListener(List<String> errors) implements AuditListener {
    @Override public void auditStarted(AuditEvent event) {}

    @Override public void auditFinished(AuditEvent event) {}

    @Override public void fileStarted(AuditEvent event) {}

    @Override public void fileFinished(AuditEvent event) {}

    @Override
    public void addError(AuditEvent event) {
      errors.add(event.getMessage());
    }

    @Override
    public void addException(AuditEvent event, Throwable throwable) {
      errors.add("exception: " + throwable);
    }
  }
}
