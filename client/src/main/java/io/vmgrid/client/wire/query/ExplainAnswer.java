package io.vmgrid.client.wire.query;

import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import java.util.List;
import java.util.Map;

/**
 * The answer to an explain query: what each validator removed, the best candidates, and the
 * preemption the request would make when no server passes.
 *
 * @param servers servers in the inventory
 * @param passing servers that pass every validator
 * @param validators each validator's effect, in evaluation order
 * @param top the best candidates, best first
 * @param preemptServerId where evicting lower-priority VMs would make room; empty if none
 * @param wouldEvict the VMs that preemption would evict; empty without one
 */
public record ExplainAnswer(int servers, int passing, List<Validator> validators,
    List<Candidate> top, String preemptServerId, List<String> wouldEvict) implements QueryAnswer {
  /** Copies the lists. */
  public ExplainAnswer {
    validators = List.copyOf(validators);
    top = List.copyOf(top);
    wouldEvict = List.copyOf(wouldEvict);
  }

  /**
   * One validator's effect.
   *
   * @param rule the rule's name
   * @param level {@code CLUSTER} or {@code SERVER}
   * @param failed servers failing it on its own
   * @param removed servers it removed from those the validators before it left
   * @param sampleReason its reason for one removed server; empty if it removed none
   */
  public record Validator(String rule, String level, int failed, int removed,
      String sampleReason) {}

  /**
   * One of the best candidates.
   *
   * @param rank 0 = best
   * @param serverId the server
   * @param scores raw score per preference rule, in priority order
   */
  public record Candidate(int rank, String serverId, Map<String, Double> scores) {
    /** Copies the map, keeping its order. */
    public Candidate {
      scores = Fields.ordered(scores);
    }
  }

  static final class Serializer implements CompactSerializer<ExplainAnswer> {
    @Override
    public ExplainAnswer read(CompactReader in) {
      return new ExplainAnswer(in.readInt32("servers"), in.readInt32("passing"),
          Fields.list(in, "validators", Validator.class), Fields.list(in, "top", Candidate.class),
          Fields.string(in, "preemptServerId"), Fields.strings(in, "wouldEvict"));
    }

    @Override
    public void write(CompactWriter out, ExplainAnswer a) {
      out.writeInt32("servers", a.servers());
      out.writeInt32("passing", a.passing());
      out.writeArrayOfCompact("validators", a.validators().toArray(new Validator[0]));
      out.writeArrayOfCompact("top", a.top().toArray(new Candidate[0]));
      out.writeString("preemptServerId", a.preemptServerId());
      Fields.strings(out, "wouldEvict", a.wouldEvict());
    }

    @Override
    public String getTypeName() {
      return "vmgrid.query.ExplainAnswer";
    }

    @Override
    public Class<ExplainAnswer> getCompactClass() {
      return ExplainAnswer.class;
    }
  }

  static final class ValidatorSerializer implements CompactSerializer<Validator> {
    @Override
    public Validator read(CompactReader in) {
      return new Validator(Fields.string(in, "rule"), Fields.string(in, "level"),
          in.readInt32("failed"), in.readInt32("removed"), Fields.string(in, "sampleReason"));
    }

    @Override
    public void write(CompactWriter out, Validator v) {
      out.writeString("rule", v.rule());
      out.writeString("level", v.level());
      out.writeInt32("failed", v.failed());
      out.writeInt32("removed", v.removed());
      out.writeString("sampleReason", v.sampleReason());
    }

    @Override
    public String getTypeName() {
      return "vmgrid.query.ExplainAnswer.Validator";
    }

    @Override
    public Class<Validator> getCompactClass() {
      return Validator.class;
    }
  }

  static final class CandidateSerializer implements CompactSerializer<Candidate> {
    @Override
    public Candidate read(CompactReader in) {
      return new Candidate(in.readInt32("rank"), Fields.string(in, "serverId"),
          Fields.scores(in, "scores"));
    }

    @Override
    public void write(CompactWriter out, Candidate c) {
      out.writeInt32("rank", c.rank());
      out.writeString("serverId", c.serverId());
      Fields.scores(out, "scores", c.scores());
    }

    @Override
    public String getTypeName() {
      return "vmgrid.query.ExplainAnswer.Candidate";
    }

    @Override
    public Class<Candidate> getCompactClass() {
      return Candidate.class;
    }
  }
}
