package io.headersync.instrument;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * A distribution of recorded values (durations in seconds, sizes in bytes) in fixed buckets, one
 * series per combination of attribute values, as an OpenTelemetry histogram with explicit bucket
 * boundaries keeps it. Components record into it as things happen; exporters read {@link #series()}
 * (Prometheus) or {@link #subscribe observe every value} (OpenTelemetry, whose API has no
 * asynchronous histogram).
 *
 * <p>Bounded: at most {@value #MAX_SERIES} series; values recorded with further attribute
 * combinations go to one overflow series whose attributes are {@code otel.metric.overflow=true}, as
 * OpenTelemetry's SDK does at its cardinality limit. Recording is lock-free (adders per bucket) and
 * allocation-free once a series exists. Thread-safe.
 */
public final class Histogram {
  /** The most series (attribute combinations) one histogram keeps. */
  public static final int MAX_SERIES = 64;

  /** Bucket boundaries for durations in seconds, from 1 ms to one hour. */
  public static final List<Double> SECONDS =
      List.of(
          0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
          300.0, 3600.0);

  /** Bucket boundaries for sizes in bytes, from 128 B to 4 MiB. */
  public static final List<Double> BYTES =
      List.of(
          128.0, 256.0, 512.0, 1024.0, 4096.0, 16384.0, 65536.0, 262144.0, 1048576.0, 4194304.0);

  private static final Map<String, String> OVERFLOW = Map.of("otel.metric.overflow", "true");

  /** Sees every value recorded, with its series' attributes. */
  @FunctionalInterface
  public interface Observer {
    /**
     * Called on the recording thread: must be quick and must not throw.
     *
     * @param value the value just recorded
     * @param attributes the series' attributes, by key; the overflow series has {@code
     *     otel.metric.overflow=true}
     */
    void recorded(double value, Map<String, String> attributes);
  }

  /**
   * One series' state at the time of {@link #series()}.
   *
   * @param attributes the attribute values of this series
   * @param bounds the upper bounds of the buckets (inclusive), ascending; a last bucket above them
   * @param counts the count of values in each bucket, one more than {@code bounds} (not cumulative)
   * @param count the number of values recorded
   * @param sum the sum of the values recorded
   */
  public record Series(
      Map<String, String> attributes, List<Double> bounds, long[] counts, long count, double sum) {
    /**
     * Copies what it is given, so a series never changes after {@link #series()} returned it.
     *
     * @param attributes the attribute values of this series
     * @param bounds the upper bounds of the buckets (inclusive), ascending
     * @param counts the count of values in each bucket, one more than {@code bounds}
     * @param count the number of values recorded
     * @param sum the sum of the values recorded
     */
    public Series {
      attributes = Map.copyOf(attributes);
      bounds = List.copyOf(bounds);
      counts = counts.clone();
    }

    /**
     * {@return a copy of the bucket counts: one per bound, then the bucket above the last bound}
     * Not cumulative.
     */
    @Override
    public long[] counts() {
      return counts.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Series s
          && attributes.equals(s.attributes)
          && bounds.equals(s.bounds)
          && Arrays.equals(counts, s.counts)
          && count == s.count
          && Double.compare(sum, s.sum) == 0;
    }

    @Override
    public int hashCode() {
      return Objects.hash(attributes, bounds, Arrays.hashCode(counts), count, sum);
    }

    @Override
    public String toString() {
      return "Series"
          + attributes
          + " count="
          + count
          + " sum="
          + sum
          + " counts="
          + Arrays.toString(counts);
    }
  }

  private final String name;
  private final String description;
  private final String unit;
  private final List<String> keys;
  private final double[] bounds;
  private final List<Double> boundList;
  private final ConcurrentHashMap<List<String>, Cells> series = new ConcurrentHashMap<>();
  private final Cells overflow;
  private final CopyOnWriteArrayList<Observer> observers = new CopyOnWriteArrayList<>();

  /**
   * A histogram.
   *
   * @param name the metric name, e.g. go-header's {@code hdr_store_flush_time_hist}
   * @param description what it measures
   * @param unit {@code s} or {@code By}, as OpenTelemetry writes units
   * @param bounds the buckets' upper bounds, strictly ascending, e.g. {@link #SECONDS}
   * @param attributeKeys the names of the attributes each value is recorded with, in the order
   *     {@link #record} takes their values
   */
  public Histogram(
      String name, String description, String unit, List<Double> bounds, String... attributeKeys) {
    this.name = requireText(name, "name");
    this.description = requireText(description, "description");
    this.unit = requireText(unit, "unit");
    this.keys = List.of(attributeKeys);
    if (bounds.isEmpty()) {
      throw new IllegalArgumentException("histogram " + name + " needs at least one bucket bound");
    }
    this.bounds = new double[bounds.size()];
    for (int i = 0; i < this.bounds.length; i++) {
      this.bounds[i] = bounds.get(i);
      if (i > 0 && !(this.bounds[i] > this.bounds[i - 1])) {
        throw new IllegalArgumentException(
            "histogram " + name + ": bucket bounds must ascend strictly, got " + bounds);
      }
    }
    this.boundList = List.copyOf(bounds);
    this.overflow = new Cells(OVERFLOW, this.bounds.length + 1);
  }

  /** {@return the metric name} */
  public String name() {
    return name;
  }

  /**
   * What it measures.
   *
   * @return the description given when the histogram was made, for exporters' help text
   */
  public String description() {
    return description;
  }

  /** {@return the unit of the values: {@code s} or {@code By}} */
  public String unit() {
    return unit;
  }

  /** {@return the buckets' upper bounds, ascending (a last bucket is above them)} */
  public List<Double> bounds() {
    return boundList;
  }

  /** {@return the attribute names values are recorded with} */
  public List<String> attributeKeys() {
    return keys;
  }

  /**
   * Records {@code value} with one attribute value per {@linkplain #attributeKeys() key}, in order.
   *
   * @param value the value, in the histogram's unit
   * @param attributeValues one value per attribute key, in the order of {@link #attributeKeys()}
   * @throws IllegalArgumentException if the number of values is not the number of keys
   */
  public void record(double value, String... attributeValues) {
    if (attributeValues.length != keys.size()) {
      throw new IllegalArgumentException(
          "histogram "
              + name
              + " takes "
              + keys.size()
              + " attribute values "
              + keys
              + ", got "
              + attributeValues.length);
    }
    Cells cells = cells(attributeValues);
    int bucket = Arrays.binarySearch(bounds, value);
    if (bucket < 0) {
      bucket = -bucket - 1; // first bound above the value; bounds are inclusive upper limits
    }
    cells.counts[bucket].increment();
    cells.sum.add(value);
    for (Observer o : observers) {
      o.recorded(value, cells.attributes);
    }
  }

  /**
   * Every series recorded so far, in no particular order; the overflow series last if used.
   *
   * @return a snapshot of each series; later recordings do not change it
   */
  public List<Series> series() {
    List<Series> out = new ArrayList<>(series.size() + 1);
    for (Cells c : series.values()) {
      out.add(c.snapshot(boundList));
    }
    if (overflow.used()) {
      out.add(overflow.snapshot(boundList));
    }
    return out;
  }

  /**
   * Calls {@code observer} with every value recorded from now on, until the returned handle is
   * closed.
   *
   * @param observer called on the recording thread for each value
   * @return a handle whose {@code close()} stops the calls; closing twice is harmless
   */
  public AutoCloseable subscribe(Observer observer) {
    Objects.requireNonNull(observer, "observer == null");
    observers.add(observer);
    return () -> observers.remove(observer);
  }

  private Cells cells(String[] values) {
    List<String> key = List.of(values);
    Cells c = series.get(key);
    if (c != null) {
      return c;
    }
    synchronized (series) { // rare: a new attribute combination
      c = series.get(key);
      if (c == null) {
        if (series.size() >= MAX_SERIES) {
          return overflow;
        }
        Map<String, String> attributes = new LinkedHashMap<>();
        for (int i = 0; i < values.length; i++) {
          attributes.put(keys.get(i), Objects.requireNonNull(values[i], "attribute value == null"));
        }
        c = new Cells(attributes, bounds.length + 1);
        series.put(key, c);
      }
      return c;
    }
  }

  private static String requireText(String s, String what) {
    if (s == null || s.isBlank()) {
      throw new IllegalArgumentException("histogram " + what + " is empty");
    }
    return s;
  }

  @Override
  public String toString() {
    return "Histogram[" + name + "]";
  }

  private static final class Cells {
    final Map<String, String> attributes;
    final LongAdder[] counts;
    final DoubleAdder sum = new DoubleAdder();

    Cells(Map<String, String> attributes, int buckets) {
      this.attributes = Map.copyOf(attributes);
      this.counts = new LongAdder[buckets];
      for (int i = 0; i < buckets; i++) {
        counts[i] = new LongAdder();
      }
    }

    boolean used() {
      for (LongAdder a : counts) {
        if (a.sum() != 0) {
          return true;
        }
      }
      return false;
    }

    Series snapshot(List<Double> bounds) {
      long[] c = new long[counts.length];
      long total = 0;
      for (int i = 0; i < c.length; i++) {
        c[i] = counts[i].sum();
        total += c[i];
      }
      return new Series(attributes, bounds, c, total, sum.sum());
    }
  }
}
