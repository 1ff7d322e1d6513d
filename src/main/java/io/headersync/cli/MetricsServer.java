package io.headersync.cli;

import io.headersync.HeaderSyncException;
import io.headersync.instrument.Histogram;
import io.headersync.metrics.NodeMetrics;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.IOException;
import java.net.BindException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code node --metrics HOST:PORT}: the node's {@link NodeMetrics} in Prometheus text format at
 * {@code http://HOST:PORT/metrics}, served by Prometheus' Java client (its JDK HTTP server), read
 * from the node at each scrape.
 */
final class MetricsServer implements AutoCloseable {
  private final HTTPServer server;

  private MetricsServer(HTTPServer server) {
    this.server = server;
  }

  /**
   * Starts serving {@code metrics} on {@code hostPort} ({@code 127.0.0.1:26660}; port 0 for any).
   *
   * @throws UsageException if {@code hostPort} is not HOST:PORT
   * @throws HeaderSyncException if the address cannot be bound, naming it
   */
  static MetricsServer start(String hostPort, NodeMetrics metrics) {
    int colon = hostPort.lastIndexOf(':');
    int port;
    try {
      port = Integer.parseInt(hostPort.substring(colon + 1));
    } catch (NumberFormatException | IndexOutOfBoundsException e) {
      port = -1;
    }
    if (colon <= 0 || port < 0 || port > 65535) {
      throw new UsageException(
          "--metrics must be HOST:PORT, e.g. 127.0.0.1:26660, got \"" + hostPort + "\"");
    }
    String host = hostPort.substring(0, colon).replace("[", "").replace("]", "");
    PrometheusRegistry registry = new PrometheusRegistry();
    registry.register(new Collector(metrics));
    try {
      return new MetricsServer(
          HTTPServer.builder().hostname(host).port(port).registry(registry).buildAndStart());
    } catch (BindException e) {
      throw new HeaderSyncException(
          "cannot serve metrics on "
              + hostPort
              + ": address already in use; give another "
              + "--metrics address",
          e);
    } catch (IOException e) {
      throw new HeaderSyncException(
          "cannot serve metrics on " + hostPort + ": " + e.getMessage(), e);
    }
  }

  int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    server.close();
  }

  /** Reads the node's metrics at each scrape. */
  private static final class Collector implements MultiCollector {
    private final NodeMetrics metrics;

    Collector(NodeMetrics metrics) {
      this.metrics = metrics;
    }

    @Override
    public MetricSnapshots collect() {
      List<MetricSnapshot> out = new ArrayList<>();
      for (NodeMetrics.Metric m : metrics.metrics()) {
        List<NodeMetrics.Sample> samples = m.read();
        if (m.kind() == NodeMetrics.Kind.COUNTER) {
          CounterSnapshot.Builder b =
              CounterSnapshot.builder().name(m.name()).help(m.description());
          for (NodeMetrics.Sample s : samples) {
            b.dataPoint(
                CounterSnapshot.CounterDataPointSnapshot.builder()
                    .labels(labels(s.attributes()))
                    .value(s.value())
                    .build());
          }
          out.add(b.build());
        } else {
          GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(m.name()).help(m.description());
          for (NodeMetrics.Sample s : samples) {
            b.dataPoint(
                GaugeSnapshot.GaugeDataPointSnapshot.builder()
                    .labels(labels(s.attributes()))
                    .value(s.value())
                    .build());
          }
          out.add(b.build());
        }
      }
      for (NodeMetrics.HistogramMetric h : metrics.histograms()) {
        HistogramSnapshot.Builder b =
            HistogramSnapshot.builder().name(h.name()).help(h.description());
        for (Histogram.Series series : h.read()) {
          List<Double> bounds = series.bounds();
          double[] upper = new double[bounds.size() + 1];
          for (int i = 0; i < bounds.size(); i++) {
            upper[i] = bounds.get(i);
          }
          upper[bounds.size()] = Double.POSITIVE_INFINITY;
          b.dataPoint(
              HistogramSnapshot.HistogramDataPointSnapshot.builder()
                  .labels(labels(series.attributes()))
                  .classicHistogramBuckets(ClassicHistogramBuckets.of(upper, series.counts()))
                  .sum(series.sum())
                  .build());
        }
        out.add(b.build());
      }
      return new MetricSnapshots(out);
    }

    private static Labels labels(Map<String, String> attributes) {
      Labels.Builder b = Labels.builder();
      new TreeMap<>(attributes).forEach(b::label);
      return b.build();
    }
  }
}
