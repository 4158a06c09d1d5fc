package io.vmgrid.helm;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The container engine, driven through its command-line client: {@code $VMGRID_DOCKER}, else
 * {@code /usr/bin/docker} (the distribution's, e.g. Debian's docker.io, whose 20.10 client builds
 * with BuildKit itself, where a newer client elsewhere on the PATH may lack its buildx plugin), else
 * {@code docker} on the PATH. Images are built with BuildKit.
 */
final class Engine {
  /**
   * Value of the system property {@code vmgrid.containers} (or {@code VMGRID_CONTAINERS}) that makes
   * the container tests fail where no engine is reachable, as they do in CI ({@code CI=true});
   * elsewhere they are skipped there.
   */
  static final String REQUIRE = "require";

  private static String unusable = "";
  private final String client;

  /** What one command did. */
  record Result(List<String> command, int exit, String out, String err) {
    boolean ok() {
      return exit == 0;
    }

    /** Standard output, or an error naming the command and what it printed. */
    String orFail() {
      if (!ok()) {
        throw new AssertionError(String.join(" ", command) + ": exit " + exit + ": " + (err + out).strip());
      }
      return out;
    }
  }

  private Engine(String client) {
    this.client = client;
  }

  /**
   * The engine, after checking it answers and that this is root; else null, with the reason in
   * {@link #unusable()}, or, in CI or when required, a failure.
   */
  static Engine find() {
    String env = System.getenv("VMGRID_DOCKER");
    Engine engine = new Engine(env != null && !env.isBlank() ? env
        : Files.isExecutable(Path.of("/usr/bin/docker")) ? "/usr/bin/docker" : "docker");
    String problem;
    try {
      Result version = engine.run(Duration.ofSeconds(30), "version", "--format", "{{.Server.Version}}");
      Result uid = exec(List.of("id", "-u"), Duration.ofSeconds(10), Map.of());
      if (version.ok() && uid.out().strip().equals("0")) {
        return engine;
      }
      problem = version.ok()
          ? "not root: the test adds the pods' loopback addresses and makes its base image with debootstrap"
          : (version.err() + version.out()).strip();
    } catch (UncheckedIOException e) {
      problem = e.getMessage();
    }
    boolean required = "true".equals(System.getenv("CI"))
        || REQUIRE.equals(System.getProperty("vmgrid.containers", System.getenv("VMGRID_CONTAINERS")));
    unusable = "No container engine is usable through '" + engine.client + "' (" + problem
        + "). The container tests build the node image and run a cluster of containers: install"
        + " Docker (Debian's docker.io) and debootstrap and start the daemon as .ci/run does."
        + (required ? " They must run in CI (CI=true) and with -Dvmgrid.containers=" + REQUIRE + "."
            : " Skipped here; CI (CI=true) fails instead.");
    System.err.println("ContainerClusterTest: " + unusable);
    if (required) {
      throw new AssertionError(unusable);
    }
    return null;
  }

  /** Why {@link #find()} found no engine. */
  static String unusable() {
    return unusable;
  }

  /** The client command this engine runs. */
  String client() {
    return client;
  }

  /** Runs {@code client args} and waits for it, at most {@code timeout}. */
  Result run(Duration timeout, String... args) {
    return run(timeout, Map.of(), args);
  }

  /** Runs {@code client args} with extra environment variables. */
  Result run(Duration timeout, Map<String, String> env, String... args) {
    List<String> command = new ArrayList<>(List.of(client));
    command.addAll(List.of(args));
    return exec(command, timeout, env);
  }

  /** Runs {@code client args}; fails unless it succeeds. */
  String ok(Duration timeout, String... args) {
    return run(timeout, args).orFail();
  }

  /** Whether the engine holds the image {@code ref}. */
  boolean hasImage(String ref) {
    return run(Duration.ofSeconds(30), "image", "inspect", "--format", "{{.Id}}", ref).ok();
  }

  /** {@code docker build} with BuildKit; fails naming what to install when the client cannot. */
  void build(Duration timeout, String... args) {
    List<String> all = new ArrayList<>(List.of("build"));
    all.addAll(List.of(args));
    Result result = run(timeout, Map.of("DOCKER_BUILDKIT", "1"), all.toArray(String[]::new));
    if (!result.ok() && result.err().contains("buildx")) {
      throw new AssertionError("'" + client + "' cannot build with BuildKit: " + result.err().strip()
          + "\nInstall its buildx plugin, or set VMGRID_DOCKER to a client that builds with BuildKit"
          + " itself (Docker 20.10's, e.g. Debian's /usr/bin/docker).");
    }
    result.orFail();
  }

  /** Runs any command (not only the client), waiting at most {@code timeout}. */
  static Result exec(List<String> command, Duration timeout, Map<String, String> env) {
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(env);
    builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException(command.get(0) + ": " + e.getMessage(), e);
    }
    CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
    CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + ": did not finish within " + timeout);
      }
      return new Result(List.copyOf(command), process.exitValue(), out.join(), err.join());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new AssertionError("interrupted waiting for " + String.join(" ", command), e);
    }
  }

  private static String read(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
