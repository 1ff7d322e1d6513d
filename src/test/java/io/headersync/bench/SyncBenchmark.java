package io.headersync.bench;

import io.headersync.evnode.Block;
import io.headersync.evnode.EvNodeTypes;
import io.headersync.evnode.HeaderSigner;
import io.headersync.evnode.P2PSignedHeader;
import io.headersync.evnode.SignerKey;
import io.headersync.exchange.Exchange;
import io.headersync.exchange.ExchangeOptions;
import io.headersync.exchange.ExchangeProtocol;
import io.headersync.exchange.P2PServer;
import io.headersync.exchange.ServerOptions;
import io.headersync.interop.GoPeer;
import io.headersync.libp2p.ConnectionGater;
import io.headersync.libp2p.Host;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PeerId;
import io.headersync.store.InMemoryStore;
import io.headersync.store.RocksDbStore;
import io.headersync.sync.Syncer;
import io.headersync.sync.SyncerOptions;
import io.headersync.testing.Identified;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Side-by-side syncer catch-up over loopback TCP, in one run: go-header v0.8.6's {@code
 * sync.Syncer} (fresh go-header store, tail = genesis, trusted peer = the server) syncing from
 * go-header's {@code ExchangeServer}, two Go processes; against our {@link Syncer} (fresh {@link
 * RocksDbStore} initialised with the genesis header fetched from the server) syncing from our
 * {@link P2PServer}, both hosts in this JVM. ev-node v1.2 {@code P2PSignedHeader}s, one serving
 * peer. Time runs from the syncer's start (Go: {@code sync-start}; ours: fetching the genesis
 * header) until the store holds the head. A third run adds our proposer-signature check ({@code
 * extraCheck}), which neither go-header nor ev-node does at this layer, and is compared with the
 * signature check alone on all cores (the machine's ceiling, measured in the same run). Every
 * figure is the median of three runs, ours after whole-size warm-up rounds until the JIT has
 * settled; the first round in the fresh JVM is printed as the cold figure. Prints headers per
 * second, the CPU split of every run of ours, and the ratios.
 *
 * <pre>
 * mvn -B -Pinterop,bench -DskipTests verify exec:exec -Dbench.main=io.headersync.bench.SyncBenchmark -Dbench.args=100000
 * mvn ... -Dbench.args="100000 25"      # 25 ms each way (50 ms round trip) through interop/delayproxy
 * mvn ... -Dbench.args="100000 25 16"   # the same with a fixed 16 requests in flight per peer (no adaptive window)
 * java -Dbench.servers=3 ... SyncBenchmark 50000 25   # ours from 3 of our servers, each behind its own delay line
 * </pre>
 *
 * With a delay, both clients reach their server through {@link DelayProxy}, a user-space delay
 * line.
 */
public final class SyncBenchmark {
  private static final String NETWORK = "bench";
  private static final String PROTOCOL = ExchangeProtocol.protocolId(NETWORK);

  /**
   * Our servers the client syncs from ({@code -Dbench.servers}, default 1), each behind its own
   * delay line.
   */
  private static final int SERVERS = Integer.getInteger("bench.servers", 1);

  private static Duration delay = Duration.ZERO;

  /** A fixed number of requests in flight per peer, or 0: the adaptive window (the default). */
  private static int depth;

  /**
   * With {@code -Dbench.curve=FILE}: the time each run reached each checkpoint (a twentieth of the
   * chain), written as CSV ({@code series,headers,seconds}) for {@link BenchSuite}'s chart. Series:
   * go-header's first run, our first run in this JVM (cold), our last measured run (steady).
   */
  private static final String CURVE = System.getProperty("bench.curve");

  private static final List<String> curveRows = new ArrayList<>();

  /** The series the next run of ours records into; null: it records nothing. */
  private static String curveSeries;

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 && args[0].matches("\\d+") ? Integer.parseInt(args[0]) : 100_000;
    delay = Duration.ofMillis(args.length > 1 ? Long.parseLong(args[1]) : 0);
    depth = args.length > 2 ? Integer.parseInt(args[2]) : 0;
    System.out.printf(
        "syncer catch-up of %,d ev-node headers from %d peer(s) (go-header: one) over loopback TCP, %s ms each way, "
            + "%s requests in flight per peer (%s, %d cores, Java %s)%n",
        n,
        SERVERS,
        delay.toMillis(),
        depth > 0 ? "fixed " + depth : "adaptive",
        System.getProperty("os.arch"),
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"));
    curveSeries = "go-header";
    // -Dbench.skipGo=true: ours only (for profiling, or several of our servers; Go's column prints
    // "-", or NaN in the zero-delay tables)
    double go = Boolean.getBoolean("bench.skipGo") ? Double.NaN : go(n);
    List<P2PSignedHeader> chain = chain(n);
    curveSeries = CURVE == null ? null : "headersync cold JVM";
    // The first round in this JVM is the cold figure: what a freshly started node gets for its
    // first
    // n headers, JIT compilation included. Then warm-up rounds until the JIT has settled; the
    // figures
    // after that are the steady state of a long-running node.
    double cold = delay.isZero() ? java(chain, n, false) : Double.NaN;
    // With a delay line too, the measured runs are those of a settled JIT: the warm-up rounds run
    // the
    // same code without the delay line (faster), then the measured runs go through it.
    curveSeries = null;
    Duration measuredDelay = delay;
    delay = Duration.ZERO;
    JitWarmup.run(-1, () -> java(chain, n, false));
    delay = measuredDelay;
    double ours =
        median(
            3,
            () -> {
              curveSeries = CURVE == null ? null : "headersync steady";
              curveRows.removeIf(r -> r.startsWith("headersync steady,")); // keep the last run's
              return java(chain, n, false);
            });
    curveSeries = null;
    writeCurve();
    if (Boolean.getBoolean("bench.skipSignatures")) { // for profiling the plain catch-up
      System.out.printf("%nratio %.1fx (cold JVM %.1fx)%n", ours / go, cold / go);
      System.exit(0);
    }
    if (delay.isZero()) {
      java(
          chain, n,
          true); // warms up the check's path in the syncer (its first round runs the JIT on it)
    }
    double signed = delay.isZero() ? median(3, () -> java(chain, n, true)) : Double.NaN;
    if (!delay.isZero()) {
      // Issue 18 row 3 holds the rate through the delay line against ours without it: measured
      // here too, same servers, same settled JIT, so the two figures share one run.
      Duration through = delay;
      delay = Duration.ZERO;
      double zero = median(3, () -> java(chain, n, false));
      delay = through;
      String servers = SERVERS == 1 ? "headersync server" : SERVERS + " headersync servers";
      System.out.println();
      System.out.println(
          "| round trip | go-header Syncer <- go-header server | headersync Syncer <- "
              + servers
              + " | ratio | headersync, zero delay | round trip / zero delay |");
      System.out.println("|---|---|---|---|---|---|");
      System.out.printf(
          "| %d ms | %s | %,.0f headers/s | %s | %,.0f headers/s | %.0f%% |%n",
          2 * delay.toMillis(),
          Double.isNaN(go) ? "-" : String.format("%,.0f headers/s", go),
          ours,
          Double.isNaN(go) ? "-" : String.format("%.1fx", ours / go),
          zero,
          100 * ours / zero);
      System.exit(0);
    }
    // The same check syncing from a go-header server (another process): what a JVM light node gets
    // from ev-node's Go full nodes; the server's work is Go's, still on the same two cores.
    double signedFromGo;
    try (GoPeer server = new GoPeer(102, "-network", NETWORK, "-chain-id", "bench")) {
      server.ok("\"cmd\":\"gen\",\"count\":" + n + ",\"seed\":7", 600);
      java(chain, n, true, server); // warms up the client side against Go
      signedFromGo = median(3, () -> java(chain, n, true, server));
    }
    double ceiling = signatureCeiling(chain);
    System.out.println();
    System.out.println(
        "| go-header Syncer <- go-header server | headersync, cold JVM | ratio | headersync, steady"
            + " | ratio |");
    System.out.println("|---|---|---|---|---|");
    System.out.printf(
        "| %,.0f headers/s | %,.0f headers/s | %.1fx | %,.0f headers/s | %.1fx |%n",
        go, cold, cold / go, ours, ours / go);
    System.out.println();
    System.out.println(
        "| signature ceiling | headersync + signature check <- headersync server (same JVM) | share |"
            + " headersync + signature check <- go-header server | share |");
    System.out.println("|---|---|---|---|---|");
    System.out.printf(
        "| %,.0f headers/s | %,.0f headers/s | %.0f%% | %,.0f headers/s | %.0f%% |%n",
        ceiling, signed, 100 * signed / ceiling, signedFromGo, 100 * signedFromGo / ceiling);
    System.exit(0);
  }

  /**
   * Heights at which a curve is sampled: every twentieth of the chain, synced headers (height - 1).
   */
  private static List<Long> checkpoints(int n) {
    List<Long> out = new ArrayList<>();
    for (int i = 1; i <= 20; i++) {
      out.add(Math.max(1L, (long) n * i / 20));
    }
    return out;
  }

  /**
   * Samples the store height of one of our runs every millisecond on its own thread (the store's
   * height is a volatile read), recording when each checkpoint was first seen.
   */
  private static final class CurveSampler {
    private final Thread thread;
    private volatile boolean done;

    CurveSampler(String series, RocksDbStore<?> store, long t0, int n) {
      List<Long> marks = checkpoints(n);
      thread =
          new Thread(
              () -> {
                int next = 0;
                while (next < marks.size()) {
                  long synced = store.height() - 1;
                  while (next < marks.size() && synced >= Math.min(marks.get(next), n - 1)) {
                    synchronized (curveRows) {
                      curveRows.add(
                          series
                              + ","
                              + Math.min(marks.get(next), n - 1)
                              + ","
                              + (System.nanoTime() - t0) / 1e9);
                    }
                    next++;
                  }
                  if (done
                      && next < marks.size()
                      && store.height() - 1 < Math.min(marks.get(next), n - 1)) {
                    return;
                  }
                  java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
                }
              },
              "bench-curve-sampler");
      thread.setDaemon(true);
      thread.start();
    }

    void finish() throws InterruptedException {
      done = true;
      thread.join(10_000);
    }
  }

  private static void writeCurve() throws java.io.IOException {
    if (CURVE == null) {
      return;
    }
    List<String> lines = new ArrayList<>();
    lines.add("series,headers,seconds");
    synchronized (curveRows) {
      lines.addAll(curveRows);
    }
    Path file = Path.of(CURVE);
    if (file.getParent() != null) {
      Files.createDirectories(file.getParent());
    }
    Files.write(file, lines);
    System.out.println("curve written to " + file);
  }

  /** A measurement that may fail. */
  private interface Run {
    double rate() throws Exception;
  }

  /**
   * The median of three runs (go-header's: one run with a delay line, which takes long and varies
   * little).
   */
  private static double median(Run run) throws Exception {
    return median(delay.isZero() ? 3 : 1, run);
  }

  /** The median of {@code runs} runs. */
  private static double median(int runs, Run run) throws Exception {
    double[] r = new double[runs];
    for (int i = 0; i < runs; i++) {
      r[i] = run.rate();
    }
    java.util.Arrays.sort(r);
    return r[runs / 2];
  }

  private static double go(int n) throws Exception {
    try (GoPeer server = new GoPeer(101, "-network", NETWORK, "-chain-id", "bench");
        GoPeer client = new GoPeer(100, "-network", NETWORK, "-chain-id", "bench")) {
      server.ok("\"cmd\":\"gen\",\"count\":" + n + ",\"seed\":7", 600);
      Multiaddr target = Multiaddr.parse(server.tcpAddress());
      DelayProxy proxy = delay.isZero() ? null : new DelayProxy(target, delay);
      client.ok(
          "\"cmd\":\"connect\",\"addr\":\""
              + (proxy == null ? target : proxy.address(target))
              + "\"",
          60);
      double rate =
          median(
              () -> {
                client.ok(
                    "\"cmd\":\"sync-start\",\"peer\":\""
                        + server.peerId()
                        + "\",\"height\":1,"
                        + "\"blockTimeMillis\":1000",
                    120);
                if (CURVE != null && "go-header".equals(curveSeries)) {
                  // go-header's store answers a wait as soon as the height is stored: ask at each
                  // checkpoint.
                  for (long h : checkpoints(n)) {
                    if (h < n) {
                      String at =
                          client.ok(
                              "\"cmd\":\"sync-wait\",\"height\":" + (h + 1) + ",\"millis\":900000",
                              910);
                      curveRows.add(
                          "go-header,"
                              + h
                              + ","
                              + Long.parseLong(at.replaceAll(".*\"millis\":([0-9]+).*", "$1"))
                                  / 1e3);
                    }
                  }
                }
                String res =
                    client.ok("\"cmd\":\"sync-wait\",\"height\":" + n + ",\"millis\":900000", 910);
                if (CURVE != null && "go-header".equals(curveSeries)) {
                  curveRows.add(
                      "go-header,"
                          + (n - 1)
                          + ","
                          + Long.parseLong(res.replaceAll(".*\"millis\":([0-9]+).*", "$1")) / 1e3);
                  curveSeries = null;
                }
                double r =
                    Double.parseDouble(
                        res.replaceAll(".*\"headersPerSecond\":([0-9.eE+]+).*", "$1"));
                System.out.printf(
                    "go-header Syncer: %,.0f headers/s (%s ms)%n",
                    r, res.replaceAll(".*\"millis\":([0-9]+).*", "$1"));
                client.ok("\"cmd\":\"sync-stop\"", 60);
                return r;
              });
      if (proxy != null) {
        proxy.close();
      }
      return rate;
    }
  }

  /**
   * The machine's ceiling for the signature check alone: every header's {@code verifySignature} on
   * all cores, no network and no store, measured in this run.
   */
  private static double signatureCeiling(List<P2PSignedHeader> chain) throws Exception {
    int threads = Runtime.getRuntime().availableProcessors();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      long t0 = System.nanoTime();
      List<CompletableFuture<Void>> parts = new ArrayList<>();
      int size = (chain.size() + threads - 1) / threads;
      for (int i = 0; i < threads; i++) {
        List<P2PSignedHeader> part =
            chain.subList(Math.min(i * size, chain.size()), Math.min((i + 1) * size, chain.size()));
        parts.add(
            CompletableFuture.runAsync(() -> part.forEach(P2PSignedHeader::verifySignature), pool));
      }
      CompletableFuture.allOf(parts.toArray(new CompletableFuture<?>[0]))
          .get(600, TimeUnit.SECONDS);
      double rate = chain.size() / ((System.nanoTime() - t0) / 1e9);
      System.out.printf("signature check alone on %d threads: %,.0f headers/s%n", threads, rate);
      return rate;
    } finally {
      pool.shutdownNow();
    }
  }

  private static List<P2PSignedHeader> chain(int n) {
    HeaderSigner signer =
        HeaderSigner.builder()
            .key(SignerKey.fromSeed(new byte[32]))
            .chainId("bench")
            .startTime(Instant.parse("2026-01-01T00:00:00Z"))
            .blockTime(Duration.ofSeconds(1))
            .build();
    return signer.chain(n).stream().map(Block::p2pHeader).toList();
  }

  private static double java(List<P2PSignedHeader> chain, int n, boolean checkSignatures)
      throws Exception {
    return java(chain, n, checkSignatures, null);
  }

  /**
   * One catch-up of ours; from our own server in this JVM, or from {@code goServer} (a Go peer that
   * generated and serves the chain with go-header's {@code ExchangeServer}) when given.
   */
  private static double java(
      List<P2PSignedHeader> chain, int n, boolean checkSignatures, GoPeer goServer)
      throws Exception {
    ScheduledExecutorService scheduler =
        Executors.newSingleThreadScheduledExecutor(
            new DefaultThreadFactory("bench-scheduler", true));
    ExecutorService storeExecutor =
        Executors.newFixedThreadPool(2, new DefaultThreadFactory("bench-server-store", true));
    ExecutorService worker =
        Executors.newFixedThreadPool(
            Runtime.getRuntime().availableProcessors(),
            new DefaultThreadFactory("bench-worker", true));
    List<Host> hosts = new ArrayList<>();
    Path dir = Files.createTempDirectory("headersync-sync-bench");
    List<DelayProxy> proxies = new ArrayList<>();
    try {
      List<P2PServer<P2PSignedHeader>> p2pServers = new ArrayList<>();
      List<PeerId> serverIds = new ArrayList<>();
      List<Multiaddr> targets = new ArrayList<>();
      if (goServer == null) {
        InMemoryStore<P2PSignedHeader> served = new InMemoryStore<>();
        served.append(chain.subList(0, n)).join();
        for (int i = 0;
            i < SERVERS;
            i++) { // -Dbench.servers: several of our servers, each behind its own delay line
          Host server = LoopbackHosts.start(hosts, 200 + i);
          P2PServer<P2PSignedHeader> p2pServer =
              new P2PServer<>(
                  server,
                  served,
                  PROTOCOL,
                  ServerOptions.builder()
                      .maxConcurrentPerPeer(
                          Math.max(
                              Integer.getInteger("bench.serverPerPeer", depth),
                              ServerOptions.defaults().maxConcurrentPerPeer()))
                      .build(),
                  storeExecutor,
                  Clock.systemUTC());
          p2pServer.start();
          p2pServers.add(p2pServer);
          serverIds.add(server.peerId());
          targets.add(server.listenAddresses().get(0).withPeerId(server.peerId()));
        }
      } else {
        serverIds.add(PeerId.parse(goServer.peerId()));
        targets.add(Multiaddr.parse(goServer.tcpAddress()));
      }
      Host client = LoopbackHosts.start(hosts, 300);
      Exchange<P2PSignedHeader> ex =
          Exchange.builder(client, EvNodeTypes.P2P_SIGNED_HEADER, PROTOCOL)
              .chainId("bench")
              .trustedPeers(serverIds)
              .gater(new ConnectionGater())
              .scheduler(scheduler)
              .options(
                  depth > 0
                      ? ExchangeOptions.builder().fixedPerPeerDepth(depth).build()
                      : ExchangeOptions.defaults())
              .build();
      ex.start();
      for (int i = 0; i < serverIds.size(); i++) {
        CompletableFuture<Void> identified = Identified.by(client, serverIds.get(i), PROTOCOL);
        Multiaddr target = targets.get(i);
        DelayProxy proxy = delay.isZero() ? null : new DelayProxy(target, delay);
        if (proxy != null) {
          proxies.add(proxy);
        }
        client.connect(proxy == null ? target : proxy.address(target)).get(30, TimeUnit.SECONDS);
        identified.get(30, TimeUnit.SECONDS);
      }
      try (RocksDbStore<P2PSignedHeader> store =
          RocksDbStore.builder(EvNodeTypes.P2P_SIGNED_HEADER).path(dir.resolve("db")).build()) {
        CpuSplit cpu = CpuSplit.start();
        long t0 = System.nanoTime();
        store.append(List.of(ex.getByHeight(1).get(60, TimeUnit.SECONDS))).join();
        Syncer.Builder<P2PSignedHeader> b =
            Syncer.builder(store, ex, EvNodeTypes.P2P_SIGNED_HEADER)
                .options(
                    SyncerOptions.builder(Duration.ofSeconds(1))
                        .trustingPeriod(Duration.ofDays(36_500))
                        .build())
                .scheduler(scheduler)
                .workerExecutor(worker);
        if (checkSignatures) {
          b.extraCheck(P2PSignedHeader::verifySignature);
        }
        Syncer<P2PSignedHeader> syncer = b.build();
        CurveSampler sampler =
            curveSeries == null ? null : new CurveSampler(curveSeries, store, t0, n);
        syncer.start().get(60, TimeUnit.SECONDS);
        syncer.syncWait().get(600, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (sampler != null) {
          sampler.finish();
          if ("headersync cold JVM".equals(curveSeries)) {
            curveSeries = null;
          }
        }
        long synced = store.height() - 1;
        double rate = synced / seconds;
        syncer.stop().get(60, TimeUnit.SECONDS);
        System.out.printf(
            "headersync Syncer%s%s: %,.0f headers/s (%,d headers in %.0f ms)%n",
            checkSignatures ? " + signature check" : "",
            goServer == null ? "" : " <- go-header server",
            rate,
            synced,
            seconds * 1000);
        List<P2PServer.Stats> stats = p2pServers.stream().map(P2PServer::stats).toList();
        System.out.printf(
            "  %s; %.1f µs of CPU per header%s%n",
            cpu, cpu.processNanos() / 1e3 / synced, stats.isEmpty() ? "" : "; servers: " + stats);
        ex.close();
        for (P2PServer<P2PSignedHeader> p2pServer : p2pServers) {
          p2pServer.close();
        }
        return rate;
      }
    } finally {
      for (Host h : hosts) {
        h.close();
      }
      proxies.forEach(DelayProxy::close);
      scheduler.shutdownNow();
      storeExecutor.shutdownNow();
      worker.shutdownNow();
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
