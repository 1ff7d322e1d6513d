package io.headersync.metrics;

import io.headersync.Header;
import io.headersync.evnode.EvNodeSync;
import io.headersync.instrument.Histogram;
import io.headersync.libp2p.pubsub.PubSubStats;
import io.headersync.service.HeaderSyncService;
import io.headersync.service.P2PClient;
import io.headersync.store.RocksDbStore;
import io.headersync.subscriber.SubscriberMetrics;
import io.headersync.sync.SyncMetrics;
import io.headersync.sync.SyncState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The metrics of a running {@link EvNodeSync}, read from its snapshots when a scraper asks. Names
 * starting with {@code hdr_} are go-header v0.8.6's (same name, meaning and attributes, so that
 * dashboards built for Go nodes read them), on each of the node's services: attribute {@code store}
 * is {@code headers} or {@code data}, as ev-node runs one go-header stack for each. Names starting
 * with {@code headersync_} are ours. go-header's histograms (request, response, serve, flush and
 * read times, message and response sizes, head lag) are in {@link #histograms()}, with bucket
 * bounds of our choosing ({@link Histogram#SECONDS}, {@link Histogram#BYTES}; go-header leaves
 * OpenTelemetry's defaults, which suit milliseconds, not the seconds it records).
 *
 * <p>Counters are cumulative since the node started; exporters add {@code _total} in Prometheus
 * text format, as they do for go-header's. Thread-safe: reading only reads snapshots.
 */
public final class NodeMetrics {
  /** Whether a metric only goes up (a counter) or goes up and down (a gauge). */
  public enum Kind {
    /** Only goes up, since the node started (Prometheus adds {@code _total}). */
    COUNTER,
    /** Goes up and down: a value now, such as a height or a peer count. */
    GAUGE
  }

  /**
   * One value of a metric, with its attributes (Prometheus labels).
   *
   * @param attributes the attributes that tell this sample from the metric's others; copied
   * @param value the value now
   */
  public record Sample(Map<String, String> attributes, long value) {
    /**
     * Copies the attributes.
     *
     * @param attributes the attributes
     * @param value the value
     */
    public Sample {
      attributes = Map.copyOf(attributes);
    }
  }

  /**
   * A metric: name, meaning, kind, and how to read its samples now.
   *
   * @param name the metric name, e.g. {@code hdr_p2p_sub_msg_num_counter}
   * @param description what it measures, for exporters' help text
   * @param kind counter or gauge
   * @param reader reads the samples; called on every scrape
   */
  public record Metric(String name, String description, Kind kind, Reader reader) {
    /**
     * Checks that no part is null.
     *
     * @param name the metric name
     * @param description what it measures
     * @param kind counter or gauge
     * @param reader reads the samples
     */
    public Metric {
      Objects.requireNonNull(name, "name == null");
      Objects.requireNonNull(description, "description == null");
      Objects.requireNonNull(kind, "kind == null");
      Objects.requireNonNull(reader, "reader == null");
    }

    /** {@return the samples now} */
    public List<Sample> read() {
      return reader.read();
    }
  }

  /** Reads a metric's samples. */
  @FunctionalInterface
  public interface Reader {
    /** {@return the metric's samples now, one per attribute combination} */
    List<Sample> read();
  }

  /**
   * A histogram of the node: the instruments of that name in each service, each read with the
   * service's attribute ({@code store=headers} or {@code store=data}).
   *
   * @param name the metric name
   * @param description what it measures
   * @param unit {@code s} or {@code By}
   * @param sources the instruments and the attributes their series get
   */
  public record HistogramMetric(
      String name, String description, String unit, List<Source> sources) {
    /**
     * Copies the sources.
     *
     * @param name the metric name
     * @param description what it measures
     * @param unit {@code s} or {@code By}
     * @param sources the instruments and the attributes their series get
     */
    public HistogramMetric {
      Objects.requireNonNull(name, "name == null");
      Objects.requireNonNull(description, "description == null");
      Objects.requireNonNull(unit, "unit == null");
      sources = List.copyOf(sources);
    }

    /**
     * Every series now, each with its source's attributes added.
     *
     * @return a snapshot of every series; later recordings do not change it
     */
    public List<Histogram.Series> read() {
      List<Histogram.Series> out = new ArrayList<>();
      for (Source s : sources) {
        for (Histogram.Series series : s.histogram().series()) {
          Map<String, String> attributes = new LinkedHashMap<>(s.attributes());
          attributes.putAll(series.attributes());
          out.add(
              new Histogram.Series(
                  attributes, series.bounds(), series.counts(), series.count(), series.sum()));
        }
      }
      return out;
    }
  }

  /**
   * One instrument of a {@link HistogramMetric} and the attributes its series get.
   *
   * @param attributes the attributes this instrument's series get, e.g. {@code store=headers}
   * @param histogram the instrument
   */
  public record Source(Map<String, String> attributes, Histogram histogram) {
    /**
     * Copies the attributes.
     *
     * @param attributes the attributes this instrument's series get, e.g. {@code store=headers}
     * @param histogram the instrument
     */
    public Source {
      attributes = Map.copyOf(attributes);
      Objects.requireNonNull(histogram, "histogram == null");
    }
  }

  private final List<Metric> metrics;
  private final List<HistogramMetric> histograms;

  private NodeMetrics(List<Metric> metrics, List<HistogramMetric> histograms) {
    this.metrics = List.copyOf(metrics);
    this.histograms = List.copyOf(histograms);
  }

  /**
   * {@return the metrics of {@code node} (its header service, its data service unless light, its
   * P2P client)}
   *
   * @param node a built node; its metrics are read live, so one {@code NodeMetrics} serves for the
   *     node's lifetime
   */
  public static NodeMetrics of(EvNodeSync node) {
    Objects.requireNonNull(node, "node == null");
    List<Service> services = new ArrayList<>();
    services.add(new Service("headers", node.headers()));
    node.data().ifPresent(d -> services.add(new Service("data", d)));
    List<Metric> m = new ArrayList<>();
    P2PClient p2p = node.p2p();

    // go-header: store (store/metrics.go)
    m.add(
        gauge(
            "hdr_store_head_height_gauge",
            "current header store head height(subjective height)",
            services,
            s -> s.service.store().height()));
    m.add(
        gauge(
            "hdr_store_tail_height_gauge",
            "current header store tail height",
            services,
            s -> s.service.store().tail().map(Header::height).orElse(0L)));
    m.add(
        counter(
            "hdr_store_writes_blocked_counter",
            "header store writes blocked counter",
            services,
            s -> s.service.store() instanceof RocksDbStore<?> r ? r.writesBlocked() : 0));
    // go-header: syncer (sync/metrics.go)
    m.add(
        gauge(
            "hdr_sync_subjective_head_gauge",
            "subjective head height",
            services,
            s -> subjectiveHead(s.service)));
    m.add(
        counter(
            "hdr_sync_subjective_init_counter",
            "tracks how many times is the node initialized ",
            services,
            s -> sync(s).subjectiveInits()));
    m.add(
        counter(
            "hdr_bifurcations_counter",
            "tracks total number of bifurcations",
            services,
            s -> sync(s).bifurcations()));
    m.add(
        counter(
            "hdr_failed_bifurcations_counter",
            "tracks how many times bifurcation failed against subjective head",
            services,
            s -> sync(s).failedBifurcations()));
    m.add(
        counter(
            "hdr_sync_trust_peers_out_of_sync_counter",
            "trusted peers out of sync and gave outdated header",
            services,
            s -> sync(s).trustedPeersOutOfSync()));
    m.add(
        counter(
            "hdr_sync_outdated_head_counter",
            "tracks every time Syncer returns an outdated head",
            services,
            s -> sync(s).outdatedHead()));
    // go-header: subscriber (p2p/subscriber_metrics.go), attribute status = accept | ignore |
    // reject
    m.add(
        new Metric(
            "hdr_p2p_sub_msg_num_counter",
            "header message count",
            Kind.COUNTER,
            () -> {
              List<Sample> l = new ArrayList<>();
              for (Service s : services) {
                SubscriberMetrics g = s.service.gossipMetrics();
                l.add(new Sample(Map.of("store", s.kind, "status", "accept"), g.accepted()));
                l.add(new Sample(Map.of("store", s.kind, "status", "ignore"), g.ignored()));
                l.add(new Sample(Map.of("store", s.kind, "status", "reject"), g.rejected()));
              }
              return l;
            }));
    m.add(
        gauge(
            "hdr_p2p_sub_num_gauge",
            "number of active header message subscriptions",
            services,
            s -> s.service.gossipMetrics().subscriptions()));
    // go-header: exchange server and client (p2p/server_metrics.go, p2p/exchange_metrics.go)
    m.add(
        counter(
            "hdr_p2p_exch_srvr_headers_served_counter",
            "number of headers served",
            services,
            s -> s.service.serverStats().headersServed()));
    m.add(
        gauge(
            "hdr_p2p_exch_clnt_trck_peer_num_gauge",
            "exchange client tracked peers number",
            services,
            s -> s.service.exchange().trackedPeers().size()));
    m.add(
        gauge(
            "hdr_p2p_exch_clnt_disconn_peer_num_gauge",
            "exchange client tracked disconnected peers number",
            services,
            s -> s.service.exchange().disconnectedPeers()));
    m.add(
        single(
            "hdr_p2p_exch_clnt_block_peer_num_gauge",
            "exchange client blocked peers number",
            Kind.GAUGE,
            () -> p2p.gater().blockedPeers().size()));

    // headersync's own
    m.add(
        single(
            "headersync_p2p_peers_connected",
            "peers connected now",
            Kind.GAUGE,
            () -> p2p.host().connectedPeers().size()));
    m.add(
        single(
            "headersync_p2p_seed_peers_connected",
            "seed peers connected now",
            Kind.GAUGE,
            () -> p2p.seedPeers().stream().filter(p2p.host().connectedPeers()::contains).count()));
    m.add(
        counter(
            "headersync_sync_headers_appended_counter",
            "headers the syncer appended to the store",
            services,
            s -> sync(s).headersAppended()));
    m.add(
        counter(
            "headersync_sync_jobs_counter",
            "catch-up jobs the syncer ran",
            services,
            s -> sync(s).syncJobs()));
    m.add(
        counter(
            "headersync_sync_job_failures_counter",
            "catch-up jobs that failed",
            services,
            s -> sync(s).syncFailures()));
    m.add(
        counter(
            "headersync_p2p_sub_msg_bytes_counter",
            "bytes of header messages received by gossip",
            services,
            s -> s.service.gossipMetrics().bytes()));
    m.add(
        counter(
            "headersync_p2p_exch_srvr_requests_counter",
            "exchange requests answered",
            services,
            s -> s.service.serverStats().requestsAnswered()));
    m.add(
        counter(
            "headersync_p2p_exch_srvr_not_found_counter",
            "exchange requests for headers not stored",
            services,
            s -> s.service.serverStats().notFound()));
    m.add(
        single(
            "headersync_pubsub_messages_received_counter",
            "pubsub messages received",
            Kind.COUNTER,
            () -> pubsub(p2p).messagesReceived()));
    m.add(
        single(
            "headersync_pubsub_duplicates_counter",
            "pubsub messages received again",
            Kind.COUNTER,
            () -> pubsub(p2p).duplicates()));
    m.add(
        single(
            "headersync_pubsub_rejected_counter",
            "pubsub messages rejected by a validator",
            Kind.COUNTER,
            () -> pubsub(p2p).rejected()));
    return new NodeMetrics(m, histograms(services));
  }

  /** One {@link HistogramMetric} per name, its sources the services' instruments of that name. */
  private static List<HistogramMetric> histograms(List<Service> services) {
    Map<String, List<Source>> sources = new LinkedHashMap<>();
    Map<String, Histogram> first = new LinkedHashMap<>();
    for (Service s : services) {
      for (Histogram h : s.service.histograms()) {
        first.putIfAbsent(h.name(), h);
        sources
            .computeIfAbsent(h.name(), k -> new ArrayList<>())
            .add(new Source(Map.of("store", s.kind), h));
      }
    }
    List<HistogramMetric> out = new ArrayList<>();
    sources.forEach(
        (name, list) -> {
          Histogram h = first.get(name);
          out.add(new HistogramMetric(name, h.description(), h.unit(), list));
        });
    return out;
  }

  /**
   * Every counter and gauge, go-header's first.
   *
   * @return the counters and gauges; the list never changes, each {@link Metric#read()} reads now
   */
  public List<Metric> metrics() {
    return metrics;
  }

  /**
   * Every histogram, all go-header's.
   *
   * @return the histograms; the list never changes, each {@link HistogramMetric#read()} reads now
   */
  public List<HistogramMetric> histograms() {
    return histograms;
  }

  private record Service(String kind, HeaderSyncService<?> service) {}

  private static SyncMetrics sync(Service s) {
    return s.service.syncMetrics();
  }

  private static PubSubStats pubsub(P2PClient p2p) {
    return p2p.pubSub().stats();
  }

  /**
   * What the syncer takes for the network head: its job's target while catching up, else the
   * store's head.
   */
  private static long subjectiveHead(HeaderSyncService<?> s) {
    SyncState state = s.syncState();
    return Math.max(s.store().height(), state.finished() ? 0 : state.toHeight());
  }

  private static Metric gauge(
      String name, String description, List<Service> services, Function<Service, Number> value) {
    return perService(name, description, Kind.GAUGE, services, value);
  }

  private static Metric counter(
      String name, String description, List<Service> services, Function<Service, Number> value) {
    return perService(name, description, Kind.COUNTER, services, value);
  }

  private static Metric perService(
      String name,
      String description,
      Kind kind,
      List<Service> services,
      Function<Service, Number> value) {
    return new Metric(
        name,
        description,
        kind,
        () -> {
          List<Sample> l = new ArrayList<>(services.size());
          for (Service s : services) {
            l.add(new Sample(Map.of("store", s.kind), value.apply(s).longValue()));
          }
          return l;
        });
  }

  private static Metric single(
      String name, String description, Kind kind, java.util.function.LongSupplier value) {
    return new Metric(
        name, description, kind, () -> List.of(new Sample(Map.of(), value.getAsLong())));
  }
}
