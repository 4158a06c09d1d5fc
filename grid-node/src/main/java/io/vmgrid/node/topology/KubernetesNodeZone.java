package io.vmgrid.node.topology;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The zone of a Kubernetes node, read from the API server with the pod's service-account token:
 * {@code GET /api/v1/nodes/NAME}, label {@code topology.kubernetes.io/zone} (or the older
 * {@code failure-domain.beta.kubernetes.io/zone}). Node labels are not in the downward API, so a
 * pod cannot be handed its zone the way it is handed its node's name.
 *
 * <p>Needs the token mounted and a ClusterRole allowing {@code get} on {@code nodes} bound to the
 * pod's service account; the chart provides both with {@code node.partitionGroup: zone}. Asked
 * once, when the member starts; any failure says what is missing and stops the start.
 */
public final class KubernetesNodeZone implements ZoneLookup {
  /** Where Kubernetes mounts a pod's service-account token and the cluster's CA certificate. */
  public static final Path SERVICE_ACCOUNT = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");
  /** The node labels that name its zone, the current one first. */
  public static final List<String> ZONE_LABELS =
      List.of("topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone");
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  /** A Kubernetes node name: a DNS subdomain (also keeps the request path what it should be). */
  private static final Pattern NODE_NAME =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final int BODY_SHOWN = 300;

  private final URI apiServer;
  private final Path token;
  private final Path caCertificate;

  /**
   * Asks the API server at {@code apiServer} (https) with the bearer token in file {@code token},
   * trusting the CA certificates (PEM) in {@code caCertificate}.
   */
  public KubernetesNodeZone(URI apiServer, Path token, Path caCertificate) {
    this.apiServer = apiServer;
    this.token = token;
    this.caCertificate = caCertificate;
  }

  /**
   * The API server as a pod reaches it: {@code KUBERNETES_SERVICE_HOST} and
   * {@code KUBERNETES_SERVICE_PORT} from {@code env} (Kubernetes sets them in every container), else
   * {@code kubernetes.default.svc:443}; the pod's own token and CA certificate.
   */
  public static KubernetesNodeZone inCluster(Map<String, String> env) {
    String host = env.getOrDefault("KUBERNETES_SERVICE_HOST", "kubernetes.default.svc");
    String port = env.getOrDefault("KUBERNETES_SERVICE_PORT", "443");
    String authority = host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
    return new KubernetesNodeZone(URI.create("https://" + authority), SERVICE_ACCOUNT.resolve("token"),
        SERVICE_ACCOUNT.resolve("ca.crt"));
  }

  /** The API server asked. */
  URI apiServer() {
    return apiServer;
  }

  @Override
  public String zoneOf(String nodeName) {
    if (!NODE_NAME.matcher(nodeName).matches()) {
      throw new IllegalArgumentException("partitionGroup zone: '" + nodeName
          + "' is not a Kubernetes node name");
    }
    URI uri = apiServer.resolve("/api/v1/nodes/" + nodeName);
    HttpResponse<String> response = get(uri);
    String why = switch (response.statusCode()) {
      case 200 -> "";
      case 401 -> "the API server did not accept the service-account token";
      case 403 -> "the pod's service account may not read Node objects: it needs a ClusterRole with"
          + " get on nodes (the chart creates one with node.partitionGroup=zone and rbac.create=true)";
      case 404 -> "there is no node named '" + nodeName + "'";
      default -> "HTTP " + response.statusCode();
    };
    if (!why.isEmpty()) {
      String body = response.body();
      throw new IllegalStateException("partitionGroup zone: GET " + uri + ": " + why + " ("
          + response.statusCode() + ": "
          + (body.length() > BODY_SHOWN ? body.substring(0, BODY_SHOWN) + "..." : body).strip() + ")");
    }
    JsonNode labels;
    try {
      labels = new ObjectMapper().readTree(response.body()).path("metadata").path("labels");
    } catch (IOException e) {
      throw new IllegalStateException("partitionGroup zone: GET " + uri + ": not a Node object: "
          + e.getMessage(), e);
    }
    for (String label : ZONE_LABELS) {
      String zone = labels.path(label).asText("").strip();
      if (!zone.isEmpty()) {
        return zone;
      }
    }
    throw new IllegalStateException("partitionGroup zone: node '" + nodeName + "' has no "
        + ZONE_LABELS.get(0) + " label, so the cluster has no zones to spread over; use"
        + " partitionGroup node");
  }

  private HttpResponse<String> get(URI uri) {
    String bearer;
    try {
      bearer = Files.readString(token).strip();
    } catch (IOException e) {
      throw new IllegalStateException("partitionGroup zone: no service-account token at " + token
          + " (" + e + "); the pod must mount it (the chart does with node.partitionGroup=zone)", e);
    }
    HttpClient http = HttpClient.newBuilder().sslContext(trusting(caCertificate))
        .connectTimeout(TIMEOUT).build();
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(TIMEOUT)
        .header("Authorization", "Bearer " + bearer)
        .header("Accept", "application/json").GET().build();
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException("partitionGroup zone: cannot reach the Kubernetes API at "
          + apiServer + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("partitionGroup zone: interrupted asking " + uri, e);
    }
  }

  /** TLS that trusts exactly the CA certificates in {@code pem}. */
  private static SSLContext trusting(Path pem) {
    try (InputStream in = Files.newInputStream(pem)) {
      KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
      trusted.load(null, null);
      int i = 0;
      for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        trusted.setCertificateEntry("ca-" + i++, certificate);
      }
      if (i == 0) {
        throw new IllegalStateException("partitionGroup zone: no certificate in " + pem);
      }
      TrustManagerFactory trust = TrustManagerFactory.getInstance(
          TrustManagerFactory.getDefaultAlgorithm());
      trust.init(trusted);
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(null, trust.getTrustManagers(), null);
      return tls;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("partitionGroup zone: cannot read the cluster's CA"
          + " certificate " + pem + ": " + e, e);
    }
  }
}
