package io.headersync.bench;

import io.headersync.exchange.P2PServer;
import io.headersync.exchange.ServerOptions;
import io.headersync.exchange.internal.ExchangeWire;
import io.headersync.libp2p.Host;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.Stream;
import io.headersync.store.InMemoryStore;
import io.headersync.testkit.DummyHeader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The header-ex server under load (issue 13, item 5), in one JVM over loopback TCP:
 *
 * <ol>
 *   <li><b>50 peers × 10 concurrent range streams</b> of 64 headers for {@code seconds}, against a
 *       server with default {@link ServerOptions}; meanwhile an honest client asks for one range at
 *       a time. Prints the requests served per peer (min, max, max/min), the honest client's
 *       latency (median, p99), throughput, and the heap after GC before and during the load.
 *   <li><b>1,000 idle inbound TCP connections</b> to a node that is serving the honest client: how
 *       long a new honest peer takes to connect and ping, and whether the honest client still gets
 *       answers.
 * </ol>
 *
 * Run: {@code mvn -B -Pbench -DskipTests verify exec:exec
 * -Dbench.main=io.headersync.bench.ServerLoadBenchmark -Dbench.args="20"} (seconds of load; default
 * 20). Figures: {@code docs/reliability.md}.
 */
public final class ServerLoadBenchmark {
  private static final String PROTOCOL = "/load/header-ex/v0.0.3";
  private static final int CHAIN = 100_000;
  private static final int PEERS = 50;
  private static final int STREAMS = 10;
  private static final int RANGE = 64;

  private static final ExecutorService LOOPS =
      Executors.newFixedThreadPool(
          2,
          r -> {
            Thread t = new Thread(r, "load-loops");
            t.setDaemon(true);
            return t;
          });

  private ServerLoadBenchmark() {}

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    List<Host> hosts = new ArrayList<>();
    ExecutorService storeExecutor = Executors.newFixedThreadPool(2);
    try {
      InMemoryStore<DummyHeader> store = new InMemoryStore<>();
      List<DummyHeader> chain = new ArrayList<>(CHAIN);
      DummyHeader h = DummyHeader.genesis("load", 1, Instant.parse("2026-01-01T00:00:00Z"));
      chain.add(h);
      while (chain.size() < CHAIN) {
        h = h.next();
        chain.add(h);
      }
      for (int from = 0; from < CHAIN; from += 4096) {
        store.append(chain.subList(from, Math.min(CHAIN, from + 4096))).get(60, TimeUnit.SECONDS);
      }
      Host server = LoopbackHosts.start(hosts, 1);
      P2PServer<DummyHeader> p2pServer =
          new P2PServer<>(
              server, store, PROTOCOL, ServerOptions.defaults(), storeExecutor, Clock.systemUTC());
      p2pServer.start();
      Multiaddr serverAddr = server.listenAddresses().get(0).withPeerId(server.peerId());
      MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
      System.gc();
      long heapBefore = memory.getHeapMemoryUsage().getUsed();

      // 1. 50 peers x 10 streams, and an honest client.
      List<Host> clients = new ArrayList<>();
      for (int i = 0; i < PEERS; i++) {
        Host c = LoopbackHosts.start(hosts, 100 + i);
        c.connect(serverAddr).get(30, TimeUnit.SECONDS);
        clients.add(c);
      }
      Host honest = LoopbackHosts.start(hosts, 99);
      honest.connect(serverAddr).get(30, TimeUnit.SECONDS);
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicLongArray served = new AtomicLongArray(PEERS);
      AtomicLong failed = new AtomicLong();
      List<CompletableFuture<Void>> loops = new ArrayList<>();
      long start = System.nanoTime();
      for (int i = 0; i < PEERS; i++) {
        for (int s = 0; s < STREAMS; s++) {
          int peer = i;
          Random rnd = new Random(peer * 31L + s);
          loops.add(
              loop(
                  running,
                  () ->
                      request(clients.get(peer), server.peerId(), 1 + rnd.nextInt(CHAIN - RANGE))
                          .handle(
                              (n, e) -> {
                                if (e == null && n == RANGE) {
                                  served.incrementAndGet(peer);
                                } else {
                                  failed.incrementAndGet();
                                }
                                return null;
                              })));
        }
      }
      List<Long> honestLatencies = new ArrayList<>();
      long peakHeap = 0;
      Random rnd = new Random(7);
      while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(seconds)) {
        long t0 = System.nanoTime();
        Integer n =
            request(honest, server.peerId(), 1 + rnd.nextInt(CHAIN - RANGE))
                .exceptionally(e -> -1)
                .get(60, TimeUnit.SECONDS);
        honestLatencies.add(n == RANGE ? System.nanoTime() - t0 : Long.MAX_VALUE);
        peakHeap = Math.max(peakHeap, memory.getHeapMemoryUsage().getUsed());
      }
      running.set(false);
      CompletableFuture.allOf(loops.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
      double elapsed = (System.nanoTime() - start) / 1e9;
      System.gc();
      long heapAfter = memory.getHeapMemoryUsage().getUsed();
      long[] perPeer = new long[PEERS];
      long total = 0;
      for (int i = 0; i < PEERS; i++) {
        perPeer[i] = served.get(i);
        total += perPeer[i];
      }
      Arrays.sort(perPeer);
      long honestFailures = honestLatencies.stream().filter(x -> x == Long.MAX_VALUE).count();
      long[] lat =
          honestLatencies.stream()
              .filter(x -> x != Long.MAX_VALUE)
              .mapToLong(Long::longValue)
              .sorted()
              .toArray();
      System.out.printf(
          "load: %d peers x %d streams of %d-header ranges for %.0f s: %,d requests (%,.0f/s, %,.0f headers/s), "
              + "%d failed or reset%n",
          PEERS,
          STREAMS,
          RANGE,
          elapsed,
          total,
          total / elapsed,
          total * RANGE / elapsed,
          failed.get());
      System.out.printf(
          "fairness: served per peer min %d, median %d, max %d (max/min %.2f)%n",
          perPeer[0],
          perPeer[PEERS / 2],
          perPeer[PEERS - 1],
          perPeer[0] == 0 ? Double.NaN : (double) perPeer[PEERS - 1] / perPeer[0]);
      System.out.printf(
          "honest client: %d answered, median %.1f ms, p99 %.1f ms; %d reset%n",
          lat.length,
          lat[lat.length / 2] / 1e6,
          lat[Math.min(lat.length - 1, (int) (lat.length * 0.99))] / 1e6,
          honestFailures);
      System.out.printf(
          "heap (whole JVM: server and 51 clients): %d MiB before, %d MiB peak during, %d MiB after GC%n",
          heapBefore >> 20, peakHeap >> 20, heapAfter >> 20);
      System.out.println("server stats: " + p2pServer.stats());

      // 2. 1,000 idle inbound TCP connections while the honest client keeps asking.
      InetSocketAddress target =
          new InetSocketAddress("127.0.0.1", port(server.listenAddresses().get(0)));
      List<Socket> idle = new ArrayList<>();
      try {
        long opened = 0;
        for (int i = 0; i < 1_000; i++) {
          try {
            Socket s = new Socket();
            s.connect(target, 2_000);
            idle.add(s);
            opened++;
          } catch (java.io.IOException e) {
            break; // out of file descriptors: report how many
          }
        }
        long t0 = System.nanoTime();
        Host newcomer = LoopbackHosts.start(hosts, 98);
        newcomer.connect(serverAddr).get(30, TimeUnit.SECONDS);
        newcomer.ping(server.peerId()).get(30, TimeUnit.SECONDS);
        double joinMs = (System.nanoTime() - t0) / 1e6;
        int answered = 0;
        int asked = 20;
        for (int i = 0; i < asked; i++) {
          if (request(honest, server.peerId(), 1 + rnd.nextInt(CHAIN - RANGE))
                  .exceptionally(e -> -1)
                  .get(30, TimeUnit.SECONDS)
              == RANGE) {
            answered++;
          }
        }
        System.out.printf(
            "flood: %d idle TCP connections open; a new honest peer connected and pinged in %.0f ms; "
                + "the honest client got %d/%d ranges%n",
            opened, joinMs, answered, asked);
      } finally {
        for (Socket s : idle) {
          s.close();
        }
      }
    } finally {
      for (int i = hosts.size() - 1; i >= 0; i--) {
        hosts.get(i).close();
      }
      storeExecutor.shutdownNow();
    }
  }

  private static int port(Multiaddr a) {
    String[] parts = a.toString().split("/");
    for (int i = 0; i < parts.length - 1; i++) {
      if (parts[i].equals("tcp")) {
        return Integer.parseInt(parts[i + 1]);
      }
    }
    throw new IllegalArgumentException("no tcp port in " + a);
  }

  /**
   * Runs {@code step} again and again (each after the previous one completed) while {@code
   * running}.
   */
  private static CompletableFuture<Void> loop(
      AtomicBoolean running, java.util.function.Supplier<CompletableFuture<Void>> step) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    Runnable[] next = new Runnable[1];
    next[0] =
        () -> {
          if (!running.get()) {
            done.complete(null);
            return;
          }
          step.get()
              .whenCompleteAsync((v, e) -> next[0].run(), LOOPS); // no recursion on quick failures
        };
    next[0].run();
    return done;
  }

  /** One range request on a new stream; completes with the number of header frames read. */
  private static CompletableFuture<Integer> request(Host client, PeerId server, long origin) {
    return client
        .newStream(server, PROTOCOL)
        .thenCompose(
            stream ->
                stream
                    .write(ExchangeWire.rangeRequestFrame(origin, RANGE))
                    .thenCompose(v -> readFrames(stream, 0)));
  }

  private static CompletableFuture<Integer> readFrames(Stream stream, int count) {
    return stream
        .readMessage(1 << 20)
        .thenCompose(
            (Optional<byte[]> m) -> {
              if (m.isEmpty()) {
                stream.close();
                return CompletableFuture.completedFuture(count);
              }
              return readFrames(stream, count + 1);
            });
  }
}
