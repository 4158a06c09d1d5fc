package io.vmgrid.client.api;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.client.impl.management.ClientConnectionProcessListener;
import com.hazelcast.cluster.Address;
import com.hazelcast.config.ListenerConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.core.LifecycleListener;
import io.vmgrid.client.api.ClusterUnreachableException.Attempt;
import io.vmgrid.client.api.ClusterUnreachableException.Cause;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Opens the Hazelcast client under an {@link AllocationClient}: the first connection to the cluster
 * within the connect timeout, and a {@link ClusterUnreachableException} naming each address and
 * what it answered as soon as every address has answered no (refused, unknown host, another
 * cluster name), instead of Hazelcast's retries until its cluster connect timeout.
 *
 * <p>The client starts asynchronously and Hazelcast's connection diagnostics report each attempt;
 * once connected, Hazelcast's own retry settings govern reconnection as before.
 */
final class Connector {
  /** How long a failed address is probed again, on failure only, to tell refused from the rest. */
  static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);

  private final ClientSettings settings;
  private final CountDownLatch decided = new CountDownLatch(1);
  private final Set<String> unknownHosts = new LinkedHashSet<>();
  private final Map<String, Attempt> answers = new LinkedHashMap<>();
  private final Set<String> answeredThisRound = new HashSet<>();
  private final Set<String> pending = new LinkedHashSet<>();
  private List<String> round = List.of();
  private volatile boolean connected;

  private Connector(ClientSettings settings) {
    this.settings = settings;
  }

  /**
   * A Hazelcast client connected to the cluster {@code settings} names, with {@code config}'s
   * settings otherwise; throws {@link ClusterUnreachableException} if none of its members could be
   * reached within the connect timeout.
   */
  static HazelcastInstance open(ClientSettings settings, ClientConfig config) {
    Connector connector = new Connector(settings);
    config.getConnectionStrategyConfig().setAsyncStart(true);
    Events events = connector.new Events();
    config.addListenerConfig(new ListenerConfig(events));
    long deadline = System.nanoTime() + settings.connectTimeout().toNanos();
    HazelcastInstance hz = HazelcastClient.newHazelcastClient(config);
    try {
      connector.decided.await(settings.connectTimeout().toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (connector.connected) {
      // the member list arrives just after the connection: wait for it, within the deadline
      while (hz.getCluster().getMembers().isEmpty() && System.nanoTime() < deadline) {
        sleepMillis(5);
      }
      return hz;
    }
    List<Attempt> attempts = connector.attempts(); // before the shutdown interrupts what is pending
    hz.getLifecycleService().terminate();
    throw new ClusterUnreachableException(settings.clusterName(), attempts);
  }

  /** What each address answered, in the order tried; pending or untried ones timed out. */
  private synchronized List<Attempt> attempts() {
    List<Attempt> out = new ArrayList<>();
    long ms = settings.connectTimeout().toMillis();
    for (String host : unknownHosts) {
      String address = settings.addresses().stream()
          .filter(a -> a.equals(host) || a.startsWith(host + ":")).findFirst().orElse(host);
      out.add(new Attempt(address, Cause.UNKNOWN_HOST, "unknown host"));
    }
    Set<String> addresses = new LinkedHashSet<>(round);
    addresses.addAll(answers.keySet());
    for (String address : addresses) {
      Attempt a = pending.contains(address) ? null : answers.get(address);
      if (a != null && a.cause() == Cause.REFUSED) {
        out.add(probe(address, a));
      } else if (a != null) {
        out.add(a);
      } else {
        out.add(new Attempt(address, Cause.TIMEOUT, pending.contains(address)
            ? "no answer within " + ms + " ms" : "not reached within " + ms + " ms"));
      }
    }
    if (out.isEmpty()) {
      settings.addresses().forEach(a -> out.add(new Attempt(a, Cause.TIMEOUT,
          "not reached within " + ms + " ms")));
    }
    return out;
  }

  /**
   * The failure at {@code address} in words: Hazelcast reports an I/O failure without its kind, so
   * the address is tried once more with a plain socket.
   */
  static Attempt probe(String address, Attempt failed) {
    int colon = address.lastIndexOf(':');
    String host = address.substring(0, colon).replace("[", "").replace("]", "");
    int port = Integer.parseInt(address.substring(colon + 1));
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), (int) PROBE_TIMEOUT.toMillis());
      return new Attempt(address, Cause.CLOSED, "something listens there but the connection"
          + " failed (not a vmgrid member?)");
    } catch (NoRouteToHostException e) {
      return new Attempt(address, Cause.REFUSED, "no route to host");
    } catch (ConnectException e) {
      return new Attempt(address, Cause.REFUSED, "connection refused (is a member running there?)");
    } catch (SocketTimeoutException e) {
      return new Attempt(address, Cause.TIMEOUT, "no answer within " + PROBE_TIMEOUT.toMillis()
          + " ms");
    } catch (UnknownHostException e) {
      return new Attempt(address, Cause.UNKNOWN_HOST, "unknown host");
    } catch (IOException | IllegalArgumentException e) {
      return failed;
    }
  }

  private static void sleepMillis(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String key(Address a) {
    return a.getHost().contains(":") ? "[" + a.getHost() + "]:" + a.getPort()
        : a.getHost() + ":" + a.getPort();
  }

  private synchronized void collected(List<Address> addresses) {
    round = addresses.stream().map(Connector::key).toList();
    answeredThisRound.clear();
    if (round.isEmpty() && !unknownHosts.isEmpty()) {
      decided.countDown(); // no name resolved: nothing to try
    }
  }

  private synchronized void answered(Address address, Cause cause, String detail) {
    String k = key(address);
    pending.remove(k);
    answers.put(k, new Attempt(k, cause, detail));
    answeredThisRound.add(k);
    if (!round.isEmpty() && answeredThisRound.containsAll(round)) {
      decided.countDown(); // every address said no: another round would hear the same
    }
  }

  /** Hazelcast's connection diagnostics and lifecycle events, fed to the connector. */
  private final class Events implements ClientConnectionProcessListener, LifecycleListener {
    @Override
    public void stateChanged(LifecycleEvent event) {
      if (event.getState() == LifecycleEvent.LifecycleState.CLIENT_CONNECTED) {
        connected = true;
        decided.countDown();
      }
    }

    @Override
    public void possibleAddressesCollected(List<Address> addresses) {
      collected(addresses);
    }

    @Override
    public void hostNotFound(String host) {
      synchronized (Connector.this) {
        unknownHosts.add(host);
      }
    }

    @Override
    public void attemptingToConnectToAddress(Address address) {
      synchronized (Connector.this) {
        pending.add(key(address));
        answers.remove(key(address));
      }
    }

    @Override
    public void connectionAttemptFailed(Address target) {
      synchronized (Connector.this) {
        if (answers.containsKey(key(target))) {
          // the attempt's failure was reported more precisely (the member refused this client)
          pending.remove(key(target));
          return;
        }
      }
      answered(target, Cause.REFUSED, "the connection failed");
    }

    @Override
    public void remoteClosedConnection(Address address) {
      answered(address, Cause.CLOSED, "the remote side closed the connection (not a vmgrid"
          + " member?)");
    }

    @Override
    public void credentialsFailed(Address remoteAddress) {
      answered(remoteAddress, Cause.WRONG_CLUSTER_NAME, "a member answered, but its cluster is"
          + " not named '" + settings.clusterName() + "'");
    }

    @Override
    public void clientNotAllowedInCluster(Address remoteAddress) {
      answered(remoteAddress, Cause.NOT_ALLOWED, "a member answered, but does not admit this"
          + " client");
    }
  }
}
