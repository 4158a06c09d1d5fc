package io.vmgrid.client.wire.query;

import com.hazelcast.config.CompactSerializationConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Registers the Compact serializers of the query answers and arguments, and lists samples. */
public final class QueryWire {
  private QueryWire() {}

  /** Adds every query type's Compact serializer to {@code compact}. */
  public static void register(CompactSerializationConfig compact) {
    compact.addSerializer(new QueryArguments.Serializer());
    compact.addSerializer(new WhatIfStep.Serializer());
    compact.addSerializer(new HeadroomCount.Serializer());
    compact.addSerializer(new TemplateShape.Serializer());
    compact.addSerializer(new ExplainAnswer.Serializer());
    compact.addSerializer(new ExplainAnswer.ValidatorSerializer());
    compact.addSerializer(new ExplainAnswer.CandidateSerializer());
    compact.addSerializer(new CapacityAnswer.Serializer());
    compact.addSerializer(new CapacityAnswer.EntrySerializer());
    compact.addSerializer(new WhatIfAnswer.Serializer());
    compact.addSerializer(new WhatIfAnswer.EntrySerializer());
    compact.addSerializer(new FragmentationAnswer.Serializer());
    compact.addSerializer(new FragmentationAnswer.StrandedSerializer());
    compact.addSerializer(new ConsolidationAnswer.Serializer());
    compact.addSerializer(new ConsolidationAnswer.MoveSerializer());
    compact.addSerializer(new ClustersAnswer.Serializer());
    compact.addSerializer(new ClustersAnswer.ClusterSerializer());
  }

  /** One instance of every query answer type (nested types filled in). */
  public static List<QueryAnswer> answerSamples() {
    TemplateShape t = new TemplateShape("2c4096m", 2, 4_096, false, 1);
    HeadroomCount h = new HeadroomCount(3, Map.of("c", 3L), false, 0.5);
    return List.of(
        new ExplainAnswer(1, 1, List.of(new ExplainAnswer.Validator("r", "SERVER", 0, 0, "")),
            List.of(new ExplainAnswer.Candidate(0, "s", Map.of("p", 1.0))), "s", List.of("vm")),
        new CapacityAnswer(List.of(new CapacityAnswer.Entry(t, h, h)), 0.5),
        new WhatIfAnswer(List.of(new WhatIfAnswer.Entry(t, h, h, h, h)), 0.5, 0.5, 0, 0,
            List.of("n")),
        new FragmentationAnswer(List.of(t), 1, 1, 1, 1,
            List.of(new FragmentationAnswer.Stranded("s", "c", 1, 1))),
        new ConsolidationAnswer(List.of(t), List.of(new ConsolidationAnswer.Move("vm", "s", "s2",
            1, 1)), List.of("s"), 1, 1, 0, 0.5, 0.5),
        new ClustersAnswer(List.of(new ClustersAnswer.Cluster("c", 1, 1, 1, 0, 1, 0, 1))));
  }

  /**
   * One instance of every query type, the nested ones too (each answer with its parts, the
   * arguments with a change).
   */
  public static List<Object> schemaSamples() {
    List<Object> out = new ArrayList<>();
    for (QueryAnswer a : answerSamples()) {
      out.add(a);
      if (a instanceof ExplainAnswer x) {
        out.add(x.validators().get(0));
        out.add(x.top().get(0));
      } else if (a instanceof CapacityAnswer c) {
        out.add(c.templates().get(0));
        out.add(c.templates().get(0).template());
        out.add(c.templates().get(0).headroom());
      } else if (a instanceof WhatIfAnswer w) {
        out.add(w.templates().get(0));
      } else if (a instanceof FragmentationAnswer f) {
        out.add(f.stranded().get(0));
      } else if (a instanceof ConsolidationAnswer c) {
        out.add(c.moves().get(0));
      } else if (a instanceof ClustersAnswer c) {
        out.add(c.clusters().get(0));
      }
    }
    QueryArguments args = argumentsSample();
    out.add(args);
    out.add(args.changes().get(0));
    return out;
  }

  /** Query arguments with one what-if change (nested types filled in). */
  public static QueryArguments argumentsSample() {
    return new QueryArguments(QueryArguments.NOT_GIVEN, 10,
        List.of(WhatIfStep.drain(List.of("s"), true)));
  }
}
