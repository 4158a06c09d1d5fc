package io.vmgrid.scheduler.sim.plot;

import io.vmgrid.scheduler.sim.PolicyRun;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Writes the simulator's charts as PNG files with XChart, headless. */
public final class Plots {
  private static final int WIDTH = 900;
  private static final int HEIGHT = 560;
  private static final int CDF_POINTS = 400;
  /** Tableau 10: distinguishable on white, and in grey-scale by lightness. */
  private static final Color[] PALETTE = {
      new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e),
      new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f),
      new Color(0xbcbd22), new Color(0x17becf)};

  private Plots() {}

  /** The latency CDF of every policy, log-scaled latency axis, into {@code png}. */
  public static void latencyCdf(List<PolicyRun> runs, String title, Path png) throws IOException {
    headless();
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
        .xAxisTitle("latency (ms, log scale)").yAxisTitle("fraction of requests").build();
    style(chart);
    chart.getStyler().setXAxisLogarithmic(true);
    chart.getStyler().setYAxisMax(1.0);
    chart.getStyler().setYAxisMin(0.0);
    for (PolicyRun run : runs) {
      int n = run.count();
      List<Double> xs = new ArrayList<>();
      List<Double> ys = new ArrayList<>();
      for (int i = 0; i <= CDF_POINTS; i++) {
        int rank = (int) Math.min(n - 1, Math.round((double) i / CDF_POINTS * (n - 1)));
        xs.add(Math.max(0.01, run.latencyAtRank(rank) / 1e6));
        ys.add((rank + 1) / (double) n);
      }
      XYSeries s = chart.addSeries(run.result().name(), xs, ys);
      s.setMarker(SeriesMarkers.NONE);
      paint(s, chart.getSeriesMap().size() - 1);
    }
    save(chart, png);
  }

  /**
   * A line per policy of a latency figure against {@code x}, log-scaled latency axis, into
   * {@code png}.
   *
   * @param series per policy name, one value per x
   */
  public static void sweep(String title, String xTitle, String yTitle, double[] x,
      Map<String, double[]> series, Path png) throws IOException {
    headless();
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
        .xAxisTitle(xTitle).yAxisTitle(yTitle).build();
    style(chart);
    chart.getStyler().setYAxisLogarithmic(true);
    for (Map.Entry<String, double[]> e : series.entrySet()) {
      XYSeries s = chart.addSeries(e.getKey(), x, e.getValue());
      s.setMarker(SeriesMarkers.CIRCLE);
      paint(s, chart.getSeriesMap().size() - 1);
    }
    save(chart, png);
  }

  private static void paint(XYSeries s, int index) {
    Color c = PALETTE[index % PALETTE.length];
    s.setLineColor(c);
    s.setMarkerColor(c);
    s.setLineWidth(s.getName().startsWith("kamino") ? 3.0f : 1.5f);
  }

  private static void style(XYChart chart) {
    XYStyler st = chart.getStyler();
    st.setLegendPosition(Styler.LegendPosition.OutsideE);
    st.setChartBackgroundColor(Color.WHITE);
    st.setPlotGridLinesVisible(true);
    st.setXAxisDecimalPattern("#,##0.##");
  }

  private static void save(XYChart chart, Path png) throws IOException {
    Path parent = png.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    String name = png.toString();
    String base = name.endsWith(".png") ? name.substring(0, name.length() - 4) : name;
    BitmapEncoder.saveBitmap(chart, base, BitmapEncoder.BitmapFormat.PNG);
  }

  private static void headless() {
    System.setProperty("java.awt.headless", "true");
  }
}
