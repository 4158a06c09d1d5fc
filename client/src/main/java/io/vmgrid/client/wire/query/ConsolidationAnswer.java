package io.vmgrid.client.wire.query;

import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import java.util.List;

/**
 * The answer to a consolidation query: a plan of migrations that frees capacity for the templates.
 *
 * @param templates the templates the plan frees capacity for
 * @param moves the migrations, in order
 * @param emptiedServers servers the plan would empty
 * @param usableCoresGained usable free cores after the plan, minus before
 * @param strandedCoresBefore free cores no template can use, before
 * @param strandedCoresAfter the same after the plan
 * @param densityBefore packing density before
 * @param densityAfter packing density after
 */
public record ConsolidationAnswer(List<TemplateShape> templates, List<Move> moves,
    List<String> emptiedServers, long usableCoresGained, long strandedCoresBefore,
    long strandedCoresAfter, double densityBefore, double densityAfter) implements QueryAnswer {
  /** Copies the lists. */
  public ConsolidationAnswer {
    templates = List.copyOf(templates);
    moves = List.copyOf(moves);
    emptiedServers = List.copyOf(emptiedServers);
  }

  /**
   * One migration of the plan.
   *
   * @param vmId the VM
   * @param fromServerId where it is
   * @param toServerId where it goes
   * @param cores its cores
   * @param memoryMb its memory, MiB
   */
  public record Move(String vmId, String fromServerId, String toServerId, long cores,
      long memoryMb) {}

  static final class Serializer implements CompactSerializer<ConsolidationAnswer> {
    @Override
    public ConsolidationAnswer read(CompactReader in) {
      return new ConsolidationAnswer(Fields.list(in, "templates", TemplateShape.class),
          Fields.list(in, "moves", Move.class), Fields.strings(in, "emptiedServers"),
          in.readInt64("usableCoresGained"), in.readInt64("strandedCoresBefore"),
          in.readInt64("strandedCoresAfter"), in.readFloat64("densityBefore"),
          in.readFloat64("densityAfter"));
    }

    @Override
    public void write(CompactWriter out, ConsolidationAnswer a) {
      out.writeArrayOfCompact("templates", a.templates().toArray(new TemplateShape[0]));
      out.writeArrayOfCompact("moves", a.moves().toArray(new Move[0]));
      Fields.strings(out, "emptiedServers", a.emptiedServers());
      out.writeInt64("usableCoresGained", a.usableCoresGained());
      out.writeInt64("strandedCoresBefore", a.strandedCoresBefore());
      out.writeInt64("strandedCoresAfter", a.strandedCoresAfter());
      out.writeFloat64("densityBefore", a.densityBefore());
      out.writeFloat64("densityAfter", a.densityAfter());
    }

    @Override
    public String getTypeName() {
      return "vmgrid.query.ConsolidationAnswer";
    }

    @Override
    public Class<ConsolidationAnswer> getCompactClass() {
      return ConsolidationAnswer.class;
    }
  }

  static final class MoveSerializer implements CompactSerializer<Move> {
    @Override
    public Move read(CompactReader in) {
      return new Move(Fields.string(in, "vmId"), Fields.string(in, "fromServerId"),
          Fields.string(in, "toServerId"), in.readInt64("cores"), in.readInt64("memoryMb"));
    }

    @Override
    public void write(CompactWriter out, Move m) {
      out.writeString("vmId", m.vmId());
      out.writeString("fromServerId", m.fromServerId());
      out.writeString("toServerId", m.toServerId());
      out.writeInt64("cores", m.cores());
      out.writeInt64("memoryMb", m.memoryMb());
    }

    @Override
    public String getTypeName() {
      return "vmgrid.query.ConsolidationAnswer.Move";
    }

    @Override
    public Class<Move> getCompactClass() {
      return Move.class;
    }
  }
}
