package io.vmgrid.client.api;

import io.vmgrid.client.wire.query.CapacityAnswer;
import io.vmgrid.client.wire.query.ClustersAnswer;
import io.vmgrid.client.wire.query.ConsolidationAnswer;
import io.vmgrid.client.wire.query.ExplainAnswer;
import io.vmgrid.client.wire.query.FragmentationAnswer;
import io.vmgrid.client.wire.query.HeadroomCount;
import io.vmgrid.client.wire.query.TemplateShape;
import io.vmgrid.client.wire.query.WhatIfAnswer;
import io.vmgrid.client.wire.query.WhatIfStep;
import java.util.List;

/**
 * Turns the members' typed query answers into the client's answer types, and the what-if changes
 * into the steps a member reads.
 */
final class QueryAnswers {
  private QueryAnswers() {}

  static Explanation explanation(ExplainAnswer a) {
    return new Explanation(a.servers(), a.passing(),
        a.validators().stream().map(v -> new Explanation.Validator(v.rule(), v.level(),
            v.failed(), v.removed(), v.sampleReason())).toList(),
        a.top().stream().map(c -> new Explanation.Candidate(c.rank(), c.serverId(), c.scores()))
            .toList(),
        a.preemptServerId(), a.wouldEvict());
  }

  /** The headroom of the one template a capacity query about a request's shape was about. */
  static CapacityHeadroom single(CapacityAnswer a) {
    if (a.templates().size() != 1) {
      throw new GridOperationException(Reason.INTERNAL, "a capacity answer for one request had "
          + a.templates().size() + " templates");
    }
    return headroom(a.templates().get(0).headroom());
  }

  static List<TemplateHeadroom> templates(CapacityAnswer a) {
    return a.templates().stream().map(e -> template(e.template(), e.headroom(),
        e.withEvictions())).toList();
  }

  static WhatIfOutcome whatIf(WhatIfAnswer a) {
    List<WhatIfOutcome.Delta> deltas = a.templates().stream().map(e -> new WhatIfOutcome.Delta(
        template(e.template(), e.before(), e.beforeWithEvictions()), headroom(e.after()),
        headroom(e.afterWithEvictions()))).toList();
    return new WhatIfOutcome(deltas, a.densityBefore(), a.densityAfter(), a.evacuated(),
        a.evacuationFailures(), a.notes());
  }

  static FragmentationSummary fragmentation(FragmentationAnswer a) {
    return new FragmentationSummary(ids(a.templates()), a.freeCores(), a.usableCores(),
        a.strandedServers(), a.strandedServerCores(),
        a.stranded().stream().map(s -> new FragmentationSummary.Server(s.serverId(),
            s.clusterId(), s.freeCores(), s.freeMemoryMb())).toList());
  }

  static ConsolidationProposal consolidation(ConsolidationAnswer a) {
    return new ConsolidationProposal(ids(a.templates()),
        a.moves().stream().map(m -> new ConsolidationProposal.Move(m.vmId(), m.fromServerId(),
            m.toServerId(), m.cores(), m.memoryMb())).toList(),
        a.emptiedServers(), a.usableCoresGained(), a.strandedCoresBefore(),
        a.strandedCoresAfter(), a.densityBefore(), a.densityAfter());
  }

  static List<ClusterUsage> clusters(ClustersAnswer a) {
    return a.clusters().stream().map(c -> new ClusterUsage(c.clusterId(), c.servers(),
        c.placeableServers(), c.cores(), c.usedCores(), c.memoryMb(), c.usedMemoryMb(),
        c.limit())).toList();
  }

  private static TemplateHeadroom template(TemplateShape t, HeadroomCount headroom,
      HeadroomCount withEvictions) {
    return new TemplateHeadroom(t.id(), t.cores(), t.memoryMb(), t.lowPriority(), t.placedNow(),
        headroom(headroom), headroom(withEvictions));
  }

  private static List<String> ids(List<TemplateShape> templates) {
    return templates.stream().map(TemplateShape::id).toList();
  }

  static CapacityHeadroom headroom(HeadroomCount h) {
    return new CapacityHeadroom(h.total(), h.perCluster(), h.capped(), h.densityWhenFull());
  }

  /** The what-if changes as the member reads them. */
  static List<WhatIfStep> changes(List<WhatIfChange> changes) {
    return changes.stream().map(QueryAnswers::step).toList();
  }

  private static WhatIfStep step(WhatIfChange c) {
    if (c instanceof WhatIfChange.ChangeUtilizationLimit x) {
      return WhatIfStep.limitChange(x.delta());
    }
    if (c instanceof WhatIfChange.SetUtilizationLimit x) {
      return WhatIfStep.limit(x.limit(), x.lowPriorityLimit());
    }
    if (c instanceof WhatIfChange.Drain x) {
      return WhatIfStep.drain(x.serverIds(), x.evacuate());
    }
    if (c instanceof WhatIfChange.AddServers x) {
      return WhatIfStep.addServers(x.cluster(), x.machineType(), x.count());
    }
    WhatIfChange.UseRuleSet x = (WhatIfChange.UseRuleSet) c; // the last kind of the sealed type
    return WhatIfStep.ruleSet(x.text(), x.source());
  }
}
