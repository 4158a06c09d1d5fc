package io.vmgrid.client.wire.query;

import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import java.util.List;

/**
 * The answer to a fragmentation query: free cores, the part some template can use, and the servers
 * whose free cores none can.
 *
 * @param templates the templates asked about
 * @param freeCores free cores of the servers in service
 * @param usableCores of those, the cores some template can use
 * @param strandedServers how many servers have free cores and none usable
 * @param strandedServerCores free cores of those servers
 * @param stranded the stranded servers, most free cores first (at most the query's limit)
 */
public record FragmentationAnswer(List<TemplateShape> templates, long freeCores, long usableCores,
    int strandedServers, long strandedServerCores, List<Stranded> stranded)
    implements QueryAnswer {
  /** Copies the lists. */
  public FragmentationAnswer {
    templates = List.copyOf(templates);
    stranded = List.copyOf(stranded);
  }

  /**
   * A server whose free capacity no template can use.
   *
   * @param serverId the server
   * @param clusterId its cluster
   * @param freeCores its free cores
   * @param freeMemoryMb its free memory, MiB
   */
  public record Stranded(String serverId, String clusterId, long freeCores, long freeMemoryMb) {}

  static final class Serializer implements CompactSerializer<FragmentationAnswer> {
    @Override
    public FragmentationAnswer read(CompactReader in) {
      return new FragmentationAnswer(Fields.list(in, "templates", TemplateShape.class),
          in.readInt64("freeCores"), in.readInt64("usableCores"), in.readInt32("strandedServers"),
          in.readInt64("strandedServerCores"), Fields.list(in, "stranded", Stranded.class));
    }

    @Override
    public void write(CompactWriter out, FragmentationAnswer a) {
      out.writeArrayOfCompact("templates", a.templates().toArray(new TemplateShape[0]));
      out.writeInt64("freeCores", a.freeCores());
      out.writeInt64("usableCores", a.usableCores());
      out.writeInt32("strandedServers", a.strandedServers());
      out.writeInt64("strandedServerCores", a.strandedServerCores());
      out.writeArrayOfCompact("stranded", a.stranded().toArray(new Stranded[0]));
    }

    @Override
    public String getTypeName() {
      return "vmgrid.query.FragmentationAnswer";
    }

    @Override
    public Class<FragmentationAnswer> getCompactClass() {
      return FragmentationAnswer.class;
    }
  }

  static final class StrandedSerializer implements CompactSerializer<Stranded> {
    @Override
    public Stranded read(CompactReader in) {
      return new Stranded(Fields.string(in, "serverId"), Fields.string(in, "clusterId"),
          in.readInt64("freeCores"), in.readInt64("freeMemoryMb"));
    }

    @Override
    public void write(CompactWriter out, Stranded s) {
      out.writeString("serverId", s.serverId());
      out.writeString("clusterId", s.clusterId());
      out.writeInt64("freeCores", s.freeCores());
      out.writeInt64("freeMemoryMb", s.freeMemoryMb());
    }

    @Override
    public String getTypeName() {
      return "vmgrid.query.FragmentationAnswer.Stranded";
    }

    @Override
    public Class<Stranded> getCompactClass() {
      return Stranded.class;
    }
  }
}
