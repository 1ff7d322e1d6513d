package io.headersync.bench;

import io.headersync.evnode.P2PSignedHeader;
import io.headersync.exchange.ExchangeProtocol;
import io.headersync.exchange.P2PServer;
import io.headersync.exchange.ServerOptions;
import io.headersync.libp2p.Host;
import io.headersync.libp2p.Multiaddr;
import io.headersync.service.NetworkProfile;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Issue 18 row 6: does a light node keep its pace over a long chain? Our light node ({@link
 * LightNodeProcess}: {@code HeaderSyncService}, RocksDB on disk, a fresh JVM with {@code -Xmx128m}
 * and the default GC) syncs {@code n} (10,000,000) ev-node {@code P2PSignedHeader}s from our {@link
 * P2PServer} in this JVM over loopback TCP, and reports when its store passed every million, with
 * heap used after a full GC and the store's size there. Prints headers/s per million, the last
 * million against the first, and the heap along the way.
 *
 * <p>The server must not be the bottleneck: it serves a {@link GeneratedChainStore} (each header
 * made when asked for, about 1-2 µs, from a hash kept every 64 headers: 5 MB for 10 M headers,
 * where a stored chain would take 3 GB of heap or a minute of filling a store), with its per-peer
 * rate limit raised far above what one client asks (the default, 2,000 requests/s, is 128,000
 * headers/s). The headers carry a fixed signature, not a real one, and the node checks none:
 * signing 10 M headers would take longer than the whole run, and checking them would make Ed25519
 * the rate ({@link SyncBenchmark} and {@link LightNodeBenchmark} measure that). Not a test: a main
 * program.
 *
 * <pre>
 * java -cp target/classes:target/test-classes:$(cat target/test-classpath.txt) io.headersync.bench.LongChainBenchmark 10000000
 * # -Dbench.xmx=256m: the node's heap; -Dbench.nodeJvm="-XX:StartFlightRecording=filename=node.jfr": more
 * # flags for the node's JVM; arguments: headers, headers between marks (default n / 10)
 * </pre>
 */
public final class LongChainBenchmark {
  private static final String NETWORK =
      NetworkProfile.EVNODE.networkId(
          BenchHeaders.EvNode.CHAIN_ID, NetworkProfile.SyncKind.HEADERS);

  private LongChainBenchmark() {}

  public static void main(String[] args) throws Exception {
    long n = args.length > 0 ? Long.parseLong(args[0]) : 10_000_000;
    long every = args.length > 1 ? Long.parseLong(args[1]) : Math.max(1, n / 10);
    String xmx = System.getProperty("bench.xmx", "128m");
    System.out.printf(
        "issue 18 row 6: a light node syncing %,d ev-node headers (unsigned) from our server over "
            + "loopback TCP, node in a fresh JVM with -Xmx%s (%d cores, Java %s)%n",
        n, xmx, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
    LightNodeProcess.Result r = run(n, every, LightNodeProcess.jvmArgs(xmx));
    print(r, every);
    System.exit(0);
  }

  /** Serves the generated chain, runs the light node against it, returns what the node reported. */
  static LightNodeProcess.Result run(long n, long every, List<String> jvmArgs) throws Exception {
    long g0 = System.nanoTime();
    GeneratedChainStore chain = new GeneratedChainStore(n);
    System.out.printf(
        "chain of %,d headers made in %,.0f ms (kept: every 64th hash)%n",
        n, (System.nanoTime() - g0) / 1e6);
    ExecutorService storeExecutor =
        Executors.newFixedThreadPool(2, new DefaultThreadFactory("bench-server-store", true));
    List<Host> hosts = new ArrayList<>();
    Path dir = Files.createTempDirectory("headersync-long-chain");
    try {
      Host server = LoopbackHosts.start(hosts, 600);
      P2PServer<P2PSignedHeader> p2pServer =
          new P2PServer<>(
              server,
              chain,
              ExchangeProtocol.protocolId(NETWORK),
              ServerOptions.builder().ratePerPeer(1_000_000, 1_000_000).build(),
              storeExecutor,
              Clock.systemUTC());
      p2pServer.start();
      Multiaddr address = server.listenAddresses().get(0).withPeerId(server.peerId());
      CpuSplit cpu = CpuSplit.start();
      LightNodeProcess.Result r =
          LightNodeProcess.run(
              jvmArgs,
              new LightNodeProcess.Args(
                  address,
                  n,
                  dir,
                  BenchHeaders.EvNode.CHAIN_ID,
                  BenchHeaders.EvNode.BLOCK_TIME,
                  "-",
                  every,
                  true),
              "  node| ");
      System.out.printf(
          "server (this JVM): %.1f µs of CPU per header; %s%n", cpu.processNanos() / 1e3 / n, cpu);
      p2pServer.close();
      return r;
    } finally {
      for (Host h : hosts) {
        h.close();
      }
      storeExecutor.shutdownNow();
      TailBenchmark.delete(dir);
    }
  }

  private static void print(LightNodeProcess.Result r, long every) {
    List<LightNodeProcess.Mark> marks = r.marks();
    System.out.println();
    System.out.println(
        "| headers | headers/s in this stretch | node CPU per header | of it RocksDB flushes and "
            + "compactions | heap used after GC | process RSS | store on disk |");
    System.out.println("|---|---|---|---|---|---|---|");
    double[] rates = new double[marks.size()];
    double before = 0;
    for (int i = 0; i < marks.size(); i++) {
      LightNodeProcess.Mark m = marks.get(i);
      rates[i] = every / ((m.millis() - before) / 1000);
      before = m.millis();
      System.out.printf(
          "| %,d | %,.0f | %.1f µs | %.1f µs | %.1f MiB | %,d MiB | %,d MiB |%n",
          m.height(),
          rates[i],
          m.cpuNanos() / 1e3 / every,
          m.rocksNanos() / 1e3 / every,
          m.heapAfterGc() / 1048576.0,
          m.rss() >> 20,
          m.storeBytes() >> 20);
    }
    if (marks.size() < 2) {
      return;
    }
    double first = rates[0];
    double last = rates[rates.length - 1];
    double[] sorted = rates.clone();
    Arrays.sort(sorted);
    LightNodeProcess.Mark m0 = marks.get(0);
    LightNodeProcess.Mark mn = marks.get(marks.size() - 1);
    System.out.println();
    // The first stretch runs in a fresh JVM (JIT compilation included): the median says more about
    // the trend.
    double median = sorted[sorted.length / 2];
    System.out.println(
        "| first stretch | last stretch | last / first | median stretch | last / median | heap after GC,"
            + " first / last mark | whole run | RSS peak |");
    System.out.println("|---|---|---|---|---|---|---|---|");
    System.out.printf(
        "| %,.0f headers/s | %,.0f headers/s | %.2f | %,.0f headers/s | %.2f | %.1f / %.1f MiB | %,.0f s, "
            + "%,.0f headers/s | %,d MiB |%n",
        first,
        last,
        last / first,
        median,
        last / median,
        m0.heapAfterGc() / 1048576.0,
        mn.heapAfterGc() / 1048576.0,
        r.get("millis") / 1000.0,
        mn.height() / (r.get("millis") / 1000.0),
        r.get("rssPeak") >> 20);
  }
}
