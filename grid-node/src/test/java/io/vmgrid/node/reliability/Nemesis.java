package io.vmgrid.node.reliability;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeoutException;

/**
 * A seeded fault schedule for a 5-member {@link NetnsCluster} under {@link ChaosLoad}, Jepsen's
 * nemesis: each step injects one {@link Fault}, holds it under load, heals it, and waits until the
 * cluster is whole again (every member running, answering {@code /health/safe}, and every load
 * client, each bound to its own member, seeing all members) before the next. The first
 * {@code Fault.values().length} steps are every kind once, in a seeded order; later steps draw
 * kinds at random. Which members a fault hits is drawn from the same seed, except that the
 * majority partition always takes the current master (the oldest member), which the run observes.
 */
final class Nemesis {
  /** The kinds of fault. */
  enum Fault {
    /** One or two members other than the master cut off from the rest. */
    MINORITY_PARTITION,
    /**
     * The master and one other member cut off: the majority side loses its master and must take
     * over its partitions, and the clients of the two cut members end up in the minority.
     */
    MAJORITY_PARTITION,
    /** Two sides of two members that each still see the fifth, middle member (Jepsen's bridge). */
    BRIDGE_PARTITION,
    /** One member killed with SIGKILL, restarted a few seconds later. */
    KILL_RESTART,
    /** One member stopped with SIGSTOP, continued (SIGCONT) a few seconds later. */
    PAUSE
  }

  /** Longest wait for the cluster to be whole after a heal. */
  static final long WHOLE_TIMEOUT_MILLIS = 240_000;

  private final NetnsCluster net;
  private final ChaosLoad load;
  private final History history;
  private final Random random;
  private final List<Fault> firstRound;
  private final Map<Fault, Integer> injected = new EnumMap<>(Fault.class);
  private final List<String> log = new ArrayList<>();

  /** A nemesis over {@code net}, re-binding {@code load}'s clients, noting into {@code history}. */
  Nemesis(NetnsCluster net, ChaosLoad load, History history, Random random) {
    this.net = net;
    this.load = load;
    this.history = history;
    this.random = random;
    this.firstRound = new ArrayList<>(Arrays.asList(Fault.values()));
    Collections.shuffle(firstRound, random);
  }

  /** The kind of step {@code index}: each kind once first, then at random. */
  Fault kind(int index) {
    return index < firstRound.size() ? firstRound.get(index)
        : Fault.values()[random.nextInt(Fault.values().length)];
  }

  /** Faults injected so far, per kind. */
  Map<Fault, Integer> injected() {
    return new EnumMap<>(injected);
  }

  /** One line per step: the fault, whom it hit, how long, and how long the cluster took to heal. */
  List<String> log() {
    return List.copyOf(log);
  }

  /** Injects step {@code index}'s fault, holds it, heals it, and waits until the cluster is whole. */
  void step(int index) throws IOException, InterruptedException, TimeoutException {
    Fault fault = kind(index);
    List<Integer> all = new ArrayList<>();
    for (int i = 0; i < net.size(); i++) {
      all.add(i);
    }
    int master = master();
    String what = "";
    long held = 0;
    switch (fault) {
      case MINORITY_PARTITION -> {
        List<Integer> others = new ArrayList<>(all);
        others.remove(Integer.valueOf(master));
        Collections.shuffle(others, random);
        List<Integer> minority = List.copyOf(others.subList(0, 1 + random.nextInt(2)));
        held = 9_000L + random.nextInt(6_000);
        what = "cut " + minority + " off from " + rest(all, minority);
        partition(minority, rest(all, minority), what, held);
      }
      case MAJORITY_PARTITION -> {
        List<Integer> others = new ArrayList<>(all);
        others.remove(Integer.valueOf(master));
        List<Integer> minority = List.of(master, others.get(random.nextInt(others.size())));
        held = 9_000L + random.nextInt(6_000);
        what = "cut master " + master + " and " + minority.get(1) + " off from "
            + rest(all, minority);
        partition(minority, rest(all, minority), what, held);
      }
      case BRIDGE_PARTITION -> {
        List<Integer> order = new ArrayList<>(all);
        Collections.shuffle(order, random);
        List<Integer> left = List.copyOf(order.subList(0, 2));
        List<Integer> right = List.copyOf(order.subList(3, 5));
        held = 9_000L + random.nextInt(6_000);
        what = "bridge: " + left + " and " + right + " cut off from each other, both see "
            + order.get(2);
        partition(left, right, what, held);
      }
      case KILL_RESTART -> {
        int victim = random.nextInt(net.size());
        held = 3_000L + random.nextInt(6_000);
        what = "SIGKILL member " + victim + (victim == master ? " (master)" : "")
            + ", restart after";
        note(index, fault, what, held);
        net.kill(victim);
        Thread.sleep(held);
        net.start(victim);
        history.note("restarted member " + victim);
      }
      case PAUSE -> {
        int victim = random.nextInt(net.size());
        held = 3_000L + random.nextInt(9_000);
        what = "SIGSTOP member " + victim + (victim == master ? " (master)" : "")
            + ", SIGCONT after";
        note(index, fault, what, held);
        net.pause(victim);
        Thread.sleep(held);
        net.resume(victim);
        history.note("continued member " + victim);
      }
    }
    long healed = System.nanoTime();
    awaitWhole();
    long wholeMillis = (System.nanoTime() - healed) / 1_000_000;
    history.note("whole again after " + wholeMillis + " ms");
    injected.merge(fault, 1, Integer::sum);
    String line = String.format("%2d %-18s %-62s held %5.1f s, whole %5.1f s later", index,
        fault, what, held / 1000.0, wholeMillis / 1000.0);
    log.add(line);
    System.out.println("Nemesis: " + line);
    Thread.sleep(1_000L + random.nextInt(2_000)); // quiet: load on the whole cluster
  }

  private void partition(List<Integer> side, List<Integer> other, String what, long held)
      throws IOException, InterruptedException {
    net.cut(side, other);
    history.note(what + " for " + held + " ms");
    Thread.sleep(held);
    net.healAll();
    history.note("healed");
  }

  private void note(int index, Fault fault, String what, long held) {
    history.note("fault " + index + " " + fault + ": " + what + " " + held + " ms");
  }

  private static List<Integer> rest(List<Integer> all, List<Integer> side) {
    List<Integer> out = new ArrayList<>(all);
    out.removeAll(side);
    return out;
  }

  /** The oldest member as a load client sees it (the master), or member 0 if none can tell. */
  int master() {
    for (int i = 0; i < net.size(); i++) {
      try {
        Member oldest = load.client(i).getCluster().getMembers().iterator().next();
        int index = net.memberAt(oldest.getAddress().getHost());
        if (index >= 0) {
          return index;
        }
      } catch (RuntimeException e) {
        // this client is reconnecting: ask the next
      }
    }
    return 0;
  }

  /**
   * Waits until every member runs and answers {@code /health/safe}, and every load client is
   * connected to its own member (re-binding one that is not) and sees all members.
   */
  void awaitWhole() throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + WHOLE_TIMEOUT_MILLIS * 1_000_000;
    long patience = System.nanoTime() + 20_000_000_000L;
    String missing = "";
    while (System.nanoTime() < deadline) {
      String now = missing(System.nanoTime() > patience);
      if (now.isEmpty()) {
        return;
      }
      if (!now.equals(missing)) {
        history.note("not whole: " + now);
        missing = now;
      }
      Thread.sleep(500);
    }
    throw new TimeoutException("the cluster was not whole " + WHOLE_TIMEOUT_MILLIS / 1000
        + " s after the heal: " + missing);
  }

  /**
   * What keeps the cluster from being whole, or empty. A client connected to another member than
   * its own is bound to its own again once that member is safe; one connected to none only after
   * {@code patienceOver} (it may be reconnecting to its own member by itself).
   */
  private String missing(boolean patienceOver) {
    for (int i = 0; i < net.size(); i++) {
      if (!net.alive(i)) {
        return "member " + i + " is not running";
      }
    }
    for (int i = 0; i < net.size(); i++) {
      HazelcastInstance hz = load.client(i);
      List<Integer> to = net.connectedTo(hz);
      if (!to.equals(List.of(i))) {
        if ((!to.isEmpty() || patienceOver) && net.safe(i)) {
          history.note("client " + i + " connected to " + to + ": bound again to member " + i);
          load.rebind(i);
        }
        return "client " + i + " is connected to " + to;
      }
      int seen;
      try {
        seen = hz.getCluster().getMembers().size();
      } catch (RuntimeException e) {
        return "client " + i + ": " + e;
      }
      if (seen != net.size()) {
        return "member " + i + " sees " + seen + " members";
      }
    }
    for (int i = 0; i < net.size(); i++) {
      if (!net.safe(i)) {
        return "member " + i + " is not safe";
      }
    }
    return "";
  }
}
