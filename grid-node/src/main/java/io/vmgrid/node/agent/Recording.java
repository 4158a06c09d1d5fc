package io.vmgrid.node.agent;

import com.hazelcast.splitbrainprotection.SplitBrainProtectionException;
import com.hazelcast.map.IMap;
import io.vmgrid.client.api.Reason;
import io.vmgrid.client.wire.Eviction;
import io.vmgrid.client.wire.ForeignEntries;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.client.wire.Placement;
import io.vmgrid.node.commit.Committer;
import io.vmgrid.node.commit.RecordResult;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * An agent's record step: writes the records of its committed VMs (trying the failed calls again),
 * answers each request from what its record step found, and removes the commits that must not
 * stay (a record naming another copy, a request whose placement was released since, a record that
 * could not be written without the quorum). Runs on the agent's thread.
 */
final class Recording {
  private static final Logger LOG = Logger.getLogger(Agent.class.getName());
  /** Tries of a group's record call before its outcome is reported in doubt. */
  private static final int RECORD_ATTEMPTS = 3;

  private final String id;
  private final AgentHost host;
  private final Committer committer;

  Recording(String agentId, AgentHost host, Committer committer) {
    this.id = agentId;
    this.host = host;
    this.committer = committer;
  }

  /** Records committed VMs; releases the commits whose record lost. */
  void record(List<Work> committed) {
    if (committed.isEmpty()) {
      return;
    }
    List<Placement> records = new ArrayList<>(committed.size());
    for (Work w : committed) {
      records.add(Placement.of(w.vm, w.choice().serverId(), w.job.request(), id));
    }
    long r0 = host.clock().nanoTime();
    List<Committer.Attempt<RecordResult>> results = recordWithRetries(records);
    Work.share(committed, r0, host.clock().nanoTime());
    for (int i = 0; i < committed.size(); i++) {
      Work w = committed.get(i);
      RuntimeException e = results.get(i).error();
      if (e != null) {
        // without a quorum nothing was recorded, so the commit can be undone; otherwise the record
        // may exist, and undoing the commit could take away a placement a retry was told of
        failed(w, e, w.added && isNoQuorum(e) ? w.choice().serverId() : "",
            isNoQuorum(e) ? "" : w.choice().serverId(), "recording the commit to "
                + w.choice().serverId());
      } else {
        settle(w, results.get(i).value());
      }
    }
  }

  /**
   * Writes the records; the record is idempotent (a second try finds this request's record if the
   * first wrote it), and its outcome decides whether the commit stays: the failed ones are tried
   * again before giving up.
   */
  private List<Committer.Attempt<RecordResult>> recordWithRetries(List<Placement> records) {
    List<Committer.Attempt<RecordResult>> results = committer.record(records);
    for (int attempt = 1; attempt < RECORD_ATTEMPTS; attempt++) {
      List<Integer> retry = new ArrayList<>();
      for (int i = 0; i < results.size(); i++) {
        RuntimeException e = results.get(i).error();
        if (e != null && !isNoQuorum(e)) {
          retry.add(i);
        }
      }
      if (retry.isEmpty()) {
        break;
      }
      pause(attempt - 1);
      List<Placement> again = new ArrayList<>(retry.size());
      retry.forEach(i -> again.add(records.get(i)));
      List<Committer.Attempt<RecordResult>> second = committer.record(again);
      results = new ArrayList<>(results);
      for (int k = 0; k < retry.size(); k++) {
        results.set(retry.get(k), second.get(k));
      }
    }
    return results;
  }

  /** Answers {@code w} from what its record step found. */
  private void settle(Work w, RecordResult r) {
    String ours = w.choice().serverId();
    if (r.status() == RecordResult.Status.ENDED) {
      // this request's placement was released (or evicted) since: a late copy, or the request
      // sent again; our commit must not stay (a copy the server held already is the
      // reconciler's: the release mark tells it apart)
      if (w.added) {
        releaseEnded(w, ours);
      }
      Eviction evicted = evictedFrom(w, ours);
      if (evicted != null) {
        // placed here, then evicted before the record step: its outcome is that placement, and
        // the eviction log tells the owner it is gone, as it would a moment later
        w.finish(id, AgentOutcome.Status.PLACED, ours, w.choice().clusterId(), Reason.NONE,
            "evicted since from " + ours + " by request " + evicted.byRequestId()
                + " (see the eviction log)");
        return;
      }
      w.finish(id, AgentOutcome.Status.REJECTED, "", "", Reason.REQUEST_ID_REUSED, "requestId: '"
          + w.job.request().requestId() + "' placed VM '" + w.vm.vmId() + "', which was"
          + " released (or evicted) since; a request id places once: send a new one");
      return;
    }
    String recorded = r.record().serverId();
    if ((r.status() == RecordResult.Status.SAME_REQUEST
        || r.status() == RecordResult.Status.RECORDED) && recorded.equals(ours)) {
      w.finish(id, AgentOutcome.Status.PLACED, ours, w.choice().clusterId(), Reason.NONE,
          w.added && !w.victims.isEmpty() ? "evicted " + w.victims.size()
              + " lower-priority VM(s) to fit: " + String.join(", ", w.victims) : "");
      return;
    }
    // the record names another VM of this id; release ours unless it is that VM (the other copy
    // found it on our server and recorded it: one VM of an id per server, of the same shape)
    if (w.added && !recorded.equals(ours)) {
      releaseLoser(w, ours, r);
    }
    if (r.status() == RecordResult.Status.REUSED) {
      w.finish(id, AgentOutcome.Status.REJECTED, "", "", Reason.REQUEST_ID_REUSED,
          String.valueOf(r.record().reusedBy(w.job.request())));
    } else if (r.status() == RecordResult.Status.TAKEN) {
      w.finish(id, AgentOutcome.Status.REJECTED, "", "", Reason.VM_ID_IN_USE, "vmId: '"
          + w.vm.vmId() + "' is already taken by request " + r.record().requestId());
    } else { // another copy of this request was recorded first: that is where the VM is
      w.finish(id, AgentOutcome.Status.PLACED, recorded, host.clusterOf(recorded), Reason.NONE, "");
    }
  }

  /**
   * The eviction log's entry for this request's placement on {@code server}, if the grid evicted
   * it (one read, only on the rare {@code ENDED} answer). A preemption logs its victims before it
   * marks them released, so an eviction that made the record step answer {@code ENDED} is there.
   * Null for a client's release, or an eviction from another server (a request sent again).
   */
  private @Nullable Eviction evictedFrom(Work w, String server) {
    String key = Eviction.key(w.vm.vmId(), server, w.job.request().requestId());
    try {
      IMap<String, Eviction> log = host.hazelcast().getMap(MapNames.EVICTIONS);
      return ForeignEntries.of(host.hazelcast()).value(MapNames.EVICTIONS, key, log.get(key),
          Eviction.class);
    } catch (RuntimeException e) {
      LOG.fine(() -> "agent " + id + ": could not read the eviction log for " + key + ": " + e);
      return null;
    }
  }

  private void releaseEnded(Work w, String server) {
    try {
      committer.release(server, w.vm.vmId());
      LOG.info(() -> "agent " + id + ": " + w.vm.vmId() + " (request "
          + w.job.request().requestId() + ") was released or evicted before this commit to " + server
          + " was recorded; released the commit");
    } catch (RuntimeException e) {
      LOG.warning(() -> "agent " + id + ": could not release " + w.vm.vmId() + " from " + server
          + " (" + e + "), committed after its placement was released; the reconciler does");
    }
  }

  private void releaseLoser(Work w, String server, RecordResult r) {
    try {
      committer.release(server, w.vm.vmId());
      LOG.fine(() -> "agent " + id + ": " + w.vm.vmId() + " was recorded on "
          + r.record().serverId() + " by request " + r.record().requestId()
          + "; released this commit from " + server);
    } catch (RuntimeException e) {
      LOG.warning(() -> "agent " + id + ": " + w.vm.vmId() + " lost its record to "
          + r.record().serverId() + " but could not be released from " + server + " (" + e
          + "); the reconciler releases it");
    }
  }

  /**
   * The answer when a commit or record call failed: {@link Reason#IN_DOUBT}, since the commit was
   * sent and may remain ({@code leftOn}, or wherever the failed call put it). Never
   * {@link Reason#NO_QUORUM}, even when the failure is this side's loss of the quorum: a commit that
   * ran before the split was noticed has its backup, or a retried copy, on the other side's
   * replica, which an undo from this side cannot reach and which the merge brings back (a nemesis
   * run answered NO_QUORUM after a successful undo and found the VM placed after the heal). A
   * commit on {@code undoOn} is still released on this side's copy, so this side holds no capacity
   * for it. The reconciler writes the record of a commit left without one, so a retry with the
   * same request id then finds the placement.
   */
  void failed(Work w, RuntimeException e, String undoOn, String leftOn, String what) {
    String maybeOn = leftOn;
    if (!undoOn.isEmpty()) {
      maybeOn = undoOn;
      try {
        committer.release(undoOn, w.vm.vmId());
      } catch (RuntimeException undo) {
        LOG.warning(() -> "agent " + id + ": " + w.vm.vmId() + " committed on " + undoOn
            + " but neither recorded nor released: " + undo);
      }
    }
    if (!isNoQuorum(e)) {
      LOG.log(Level.WARNING, "agent " + id + ": " + what + " of " + w.vm.vmId() + " failed", e);
    }
    w.finish(id, AgentOutcome.Status.FAILED, maybeOn, "", Reason.IN_DOUBT, what + " failed ("
        + e.getClass().getSimpleName() + ": " + e.getMessage() + "); it may or may not have taken"
        + " effect: ask again with the same requestId to learn the outcome");
  }

  private void pause(int attempt) {
    try {
      host.clock().sleep(100L * (attempt + 1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static boolean isNoQuorum(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SplitBrainProtectionException) {
        return true;
      }
    }
    return false;
  }
}
