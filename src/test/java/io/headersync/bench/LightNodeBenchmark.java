package io.headersync.bench;

import io.headersync.evnode.EvNodeTypes;
import io.headersync.evnode.P2PSignedHeader;
import io.headersync.interop.GoPeer;
import io.headersync.libp2p.Multiaddr;
import io.headersync.service.NetworkProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

/**
 * Issue 18 row 5: what a light node costs in memory and disk over a long chain, side by side in one
 * run with go-header. One go-header v0.8.6 server ({@code interop/peer}: its {@code
 * ExchangeServer}, ev-node naming) holds {@code n} (1,000,000) signed ev-node v1.2 {@code
 * P2PSignedHeader}s, one second apart; from it, over loopback TCP:
 *
 * <ul>
 *   <li><b>go-header</b>: its {@code sync.Syncer} ({@code SyncFromHeight} 1, another Go process)
 *       storing into go-header's store on the datastore ev-node v1.2.2 keeps its data in
 *       (go-ds-badger4 with ev-node's {@code BadgerOptions}, on disk). Its process's peak and final
 *       resident set, its Go heap after a GC, its store's bytes on disk once the store was stopped
 *       and the datastore closed, and again after {@code DB.Flatten} and the value-log GC.
 *   <li><b>ours</b>: a light node ({@link LightNodeProcess}: {@code HeaderSyncService}, RocksDB on
 *       disk, every header's proposer signature checked) in a fresh JVM with {@code -Xmx128m}
 *       ({@code -Dbench.xmx}; more flags in {@code -Dbench.nodeJvm}) and the default GC: whether it
 *       completes, its time, heap used (peak and after GC), process RSS (peak {@code VmHWM} and at
 *       the end) and store bytes on disk once the node stopped (store flushed and closed), and
 *       again after a full compaction.
 * </ul>
 *
 * Bytes on disk are allocated blocks ({@code du}), divided by the headers stored. go-header's
 * syncer checks no signatures (ev-node does not at this layer); ours does. Not a test: a main
 * program.
 *
 * <pre>
 * mvn -B -o -Pinterop,bench -DskipTests verify      # builds interop/peer into target/interop
 * java -cp target/classes:target/test-classes:$(cat target/test-classpath.txt) \
 *   -Dheadersync.interop.dir=target/interop io.headersync.bench.LightNodeBenchmark 1000000
 * </pre>
 */
public final class LightNodeBenchmark {
  private static final String CHAIN_ID = "gm";
  private static final String NETWORK =
      NetworkProfile.EVNODE.networkId(CHAIN_ID, NetworkProfile.SyncKind.HEADERS);
  private static final long MINUTES = 60;

  private LightNodeBenchmark() {}

  /** go-header's side: time, process memory, store bytes as left and after compaction. */
  record Go(
      double millis,
      long rssPeak,
      long rssEnd,
      long heapAfterGc,
      long storeEnd,
      long storeCompacted) {}

  /** Both sides; {@code ours} null (and {@code failure} set) when our node did not complete. */
  record Result(long n, Go go, LightNodeProcess.Result ours, String failure) {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    String xmx = System.getProperty("bench.xmx", "128m");
    boolean signatures = Boolean.parseBoolean(System.getProperty("bench.signatures", "true"));
    // With signatures off and the default heap it is row 1's measurement (a fresh JVM against
    // go-header's syncer); with the defaults, row 5's (memory and disk at -Xmx128m).
    String row = !signatures && xmx.equals("default") ? "row 1" : "row 5";
    System.out.printf(
        "issue 18 "
            + row
            + ": %,d signed ev-node headers from one go-header v0.8.6 server over loopback TCP;"
            + " our light node in a fresh JVM with -Xmx%s, signature checks %s (%d cores, Java %s)%n",
        n,
        xmx,
        signatures ? "on" : "off",
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"));
    Result r = run(n, LightNodeProcess.jvmArgs(xmx), signatures);
    print(r, xmx, signatures);
    System.exit(0);
  }

  static Result run(long n, List<String> jvmArgs) throws Exception {
    return run(n, jvmArgs, true);
  }

  /** As {@link #run(long, List)}; without {@code signatures} our node checks none, as go-header. */
  static Result run(long n, List<String> jvmArgs, boolean signatures) throws Exception {
    Path root = Files.createTempDirectory("headersync-light-node-bench");
    try (GoPeer server = new GoPeer(170, "-network", NETWORK, "-chain-id", CHAIN_ID)) {
      long g0 = System.nanoTime();
      server.ok("\"cmd\":\"gen\",\"count\":" + n + ",\"seed\":7", 60 * MINUTES);
      System.out.printf(
          "go server generated and stored %,d signed headers in %,.0f ms%n",
          n, (System.nanoTime() - g0) / 1e6);
      Multiaddr serverAddress = Multiaddr.parse(server.tcpAddress());
      String first = server.ok("\"cmd\":\"sync-header\",\"height\":1,\"from\":\"store\"", MINUTES);
      P2PSignedHeader genesis =
          EvNodeTypes.P2P_SIGNED_HEADER.decode(
              HexFormat.of().parseHex(GoPeer.string(first, "bytes")));
      String proposer = HexFormat.of().formatHex(genesis.signedHeader().signer().address());

      Go go = go(server, root.resolve("go"), n);
      LightNodeProcess.Result ours = null;
      String failure = null;
      try {
        ours =
            LightNodeProcess.run(
                jvmArgs,
                new LightNodeProcess.Args(
                    serverAddress,
                    n,
                    root.resolve("ours"),
                    CHAIN_ID,
                    Duration.ofSeconds(1),
                    signatures ? proposer : "-",
                    Math.max(1, n / 10),
                    false),
                "  node| ");
      } catch (IllegalStateException e) {
        failure = e.getMessage();
        System.out.println("our light node did not complete: " + failure);
      }
      return new Result(n, go, ours, failure);
    } finally {
      TailBenchmark.delete(root);
    }
  }

  private static Go go(GoPeer server, Path dir, long n) throws Exception {
    try (GoPeer client = new GoPeer(171, "-network", NETWORK, "-chain-id", CHAIN_ID)) {
      client.ok("\"cmd\":\"connect\",\"addr\":\"" + server.tcpAddress() + "\"", MINUTES);
      client.ok(
          "\"cmd\":\"sync-start\",\"peer\":\""
              + server.peerId()
              + "\",\"height\":1,\"blockTimeMillis\":1000,"
              + "\"datastore\":\"badger\",\"path\":\""
              + dir
              + "\"",
          MINUTES);
      String res =
          client.ok("\"cmd\":\"sync-wait\",\"height\":" + n + ",\"millis\":3600000", 61 * MINUTES);
      double millis = number(res, "millis");
      String mem = client.ok("\"cmd\":\"mem\",\"gc\":true", MINUTES);
      client.ok("\"cmd\":\"sync-stop\"", 10 * MINUTES);
      long end = LightNodeProcess.du(dir);
      String compacted =
          client.ok("\"cmd\":\"badger-compact\",\"path\":\"" + dir + "\"", 30 * MINUTES);
      long after = LightNodeProcess.du(dir);
      Go go =
          new Go(
              millis,
              (long) number(mem, "VmHWM"),
              (long) number(mem, "VmRSS"),
              (long) number(mem, "heapInuse"),
              end,
              after);
      System.out.printf(
          "go-header Syncer -> go-header store on badger: head %,d after %,.0f ms; %s; store %,d bytes, "
              + "%,d after compaction (%s)%n",
          n, millis, mem, end, after, compacted);
      return go;
    }
  }

  private static double number(String json, String field) {
    return Double.parseDouble(json.replaceAll(".*\"" + field + "\":([0-9.eE+-]+).*", "$1"));
  }

  private static void print(Result r, String xmx, boolean signatures) {
    Go g = r.go();
    LightNodeProcess.Result o = r.ours();
    long n = r.n();
    System.out.println();
    System.out.printf(
        "| %,d headers | go-header Syncer, go-header store on Badger (ev-node's options) | headersync "
            + "light node, -Xmx%s, signatures %s | ours / Go |%n",
        n, xmx, signatures ? "checked" : "not checked");
    System.out.println("|---|---|---|---|");
    if (o == null) {
      System.out.printf(
          "| completed | yes | **no**: %s | |%n",
          r.failure().lines().reduce((a, b) -> b).orElse(""));
      return;
    }
    System.out.println("| completed | yes | yes | |");
    double oursMillis = o.get("millis");
    System.out.printf(
        "| time to the head | %,.0f ms (%,.0f headers/s) | %,.0f ms (%,.0f headers/s) | %.2f |%n",
        g.millis(),
        (n - 1) / (g.millis() / 1000),
        oursMillis,
        (n - 1) / (oursMillis / 1000),
        oursMillis / g.millis());
    System.out.printf(
        "| heap: peak / after GC at the end | - / %.1f MiB (Go heap in use) | %.1f / %.1f MiB | |%n",
        mib(g.heapAfterGc()), mib(o.get("heapPeak")), mib(o.get("heapEnd")));
    System.out.printf(
        "| process RSS: peak / at the end | %.1f / %.1f MiB | %.1f / %.1f MiB | %.2f |%n",
        mib(g.rssPeak()),
        mib(g.rssEnd()),
        mib(o.get("rssPeak")),
        mib(o.get("rssEnd")),
        (double) o.get("rssPeak") / g.rssPeak());
    System.out.printf(
        "| store on disk, flushed and closed | %.1f MiB, %.0f bytes/header | %.1f MiB, %.0f bytes/header "
            + "| %.2f |%n",
        mib(g.storeEnd()),
        (double) g.storeEnd() / n,
        mib(o.get("storeEnd")),
        (double) o.get("storeEnd") / n,
        (double) o.get("storeEnd") / g.storeEnd());
    System.out.printf(
        "| store on disk after a full compaction | %.1f MiB, **%.0f bytes/header** | %.1f MiB, "
            + "**%.0f bytes/header** | %.2f |%n",
        mib(g.storeCompacted()),
        (double) g.storeCompacted() / n,
        mib(o.get("storeCompacted")),
        (double) o.get("storeCompacted") / n,
        (double) o.get("storeCompacted") / g.storeCompacted());
  }

  private static double mib(long bytes) {
    return bytes / 1048576.0;
  }
}
