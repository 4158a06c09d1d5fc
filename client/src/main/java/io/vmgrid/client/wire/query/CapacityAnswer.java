package io.vmgrid.client.wire.query;

import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import java.util.List;

/**
 * The answer to a capacity query: headroom per template, now and with lower-priority VMs evicted.
 *
 * @param templates one entry per template, in the query's order
 * @param density packing density of the current state
 */
public record CapacityAnswer(List<Entry> templates, double density) implements QueryAnswer {
  /** Copies the list. */
  public CapacityAnswer {
    templates = List.copyOf(templates);
  }

  /**
   * One template's headroom.
   *
   * @param template the template
   * @param headroom how many more fit
   * @param withEvictions how many more would fit if every VM of lower priority were evicted first
   */
  public record Entry(TemplateShape template, HeadroomCount headroom,
      HeadroomCount withEvictions) {}

  static final class Serializer implements CompactSerializer<CapacityAnswer> {
    @Override
    public CapacityAnswer read(CompactReader in) {
      return new CapacityAnswer(Fields.list(in, "templates", Entry.class),
          in.readFloat64("density"));
    }

    @Override
    public void write(CompactWriter out, CapacityAnswer a) {
      out.writeArrayOfCompact("templates", a.templates().toArray(new Entry[0]));
      out.writeFloat64("density", a.density());
    }

    @Override
    public String getTypeName() {
      return "vmgrid.query.CapacityAnswer";
    }

    @Override
    public Class<CapacityAnswer> getCompactClass() {
      return CapacityAnswer.class;
    }
  }

  static final class EntrySerializer implements CompactSerializer<Entry> {
    @Override
    public Entry read(CompactReader in) {
      return new Entry(in.readCompact("template"), in.readCompact("headroom"),
          in.readCompact("withEvictions"));
    }

    @Override
    public void write(CompactWriter out, Entry e) {
      out.writeCompact("template", e.template());
      out.writeCompact("headroom", e.headroom());
      out.writeCompact("withEvictions", e.withEvictions());
    }

    @Override
    public String getTypeName() {
      return "vmgrid.query.CapacityAnswer.Entry";
    }

    @Override
    public Class<Entry> getCompactClass() {
      return Entry.class;
    }
  }
}
