package io.headersync.bench;

import io.headersync.evnode.EvNodeTypes;
import io.headersync.evnode.P2PSignedHeader;
import io.headersync.evnode.ProposerCheck;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PrivateKey;
import io.headersync.service.HeaderSyncService;
import io.headersync.service.NetworkProfile;
import io.headersync.service.P2PConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.rocksdb.CompactRangeOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

/**
 * One light node in a JVM of its own, for the memory and long-chain benchmarks (issue 18 rows 5 and
 * 6): a {@link HeaderSyncService} of ev-node {@code P2PSignedHeader}s (the {@code evnode} profile,
 * RocksDB on disk, its own libp2p host, one seed: the server) syncs from genesis to height {@code
 * n} and reports, on stdout, lines the parent parses:
 *
 * <ul>
 *   <li>{@code MARK height=.. millis=.. heapAfterGc=.. rss=.. storeBytes=.. cpu=.. rocksdb=..} when
 *       the store's height first reaches each multiple of {@code markEvery}: the time since before
 *       {@code build()}, heap used after a full GC ({@code System.gc()}, only with {@code
 *       gcAtMarks}; else -1), the process's resident set ({@code VmRSS}), the store directory's
 *       size, and the CPU time since the previous mark of the process and of RocksDB's background
 *       threads (flushes, compactions), followed by the stretch's CPU split by thread;
 *   <li>{@code RESULT millis=.. heapPeak=.. heapEnd=.. rssPeak=.. rssEnd=.. rssAnonEnd=..
 *       storeEnd=.. storeCompacted=..}: time to the head; heap used, peak (sampled every 100 ms)
 *       and after a full GC at the end; {@code VmHWM} and {@code VmRSS} at the end; the store's
 *       bytes on disk (allocated blocks, {@code du}) once the node stopped (store flushed and
 *       closed), and again after a full compaction ({@code compactRange} on the directory, opened
 *       with the store's options);
 *   <li>{@code ROCKSDB ..}: RocksDB's own account of the compacted store (key and value bytes
 *       before compression, data, index and filter blocks), for the bytes-per-header breakdown.
 * </ul>
 *
 * <p>Arguments: server multiaddr, {@code n}, store directory, chain id, block time in milliseconds,
 * the proposer address in hex (its signature is checked on every header with {@link ProposerCheck},
 * as a light node that knows its genesis does) or {@code -} for no signature check, {@code
 * markEvery}, {@code gcAtMarks}. {@link #run} starts it and collects its lines.
 */
public final class LightNodeProcess {
  private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

  private LightNodeProcess() {}

  /** What to sync and how; see the class comment. */
  record Args(
      Multiaddr server,
      long n,
      Path dir,
      String chainId,
      Duration blockTime,
      String proposerHex,
      long markEvery,
      boolean gcAtMarks) {
    List<String> toList() {
      return List.of(
          server.toString(),
          Long.toString(n),
          dir.toString(),
          chainId,
          Long.toString(blockTime.toMillis()),
          proposerHex,
          Long.toString(markEvery),
          Boolean.toString(gcAtMarks));
    }
  }

  /** One {@code MARK} line. */
  record Mark(
      long height,
      double millis,
      long heapAfterGc,
      long rss,
      long storeBytes,
      long cpuNanos,
      long rocksNanos) {}

  /** Everything the child printed: its marks and its {@code RESULT} and {@code ROCKSDB} fields. */
  record Result(List<Mark> marks, Map<String, Long> result, String rocksdb) {
    long get(String field) {
      Long v = result.get(field);
      if (v == null) {
        throw new IllegalStateException("the light node reported no " + field + ": " + result);
      }
      return v;
    }
  }

  /**
   * {@code -Xmx<xmx>} and the flags in {@code -Dbench.nodeJvm} (space-separated), for the node's
   * JVM.
   */
  /**
   * {@code -Xmx<xmx>} (none for {@code "default"}: the JVM's own choice) and {@code bench.nodeJvm}.
   */
  static List<String> jvmArgs(String xmx) {
    List<String> out = new ArrayList<>();
    if (!xmx.equals("default")) {
      out.add("-Xmx" + xmx);
    }
    String more = System.getProperty("bench.nodeJvm", "").trim();
    if (!more.isEmpty()) {
      out.addAll(List.of(more.split("\\s+")));
    }
    return out;
  }

  /**
   * Starts the light node in a fresh JVM with {@code jvmArgs} and this JVM's class path, echoes its
   * output with {@code prefix}, and returns what it reported.
   */
  static Result run(List<String> jvmArgs, Args args, String prefix) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmArgs);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(LightNodeProcess.class.getName());
    cmd.addAll(args.toList());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    List<Mark> marks = new ArrayList<>();
    Map<String, Long> result = new HashMap<>();
    StringBuilder rocksdb = new StringBuilder();
    List<String> tail = new ArrayList<>();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        System.out.println(prefix + line);
        tail.add(line);
        if (tail.size() > 40) {
          tail.remove(0);
        }
        if (line.startsWith("MARK ")) {
          Map<String, Long> f = fields(line);
          marks.add(
              new Mark(
                  f.get("height"),
                  f.get("millis"),
                  f.get("heapAfterGc"),
                  f.get("rss"),
                  f.get("storeBytes"),
                  f.get("cpu"),
                  f.get("rocksdb")));
        } else if (line.startsWith("RESULT ")) {
          result.putAll(fields(line));
        } else if (line.startsWith("ROCKSDB ")) {
          rocksdb.append(line.substring(8)).append('\n');
        }
      }
    }
    if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0 || result.isEmpty()) {
      p.destroyForcibly();
      throw new IllegalStateException(
          "the light node process failed ("
              + (p.isAlive() ? "still running" : "exit " + p.exitValue())
              + "):\n"
              + String.join("\n", tail));
    }
    return new Result(marks, result, rocksdb.toString());
  }

  /** The {@code key=value} fields of a line, values as longs (milliseconds rounded). */
  private static Map<String, Long> fields(String line) {
    Map<String, Long> out = new HashMap<>();
    for (String part : line.split(" ")) {
      int eq = part.indexOf('=');
      if (eq > 0) {
        out.put(part.substring(0, eq), Math.round(Double.parseDouble(part.substring(eq + 1))));
      }
    }
    return out;
  }

  public static void main(String[] a) throws Exception {
    Args args =
        new Args(
            Multiaddr.parse(a[0]),
            Long.parseLong(a[1]),
            Path.of(a[2]),
            a[3],
            Duration.ofMillis(Long.parseLong(a[4])),
            a[5],
            Long.parseLong(a[6]),
            Boolean.parseBoolean(a[7]));
    System.out.printf(
        "light node: %,d headers from %s into %s, signature check %s (Java %s, max heap %,d MiB, %s)%n",
        args.n(),
        args.server(),
        args.dir(),
        args.proposerHex().equals("-") ? "off" : "on",
        System.getProperty("java.version"),
        Runtime.getRuntime().maxMemory() >> 20,
        ManagementFactory.getGarbageCollectorMXBeans().get(0).getName());
    Path store = args.dir().resolve("headers");
    long t0 = System.nanoTime();
    HeaderSyncService.Builder<P2PSignedHeader> b =
        HeaderSyncService.builder(EvNodeTypes.P2P_SIGNED_HEADER, args.chainId())
            .profile(NetworkProfile.EVNODE)
            .p2p(
                P2PConfig.builder()
                    .identity(
                        PrivateKey.ed25519FromSeed(
                            new byte[] {
                              77, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
                              20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
                            }))
                    .listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"))
                    .seed(args.server())
                    .build())
            .storePath(store)
            .blockTime(args.blockTime());
    if (!args.proposerHex().equals("-")) {
      b.extraCheck(ProposerCheck.ofAddress(HexFormat.of().parseHex(args.proposerHex())));
    }
    HeaderSyncService<P2PSignedHeader> node = b.build();
    long built = System.nanoTime();
    AtomicLong heapPeak = new AtomicLong();
    Thread sampler = new Thread(() -> sample(node, args, t0, heapPeak), "bench-light-node-sampler");
    sampler.setDaemon(true);
    node.start().get(5, TimeUnit.MINUTES);
    long started = System.nanoTime();
    sampler.start();
    node.store().awaitHeight(Math.min(args.n(), 1_000)).get(60, TimeUnit.MINUTES);
    System.out.printf(
        "STARTED build=%.1f start=%.1f first1000=%.1f (ms since before build())%n",
        (built - t0) / 1e6, (started - t0) / 1e6, (System.nanoTime() - t0) / 1e6);
    node.store().awaitHeight(args.n()).get(60, TimeUnit.MINUTES);
    double millis = (System.nanoTime() - t0) / 1e6;
    sampler.join(60_000);
    long heapEnd = heapAfterGc();
    Map<String, Long> status = procStatus();
    printNativeMemory();
    node.close(); // stop() is asynchronous: wait until the store is closed before reopening it
    long storeEnd = du(store);
    String rocks = compact(store);
    long storeCompacted = du(store);
    System.out.printf(
        "RESULT millis=%.1f head=%d heapPeak=%d heapEnd=%d rssPeak=%d rssEnd=%d rssAnonEnd=%d "
            + "storeEnd=%d storeCompacted=%d storeCompactedApparent=%d%n",
        millis,
        args.n(),
        heapPeak.get(),
        heapEnd,
        status.getOrDefault("VmHWM", -1L),
        status.getOrDefault("VmRSS", -1L),
        status.getOrDefault("RssAnon", -1L),
        storeEnd,
        storeCompacted,
        TailBenchmark.Sampler.size(store));
    System.out.print(rocks);
    System.exit(0);
  }

  /**
   * Until the store holds {@code n}: the height every millisecond (marks), heap used every 100 ms
   * (peak).
   */
  private static void sample(
      HeaderSyncService<P2PSignedHeader> node, Args args, long t0, AtomicLong heapPeak) {
    long nextMark = args.markEvery();
    long lastHeapSample = 0;
    CpuSplit cpu = CpuSplit.start();
    try {
      while (true) {
        long height = node.store().height();
        long now = System.nanoTime();
        if (now - lastHeapSample > 100_000_000L) {
          heapPeak.accumulateAndGet(MEMORY.getHeapMemoryUsage().getUsed(), Math::max);
          lastHeapSample = now;
        }
        while (height >= nextMark && nextMark <= args.n()) {
          double millis = (now - t0) / 1e6;
          long cpuNanos = cpu.processNanos();
          long rocksNanos = cpu.nativeNanos("rocksdb");
          String split = cpu.toString();
          cpu = CpuSplit.start();
          long heap = args.gcAtMarks() ? heapAfterGc() : -1;
          System.out.printf(
              "MARK height=%d millis=%.1f heapAfterGc=%d rss=%d storeBytes=%d cpu=%d rocksdb=%d%n",
              nextMark,
              millis,
              heap,
              procStatus().getOrDefault("VmRSS", -1L),
              TailBenchmark.Sampler.size(args.dir().resolve("headers")),
              cpuNanos,
              rocksNanos);
          System.out.println("  stretch " + split);
          nextMark += args.markEvery();
        }
        if (height >= args.n()) {
          return;
        }
        LockSupport.parkNanos(1_000_000);
      }
    } catch (RuntimeException e) {
      System.out.println("sampler stopped: " + e);
    }
  }

  private static long heapAfterGc() {
    System.gc();
    return MEMORY.getHeapMemoryUsage().getUsed();
  }

  /**
   * With {@code -XX:NativeMemoryTracking=summary}: the JVM's own account of its native memory
   * (heap, classes, code, threads, GC, Netty's direct buffers under "Other"), as {@code NMT} lines;
   * RocksDB's allocations are not in it (they are the rest of the resident set).
   */
  private static void printNativeMemory() {
    try {
      Object out =
          ManagementFactory.getPlatformMBeanServer()
              .invoke(
                  new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"),
                  "vmNativeMemory",
                  new Object[] {new String[] {"summary", "scale=MB"}},
                  new String[] {String[].class.getName()});
      String text = String.valueOf(out);
      if (!text.contains("not enabled")) {
        text.lines()
            .filter(l -> l.contains("committed="))
            .forEach(l -> System.out.println("NMT " + l.trim()));
      }
    } catch (javax.management.JMException | RuntimeException e) {
      System.out.println("NMT unavailable: " + e);
    }
  }

  /** {@code VmHWM}, {@code VmRSS}, {@code RssAnon}, {@code RssFile} of this process, in bytes. */
  static Map<String, Long> procStatus() {
    Map<String, Long> out = new HashMap<>();
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        int colon = line.indexOf(':');
        String name = colon < 0 ? "" : line.substring(0, colon);
        if (name.equals("VmHWM")
            || name.equals("VmRSS")
            || name.equals("RssAnon")
            || name.equals("RssFile")) {
          out.put(name, 1024 * Long.parseLong(line.substring(colon + 1).trim().replace(" kB", "")));
        }
      }
    } catch (IOException e) {
      // not Linux: no figures
    }
    return out;
  }

  /** Bytes the directory's files take on disk (allocated blocks, {@code du -s -B1}). */
  static long du(Path dir) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder("du", "-s", "-B1", dir.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (p.waitFor() != 0) {
      throw new IOException("du " + dir + ": " + out);
    }
    return Long.parseLong(out.split("\\s+")[0]);
  }

  /**
   * Compacts the closed store's RocksDB into its last level, opened with the options {@code
   * RocksDbStore} opens it with (LZ4), and returns RocksDB's account of it as {@code ROCKSDB}
   * lines. RocksDB's library is loaded: the node used it.
   */
  private static String compact(Path store) throws Exception {
    StringBuilder out = new StringBuilder();
    try (Options o = new Options().setCompressionType(CompressionType.LZ4_COMPRESSION);
        RocksDB db = RocksDB.open(o, store.toString());
        CompactRangeOptions all =
            new CompactRangeOptions()
                .setBottommostLevelCompaction(
                    CompactRangeOptions.BottommostLevelCompaction.kForce)) {
      db.compactRange(null, null, null, all); // every file rewritten, the last level's too
      for (String property :
          new String[] {"rocksdb.estimate-num-keys", "rocksdb.aggregated-table-properties"}) {
        out.append("ROCKSDB ")
            .append(property)
            .append(": ")
            .append(db.getProperty(property).trim())
            .append('\n');
      }
    }
    return out.toString();
  }
}
