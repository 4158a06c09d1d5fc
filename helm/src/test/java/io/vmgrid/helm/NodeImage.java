package io.vmgrid.helm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The grid node image, built from the repository's Dockerfile with the jar the Maven build made
 * ({@code JAR=prebuilt}) on a JRE base image. The base is the system property
 * {@code vmgrid.containers.jre-image} if set (e.g. {@code eclipse-temurin:17-jre} where a registry
 * can be reached), else one made from Debian's packages by {@code src/test/container/jre-base-image.sh}
 * once and kept under a tag derived from that script.
 */
final class NodeImage {
  static final Path ROOT = Path.of("..");
  static final Path JAR = ROOT.resolve("grid-node/target/vmgrid-node.jar");
  static final String REPOSITORY = "vmgrid-test/vmgrid-node";
  static final String TAG = "test";
  private static final Path BASE_SCRIPT = Path.of("src/test/container/jre-base-image.sh");

  private NodeImage() {}

  /** Builds the image, {@code REPOSITORY:TAG}, and returns how long each part took. */
  static Timings build(Engine engine) {
    if (!Files.isRegularFile(JAR)) {
      throw new AssertionError(JAR.toAbsolutePath().normalize() + " is missing: build it first with"
          + " ./mvnw -pl grid-node -am package (./mvnw verify does)");
    }
    long t0 = System.nanoTime();
    String base = jreBase(engine);
    long t1 = System.nanoTime();
    Engine.Result previous = engine.run(Duration.ofSeconds(30), "image", "inspect", "--format", "{{.Id}}",
        REPOSITORY + ":" + TAG);
    // No network for the build's RUN steps: they need none, and an engine without a bridge has none.
    engine.build(Duration.ofMinutes(10), "--network", "none", "--build-arg", "JAR=prebuilt",
        "--build-arg", "JRE_IMAGE=" + base, "-t", REPOSITORY + ":" + TAG,
        "-f", ROOT.resolve("Dockerfile").toString(), ROOT.toString());
    long t2 = System.nanoTime();
    String built = engine.ok(Duration.ofSeconds(30), "image", "inspect", "--format", "{{.Id}}",
        REPOSITORY + ":" + TAG).strip();
    if (previous.ok() && !previous.out().strip().equals(built)) {
      // The last run's image, now untagged: removed so that runs do not pile up images.
      engine.run(Duration.ofSeconds(60), "image", "rm", previous.out().strip());
    }
    return new Timings(base, Duration.ofNanos(t1 - t0), Duration.ofNanos(t2 - t1));
  }

  /** The base image used, how long getting it took (0 when it was there), and the node image build. */
  record Timings(String base, Duration baseImage, Duration nodeImage) {}

  private static String jreBase(Engine engine) {
    String given = System.getProperty("vmgrid.containers.jre-image", "");
    if (!given.isBlank()) {
      return given;
    }
    String tag = "vmgrid-test/jre17:bookworm-" + sha256(BASE_SCRIPT).substring(0, 12);
    if (!engine.hasImage(tag)) {
      Engine.Result made = Engine.exec(List.of("bash", BASE_SCRIPT.toString(), tag),
          Duration.ofMinutes(15), Map.of("VMGRID_DOCKER", engine.client()));
      if (!made.ok()) {
        throw new AssertionError("Making the JRE base image " + tag + " failed: "
            + (made.err() + made.out()).strip() + "\nWhere a registry can be reached,"
            + " -Dvmgrid.containers.jre-image=eclipse-temurin:17-jre uses the public image instead.");
      }
    }
    return tag;
  }

  private static String sha256(Path file) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
