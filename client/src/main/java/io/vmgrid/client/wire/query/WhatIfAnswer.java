package io.vmgrid.client.wire.query;

import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import java.util.List;

/**
 * The answer to a what-if query: headroom per template before and after the changes.
 *
 * @param templates one entry per template, in the query's order
 * @param densityBefore packing density of the current state
 * @param densityAfter the same with the changes applied
 * @param evacuated VMs of drained servers re-placed elsewhere
 * @param evacuationFailures VMs of drained servers that found no other server
 * @param notes one line per change saying what it did
 */
public record WhatIfAnswer(List<Entry> templates, double densityBefore, double densityAfter,
    int evacuated, int evacuationFailures, List<String> notes) implements QueryAnswer {
  /** Copies the lists. */
  public WhatIfAnswer {
    templates = List.copyOf(templates);
    notes = List.copyOf(notes);
  }

  /**
   * One template's headroom before and after, without and with evictions of lower priority.
   *
   * @param template the template
   * @param before how many more fit now
   * @param beforeWithEvictions the same if every VM of lower priority were evicted first
   * @param after how many more fit with the changes applied
   * @param afterWithEvictions the same if every VM of lower priority were evicted first
   */
  public record Entry(TemplateShape template, HeadroomCount before,
      HeadroomCount beforeWithEvictions, HeadroomCount after, HeadroomCount afterWithEvictions) {}

  static final class Serializer implements CompactSerializer<WhatIfAnswer> {
    @Override
    public WhatIfAnswer read(CompactReader in) {
      return new WhatIfAnswer(Fields.list(in, "templates", Entry.class),
          in.readFloat64("densityBefore"), in.readFloat64("densityAfter"),
          in.readInt32("evacuated"), in.readInt32("evacuationFailures"),
          Fields.strings(in, "notes"));
    }

    @Override
    public void write(CompactWriter out, WhatIfAnswer a) {
      out.writeArrayOfCompact("templates", a.templates().toArray(new Entry[0]));
      out.writeFloat64("densityBefore", a.densityBefore());
      out.writeFloat64("densityAfter", a.densityAfter());
      out.writeInt32("evacuated", a.evacuated());
      out.writeInt32("evacuationFailures", a.evacuationFailures());
      Fields.strings(out, "notes", a.notes());
    }

    @Override
    public String getTypeName() {
      return "vmgrid.query.WhatIfAnswer";
    }

    @Override
    public Class<WhatIfAnswer> getCompactClass() {
      return WhatIfAnswer.class;
    }
  }

  static final class EntrySerializer implements CompactSerializer<Entry> {
    @Override
    public Entry read(CompactReader in) {
      return new Entry(in.readCompact("template"), in.readCompact("before"),
          in.readCompact("beforeWithEvictions"), in.readCompact("after"),
          in.readCompact("afterWithEvictions"));
    }

    @Override
    public void write(CompactWriter out, Entry e) {
      out.writeCompact("template", e.template());
      out.writeCompact("before", e.before());
      out.writeCompact("beforeWithEvictions", e.beforeWithEvictions());
      out.writeCompact("after", e.after());
      out.writeCompact("afterWithEvictions", e.afterWithEvictions());
    }

    @Override
    public String getTypeName() {
      return "vmgrid.query.WhatIfAnswer.Entry";
    }

    @Override
    public Class<Entry> getCompactClass() {
      return Entry.class;
    }
  }
}
