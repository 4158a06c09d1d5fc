package io.vmgrid.node.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.test.HazelcastTestSupport;
import io.vmgrid.client.api.Reason;
import io.vmgrid.client.api.AllocationClient;
import io.vmgrid.client.api.AllocationOutcome;
import io.vmgrid.client.api.ServerSpec;
import io.vmgrid.client.api.VmRequest;
import io.vmgrid.node.Fixtures;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Three grid-node JVMs on loopback and this JVM as the client: under allocation load one member, or
 * two at the same instant, are killed with SIGKILL and restarted. Afterwards every acknowledged placement is present exactly once,
 * no server is over capacity, no claim is left pending and no request is left unanswered.
 */
class KillMemberProcessTest {
  private MemberProcesses processes;
  private final List<Process> members = new ArrayList<>(List.of());

  @AfterEach
  void killAll() throws InterruptedException {
    if (processes != null) {
      processes.close();
    }
  }

  private static int freePort() throws IOException {
    return MemberProcesses.freePort();
  }

  private Process start(String cluster, int port, int metricsPort, List<Integer> all, String name)
      throws IOException {
    return processes.start(cluster, port, metricsPort, all, name, List.of());
  }

  private static int get(String url) throws IOException {
    return MemberProcesses.get(url);
  }

  @Test
  void killNineMidLoadLosesNothingAndDoublesNothing() throws Exception {
    killUnderLoad("killOne", List.of(1));
  }

  /**
   * Two of three members killed at the same instant: the store's two backups mean the survivor
   * holds a replica of every partition, so nothing may be lost; the load goes on through it alone
   * until both are restarted.
   */
  @Test
  void killingTwoOfThreeAtOnceLosesNothingAndDoublesNothing() throws Exception {
    killUnderLoad("killTwo", List.of(1, 2));
  }

  private void killUnderLoad(String name, List<Integer> victims) throws Exception {
    processes = new MemberProcesses();
    long seed = Long.getLong("vmgrid.test.seed", System.nanoTime());
    System.out.println("KillMemberProcessTest " + name + " seed=" + seed);
    Random random = new Random(seed);
    String cluster = "chaos-" + UUID.randomUUID();
    List<Integer> ports = List.of(freePort(), freePort(), freePort());
    List<Integer> httpPorts = List.of(freePort(), freePort(), freePort());
    for (int i = 0; i < 3; i++) {
      members.add(start(cluster, ports.get(i), httpPorts.get(i), ports, "m" + i));
    }
    HazelcastInstance hz = MemberProcesses.client(cluster, ports);
    try (AllocationClient client = AllocationClient.using(hz, Duration.ofSeconds(20))) {
      HazelcastTestSupport.assertTrueEventually(
          () -> assertThat(hz.getCluster().getMembers()).hasSize(3), 120);
      List<ServerSpec> inventory = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        inventory.add(new ServerSpec(String.format("s-%02d", i), "c0", 32, 131_072));
      }
      client.loadInventory(inventory).join();
      // backup count 1 protects against one member's death only once the backups exist: a kill
      // while the third member's partitions are still migrating lost 110 partitions in one run
      HazelcastTestSupport.assertTrueEventually(() -> {
        for (int p : httpPorts) {
          assertThat(get("http://127.0.0.1:" + p + "/health/safe")).as("member on %d", p)
              .isEqualTo(200);
        }
      }, 120);

      int total = 400;
      Semaphore window = new Semaphore(16);
      List<CompletableFuture<AllocationOutcome>> futures = new ArrayList<>();
      for (int i = 0; i < total; i++) {
        if (i == total / 3) {
          for (int v : victims) {
            members.get(v).destroyForcibly(); // SIGKILL, mid-load, all victims at once
          }
          for (int v : victims) {
            members.get(v).waitFor();
          }
        }
        if (i == 2 * total / 3) {
          for (int v : victims) {
            members.set(v, start(cluster, ports.get(v), httpPorts.get(v), ports,
                "m" + v + "-restarted"));
          }
        }
        window.acquireUninterruptibly();
        int cores = 1 + random.nextInt(4);
        futures.add(client.allocate(VmRequest.builder().requestId("r-" + i).vmId("vm-" + i)
            .tenantId("t").cores(cores).memoryMb(1_024).build()).whenComplete((o, e) -> window.release()));
      }
      List<AllocationOutcome> outcomes = futures.stream().map(CompletableFuture::join).toList();

      // a commit the killed member sent just before dying can land after the request was placed
      // again: the departure sweep (5 s and 20 s after the departure) releases that stray copy; a
      // commit whose record the dying agent never wrote gets it from the reconciler
      HazelcastTestSupport.assertTrueEventually(() -> Fixtures.assertInvariants(hz), 60);
      Map<String, String> hostOf = Fixtures.assertInvariants(hz);
      int placed = 0;
      int undecided = 0;
      for (AllocationOutcome o : outcomes) {
        if (o instanceof AllocationOutcome.Placed p) {
          placed++;
          assertThat(hostOf).as("acknowledged %s", p.vmId()).containsEntry(p.vmId(), p.serverId());
        } else if (o instanceof AllocationOutcome.Rejected r) {
          assertThat(hostOf).as("rejected %s holds nothing", r.vmId()).doesNotContainKey(r.vmId());
        } else if (((AllocationOutcome.Failed) o).reason() == Reason.TIMEOUT
            || ((AllocationOutcome.Failed) o).reason() == Reason.IN_DOUBT) {
          undecided++; // may have completed; either way it is placed at most once (checked above)
        } else {
          System.out.println("failed: " + o);
          assertThat(hostOf).as("failed %s holds nothing: %s", o.vmId(), o).doesNotContainKey(o.vmId());
        }
      }
      System.out.printf("%s: placed=%d undecided=%d onServers=%d%n", name, placed, undecided,
          hostOf.size());
      // demand (about 1,000 cores) exceeds what the rules let 20 servers of 32 cores take (about
      // 540 under the 0.85 cluster utilization limit): 200-224 placed in recorded runs, so the
      // minimum only makes sure the kill happened under real load
      assertThat(placed).as("placed of %d", total).isGreaterThan(total / 3);
      // the client sends a request cut off by the kill again, to a survivor: the kill leaves at
      // most a few requests without a definite answer
      assertThat(undecided).as("timed out or in doubt of %d", total).isLessThanOrEqualTo(total / 50);
    } finally {
      hz.shutdown();
      // what the members did about the departure, for the record (and for a failure's diagnosis)
      processes.printLogLines(List.of("re-examined", "took over", "orphaned", "released it from",
          "found on", "repair", "left with"));
    }
  }
}
