package io.headersync.metrics;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.ObservableLongMeasurement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Registers a node's {@link NodeMetrics} on an OpenTelemetry {@link Meter}: counters and gauges as
 * asynchronous instruments (read when the application's metric reader collects), histograms as
 * synchronous ones that get every value as it is recorded, as go-header registers its own on the
 * global meter provider. Closing the registration stops both. Needs {@code
 * io.opentelemetry:opentelemetry-api} on the class path (an optional dependency of headersync).
 *
 * <pre>{@code
 * Meter meter = openTelemetry.getMeter("headersync");
 * try (AutoCloseable metrics = OpenTelemetryMetrics.register(meter, NodeMetrics.of(node))) {
 *   ...                                   // the node runs; the application's exporter reads them
 * }
 * }</pre>
 */
public final class OpenTelemetryMetrics {
  private OpenTelemetryMetrics() {}

  /**
   * Registers every metric of {@code metrics}; closing the result removes them from the meter.
   *
   * @param meter the application's meter
   * @param metrics the node's metrics, from {@link NodeMetrics#of}
   * @return a handle whose {@code close()} removes the instruments Gauges and counters become
   *     asynchronous instruments read on every collection; each value recorded in the node's
   *     histograms from now on is recorded in an OpenTelemetry histogram too (earlier values are
   *     not).
   */
  public static AutoCloseable register(Meter meter, NodeMetrics metrics) {
    Objects.requireNonNull(meter, "meter == null");
    Objects.requireNonNull(metrics, "metrics == null");
    List<AutoCloseable> instruments = new ArrayList<>();
    for (NodeMetrics.Metric m : metrics.metrics()) {
      Consumer<ObservableLongMeasurement> callback =
          measurement -> {
            for (NodeMetrics.Sample s : m.read()) {
              measurement.record(s.value(), attributes(s.attributes()));
            }
          };
      instruments.add(
          m.kind() == NodeMetrics.Kind.COUNTER
              ? meter
                  .counterBuilder(m.name())
                  .setDescription(m.description())
                  .buildWithCallback(callback)
              : meter
                  .gaugeBuilder(m.name())
                  .setDescription(m.description())
                  .ofLongs()
                  .buildWithCallback(callback));
    }
    // The OpenTelemetry API has no asynchronous histogram: each value is recorded as it happens.
    for (NodeMetrics.HistogramMetric h : metrics.histograms()) {
      DoubleHistogram histogram =
          meter
              .histogramBuilder(h.name())
              .setDescription(h.description())
              .setUnit(h.unit())
              .setExplicitBucketBoundariesAdvice(h.sources().get(0).histogram().bounds())
              .build();
      for (NodeMetrics.Source source : h.sources()) {
        Map<String, String> extra = source.attributes();
        instruments.add(
            source
                .histogram()
                .subscribe(
                    (value, attributes) -> {
                      Map<String, String> all = new HashMap<>(attributes);
                      all.putAll(extra);
                      histogram.record(value, attributes(all));
                    }));
      }
    }
    return () -> {
      for (AutoCloseable i : instruments) {
        i.close();
      }
    };
  }

  private static Attributes attributes(Map<String, String> map) {
    if (map.isEmpty()) {
      return Attributes.empty();
    }
    AttributesBuilder b = Attributes.builder();
    map.forEach(b::put);
    return b.build();
  }
}
