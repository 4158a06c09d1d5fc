package io.vmgrid.node.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.test.HazelcastTestSupport;
import io.vmgrid.client.api.ServerSpec;
import io.vmgrid.node.Fixtures;
import io.vmgrid.node.reliability.Nemesis.Fault;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Jepsen-style: five grid-node processes, each in its own network namespace (quorum 3, heartbeat
 * timeout 8 s), under continuous allocation and release load from five clients, each bound to one
 * member, while a seeded {@link Nemesis} repeats faults of every kind: minority and majority
 * partitions, a bridge partition, SIGKILL and restart, SIGSTOP and SIGCONT. Between faults the
 * cluster heals and becomes whole again. Every client operation is recorded in a {@link History}
 * (also written to {@code target/chaos-logs/nemesis-*}/history.jsonl); at the end
 * {@link HistoryChecker} judges the grid's state against it and must find no violation: no
 * acknowledged placement lost silently, none doubled, no server over capacity, every indeterminate
 * operation resolved.
 *
 * <p>Seeded: the seed is printed, {@code -Dvmgrid.test.seed=S} replays the fault schedule and the
 * load's choices (not their timing). Length: at least {@code -Dvmgrid.nemesis.faults} faults (5 by
 * default: each kind once, the CI schedule) and at least {@code -Dvmgrid.nemesis.minutes} minutes
 * (0). The long run of docs/reliability.md: {@code -Dvmgrid.nemesis.faults=30
 * -Dvmgrid.nemesis.minutes=10}. Needs {@code ip netns}: see {@link NetnsCluster#requireNetns}.
 */
class NemesisProcessTest {
  /** Members, and the placement quorum (a majority). */
  private static final int MEMBERS = 5;
  private static final int QUORUM = 3;

  @Test
  void seededFaultsUnderContinuousLoadLoseNothing() throws Exception {
    NetnsCluster.requireNetns("NemesisProcessTest");
    long seed = Fixtures.seed("NemesisProcessTest");
    int minFaults = Integer.getInteger("vmgrid.nemesis.faults", Fault.values().length);
    double minMinutes = Double.parseDouble(System.getProperty("vmgrid.nemesis.minutes", "0"));
    // about 5 acknowledged operations a second get through on the 2-core machine even while
    // faults are held; far fewer means the load or the nemesis did not run
    int minAcknowledged = Integer.getInteger("vmgrid.nemesis.minAcknowledged", 100 * minFaults);
    Random random = new Random(seed);
    try (NetnsCluster net = new NetnsCluster("nemesis", MEMBERS, QUORUM, random)) {
      System.out.println("NemesisProcessTest: logs and history in " + net.logs().toAbsolutePath());
      long t0 = System.nanoTime();
      long wallAtStart = System.currentTimeMillis();
      net.startAll();
      try (History history = new History(() -> (System.nanoTime() - t0) / 1_000_000,
              net.logs().resolve("history.jsonl"));
          ChaosLoad load = new ChaosLoad(net, history, seed)) {
        load.connect();
        HazelcastTestSupport.assertTrueEventually(() -> {
          for (int i = 0; i < MEMBERS; i++) {
            assertThat(load.client(i).getCluster().getMembers()).as("seen by client %d", i)
                .hasSize(MEMBERS);
          }
        }, 180);
        List<ServerSpec> inventory = new ArrayList<>();
        // room for the load's ~150 live VMs (~375 cores) several times over: refusals for lack of
        // capacity say something is holding capacity it should not
        for (int i = 0; i < 32; i++) {
          inventory.add(new ServerSpec(String.format("s-%02d", i), "c0", 48, 98_304));
        }
        load.allocationClient(0).loadInventory(inventory).join();
        Nemesis nemesis = new Nemesis(net, load, history, random);
        nemesis.awaitWhole();

        long loadStart = System.nanoTime();
        load.start();
        Thread.sleep(3_000);
        int faults = 0;
        while (faults < minFaults || minutesSince(loadStart) < minMinutes) {
          nemesis.step(faults++);
        }
        Thread.sleep(3_000);
        load.stop();
        double minutes = minutesSince(loadStart);
        history.note("load stopped");

        HazelcastInstance reader = net.clientOfAll();
        CheckReport report = HistoryChecker.check(history.operations(), EndState.read(reader));
        // repairs after the last heal (departure sweeps 5 s and 20 s after a member left, the
        // reconciler's passes) may still be under way: judge the state once it has settled
        long settle = System.nanoTime() + 60_000_000_000L;
        while (!report.violations().isEmpty() && System.nanoTime() < settle) {
          Thread.sleep(3_000);
          report = HistoryChecker.check(history.operations(), EndState.read(reader));
        }
        Map<Fault, Integer> injected = nemesis.injected();
        String head = String.format("seed %d: %d faults %s in %.1f minutes of load%n%s%n",
            seed, faults, injected, minutes, String.join("\n", nemesis.log()));
        // CI shows the failure's text and little else: each violating VM's story goes in it
        String story = report.violations().isEmpty() ? ""
            : ViolationStory.of(report.violations(), history, reader, wallAtStart, 5);
        System.out.println("NemesisProcessTest: " + head + report.summary(50) + "\n" + story);
        Files.writeString(net.logs().resolve("report.txt"),
            head + report.summary(Integer.MAX_VALUE) + "\n" + story, StandardCharsets.UTF_8);

        assertThat(injected.keySet()).as("every kind of fault happened")
            .containsExactlyInAnyOrder(Fault.values());
        assertThat(report.acknowledged()).as("acknowledged operations").isGreaterThanOrEqualTo(
            minAcknowledged);
        // Every violation fails the run. The kinds issue 22 traced to their paths and closed (a
        // released VM present, an allocation answered NO_QUORUM present, a release answered
        // UNKNOWN_VM for a present VM, a VM absent after such a release) are listed apart, since
        // each closed path has its own test; -Dvmgrid.nemesis.strict=false lets only the other
        // kinds (a silent loss, a double placement, over capacity, an unresolved indeterminate
        // operation, ...) fail it, for a run meant to look at the rest.
        List<CheckReport.Violation> open = report.violations().stream()
            .filter(NemesisProcessTest::closedKind).toList();
        List<CheckReport.Violation> hard = report.violations().stream()
            .filter(v -> !closedKind(v)).toList();
        System.out.println("NemesisProcessTest: violations of the kinds closed in issue 22: "
            + open.size() + " " + open);
        assertThat(hard).as("violations (seed %d, history: %s)%n%s", seed,
            net.logs().resolve("history.jsonl"), story).isEmpty();
        if (Boolean.parseBoolean(System.getProperty("vmgrid.nemesis.strict", "true"))) {
          assertThat(open).as("violations of the kinds closed in issue 22 (seed %d, history:"
              + " %s)%n%s", seed, net.logs().resolve("history.jsonl"), story).isEmpty();
        }
      } finally {
        net.printLogLines(List.of("merging to", "repair", "SEVERE", "lost"), 15);
      }
    }
  }

  /**
   * Whether {@code v} is of a kind issue 22 closed path by path: a released VM present again, an
   * allocation answered {@code NO_QUORUM} present, a release answered {@code UNKNOWN_VM} for a
   * present VM, or a VM absent whose release was answered {@code UNKNOWN_VM} (its first attempt,
   * cut off, may have released it).
   */
  static boolean closedKind(CheckReport.Violation v) {
    return switch (v.kind()) {
      case RELEASED_PRESENT, FAILED_HOLDS, UNKNOWN_VM_BUT_PRESENT -> true;
      case LOST -> v.detail().contains("answered UNKNOWN_VM");
      default -> false;
    };
  }

  private static double minutesSince(long startNanos) {
    return (System.nanoTime() - startNanos) / 60e9;
  }
}
