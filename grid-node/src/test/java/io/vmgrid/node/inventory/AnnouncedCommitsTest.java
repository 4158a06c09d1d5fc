package io.vmgrid.node.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.test.HazelcastTestSupport;
import com.hazelcast.test.TestHazelcastInstanceFactory;
import io.vmgrid.client.wire.ForeignEntries;
import io.vmgrid.client.wire.HostedVm;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.client.wire.ServerState;
import io.vmgrid.node.GridNode;
import io.vmgrid.node.commit.Announced;
import io.vmgrid.node.commit.CommitResult;
import io.vmgrid.node.commit.Committer;
import io.vmgrid.node.commit.PlaceVmProcessor;
import io.vmgrid.node.time.NodeClock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Commits announced by their member ({@link Announced}, {@link ServerView#announce}) reach every
 * member's view without the map's update events; every other update still comes as an event; and
 * a commit whose announcement was lost (its member died first) is read back when a member leaves.
 */
class AnnouncedCommitsTest {
  private static final int SERVERS = 30;
  private final TestHazelcastInstanceFactory factory = new TestHazelcastInstanceFactory(4);
  private final List<ServerView> views = new ArrayList<>();

  @AfterEach
  void tearDown() {
    views.forEach(ServerView::close);
    factory.shutdownAll();
  }

  private HazelcastInstance member() {
    return factory.newHazelcastInstance(
        GridNode.applyGridConfig(HazelcastTestSupport.smallInstanceConfig()));
  }

  private ServerView view(HazelcastInstance hz) {
    ServerView v = new ServerView(hz, Announced.UNMARKED, ForeignEntries.of(hz), NodeClock.system());
    views.add(v);
    return v;
  }

  private static String id(int i) {
    return "srv-" + i;
  }

  private static HostedVm vm(String id) {
    return new HostedVm(id, "t1", 2, 1_024, "r-" + id, "REGULAR", 0L, "", "");
  }

  private static void load(HazelcastInstance hz) {
    IMap<String, ServerState> servers = hz.getMap(MapNames.SERVERS);
    for (int i = 0; i < SERVERS; i++) {
      servers.put(id(i), ServerState.empty(id(i), "c0", 64, 262_144));
    }
  }

  /** Places one VM per server through {@code committer}; the revision each server reached. */
  private static Map<String, Long> placeOnEveryServer(Committer committer, String prefix) {
    List<Committer.Planned> plan = new ArrayList<>();
    for (int i = 0; i < SERVERS; i++) {
      plan.add(new Committer.Planned(id(i), vm(prefix + i)));
    }
    Map<String, Long> revisions = new HashMap<>();
    for (int from = 0; from < SERVERS; from += 10) { // groups of ten, as an agent's group commit
      List<Committer.Planned> group = plan.subList(from, from + 10);
      List<Committer.Attempt<CommitResult>> done = committer.place(group);
      for (int k = 0; k < group.size(); k++) {
        CommitResult r = done.get(k).value();
        assertThat(r.status()).as(group.get(k).serverId()).isEqualTo(CommitResult.Status.PLACED);
        revisions.put(group.get(k).serverId(), r.revision());
      }
    }
    return revisions;
  }

  private static boolean holds(ServerView view, Map<String, Long> revisions) {
    return revisions.entrySet().stream().allMatch(e -> {
      ServerState s = view.get(e.getKey());
      return s != null && s.revision() >= e.getValue();
    });
  }

  private static void awaitHolds(ServerView view, Map<String, Long> revisions) {
    HazelcastTestSupport.assertTrueEventually(
        () -> assertThat(holds(view, revisions)).as("view holds every commit").isTrue(), 30);
  }

  @Test
  void announcedCommitsReachEveryViewWithoutUpdateEventsAndOtherUpdatesStillSendThem() {
    HazelcastInstance first = member();
    load(first);
    ServerView firstView = view(first);
    // the others join with the first view's filtered registration (read before any Compact schema)
    HazelcastInstance[] hz = {first, member(), member()};
    ServerView[] v = {firstView, view(hz[1]), view(hz[2])};
    for (ServerView view : v) {
      assertThat(view.size()).isEqualTo(SERVERS);
    }
    Consumer<ServerState> own = v[0]::apply;
    Committer committer = new Committer(hz[0], own, v[0]::announce);

    Map<String, Long> placed = placeOnEveryServer(committer, "a-");

    for (ServerView view : v) {
      awaitHolds(view, placed);
    }
    for (int m = 1; m < 3; m++) {
      // three groups, so at most three messages; each server's state arrived in one of them
      assertThat(v[m].announcedStates()).as("member %d: states announced to it", m)
          .isEqualTo(SERVERS);
      assertThat(v[m].updateEvents()).as("member %d: update events of announced commits", m)
          .isZero();
    }
    assertThat(v[0].announcedStates()).as("the committing member skips its own").isZero();

    // an update nobody announces (a processor sent without the flag, as moves do) comes as events
    IMap<String, ServerState> servers = hz[2].getMap(MapNames.SERVERS);
    Map<String, Long> moved = new HashMap<>();
    for (int i = 0; i < SERVERS; i++) {
      var r = servers.executeOnKey(id(i),
          new PlaceVmProcessor(Map.of(id(i), List.of(vm("b-" + i))), Map.of(), false));
      moved.put(id(i), r.single().revision());
    }
    for (ServerView view : v) {
      awaitHolds(view, moved);
      HazelcastTestSupport.assertTrueEventually(
          () -> assertThat(view.updateEvents()).isEqualTo(SERVERS), 30);
    }
  }

  @Test
  void aCommitWhoseAnnouncementWasLostIsReadBackWhenAMemberLeaves() {
    HazelcastInstance[] hz = {member(), member(), member(), member()};
    load(hz[0]);
    ServerView[] v = {view(hz[0]), view(hz[1]), view(hz[2])};
    // member 3 commits and "dies" before its announcement goes out: it announces nothing
    Committer committer = new Committer(hz[3], s -> { }, states -> { });

    Map<String, Long> placed = placeOnEveryServer(committer, "a-");

    HazelcastTestSupport.sleepSeconds(1);
    for (ServerView view : v) {
      // the map sent no update event: the commits are not in the views (what makes this test bite)
      assertThat(view.updateEvents()).isZero();
      for (Map.Entry<String, Long> e : placed.entrySet()) {
        assertThat(view.get(e.getKey()).revision()).as(e.getKey()).isLessThan(e.getValue());
      }
    }

    hz[3].getLifecycleService().terminate();

    for (ServerView view : v) {
      awaitHolds(view, placed);
    }
  }
}
