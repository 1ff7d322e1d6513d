package io.headersync.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.testkit.TestNetwork;
import io.headersync.testkit.TestNode;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.CollectionRegistration;
import io.opentelemetry.sdk.metrics.export.MetricReader;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** go-header's metric names on an OpenTelemetry meter, read back through the SDK. */
class OpenTelemetryMetricsTest {

  /** A reader that collects when the test asks. */
  static final class PullReader implements MetricReader {
    private volatile CollectionRegistration registration = CollectionRegistration.noop();

    @Override
    public void register(CollectionRegistration registration) {
      this.registration = registration;
    }

    Collection<MetricData> collect() {
      return registration.collectAllMetrics();
    }

    @Override
    public AggregationTemporality getAggregationTemporality(InstrumentType type) {
      return AggregationTemporality.CUMULATIVE;
    }

    @Override
    public CompletableResultCode forceFlush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }

  private static Optional<Long> value(
      Collection<MetricData> data, String name, Map<String, String> attributes) {
    for (MetricData m : data) {
      if (!m.getName().equals(name)) {
        continue;
      }
      Collection<LongPointData> points =
          m.getType().name().startsWith("LONG_GAUGE")
              ? m.getLongGaugeData().getPoints()
              : m.getLongSumData().getPoints();
      for (LongPointData p : points) {
        Attributes a = p.getAttributes();
        if (attributes.entrySet().stream()
                .allMatch(e -> e.getValue().equals(a.get(AttributeKey.stringKey(e.getKey()))))
            && a.size() == attributes.size()) {
          return Optional.of(p.getValue());
        }
      }
    }
    return Optional.empty();
  }

  @Test
  void aFullNodesMetricsUnderGoHeadersNames() throws Exception {
    PullReader reader = new PullReader();
    try (TestNetwork net = TestNetwork.create("metrics");
        SdkMeterProvider provider =
            SdkMeterProvider.builder().registerMetricReader(reader).build()) {
      TestNode sequencer = net.sequencer();
      sequencer.produce(12);
      TestNode full = net.fullNode();
      full.awaitHeight(12, Duration.ofSeconds(30));
      try (AutoCloseable registered =
          OpenTelemetryMetrics.register(provider.get("headersync"), NodeMetrics.of(full.sync()))) {
        Collection<MetricData> data = reader.collect();
        assertEquals(
            Optional.of(12L),
            value(data, "hdr_store_head_height_gauge", Map.of("store", "headers")));
        assertEquals(
            Optional.of(12L), value(data, "hdr_store_head_height_gauge", Map.of("store", "data")));
        assertEquals(
            Optional.of(1L),
            value(data, "hdr_store_tail_height_gauge", Map.of("store", "headers")));
        assertTrue(
            value(data, "hdr_sync_subjective_head_gauge", Map.of("store", "headers")).orElseThrow()
                >= 12);
        assertEquals(Optional.of(1L), value(data, "headersync_p2p_peers_connected", Map.of()));
        assertTrue(
            value(data, "headersync_sync_headers_appended_counter", Map.of("store", "headers"))
                    .orElseThrow()
                >= 11);
        assertTrue(
            value(
                    data,
                    "hdr_p2p_sub_msg_num_counter",
                    Map.of("store", "headers", "status", "reject"))
                .isPresent());
        for (NodeMetrics.Metric m : NodeMetrics.of(full.sync()).metrics()) {
          assertTrue(
              data.stream().anyMatch(d -> d.getName().equals(m.name())),
              m.name() + " not registered");
        }
      }
      // Closed: the instruments no longer report.
      assertTrue(
          value(reader.collect(), "hdr_store_head_height_gauge", Map.of("store", "headers"))
              .isEmpty());
    }
  }

  @Test
  void theSequencerCountsWhatItServed() {
    PullReader reader = new PullReader();
    try (TestNetwork net = TestNetwork.create("served");
        SdkMeterProvider provider =
            SdkMeterProvider.builder().registerMetricReader(reader).build()) {
      TestNode sequencer = net.sequencer();
      sequencer.produce(20);
      net.lightNode().awaitHeight(20, Duration.ofSeconds(30));
      OpenTelemetryMetrics.register(provider.get("headersync"), NodeMetrics.of(sequencer.sync()));
      long served =
          value(
                  reader.collect(),
                  "hdr_p2p_exch_srvr_headers_served_counter",
                  Map.of("store", "headers"))
              .orElseThrow();
      assertTrue(served >= 1, "served " + served);
    }
  }

  private static long histogramCount(
      Collection<MetricData> data, String name, Map<String, String> attributes) {
    long n = 0;
    for (MetricData m : data) {
      if (m.getName().equals(name)) {
        for (HistogramPointData p : m.getHistogramData().getPoints()) {
          Attributes a = p.getAttributes();
          if (attributes.entrySet().stream()
              .allMatch(e -> e.getValue().equals(a.get(AttributeKey.stringKey(e.getKey()))))) {
            n += p.getCount();
          }
        }
      }
    }
    return n;
  }

  @Test
  void histogramsGetEveryValueRecordedWhileRegistered() throws Exception {
    PullReader reader = new PullReader();
    try (TestNetwork net = TestNetwork.create("hist");
        SdkMeterProvider provider =
            SdkMeterProvider.builder().registerMetricReader(reader).build()) {
      TestNode sequencer = net.sequencer();
      sequencer.produce(20);
      NodeMetrics metrics = NodeMetrics.of(sequencer.sync());
      try (AutoCloseable registered =
          OpenTelemetryMetrics.register(provider.get("headersync"), metrics)) {
        TestNode light = net.lightNode();
        light.awaitHeight(20, Duration.ofSeconds(30));
        Collection<MetricData> data = reader.collect();
        // The light node asked the sequencer for its head, then for the range below it.
        assertTrue(
            histogramCount(
                    data,
                    "hdr_p2p_exch_srvr_head_serve_time_hist",
                    Map.of("store", "headers", "failed_request", "false"))
                >= 1,
            data.toString());
        assertTrue(
            histogramCount(
                    data,
                    "hdr_p2p_exch_srvr_range_serve_time_hist",
                    Map.of(
                        "store", "headers", "failed_request", "false", "num_headers_served", "0"))
                >= 1,
            data.toString());
        MetricData head =
            data.stream()
                .filter(d -> d.getName().equals("hdr_p2p_exch_srvr_head_serve_time_hist"))
                .findFirst()
                .orElseThrow();
        assertEquals("s", head.getUnit());
        assertEquals(
            io.headersync.instrument.Histogram.SECONDS,
            head.getHistogramData().getPoints().iterator().next().getBoundaries());
        // The same values through the pull side (what Prometheus reads).
        NodeMetrics.HistogramMetric pulled =
            metrics.histograms().stream()
                .filter(h -> h.name().equals("hdr_p2p_exch_srvr_head_serve_time_hist"))
                .findFirst()
                .orElseThrow();
        assertEquals(
            histogramCount(data, "hdr_p2p_exch_srvr_head_serve_time_hist", Map.of()),
            pulled.read().stream().mapToLong(s -> s.count()).sum());
      }
    }
  }

  @Test
  void aSyncingNodeRecordsGoHeadersHistograms() throws Exception {
    try (TestNetwork net = TestNetwork.create("hist-client")) {
      TestNode sequencer = net.sequencer();
      sequencer.produce(30);
      TestNode full = net.fullNode();
      full.awaitHeight(30, Duration.ofSeconds(30));
      Map<String, Long> counts = new java.util.HashMap<>();
      for (NodeMetrics.HistogramMetric h : NodeMetrics.of(full.sync()).histograms()) {
        counts.put(h.name(), h.read().stream().mapToLong(s -> s.count()).sum());
      }
      assertTrue(
          counts
              .keySet()
              .containsAll(
                  java.util.Set.of(
                      "hdr_p2p_exch_clnt_head_time_hist",
                      "hdr_p2p_exch_clnt_resp_size_hist",
                      "hdr_p2p_exch_clnt_resp_time_hist",
                      "hdr_sync_range_request_time_hist",
                      "hdr_p2p_exch_srvr_head_serve_time_hist",
                      "hdr_p2p_exch_srvr_range_serve_time_hist",
                      "hdr_p2p_exch_srvr_get_serve_time_hist",
                      "hdr_p2p_sub_msg_size_hist",
                      "hdr_p2p_sub_msg_time_hist",
                      "hdr_sync_subjective_head_lag_seconds")),
          counts.toString());
      assertTrue(counts.get("hdr_p2p_exch_clnt_head_time_hist") >= 1, counts.toString());
      assertTrue(counts.get("hdr_p2p_exch_clnt_resp_time_hist") >= 2, counts.toString());
      assertTrue(counts.get("hdr_sync_range_request_time_hist") >= 1, counts.toString());
      assertTrue(counts.get("hdr_sync_subjective_head_lag_seconds") >= 1, counts.toString());
    }
  }
}
