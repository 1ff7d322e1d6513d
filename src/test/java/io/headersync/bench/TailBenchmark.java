package io.headersync.bench;

import io.headersync.Hash;
import io.headersync.evnode.EvNodeTypes;
import io.headersync.evnode.P2PSignedHeader;
import io.headersync.interop.GoPeer;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PrivateKey;
import io.headersync.service.HeaderSyncService;
import io.headersync.service.NetworkProfile;
import io.headersync.service.P2PConfig;
import io.headersync.sync.SyncListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

/**
 * Issue 17's figures, side by side in one run, against one go-header v0.8.6 server (an {@code
 * interop/peer} process holding {@code n} ev-node v1.2 {@code P2PSignedHeader}s, one second apart,
 * served by go-header's {@code ExchangeServer} over loopback TCP, ev-node's naming):
 *
 * <ol>
 *   <li><b>go-header</b>: its {@code sync.Syncer} with {@code SyncFromHeight = 1} (another Go
 *       process, go-header's store on an in-memory datastore), the way go-header gets a full
 *       history: it serves the head only once it synced up to it, so its time to the head is its
 *       time to the whole history.
 *   <li><b>ours, history on demand</b>: a light node ({@link HeaderSyncService}, RocksDB store on
 *       disk, its own libp2p host) started with the head's hash as trusted hash and {@code
 *       syncFromHeight(1)}. Timed from before {@code build()}: until {@code start()} returned with
 *       the head stored; until a Go peer started beforehand connected to it and got the head from
 *       it with go-header's {@code Exchange.Head} (what "serves the head" means to the network);
 *       until the back-fill stored header 1 (every header checked by hash links down from the
 *       trusted head).
 *   <li><b>ours, pruning</b>: the same light node from genesis with a pruning window of {@code w}
 *       headers ({@code w} seconds) while all {@code n} headers pass through, and without a window;
 *       store size on disk and heap used, sampled every 250 ms, peak and at the end (after a full
 *       GC).
 * </ol>
 *
 * Every time is the median of {@code bench.rounds} (3) rounds, each round printed; the first of
 * ours runs in a fresh JVM. Not a test: a main program, run by hand.
 *
 * <pre>
 * mvn -B -o -Pinterop,bench -DskipTests verify      # builds interop/peer into target/interop
 * java -Xmx2g -cp target/classes:target/test-classes:$(cat target/test-classpath.txt) \
 *   -Dheadersync.interop.dir=target/interop io.headersync.bench.TailBenchmark 1000000 100000
 * </pre>
 */
public final class TailBenchmark {
  private static final String CHAIN_ID = "gm";
  private static final String NETWORK =
      NetworkProfile.EVNODE.networkId(CHAIN_ID, NetworkProfile.SyncKind.HEADERS);
  private static final Duration BLOCK_TIME = Duration.ofSeconds(1);
  private static final long MINUTES = 60;

  /** {@code -Dbench.only=forward}: only the two forward runs (store size and heap), no medians. */
  private static final String ONLY = System.getProperty("bench.only", "all");

  private TailBenchmark() {}

  /** One round of the history-on-demand node, in milliseconds from before {@code build()}. */
  record OnDemand(double started, double served, double history, long storeBytes, long peakHeap) {}

  /** One forward catch-up of {@code n} headers, with or without a window. */
  record Forward(
      double millis,
      long tail,
      long head,
      long peakStoreBytes,
      long endStoreBytes,
      long peakHeap,
      long endHeap) {}

  /** Everything one run measured, for the smoke test. */
  record Result(List<Double> goMillis, List<OnDemand> ours, Forward pruned, Forward kept) {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int window = args.length > 1 ? Integer.parseInt(args[1]) : Math.max(1, n / 10);
    int rounds = Integer.getInteger("bench.rounds", 3);
    System.out.printf(
        "issue 17: %,d ev-node headers from one go-header v0.8.6 server over loopback TCP, window %,d "
            + "headers, %d rounds (%s, %d cores, Java %s, max heap %,d MiB)%n",
        n,
        window,
        rounds,
        System.getProperty("os.arch"),
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"),
        Runtime.getRuntime().maxMemory() >> 20);
    Result r = run(n, window, rounds);
    if (ONLY.equals("forward")) {
      printForwardTable(r, n, window);
      System.exit(0);
    }
    double go = median(r.goMillis());
    double started = median(r.ours().stream().map(OnDemand::started).toList());
    double served = median(r.ours().stream().map(OnDemand::served).toList());
    double history = median(r.ours().stream().map(OnDemand::history).toList());
    System.out.println();
    System.out.println(
        "| | go-header Syncer, SyncFromHeight 1 | headersync light node, trusted head + syncFromHeight 1"
            + " | ratio (Go / ours) |");
    System.out.println("|---|---|---|---|");
    System.out.printf(
        "| head stored (start returned) | %,.0f ms | %,.0f ms | %.1fx |%n",
        go, started, go / started);
    System.out.printf(
        "| head served to a Go peer | %,.0f ms | %,.0f ms | %.1fx |%n", go, served, go / served);
    System.out.printf(
        "| whole history (%,d headers) | %,.0f ms (%,.0f headers/s) | %,.0f ms (%,.0f headers/s) | "
            + "%.1fx |%n",
        n, go, n / (go / 1000), history, (n - 1) / (history / 1000), go / history);
    printForwardTable(r, n, window);
    System.exit(0);
  }

  private static void printForwardTable(Result r, int n, int window) {
    System.out.println();
    System.out.println(
        "| headersync light node from genesis | time | headers/s | tail..head | store on disk, peak / end "
            + "| heap used, peak / end (after GC) |");
    System.out.println("|---|---|---|---|---|---|");
    printForward("window " + String.format("%,d", window) + " headers", r.pruned(), n);
    printForward("no window (evnode profile)", r.kept(), n);
  }

  private static void printForward(String what, Forward f, int n) {
    System.out.printf(
        "| %s | %,.0f ms | %,.0f | %,d..%,d | %,.1f / %,.1f MiB | %,d / %,d MiB |%n",
        what,
        f.millis(),
        (n - 1) / (f.millis() / 1000),
        f.tail(),
        f.head(),
        f.peakStoreBytes() / 1048576.0,
        f.endStoreBytes() / 1048576.0,
        f.peakHeap() >> 20,
        f.endHeap() >> 20);
  }

  /** The whole benchmark: go-header's rounds, ours, the two forward runs. */
  static Result run(int n, int window, int rounds) throws Exception {
    try (GoPeer server = new GoPeer(170, "-network", NETWORK, "-chain-id", CHAIN_ID)) {
      long g0 = System.nanoTime();
      String gen = server.ok("\"cmd\":\"gen\",\"count\":" + n + ",\"seed\":7", 60 * MINUTES);
      System.out.printf(
          "go server generated and stored %,d signed headers in %,.0f ms%n",
          n, (System.nanoTime() - g0) / 1e6);
      Hash head = Hash.parse(GoPeer.string(gen, "hash"));
      Multiaddr serverAddress = Multiaddr.parse(server.tcpAddress());

      List<Double> goMillis = new ArrayList<>();
      List<OnDemand> ours = new ArrayList<>();
      if (ONLY.equals("forward")) {
        return new Result(
            goMillis,
            ours,
            forward(serverAddress, n, Duration.ofSeconds(window)),
            forward(serverAddress, n, null));
      }
      try (GoPeer client = new GoPeer(171, "-network", NETWORK, "-chain-id", CHAIN_ID)) {
        client.ok("\"cmd\":\"connect\",\"addr\":\"" + serverAddress + "\"", MINUTES);
        for (int i = 0; i < rounds; i++) {
          client.ok(
              "\"cmd\":\"sync-start\",\"peer\":\""
                  + server.peerId()
                  + "\",\"height\":1,\"blockTimeMillis\":"
                  + BLOCK_TIME.toMillis(),
              MINUTES);
          String res =
              client.ok(
                  "\"cmd\":\"sync-wait\",\"height\":" + n + ",\"millis\":3600000", 61 * MINUTES);
          double millis = Double.parseDouble(res.replaceAll(".*\"millis\":([0-9]+).*", "$1"));
          System.out.printf(
              "go-header Syncer, SyncFromHeight 1: head %,d stored after %,.0f ms%n", n, millis);
          goMillis.add(millis);
          client.ok("\"cmd\":\"sync-stop\"", MINUTES);
        }
      }

      for (int i = 0; i < rounds; i++) {
        OnDemand o = onDemand(server, serverAddress, head, n, i);
        System.out.printf(
            "headersync, trusted head %,d + syncFromHeight 1: started %,.0f ms, head served to a Go peer "
                + "%,.0f ms, header 1 stored %,.0f ms (store %,.1f MiB, peak heap used %,d MiB)%n",
            n,
            o.started(),
            o.served(),
            o.history(),
            o.storeBytes() / 1048576.0,
            o.peakHeap() >> 20);
        ours.add(o);
      }
      Forward pruned = forward(serverAddress, n, Duration.ofSeconds(window));
      Forward kept = forward(serverAddress, n, null);
      return new Result(goMillis, ours, pruned, kept);
    }
  }

  private static OnDemand onDemand(
      GoPeer server, Multiaddr serverAddress, Hash head, int n, int round) throws Exception {
    Path dir = Files.createTempDirectory("headersync-tail-bench");
    CompletableFuture<Void> history = new CompletableFuture<>();
    try (GoPeer probe = new GoPeer(180 + round, "-network", NETWORK, "-chain-id", CHAIN_ID);
        Sampler sampler = new Sampler(dir)) {
      probe.ready(); // started before the clock runs
      long t0 = System.nanoTime();
      HeaderSyncService<P2PSignedHeader> node =
          HeaderSyncService.builder(EvNodeTypes.P2P_SIGNED_HEADER, CHAIN_ID)
              .profile(NetworkProfile.EVNODE)
              .p2p(
                  P2PConfig.builder()
                      .identity(PrivateKey.ed25519FromSeed(seed(round)))
                      .listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"))
                      .seed(serverAddress)
                      .build())
              .storePath(dir.resolve("headers"))
              .blockTime(BLOCK_TIME)
              .trustedHash(head)
              .syncFromHeight(1)
              .listener(
                  new SyncListener<>() {
                    @Override
                    public void tailMoved(P2PSignedHeader tail) {
                      if (tail.height() == 1) {
                        history.complete(null);
                      }
                    }
                  })
              .build();
      try {
        node.start().get(MINUTES, TimeUnit.SECONDS);
        double started = (System.nanoTime() - t0) / 1e6;
        if (node.store().height() != n) {
          throw new IllegalStateException(
              "started with head " + node.store().height() + ", not " + n);
        }
        probe.ok("\"cmd\":\"connect\",\"addr\":\"" + node.p2p().addresses().get(0) + "\"", MINUTES);
        String got =
            probe.ok(
                "\"cmd\":\"ex-head\",\"peer\":\"" + node.p2p().host().peerId() + "\"", MINUTES);
        double served = (System.nanoTime() - t0) / 1e6;
        if (Long.parseLong(got.replaceAll(".*\"height\":([0-9]+).*", "$1")) != n) {
          throw new IllegalStateException("the Go peer got " + got);
        }
        history.get(60 * MINUTES, TimeUnit.SECONDS);
        double historyMillis = (System.nanoTime() - t0) / 1e6;
        node.tailIdle().get(MINUTES, TimeUnit.SECONDS);
        sameAsServer(server, node, 1);
        sameAsServer(server, node, n / 2);
        long bytes = Sampler.size(dir);
        return new OnDemand(started, served, historyMillis, bytes, sampler.peakHeap.get());
      } finally {
        node.close();
      }
    } finally {
      delete(dir);
    }
  }

  /**
   * A light node from genesis, with a pruning window or keeping everything, until it holds the
   * head.
   */
  private static Forward forward(Multiaddr serverAddress, int n, Duration window) throws Exception {
    Path dir = Files.createTempDirectory("headersync-tail-bench");
    try (Sampler sampler = new Sampler(dir)) {
      long t0 = System.nanoTime();
      HeaderSyncService.Builder<P2PSignedHeader> b =
          HeaderSyncService.builder(EvNodeTypes.P2P_SIGNED_HEADER, CHAIN_ID)
              .profile(NetworkProfile.EVNODE)
              .p2p(
                  P2PConfig.builder()
                      .identity(PrivateKey.ed25519FromSeed(seed(window == null ? 90 : 91)))
                      .listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"))
                      .seed(serverAddress)
                      .build())
              .storePath(dir.resolve("headers"))
              .blockTime(BLOCK_TIME);
      // Headers one second apart: with the window, the last prune step leaves the tail at the first
      // header inside it. Waited for through the listener (the step may follow the last append).
      long wantedTail = window == null ? 1 : n - window.toSeconds();
      CompletableFuture<Void> tailSettled = new CompletableFuture<>();
      if (window != null) {
        b.pruningWindow(window)
            .listener(
                new SyncListener<>() {
                  @Override
                  public void tailMoved(P2PSignedHeader tail) {
                    if (tail.height() >= wantedTail) {
                      tailSettled.complete(null);
                    }
                  }
                });
      } else {
        tailSettled.complete(null);
      }
      HeaderSyncService<P2PSignedHeader> node = b.build();
      try {
        sampler.watch(
            () -> node.store().height() - node.store().tail().map(h -> h.height()).orElse(0L));
        node.start().get(MINUTES, TimeUnit.SECONDS);
        node.store().awaitHeight(n).get(60 * MINUTES, TimeUnit.SECONDS);
        double millis = (System.nanoTime() - t0) / 1e6;
        tailSettled.get(MINUTES, TimeUnit.SECONDS);
        node.tailIdle().get(MINUTES, TimeUnit.SECONDS);
        long tail = node.store().tail().orElseThrow().height();
        long head = node.store().height();
        long end = Sampler.size(dir);
        long endHeap = Sampler.heapAfterGc();
        System.out.printf(
            "headersync from genesis, %s: head %,d after %,.0f ms, tail %,d, store %,.1f MiB (peak "
                + "%,.1f), heap %,d MiB after GC (peak %,d), most headers held %,d%n",
            window == null ? "no window" : "window " + window,
            head,
            millis,
            tail,
            end / 1048576.0,
            sampler.peakBytes.get() / 1048576.0,
            endHeap >> 20,
            sampler.peakHeap.get() >> 20,
            sampler.peakHeld.get());
        return new Forward(
            millis, tail, head, sampler.peakBytes.get(), end, sampler.peakHeap.get(), endHeap);
      } finally {
        node.close();
      }
    } finally {
      delete(dir);
    }
  }

  /** Our header at {@code height} is byte for byte the server's. */
  private static void sameAsServer(
      GoPeer server, HeaderSyncService<P2PSignedHeader> node, long height) throws Exception {
    String go =
        server.ok("\"cmd\":\"sync-header\",\"height\":" + height + ",\"from\":\"store\"", MINUTES);
    Hash ours = node.store().getByHeight(height).orElseThrow().hash();
    if (!Hash.parse(GoPeer.string(go, "hash")).equals(ours)) {
      throw new IllegalStateException(
          "header " + height + ": ours " + ours + ", the server's " + go);
    }
  }

  private static byte[] seed(int round) {
    byte[] s = new byte[32];
    s[0] = (byte) (40 + round);
    return s;
  }

  private static double median(List<Double> values) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(v);
    return v[v.length / 2];
  }

  static void delete(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /** Samples heap used and the store directory's size every 250 ms; keeps the peaks. */
  static final class Sampler implements AutoCloseable {
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();
    final AtomicLong peakHeap = new AtomicLong();
    final AtomicLong peakBytes = new AtomicLong();
    final AtomicLong peakHeld = new AtomicLong();
    private final ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "bench-sampler");
              t.setDaemon(true);
              return t;
            });
    private volatile LongSupplier held = () -> 0;

    Sampler(Path dir) {
      timer.scheduleAtFixedRate(
          () -> {
            peakHeap.accumulateAndGet(MEMORY.getHeapMemoryUsage().getUsed(), Math::max);
            peakBytes.accumulateAndGet(size(dir), Math::max);
            try {
              peakHeld.accumulateAndGet(held.getAsLong(), Math::max);
            } catch (RuntimeException e) {
              // the store is not open yet, or closed
            }
          },
          0,
          250,
          TimeUnit.MILLISECONDS);
    }

    void watch(LongSupplier heldHeaders) {
      held = heldHeaders;
    }

    /** The sum of the sizes of the directory's files (0 if it cannot be read). */
    static long size(Path dir) {
      try (Stream<Path> files = Files.walk(dir)) {
        return files
            .filter(Files::isRegularFile)
            .mapToLong(
                p -> {
                  try {
                    return Files.size(p);
                  } catch (IOException e) {
                    return 0; // deleted meanwhile (a compaction)
                  }
                })
            .sum();
      } catch (IOException | UncheckedIOException e) {
        return 0; // a file went away during the walk: the next sample counts it
      }
    }

    static long heapAfterGc() {
      System.gc();
      return MEMORY.getHeapMemoryUsage().getUsed();
    }

    @Override
    public void close() {
      timer.shutdownNow();
    }
  }
}
