package io.vmgrid.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmgrid.client.wire.MapNames;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles the Java example of README.md's "Using the client library" section as it stands and runs
 * it against a real member, so the README cannot drift from the API.
 */
class ReadmeExampleTest {
  @TempDir Path tmp;

  @Test
  void readmeClientExampleCompilesAndRuns() throws Exception {
    String readme = Files.readString(Fixtures.repositoryRoot().resolve("README.md"));
    Matcher m = Pattern.compile("## Using the client library\\s+```java\\n(.*?)```", Pattern.DOTALL)
        .matcher(readme);
    assertThat(m.find()).as("README has a java block under 'Using the client library'").isTrue();

    try (GridNode node = GridNode.start(
        GridNodeConfig.builder().port(5871).workers(2).build())) {
      node.loadInventory(Fixtures.servers(1, 8, 32_768));
      String snippet = m.group(1).replace("127.0.0.1:5701", node.clientAddress());
      Path src = tmp.resolve("ReadmeExample.java");
      Files.writeString(src, "import io.vmgrid.client.api.*;\n"
          + "public class ReadmeExample {\n  public static void main(String[] args) {\n"
          + snippet + "\n  }\n}\n");
      JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
      ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
      int rc = javac.run(null, null, diagnostics, "-classpath", System.getProperty("java.class.path"),
          "-d", tmp.toString(), src.toString());
      assertThat(rc).as(diagnostics.toString(StandardCharsets.UTF_8)).isZero();

      PrintStream stdout = System.out;
      ByteArrayOutputStream printed = new ByteArrayOutputStream();
      System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
      try (URLClassLoader loader = new URLClassLoader(new URL[] {tmp.toUri().toURL()},
          getClass().getClassLoader())) {
        Method main = loader.loadClass("ReadmeExample").getMethod("main", String[].class);
        main.invoke(null, (Object) new String[0]);
      } finally {
        System.setOut(stdout);
      }
      assertThat(printed.toString(StandardCharsets.UTF_8)).contains("on srv-000");
      assertThat(node.hazelcast().getMap(MapNames.PLACEMENTS).size()).as("the example released its VM").isZero();
    }
  }
}
