package io.headersync.bench;

import io.headersync.evnode.Block;
import io.headersync.evnode.EvNodeSync;
import io.headersync.evnode.EvNodeTypes;
import io.headersync.evnode.HeaderSigner;
import io.headersync.evnode.P2PData;
import io.headersync.evnode.P2PSignedHeader;
import io.headersync.evnode.SignerKey;
import io.headersync.interop.EvNodeBlocks;
import io.headersync.interop.GoPeer;
import io.headersync.libp2p.Multiaddr;
import io.headersync.service.NetworkProfile;
import io.headersync.service.NetworkProfile.SyncKind;
import io.headersync.service.P2PConfig;
import io.headersync.store.RocksDbStore;
import io.headersync.store.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Side-by-side full-node catch-up, headers AND data, over loopback TCP, in one run: ev-node v1.2.2
 * blocks in which 1 block in 10 carries 20 txs of 200 bytes, from one serving peer. Go: a Go full
 * node ({@code interop/peer} {@code fn-start}: go-header v0.8.6 syncers for headers and for data,
 * wired as ev-node v1.2.2's {@code pkg/sync/sync_service.go}) syncing from a Go peer that serves
 * both go-header stores ({@code blocks-gen}), two Go processes. Ours: an {@link EvNodeSync} FULL
 * node (fresh RocksDB stores) syncing from an {@link EvNodeSync} SEQUENCER in this JVM that resumed
 * from stores pre-filled with the chain. Time runs from the start of the full node until both its
 * header and data stores hold the head. During ours, a sampler records the largest (header height -
 * data height) every millisecond: the data store should never trail the headers by more than two
 * range batches (128).
 *
 * <p>go-header's data syncer cannot verify a non-adjacent head (ev-node's {@code Data.Verify}
 * compares {@code last_data_hash} with the trusted data's hash even across a gap), so it
 * bifurcates: in {@code Syncer.Start} for at most 2 s ({@code NetworkHeadRequestTimeout}), then
 * only when gossip brings a new head, as on a live chain. The Go run therefore has its server
 * publish one more block once the full node is up, and measures until both stores hold that block;
 * a run that does not finish within the cap reports how far the data got.
 *
 * <p>Every figure is the median of three runs (a capped Go run is measured once), ours after
 * whole-size warm-up rounds until the JIT has settled; the first round in the fresh JVM is printed
 * as the cold figure. Prints blocks per second, Go's header and data times, our largest gap, and
 * the ratios.
 *
 * <pre>
 * mvn -B -Pinterop,bench -DskipTests verify exec:exec -Dbench.main=io.headersync.bench.FullSyncBenchmark -Dbench.args=100000
 * mvn ... -Dbench.args="100000 300 2"   # cap each run at 300 s, 2 warm-up rounds (default: until the JIT settled)
 * </pre>
 */
public final class FullSyncBenchmark {
  private static final String CHAIN = "bench";
  private static final int TX_EVERY = 10;
  private static final int TX_COUNT = 20;
  private static final int TX_BYTES = 200;
  private static final String TXS =
      ",\"txEvery\":"
          + TX_EVERY
          + ",\"txCount\":"
          + TX_COUNT
          + ",\"txBytes\":"
          + TX_BYTES
          + ",\"txSeed\":7";

  /** Two range batches of 64: how far data may trail headers. */
  private static final long GAP_GOAL = 128;

  private static Duration cap = Duration.ofSeconds(600);

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 && args[0].matches("\\d+") ? Integer.parseInt(args[0]) : 100_000;
    cap = Duration.ofSeconds(args.length > 1 ? Long.parseLong(args[1]) : 600);
    int warmups = args.length > 2 ? Integer.parseInt(args[2]) : -1;
    System.out.printf(
        "full-node catch-up of %,d ev-node blocks (headers and data; 1 block in %d carries %d txs of %d"
            + " bytes) from one peer over loopback TCP, capped at %d s (%s, %d cores, Java %s)%n",
        n,
        TX_EVERY,
        TX_COUNT,
        TX_BYTES,
        cap.toSeconds(),
        System.getProperty("os.arch"),
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"));
    Result go = go(n);

    Path served = Files.createTempDirectory("headersync-fullsync-served");
    try {
      List<Block> chain = chain(n);
      prefill(served, chain);
      chain = null; // the stores hold it now
      try (EvNodeSync sequencer =
          EvNodeSync.builder(CHAIN)
              .role(EvNodeSync.Role.SEQUENCER)
              .profile(NetworkProfile.EVNODE)
              .p2p(P2PConfig.builder().listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")).build())
              .dataDir(served)
              .blockTime(Duration.ofSeconds(1))
              .build()) {
        sequencer.start().get(120, TimeUnit.SECONDS);
        Multiaddr seed = sequencer.p2p().addresses().get(0);
        // The first round in this JVM is the cold figure: what a freshly started node gets for its
        // first n blocks, JIT compilation included. Then warm-up rounds until the JIT has settled.
        Result cold = java(seed, n);
        JitWarmup.run(warmups, () -> java(seed, n));
        Result ours = median(() -> java(seed, n));
        System.out.println();
        System.out.println(
            "| Go full node <- Go peer | headersync, cold JVM | ratio | headersync, steady | ratio |"
                + " headersync max data gap (cold / steady) |");
        System.out.println("|---|---|---|---|---|---|");
        System.out.printf(
            "| %s | %s | %.1fx | %s | %.1fx | %,d / %,d blocks (goal <= %d) |%n",
            go.describe(),
            cold.describe(),
            cold.rate / go.rate,
            ours.describe(),
            ours.rate / go.rate,
            cold.maxGap,
            ours.maxGap,
            GAP_GOAL);
        System.out.printf(
            "%nGo: headers in %,d ms, data in %,d ms, max data gap %,d blocks%n",
            go.headerMillis, go.dataMillis, go.maxGap);
      }
    } finally {
      delete(served);
    }
    System.exit(0);
  }

  /** One catch-up: blocks per second (of what was synced when not finished), gap, times. */
  private record Result(
      double rate, boolean finished, long height, long maxGap, long headerMillis, long dataMillis) {
    String describe() {
      return String.format(
          "%,.0f blocks/s%s", rate, finished ? "" : " (capped: data at " + height + ")");
    }
  }

  /** A measurement that may fail. */
  private interface Run {
    Result run() throws Exception;
  }

  /** The run with the median rate of three. */
  private static Result median(Run run) throws Exception {
    Result[] r = new Result[3];
    for (int i = 0; i < 3; i++) {
      r[i] = run.run();
    }
    java.util.Arrays.sort(r, Comparator.comparingDouble(Result::rate));
    return r[1];
  }

  private static Result go(int n) throws Exception {
    try (GoPeer server = new GoPeer(111, "-network", CHAIN + "-headerSync", "-chain-id", CHAIN)) {
      String gen = server.ok("\"cmd\":\"blocks-gen\",\"count\":" + n + ",\"seed\":7" + TXS, 600);
      System.out.printf(
          "Go peer generated %,d blocks (%s txs blocks)%n", n, field(gen, "txBlocks"));
      server.ok("\"cmd\":\"blocks-sub-start\"", 60);
      Result first = goRun(server, n, 0);
      if (!first.finished) {
        return first; // capped: one run is enough to show it
      }
      Result second = goRun(server, n, 1);
      Result third = goRun(server, n, 2);
      Result[] r = {first, second, third};
      java.util.Arrays.sort(r, Comparator.comparingDouble(Result::rate));
      return r[1];
    }
  }

  /**
   * One Go catch-up of a fresh Go full node, timed until both its stores hold n; run {@code i} has
   * the server gossip block n + 1 + i, up to which the data syncer bifurcates.
   */
  private static Result goRun(GoPeer server, int n, int i) throws Exception {
    long gossiped = n + 1L + i;
    try (GoPeer client = new GoPeer(120 + i, "-chain-id", CHAIN)) {
      client.ok("\"cmd\":\"connect\",\"addr\":\"" + server.tcpAddress() + "\"", 60);
      // syncLogLevel: go-header's data syncer logs a WARN line per bifurcation step (millions
      // here).
      client.ok(
          "\"cmd\":\"fn-start\",\"peer\":\""
              + server.peerId()
              + "\",\"blockTimeMillis\":1000,\"target\":"
              + n
              + ",\"syncLogLevel\":\"error\"",
          120);
      server.ok("\"cmd\":\"blocks-wait-peer\",\"peer\":\"" + client.peerId() + "\"", 60);
      server.ok("\"cmd\":\"blocks-publish\",\"count\":1,\"seed\":7" + TXS, 60);
      String res =
          client.command(
              "\"cmd\":\"fn-wait\",\"height\":" + gossiped + ",\"millis\":" + cap.toMillis(),
              cap.toSeconds() + 60);
      if (res.contains("\"ok\":true")) {
        long headerMillis = Long.parseLong(field(res, "targetHeaderMillis"));
        long dataMillis = Long.parseLong(field(res, "targetDataMillis"));
        Result r =
            new Result(
                (n - 1) / (Math.max(headerMillis, dataMillis) / 1e3),
                true,
                n,
                Long.parseLong(field(res, "maxGap")),
                headerMillis,
                dataMillis);
        System.out.printf(
            "Go full node: %,.0f blocks/s (headers at %,d in %d ms, data in %d ms; max data gap %,d)%n",
            r.rate, n, r.headerMillis, r.dataMillis, r.maxGap);
        return r;
      }
      String state = client.ok("\"cmd\":\"fn-state\"", 60);
      long data = Long.parseLong(field(state, "dataHeight"));
      Result r =
          new Result(
              (data - 1) / (double) cap.toSeconds(),
              false,
              data,
              Long.parseLong(field(state, "maxGap")),
              -1,
              -1);
      System.out.printf(
          "Go full node: not done after %d s: headers at %s, data at %,d (%,.0f blocks/s); %s%n",
          cap.toSeconds(), field(state, "headerHeight"), data, r.rate, state);
      return r;
    }
  }

  private static String field(String json, String name) {
    return json.replaceAll(".*\"" + name + "\":\"?([0-9.eE+-]+).*", "$1");
  }

  private static List<Block> chain(int n) {
    HeaderSigner signer =
        HeaderSigner.builder()
            .key(SignerKey.fromSeed(new byte[32]))
            .chainId(CHAIN)
            .startTime(Instant.parse("2026-01-01T00:00:00Z"))
            .blockTime(Duration.ofSeconds(1))
            .build();
    return EvNodeBlocks.chain(signer, n, TX_EVERY, TX_COUNT, TX_BYTES, 7);
  }

  /** Writes the chain into the stores an EvNodeSync with this data directory opens. */
  private static void prefill(Path dir, List<Block> chain) {
    try (RocksDbStore<P2PSignedHeader> headers =
            RocksDbStore.builder(EvNodeTypes.P2P_SIGNED_HEADER)
                .path(dir.resolve("headers"))
                .prefix(NetworkProfile.EVNODE.storePrefix(SyncKind.HEADERS))
                .build();
        RocksDbStore<P2PData> data =
            RocksDbStore.builder(EvNodeTypes.P2P_DATA)
                .path(dir.resolve("data"))
                .prefix(NetworkProfile.EVNODE.storePrefix(SyncKind.DATA))
                .build()) {
      for (int i = 0; i < chain.size(); i += 1000) {
        List<Block> part = chain.subList(i, Math.min(chain.size(), i + 1000));
        headers.append(part.stream().map(Block::p2pHeader).toList()).join();
        data.append(part.stream().map(Block::p2pData).toList()).join();
      }
      headers.flush();
      data.flush();
    }
  }

  /** One catch-up of a fresh EvNodeSync FULL node from the sequencer at {@code seed}. */
  private static Result java(Multiaddr seed, int n) throws Exception {
    Path dir = Files.createTempDirectory("headersync-fullsync-bench");
    try (EvNodeSync node =
        EvNodeSync.builder(CHAIN)
            .role(EvNodeSync.Role.FULL)
            .profile(NetworkProfile.EVNODE)
            .p2p(
                P2PConfig.builder()
                    .listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"))
                    .seed(seed)
                    .build())
            .dataDir(dir)
            .blockTime(Duration.ofSeconds(1))
            .build()) {
      CpuSplit cpu = CpuSplit.start();
      long t0 = System.nanoTime();
      AtomicLong maxGap = new AtomicLong();
      AtomicLong headersDone = new AtomicLong();
      Thread sampler =
          new Thread(
              () -> {
                Store<P2PSignedHeader> headers = node.headers().store();
                Store<P2PData> data = node.data().orElseThrow().store();
                while (!Thread.currentThread().isInterrupted()) {
                  long h = headers.height();
                  maxGap.accumulateAndGet(h - data.height(), Math::max);
                  if (h >= n) {
                    headersDone.compareAndSet(0, System.nanoTime());
                  }
                  try {
                    Thread.sleep(1);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              },
              "bench-gap-sampler");
      sampler.setDaemon(true);
      sampler.start();
      boolean finished = true;
      try {
        node.start().get(120, TimeUnit.SECONDS);
        node.awaitHeight(n).get(cap.toSeconds(), TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        finished = false;
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      sampler.interrupt();
      sampler.join();
      long data = node.data().orElseThrow().store().height();
      long synced = (finished ? n : data) - 1;
      long headerMillis = headersDone.get() == 0 ? -1 : (headersDone.get() - t0) / 1_000_000;
      Result r =
          new Result(
              synced / seconds,
              finished,
              data,
              maxGap.get(),
              headerMillis,
              (long) (seconds * 1000));
      System.out.printf(
          "headersync full node: %,.0f blocks/s (%,d blocks in %.0f ms; headers in %d ms; max data gap"
              + " %,d)%s%n",
          r.rate,
          synced,
          seconds * 1000,
          headerMillis,
          r.maxGap,
          finished
              ? ""
              : String.format(
                  " NOT DONE after %d s: headers at %d, data at %d",
                  cap.toSeconds(), node.headers().store().height(), data));
      System.out.printf(
          "  %s; %.1f µs of CPU per block%n", cpu, cpu.processNanos() / 1e3 / Math.max(synced, 1));
      return r;
    } finally {
      delete(dir);
    }
  }

  private static void delete(Path dir) throws Exception {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
