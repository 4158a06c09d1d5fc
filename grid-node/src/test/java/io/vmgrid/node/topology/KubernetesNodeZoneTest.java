package io.vmgrid.node.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The zone lookup against a stand-in API server: HTTPS with a certificate of its own (made with
 * the JDK's keytool), trusted through the CA file as a pod trusts the real one, answering
 * {@code GET /api/v1/nodes/NAME} only with the right bearer token.
 */
class KubernetesNodeZoneTest {
  private static final String TOKEN = "t0ken";
  private static final char[] PASSWORD = "changeit".toCharArray();

  @TempDir static Path tmp;
  private static HttpsServer api;
  private static URI uri;
  private static Path caFile;
  private static Path tokenFile;

  @BeforeAll
  static void startApiServer() throws Exception {
    Path keystore = tmp.resolve("api.p12");
    caFile = tmp.resolve("ca.crt");
    keytool("-genkeypair", "-alias", "api", "-keyalg", "RSA", "-keysize", "2048",
        "-dname", "CN=kubernetes", "-ext", "san=ip:127.0.0.1,ip:0:0:0:0:0:0:0:1,dns:localhost", "-validity", "2",
        "-keystore", keystore.toString(), "-storetype", "PKCS12",
        "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD));
    keytool("-exportcert", "-rfc", "-alias", "api", "-keystore", keystore.toString(),
        "-storepass", new String(PASSWORD), "-file", caFile.toString());
    tokenFile = tmp.resolve("token");
    Files.writeString(tokenFile, TOKEN + "\n");

    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      keys.load(in, PASSWORD);
    }
    KeyManagerFactory km = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    km.init(keys, PASSWORD);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(km.getKeyManagers(), null, null);
    api = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    api.setHttpsConfigurator(new HttpsConfigurator(tls));
    Map<String, String> nodes = Map.of(
        "node-a", "{\"kind\":\"Node\",\"metadata\":{\"name\":\"node-a\",\"labels\":{"
            + "\"kubernetes.io/hostname\":\"node-a\",\"topology.kubernetes.io/zone\":\"eu-west-1a\"}}}",
        "node-old", "{\"kind\":\"Node\",\"metadata\":{\"labels\":{"
            + "\"failure-domain.beta.kubernetes.io/zone\":\"us-east-1c\"}}}",
        "node-flat", "{\"kind\":\"Node\",\"metadata\":{\"labels\":{\"kubernetes.io/hostname\":\"x\"}}}");
    api.createContext("/", exchange -> {
      String name = exchange.getRequestURI().getPath().replaceFirst("^/api/v1/nodes/", "");
      String auth = exchange.getRequestHeaders().getFirst("Authorization");
      int status;
      String body;
      if (!("Bearer " + TOKEN).equals(auth)) {
        status = 401;
        body = "{\"kind\":\"Status\",\"reason\":\"Unauthorized\"}";
      } else if (name.equals("secret-node")) {
        status = 403;
        body = "{\"kind\":\"Status\",\"message\":\"nodes \\\"secret-node\\\" is forbidden\"}";
      } else if (nodes.containsKey(name)) {
        status = 200;
        body = nodes.get(name);
      } else {
        status = 404;
        body = "{\"kind\":\"Status\",\"reason\":\"NotFound\"}";
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    });
    api.start();
    String host = api.getAddress().getAddress().getHostAddress();
    uri = URI.create("https://" + (host.contains(":") ? "[" + host + "]" : host) + ":"
        + api.getAddress().getPort());
  }

  @AfterAll
  static void stopApiServer() {
    if (api != null) {
      api.stop(0);
    }
  }

  private static void keytool(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("keytool %s: %s", args[0], out).isZero();
  }

  private static KubernetesNodeZone lookup() {
    return new KubernetesNodeZone(uri, tokenFile, caFile);
  }

  @Test
  void readsTheZoneLabelOfTheNode() {
    assertThat(lookup().zoneOf("node-a")).isEqualTo("eu-west-1a");
    assertThat(lookup().zoneOf("node-old")).as("the older label").isEqualTo("us-east-1c");
  }

  @Test
  void theResolvedGroupIsTheZoneOfTheNodeThePodRunsOn() {
    PartitionGroup group = PartitionGroup.resolve(PartitionGroup.Kind.ZONE,
        Map.of(PartitionGroup.NODE_NAME_VARIABLE, "node-a"), lookup());

    assertThat(group).isEqualTo(new PartitionGroup(PartitionGroup.Kind.ZONE, "eu-west-1a"));
  }

  @Test
  void everyFailureSaysWhatIsMissing() throws IOException {
    assertThatThrownBy(() -> lookup().zoneOf("node-flat"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("node 'node-flat' has no topology.kubernetes.io/zone label")
        .hasMessageContaining("use partitionGroup node");
    assertThatThrownBy(() -> lookup().zoneOf("secret-node"))
        .hasMessageContaining("may not read Node objects")
        .hasMessageContaining("get on nodes")
        .hasMessageContaining("403");
    assertThatThrownBy(() -> lookup().zoneOf("node-z"))
        .hasMessageContaining("there is no node named 'node-z'");
    Path wrongToken = Files.writeString(tmp.resolve("wrong-token"), "expired");
    assertThatThrownBy(() -> new KubernetesNodeZone(uri, wrongToken, caFile).zoneOf("node-a"))
        .hasMessageContaining("did not accept the service-account token");
    assertThatThrownBy(() -> new KubernetesNodeZone(uri, tmp.resolve("none"), caFile).zoneOf("node-a"))
        .hasMessageContaining("no service-account token at");
    assertThatThrownBy(() -> lookup().zoneOf("../../secrets"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a Kubernetes node name");
  }

  @Test
  void aServerWithAnotherCertificateIsNotTrusted() throws Exception {
    Path other = tmp.resolve("other.p12");
    Path otherCa = tmp.resolve("other.crt");
    keytool("-genkeypair", "-alias", "x", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=x",
        "-validity", "2", "-keystore", other.toString(), "-storetype", "PKCS12",
        "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD));
    keytool("-exportcert", "-rfc", "-alias", "x", "-keystore", other.toString(),
        "-storepass", new String(PASSWORD), "-file", otherCa.toString());

    assertThatThrownBy(() -> new KubernetesNodeZone(uri, tokenFile, otherCa).zoneOf("node-a"))
        .hasMessageContaining("cannot reach the Kubernetes API at " + uri);
  }

  @Test
  void inClusterUsesTheServiceEnvironmentAndTheServiceAccountFiles() {
    assertThat(KubernetesNodeZone.inCluster(Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1",
        "KUBERNETES_SERVICE_PORT", "443")).apiServer()).hasToString("https://10.96.0.1:443");
    assertThat(KubernetesNodeZone.inCluster(Map.of("KUBERNETES_SERVICE_HOST", "fd00::1",
        "KUBERNETES_SERVICE_PORT", "6443")).apiServer()).hasToString("https://[fd00::1]:6443");
    assertThat(KubernetesNodeZone.inCluster(Map.of()).apiServer())
        .hasToString("https://kubernetes.default.svc:443");
    if (!Files.exists(KubernetesNodeZone.SERVICE_ACCOUNT.resolve("token"))) { // not in a pod
      assertThatThrownBy(() -> KubernetesNodeZone.inCluster(Map.of()).zoneOf("node-a"))
          .hasMessageContaining("no service-account token at"
              + " /var/run/secrets/kubernetes.io/serviceaccount/token");
    }
  }
}
