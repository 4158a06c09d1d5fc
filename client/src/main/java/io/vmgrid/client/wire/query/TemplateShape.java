package io.vmgrid.client.wire.query;

import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;

/**
 * One template a capacity query was about: the request's shape, or a shape in demand.
 *
 * @param id the request's VM id, or the shape id ({@code 8c32768m}, {@code -low} for low priority)
 * @param cores cores one VM demands
 * @param memoryMb memory one VM demands, MiB
 * @param lowPriority whether the template is low priority
 * @param placedNow for a shape in demand, how many VMs of it are placed now (0 otherwise)
 */
public record TemplateShape(String id, long cores, long memoryMb, boolean lowPriority,
    long placedNow) {

  static final class Serializer implements CompactSerializer<TemplateShape> {
    @Override
    public TemplateShape read(CompactReader in) {
      return new TemplateShape(Fields.string(in, "id"), in.readInt64("cores"),
          in.readInt64("memoryMb"), in.readBoolean("lowPriority"), in.readInt64("placedNow"));
    }

    @Override
    public void write(CompactWriter out, TemplateShape t) {
      out.writeString("id", t.id());
      out.writeInt64("cores", t.cores());
      out.writeInt64("memoryMb", t.memoryMb());
      out.writeBoolean("lowPriority", t.lowPriority());
      out.writeInt64("placedNow", t.placedNow());
    }

    @Override
    public String getTypeName() {
      return "vmgrid.query.TemplateShape";
    }

    @Override
    public Class<TemplateShape> getCompactClass() {
      return TemplateShape.class;
    }
  }
}
