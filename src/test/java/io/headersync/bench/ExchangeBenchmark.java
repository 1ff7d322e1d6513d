package io.headersync.bench;

import io.headersync.evnode.Block;
import io.headersync.evnode.EvNodeTypes;
import io.headersync.evnode.HeaderSigner;
import io.headersync.evnode.P2PSignedHeader;
import io.headersync.evnode.SignerKey;
import io.headersync.exchange.Exchange;
import io.headersync.exchange.ExchangeProtocol;
import io.headersync.exchange.P2PServer;
import io.headersync.exchange.ServerOptions;
import io.headersync.interop.GoPeer;
import io.headersync.libp2p.ConnectionGater;
import io.headersync.libp2p.Host;
import io.headersync.libp2p.PeerId;
import io.headersync.store.InMemoryStore;
import io.headersync.testing.Identified;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Side-by-side catch-up over the header exchange on loopback TCP, in one run: go-header v0.8.6's
 * client syncing from go-header's server (the way its syncer does: one 64-header request after the
 * other, each verified), against our client syncing from our server (pipelined range session), with
 * one and with two servers. Headers are ev-node v1.2 {@code P2PSignedHeader}s on both sides, served
 * from in-memory stores. Each figure is the median of {@code -Dbench.rounds} runs (3), ours after
 * unreported rounds of the same size until the JIT has settled ({@link JitWarmup}; exactly {@code
 * -Dbench.warmups} rounds if given). Prints every run's headers per second (and ours' CPU time by
 * thread group), then the medians and their ratio.
 *
 * <pre>
 * mvn -B -Pinterop,bench -DskipTests verify exec:exec -Dbench.main=io.headersync.bench.ExchangeBenchmark -Dbench.args=100000
 * </pre>
 */
public final class ExchangeBenchmark {
  private static final String NETWORK = "bench";
  private static final String PROTOCOL = ExchangeProtocol.protocolId(NETWORK);

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    System.out.printf(
        "header exchange catch-up of %,d ev-node headers over loopback TCP (%s, %d cores, Java %s)%n",
        n,
        System.getProperty("os.arch"),
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"));
    boolean javaOnly = args.length > 1 && args[1].equals("java-only");
    int rounds = Integer.getInteger("bench.rounds", 3);
    double go1 = javaOnly ? Double.NaN : median(rounds, () -> go(n, 1));
    double go2 = javaOnly ? Double.NaN : median(rounds, () -> go(n, 2));
    List<P2PSignedHeader> chain = chain(n);
    // Warm-up, not reported: whole runs of both kinds until the JIT has settled.
    JitWarmup.run(
        -1,
        () -> {
          java(chain, 1, n);
          java(chain, 2, n);
        });
    double ours1 = median(rounds, () -> java(chain, 1, n));
    double ours2 = median(rounds, () -> java(chain, 2, n));
    System.out.println();
    System.out.println(
        "| servers | go-header client <- go-header server | headersync client <- headersync server | ratio |");
    System.out.println("|---|---|---|---|");
    System.out.printf(
        "| 1 | %,.0f headers/s | %,.0f headers/s | %.1fx |%n", go1, ours1, ours1 / go1);
    System.out.printf(
        "| 2 | %,.0f headers/s | %,.0f headers/s | %.1fx |%n", go2, ours2, ours2 / go2);
    System.exit(0);
  }

  interface Run {
    double rate() throws Exception;
  }

  /** The median rate of {@code rounds} runs (each printed as it ends). */
  private static double median(int rounds, Run run) throws Exception {
    double[] rates = new double[rounds];
    for (int i = 0; i < rounds; i++) {
      rates[i] = run.rate();
    }
    java.util.Arrays.sort(rates);
    return rounds % 2 == 1 ? rates[rounds / 2] : (rates[rounds / 2 - 1] + rates[rounds / 2]) / 2;
  }

  private static double go(int n, int servers) throws Exception {
    List<GoPeer> peers = new ArrayList<>();
    try {
      GoPeer client = new GoPeer(100, "-network", NETWORK, "-chain-id", "bench");
      peers.add(client);
      for (int i = 0; i < servers; i++) {
        GoPeer server = new GoPeer(101 + i, "-network", NETWORK, "-chain-id", "bench");
        peers.add(server);
        server.ok("\"cmd\":\"gen\",\"count\":" + n + ",\"seed\":7", 600);
        client.ok("\"cmd\":\"connect\",\"addr\":\"" + server.tcpAddress() + "\"", 60);
      }
      String res =
          client.ok(
              "\"cmd\":\"ex-range\",\"peer\":\""
                  + peers.get(1).peerId()
                  + "\",\"height\":1,\"to\":"
                  + (n + 1),
              900);
      double rate =
          Double.parseDouble(res.replaceAll(".*\"headersPerSecond\":([0-9.eE+]+).*", "$1"));
      System.out.printf(
          "go-header, %d server(s): %,.0f headers/s (%s ms)%n",
          servers, rate, res.replaceAll(".*\"millis\":([0-9]+).*", "$1"));
      return rate;
    } finally {
      for (GoPeer p : peers) {
        p.close();
      }
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
    List<P2PSignedHeader> out = new ArrayList<>(n);
    Block b = signer.genesis(List.of());
    out.add(b.p2pHeader());
    for (int i = 1; i < n; i++) {
      b = signer.next(b, List.of());
      out.add(b.p2pHeader());
    }
    return out;
  }

  private static double java(List<P2PSignedHeader> chain, int servers, int n) throws Exception {
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    ExecutorService storeExecutor = Executors.newFixedThreadPool(2);
    List<Host> hosts = new ArrayList<>();
    try {
      InMemoryStore<P2PSignedHeader> store = new InMemoryStore<>();
      store.append(chain.subList(0, n)).join();
      List<PeerId> serverIds = new ArrayList<>();
      for (int i = 0; i < servers; i++) {
        Host h = LoopbackHosts.start(hosts, 200 + i);
        new P2PServer<>(
                h, store, PROTOCOL, ServerOptions.defaults(), storeExecutor, Clock.systemUTC())
            .start();
        serverIds.add(h.peerId());
      }
      ConnectionGater gater = new ConnectionGater();
      Host client = LoopbackHosts.start(hosts, 300);
      Exchange<P2PSignedHeader> ex =
          Exchange.builder(client, EvNodeTypes.P2P_SIGNED_HEADER, PROTOCOL)
              .chainId("bench")
              .trustedPeers(serverIds)
              .gater(gater)
              .scheduler(scheduler)
              .options(
                  io.headersync.exchange.ExchangeOptions.builder()
                      .perPeerDepth(Integer.getInteger("bench.depth", 4))
                      .build())
              .build();
      ex.start();
      List<CompletableFuture<Void>> identified = new ArrayList<>();
      for (int i = 0; i < servers; i++) {
        identified.add(Identified.by(client, hosts.get(i).peerId(), PROTOCOL));
        client.connect(hosts.get(i).listenAddresses().get(0)).get(30, TimeUnit.SECONDS);
      }
      CompletableFuture.allOf(identified.toArray(new CompletableFuture<?>[0]))
          .get(30, TimeUnit.SECONDS);
      CpuSplit cpu = CpuSplit.start();
      long t0 = System.nanoTime();
      P2PSignedHeader first = ex.getByHeight(1).get(60, TimeUnit.SECONDS);
      AtomicLong got = new AtomicLong();
      ex.streamRange(
              first,
              n + 1,
              batch -> {
                got.addAndGet(batch.size());
                return CompletableFuture.completedFuture(null);
              })
          .get(600, TimeUnit.SECONDS);
      double seconds = (System.nanoTime() - t0) / 1e9;
      double cpuSeconds = cpu.processNanos() / 1e9;
      double rate = got.get() / seconds;
      System.out.println("  " + cpu);

      System.out.printf(
          "headersync, %d server(s): %,.0f headers/s (%,d headers in %.0f ms; JVM CPU %.0f ms = %.2f cores,"
              + " client and server(s) together)%n",
          servers, rate, got.get(), seconds * 1000, cpuSeconds * 1000, cpuSeconds / seconds);
      return rate;
    } finally {
      for (Host h : hosts) {
        h.close();
      }
      scheduler.shutdownNow();
      storeExecutor.shutdownNow();
    }
  }
}
