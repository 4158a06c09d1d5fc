package io.vmgrid.client.wire.query;

import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import java.util.List;

/**
 * The answer to a clusters query: each cluster's capacity, use and utilization limit.
 *
 * @param clusters one entry per cluster, in the inventory's order
 */
public record ClustersAnswer(List<Cluster> clusters) implements QueryAnswer {
  /** Copies the list. */
  public ClustersAnswer {
    clusters = List.copyOf(clusters);
  }

  /**
   * One cluster.
   *
   * @param clusterId the cluster
   * @param servers its servers
   * @param placeableServers those that take new VMs
   * @param cores its cores
   * @param usedCores cores held by VMs
   * @param memoryMb its memory, MiB
   * @param usedMemoryMb memory held by VMs, MiB
   * @param limit the share of its cores regular VMs may use (1 without a limit)
   */
  public record Cluster(String clusterId, int servers, int placeableServers, long cores,
      long usedCores, long memoryMb, long usedMemoryMb, double limit) {}

  static final class Serializer implements CompactSerializer<ClustersAnswer> {
    @Override
    public ClustersAnswer read(CompactReader in) {
      return new ClustersAnswer(Fields.list(in, "clusters", Cluster.class));
    }

    @Override
    public void write(CompactWriter out, ClustersAnswer a) {
      out.writeArrayOfCompact("clusters", a.clusters().toArray(new Cluster[0]));
    }

    @Override
    public String getTypeName() {
      return "vmgrid.query.ClustersAnswer";
    }

    @Override
    public Class<ClustersAnswer> getCompactClass() {
      return ClustersAnswer.class;
    }
  }

  static final class ClusterSerializer implements CompactSerializer<Cluster> {
    @Override
    public Cluster read(CompactReader in) {
      return new Cluster(Fields.string(in, "clusterId"), in.readInt32("servers"),
          in.readInt32("placeableServers"), in.readInt64("cores"), in.readInt64("usedCores"),
          in.readInt64("memoryMb"), in.readInt64("usedMemoryMb"), in.readFloat64("limit"));
    }

    @Override
    public void write(CompactWriter out, Cluster c) {
      out.writeString("clusterId", c.clusterId());
      out.writeInt32("servers", c.servers());
      out.writeInt32("placeableServers", c.placeableServers());
      out.writeInt64("cores", c.cores());
      out.writeInt64("usedCores", c.usedCores());
      out.writeInt64("memoryMb", c.memoryMb());
      out.writeInt64("usedMemoryMb", c.usedMemoryMb());
      out.writeFloat64("limit", c.limit());
    }

    @Override
    public String getTypeName() {
      return "vmgrid.query.ClustersAnswer.Cluster";
    }

    @Override
    public Class<Cluster> getCompactClass() {
      return Cluster.class;
    }
  }
}
