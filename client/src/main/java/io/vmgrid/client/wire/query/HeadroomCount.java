package io.vmgrid.client.wire.query;

import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import java.util.Map;

/**
 * How many more VMs of one template fit, as a capacity or what-if answer carries it.
 *
 * @param total copies that fit
 * @param perCluster copies per cluster id, in the member's order
 * @param capped whether counting stopped at the planner's limit
 * @param densityWhenFull packing density once they are placed
 */
public record HeadroomCount(long total, Map<String, Long> perCluster, boolean capped,
    double densityWhenFull) {
  /** Copies the map, keeping its order. */
  public HeadroomCount {
    perCluster = Fields.ordered(perCluster);
  }

  static final class Serializer implements CompactSerializer<HeadroomCount> {
    @Override
    public HeadroomCount read(CompactReader in) {
      return new HeadroomCount(in.readInt64("total"), Fields.counts(in, "perCluster"),
          in.readBoolean("capped"), in.readFloat64("densityWhenFull"));
    }

    @Override
    public void write(CompactWriter out, HeadroomCount h) {
      out.writeInt64("total", h.total());
      Fields.counts(out, "perCluster", h.perCluster());
      out.writeBoolean("capped", h.capped());
      out.writeFloat64("densityWhenFull", h.densityWhenFull());
    }

    @Override
    public String getTypeName() {
      return "vmgrid.query.HeadroomCount";
    }

    @Override
    public Class<HeadroomCount> getCompactClass() {
      return HeadroomCount.class;
    }
  }
}
