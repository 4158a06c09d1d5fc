package io.vmgrid.node.reliability;

import com.hazelcast.core.HazelcastInstance;
import io.vmgrid.client.wire.HostedVm;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.client.wire.Placement;
import io.vmgrid.client.wire.ServerState;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a chaos run knows of each VM a violation names, for the failure message: CI shows the
 * assertion's text and little else, and a violation seen once in many runs is only traced from it.
 * Per VM: every client operation on it (times in ms since the history began, the member it went
 * through, the answer and its server), the nemesis notes from 15 s before the first to 30 s after
 * the last, and what the grid holds at the end (each copy with its request id and when it was
 * placed, its record, its release mark, its repair log entries).
 */
final class ViolationStory {
  private ViolationStory() {}

  /**
   * The story of every VM {@code violations} name (at most {@code maxVms}).
   *
   * @param wallAtStart the wall-clock time (ms) at which the history's clock read 0
   */
  static String of(List<CheckReport.Violation> violations, History history,
      HazelcastInstance reader, long wallAtStart, int maxVms) {
    try {
      return tell(violations, history, EndState.read(reader), reader, wallAtStart, maxVms);
    } catch (RuntimeException e) { // the violations must still be reported
      return "(no story: " + e + ")";
    }
  }

  private static String tell(List<CheckReport.Violation> violations, History history,
      EndState end, HazelcastInstance reader, long wallAtStart, int maxVms) {
    Set<String> vms = new LinkedHashSet<>();
    violations.forEach(v -> vms.add(v.subject()));
    StringBuilder out = new StringBuilder();
    int told = 0;
    for (String vm : vms) {
      if (told++ == maxVms) {
        out.append("(").append(vms.size() - maxVms).append(" more VMs)\n");
        break;
      }
      out.append(story(vm, history, end, reader, wallAtStart));
    }
    return out.toString();
  }

  private static String story(String vm, History history, EndState end, HazelcastInstance reader,
      long wallAtStart) {
    StringBuilder out = new StringBuilder("--- ").append(vm).append('\n');
    long first = Long.MAX_VALUE;
    long last = 0;
    for (History.Operation op : history.operations()) {
      if (!op.vmId().equals(vm)) {
        continue;
      }
      History.Completion c = op.completion();
      first = Math.min(first, op.invokedMillis());
      last = Math.max(last, c == null ? op.invokedMillis() : c.completedMillis());
      out.append(String.format("  %s #%d p%d via %s at %d -> %s%n", op.kind(), op.index(),
          op.process(), op.via(), op.invokedMillis(), c == null ? "open" : c.outcome() + " at "
              + c.completedMillis() + " server '" + c.serverId() + "' " + c.reason() + " "
              + shorten(c.detail())));
    }
    for (String note : history.notes()) {
      long at = Long.parseLong(note.substring(0, note.indexOf(' ')));
      if (at >= first - 15_000 && at <= last + 30_000) {
        out.append("  nemesis ").append(note).append('\n');
      }
    }
    try {
      for (Object value : reader.getMap(MapNames.SERVERS).values()) {
        if (value instanceof ServerState s && s.find(vm) != null) {
          HostedVm h = s.find(vm);
          out.append(String.format("  on %s: request %s placed at %d (history ms)%n",
              s.serverId(), h.requestId(), h.placedAtMillis() - wallAtStart));
        }
      }
      Object record = reader.getMap(MapNames.PLACEMENTS).get(vm);
      out.append("  record: ").append(record instanceof Placement p ? p.serverId() + " request "
          + p.requestId() : String.valueOf(record)).append('\n');
      Object mark = reader.getMap(MapNames.RELEASES).get(vm);
      out.append("  release mark: ").append(mark).append('\n');
    } catch (RuntimeException e) {
      out.append("  (grid not readable: ").append(e).append(")\n");
    }
    List<String> repairs = new ArrayList<>();
    end.repairs().stream().filter(r -> r.vmId().equals(vm))
        .forEach(r -> repairs.add(r.action() + "@" + r.serverId()));
    out.append("  repairs: ").append(repairs).append('\n');
    return out.toString();
  }

  private static String shorten(String detail) {
    return detail.length() <= 160 ? detail : detail.substring(0, 160) + "...";
  }
}
