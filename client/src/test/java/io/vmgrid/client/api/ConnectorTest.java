package io.vmgrid.client.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.vmgrid.client.api.ClusterUnreachableException.Cause;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * {@link AllocationClient#connect}: the first connection within the connect timeout, or one
 * {@link ClusterUnreachableException} naming each address and what it answered, as soon as every
 * address has answered no. The members here are plain Hazelcast members on loopback.
 */
class ConnectorTest {
  /** Longer than any failure here may take: a failure that waits for it was not fast. */
  private static final Duration PATIENT = Duration.ofSeconds(30);

  private static ClientSettings settings(String cluster, String address, Duration connect) {
    return new ClientSettings(cluster, List.of(address), Duration.ofSeconds(10), connect);
  }

  private static ClusterUnreachableException failure(ClientSettings settings) {
    Throwable[] thrown = new Throwable[1];
    assertThatThrownBy(() -> AllocationClient.connect(settings).close())
        .isInstanceOfSatisfying(ClusterUnreachableException.class, e -> thrown[0] = e);
    return (ClusterUnreachableException) thrown[0];
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void aRefusedPortFailsAtOnceNamingTheAddress() throws IOException {
    String address = "127.0.0.1:" + freePort();
    long t0 = System.nanoTime();

    ClusterUnreachableException e = failure(settings("vmgrid", address, PATIENT));

    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
    assertThat(e.attempts()).singleElement().satisfies(a -> {
      assertThat(a.address()).isEqualTo(address);
      assertThat(a.cause()).isEqualTo(Cause.REFUSED);
    });
    assertThat(e.getMessage()).isEqualTo("cannot connect to cluster 'vmgrid' at " + address
        + ": connection refused (is a member running there?)").doesNotContain("\n");
  }

  @Test
  void anUnknownHostFailsAtOnce() {
    long t0 = System.nanoTime();

    ClusterUnreachableException e = failure(settings("vmgrid", "no-such-host.invalid:5701",
        PATIENT));

    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
    assertThat(e.getMessage()).isEqualTo(
        "cannot connect to cluster 'vmgrid' at no-such-host.invalid:5701: unknown host");
  }

  @Test
  void aSilentPeerTimesOutAfterTheConnectTimeout() throws IOException {
    List<Socket> accepted = new ArrayList<>();
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread acceptor = new Thread(() -> {
        try {
          while (true) {
            accepted.add(silent.accept()); // and never answer
          }
        } catch (IOException closed) {
          // the test is over
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      String address = "127.0.0.1:" + silent.getLocalPort();
      long t0 = System.nanoTime();

      ClusterUnreachableException e = failure(settings("vmgrid", address,
          Duration.ofMillis(1_500)));

      assertThat(Duration.ofNanos(System.nanoTime() - t0))
          .isBetween(Duration.ofMillis(1_400), Duration.ofSeconds(15));
      assertThat(e.attempts()).singleElement()
          .satisfies(a -> assertThat(a.cause()).isEqualTo(Cause.TIMEOUT));
      assertThat(e.getMessage()).endsWith(address + ": no answer within 1500 ms");
    } finally {
      for (Socket s : accepted) {
        s.close();
      }
    }
  }

  @Test
  void aMemberOfAnotherClusterIsNamedAsSuchAndTheRightNameConnects() {
    String cluster = "right-" + UUID.randomUUID();
    Config config = new Config().setClusterName(cluster);
    config.setProperty("hazelcast.logging.type", "jdk");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.getNetworkConfig().setPort(5961).setPortAutoIncrement(true);
    config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    JoinConfig join = config.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).addMember("127.0.0.1");
    HazelcastInstance member = Hazelcast.newHazelcastInstance(config);
    try {
      String address = "127.0.0.1:" + member.getCluster().getLocalMember().getAddress().getPort();
      long t0 = System.nanoTime();

      ClusterUnreachableException e = failure(settings("wrong", address, PATIENT));

      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
      assertThat(e.attempts()).singleElement()
          .satisfies(a -> assertThat(a.cause()).isEqualTo(Cause.WRONG_CLUSTER_NAME));
      assertThat(e.getMessage()).isEqualTo("cannot connect to cluster 'wrong' at " + address
          + ": a member answered, but its cluster is not named 'wrong'");

      try (AllocationClient client = AllocationClient.connect(settings(cluster, address,
          PATIENT))) {
        assertThat(client.members()).singleElement()
            .satisfies(m -> assertThat(m.address()).isEqualTo(address));
      }
    } finally {
      member.shutdown();
    }
  }
}
