package io.vmgrid.node.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;

/**
 * {@link Locality#pick}: which of a request's ranked candidates an agent commits to. Candidates
 * here are servers 0..size-1 in rank order; a server {@code s} is local when {@code s % members ==
 * mine}.
 */
class LocalityPickTest {
  private static boolean allOpen(int server) {
    return true;
  }

  private static int pick(int size, IntPredicate open, IntPredicate local, int members, int n0,
      long seed) {
    return Locality.pick(size, rank -> rank, open, local, members, n0, new SplittableRandom(seed));
  }

  @Test
  void oneMemberTakesTheBestOpenServer() {
    assertThat(pick(10, LocalityPickTest::allOpen, s -> false, 1, 1, 1)).isZero();
    assertThat(pick(10, s -> s >= 3, s -> false, 1, 1, 1)).isEqualTo(3);
    assertThat(pick(10, s -> false, s -> true, 1, 1, 1)).isEqualTo(-1);
    assertThat(pick(0, LocalityPickTest::allOpen, s -> true, 3, 1, 1)).isEqualTo(-1);
  }

  @Test
  void severalMembersTakeTheBestServerTheyOwnSoTheirChoicesAreDisjoint() {
    int members = 3;
    Set<Integer> chosen = new HashSet<>();
    for (int mine = 0; mine < members; mine++) {
      int m = mine;
      int server = pick(100, LocalityPickTest::allOpen, s -> s % members == m, members, 1, 7);
      assertThat(server).as("member %d", mine).isEqualTo(mine);
      chosen.add(server);
    }
    assertThat(chosen).as("one server per member").hasSize(members);
  }

  @Test
  void closedServersDoNotCountTowardsTheWindow() {
    // the first 50 are excluded or full once this member's commits in flight land; the first open
    // local one further down is still found
    assertThat(pick(100, s -> s >= 50, s -> s == 60, 3, 1, 1)).isEqualTo(60);
  }

  @Test
  void withoutALocalServerInTheWindowAnyOpenServerOfTheWindowAtRandom() {
    int members = 3;
    int window = Locality.WINDOW_PER_MEMBER * members;
    Map<Integer, Integer> counts = new HashMap<>();
    long seed = System.nanoTime();
    System.out.println("LocalityPickTest seed=" + seed);
    SplittableRandom seeds = new SplittableRandom(seed);
    for (int i = 0; i < 3_000; i++) {
      // the only local server is just past the window: not taken
      int server = pick(window + 10, LocalityPickTest::allOpen, s -> s == window, members, 1, seeds.nextLong());
      assertThat(server).isBetween(0, window - 1);
      counts.merge(server, 1, Integer::sum);
    }
    assertThat(counts).as("spread over the window, not piled on the best").hasSize(window);
    assertThat(counts.values()).allSatisfy(c -> assertThat(c).isLessThan(3_000 / window * 2));
  }

  @Test
  void nZeroChoosesAmongThatManyLocalServers() {
    Set<Integer> chosen = new HashSet<>();
    for (long seed = 0; seed < 200; seed++) {
      chosen.add(pick(100, LocalityPickTest::allOpen, s -> s % 3 == 0, 3, 4, seed));
    }
    assertThat(chosen).containsExactlyInAnyOrder(0, 3, 6, 9);
  }
}
