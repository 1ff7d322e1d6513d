package io.headersync.bench;

import io.headersync.annotation.Nullable;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The side-by-side suite in one command (issue 18): runs each benchmark that compares us with its
 * Go counterpart in a fresh JVM of its own (so every cold figure is a real cold start), keeps each
 * one's full output in {@code target/bench/}, writes their tables into one Markdown file with the
 * machine and the commands, and draws headers/s against headers synced (go-header, ours cold, ours
 * steady) with JFreeChart.
 *
 * <pre>
 * mvn -B -o -Pinterop,bench -DskipTests verify          # builds the Go programs into target/interop
 * java -cp target/classes:target/test-classes:$(cat target/test-classpath.txt) -Dheadersync.interop.dir=target/interop \
 *   io.headersync.bench.BenchSuite 100000 docs/benchmark-suite.md docs/sync-curve.png
 * </pre>
 *
 * <p>{@code -Dbench.otherJdk=<java home>} also runs the transport benchmark (row 8) on that JDK,
 * e.g. a JDK 21+ with the ChaCha20-Poly1305 intrinsics.
 *
 * <p>Arguments: headers per sync (default 100,000; rows 5 and 6 sync 10 and 100 times as many), the
 * Markdown file, the chart. {@code -Dbench.smoke=true} runs every benchmark at toy sizes and skips
 * the slow transport one: {@code BenchSuiteTest} does, in the interop profile, to keep the suite
 * working; it asserts no figure.
 */
public final class BenchSuite {
  private BenchSuite() {}

  /** One benchmark: a title, what it measures (the row), its main class and arguments. */
  record Bench(
      String title,
      String rows,
      String main,
      List<String> jvmArgs,
      List<String> args,
      int summaryLines,
      @Nullable String javaHome) {
    Bench(String title, String rows, String main, List<String> jvmArgs, List<String> args) {
      this(title, rows, main, jvmArgs, args, 0, null);
    }

    Bench(
        String title,
        String rows,
        String main,
        List<String> jvmArgs,
        List<String> args,
        int summaryLines) {
      this(title, rows, main, jvmArgs, args, summaryLines, null);
    }
  }

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    Path md = Path.of(args.length > 1 ? args[1] : "docs/benchmark-suite.md");
    Path chart = Path.of(args.length > 2 ? args[2] : "docs/sync-curve.png");
    boolean smoke = Boolean.getBoolean("bench.smoke");
    @Nullable String otherJdk = System.getProperty("bench.otherJdk");
    Path out = Path.of("target/bench");
    Files.createDirectories(out);
    Path curve = out.resolve("sync-curve.csv");
    Files.deleteIfExists(curve);

    List<Bench> suite = new ArrayList<>();
    suite.add(
        new Bench(
            "Syncer catch-up, zero delay",
            "1, 2, 4 (signature share)",
            "io.headersync.bench.SyncBenchmark",
            smoke
                ? List.of("-Dbench.curve=" + curve, "-Dbench.warmups=1")
                : List.of("-Dbench.curve=" + curve),
            List.of(Integer.toString(n))));
    // Row 1 as a user meets it: our light node in a fresh JVM of its own (default heap, no
    // signature checks, as go-header checks none) against go-header's syncer in its own process,
    // both from the same warm go-header server.
    suite.add(
        new Bench(
            "Fresh-JVM light node against go-header, from one go-header server",
            "1",
            "io.headersync.bench.LightNodeBenchmark",
            List.of("-Dbench.signatures=false", "-Dbench.xmx=default"),
            List.of(Integer.toString(smoke ? 2_000 : n))));
    // The adaptive window (no fixed depth argument), one peer; the run also measures ours at zero
    // delay, which issue 18 row 3 holds it against (at least half, with several peers).
    suite.add(
        new Bench(
            "Syncer catch-up, 50 ms round trip",
            "3",
            "io.headersync.bench.SyncBenchmark",
            smoke ? List.of("-Dbench.warmups=1") : List.of(),
            List.of(Integer.toString(Math.max(1_000, n / 4)), "25")));
    // Row 3's goal is for several peers: three of our servers, each behind its own delay line (Go's
    // side has no counterpart: go-header's syncer asks one peer at a time).
    suite.add(
        new Bench(
            "Syncer catch-up, 50 ms round trip, three peers",
            "3 (several peers)",
            "io.headersync.bench.SyncBenchmark",
            smoke
                ? List.of("-Dbench.warmups=1", "-Dbench.servers=3", "-Dbench.skipGo=true")
                : List.of("-Dbench.servers=3", "-Dbench.skipGo=true"),
            List.of(Integer.toString(Math.max(1_000, n / 2)), "25")));
    suite.add(
        new Bench(
            "Ed25519 verify, ours vs Go's crypto/ed25519",
            "4",
            "io.headersync.bench.Ed25519VsGoBenchmark",
            List.of(),
            smoke ? List.of("2", "200") : List.of(),
            2));
    suite.add(
        new Bench(
            "Gossip, in-memory hosts",
            "7",
            "io.headersync.bench.GossipNetworkBenchmark",
            List.of(),
            smoke ? List.of("10", "4", "20", "50") : List.of("50", "8", "1000", "25"),
            4));
    if (!smoke) {
      suite.add(
          new Bench(
              "One-stream Noise + Yamux",
              "8",
              "io.headersync.bench.TransportBenchmark",
              List.of(),
              List.of(),
              5));
      // Row 8's other goal is on JDK 21+ (the AEAD intrinsics): -Dbench.otherJdk=<java home> runs
      // the same benchmark there too, e.g. /usr/lib/jvm/temurin-25-jdk-amd64.
      if (otherJdk != null) {
        suite.add(
            new Bench(
                "One-stream Noise + Yamux, " + Path.of(otherJdk).getFileName(),
                "8",
                "io.headersync.bench.TransportBenchmark",
                List.of(),
                List.of(),
                5,
                otherJdk));
      }
    }
    // Row 9: a full node (headers and data) against a Go full node wired as ev-node's sync
    // service. Go's data sync runs at a few hundred blocks per second (bound by round trips), so
    // a fifth of the suite's size, with each Go run capped at 60 s.
    suite.add(
        new Bench(
            "Full node, headers and data",
            "9",
            "io.headersync.bench.FullSyncBenchmark",
            List.of(),
            smoke
                ? List.of("500", "30", "1")
                : List.of(Integer.toString(Math.max(1_000, n / 5)), "60", "2"),
            2));
    suite.add(
        new Bench(
            "Light node from a trusted head; pruning window",
            "5, trusted head and pruning; issue 17",
            "io.headersync.bench.TailBenchmark",
            List.of("-Xmx2g"),
            List.of(Integer.toString(n), Integer.toString(Math.max(1, n / 10)))));
    // Rows 5 and 6 at 10 and 100 times the suite's size (1,000,000 and 10,000,000 headers by
    // default).
    suite.add(
        new Bench(
            "Light node memory and disk at -Xmx128m",
            "5",
            "io.headersync.bench.LightNodeBenchmark",
            List.of(),
            List.of(Integer.toString(smoke ? 2_000 : 10 * n))));
    suite.add(
        new Bench(
            "Long chain: headers/s and heap along the way",
            "6",
            "io.headersync.bench.LongChainBenchmark",
            List.of(),
            smoke ? List.of("20000", "4000") : List.of(Long.toString(100L * n))));

    StringBuilder doc = new StringBuilder();
    doc.append("# Benchmark suite\n\n")
        .append(
            "Written by `BenchSuite` (issue 18): each benchmark ran in a fresh JVM, side by side with its Go ")
        .append("counterpart in the same run. Machine: ")
        .append(machine())
        .append(". Run ")
        .append(Instant.now())
        .append(
            ".\n\n```\njava -cp target/classes:target/test-classes:$(cat target/test-classpath.txt) ")
        .append(otherJdk == null ? "" : "-Dbench.otherJdk=" + otherJdk + " ")
        .append("-Dheadersync.interop.dir=target/interop io.headersync.bench.BenchSuite ")
        .append(n)
        .append(' ')
        .append(md)
        .append(' ')
        .append(chart)
        .append("\n```\n\n")
        .append(
            "Each section keeps the benchmark's own tables; its full output (every run, CPU split) is in ")
        .append(
            "`target/bench/<n>-<main>.log`. Rows 5 and 6 run at 10 and 100 times the size given.\n");
    for (int i = 0; i < suite.size(); i++) {
      Bench b = suite.get(i);
      long t0 = System.nanoTime();
      List<String> lines =
          run(
              b,
              out.resolve(
                  (i + 1) + "-" + b.main().substring(b.main().lastIndexOf('.') + 1) + ".log"));
      double seconds = (System.nanoTime() - t0) / 1e9;
      doc.append("\n## ")
          .append(b.title())
          .append(" (issue 18 row ")
          .append(b.rows())
          .append(")\n\n")
          .append("`")
          .append(b.main().substring(b.main().lastIndexOf('.') + 1))
          .append(' ')
          .append(String.join(" ", b.args()))
          .append("`, ")
          .append(String.format("%.0f s", seconds))
          .append("\n\n");
      boolean inTable = false;
      boolean anyTable = false;
      for (String line : lines) {
        if (line.startsWith("|")) {
          doc.append(line).append('\n');
          inTable = true;
          anyTable = true;
        } else if (inTable) {
          doc.append('\n');
          inTable = false;
        }
      }
      if (!anyTable) { // a benchmark that prints lines, not tables: its summary, the last lines
        doc.append("```\n");
        lines
            .subList(Math.max(0, lines.size() - b.summaryLines()), lines.size())
            .forEach(l -> doc.append(l).append('\n'));
        doc.append("```\n");
      }
    }
    if (Files.exists(curve)) {
      drawCurve(curve, chart, n);
      doc.append("\n## Headers per second against headers synced\n\n![sync curve](")
          .append(md.getParent() == null ? chart : md.getParent().relativize(chart))
          .append(")\n\n")
          .append(
              "Cumulative rate (headers synced so far / time since the sync started) at every twentieth of ")
          .append(
              "the chain: go-header's first run, our first run in a fresh JVM, our last steady run.\n");
    }
    if (md.getParent() != null) {
      Files.createDirectories(md.getParent());
    }
    Files.writeString(md, doc.toString());
    System.out.println("suite written to " + md + (Files.exists(chart) ? " and " + chart : ""));
  }

  private static String machine() throws IOException {
    String cpu = "unknown CPU";
    Path info = Path.of("/proc/cpuinfo");
    if (Files.exists(info)) {
      cpu =
          Files.readAllLines(info).stream()
              .filter(l -> l.startsWith("model name"))
              .findFirst()
              .map(l -> l.substring(l.indexOf(':') + 1).trim())
              .orElse(cpu);
    }
    String load =
        Files.exists(Path.of("/proc/loadavg"))
            ? Files.readString(Path.of("/proc/loadavg")).split(" ")[0]
            : "?";
    return String.format(
        "%d cores (%s), Java %s, %s, load average %s at the start",
        Runtime.getRuntime().availableProcessors(),
        cpu,
        System.getProperty("java.version"),
        System.getProperty("os.name"),
        load);
  }

  /** Runs one benchmark in a fresh JVM with this JVM's class path; returns its output lines. */
  private static List<String> run(Bench b, Path log) throws Exception {
    List<String> cmd = new ArrayList<>();
    String javaHome = b.javaHome() != null ? b.javaHome() : System.getProperty("java.home");
    cmd.add(Path.of(javaHome, "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    String interop = System.getProperty("headersync.interop.dir");
    if (interop != null) {
      cmd.add("-Dheadersync.interop.dir=" + interop);
    }
    cmd.addAll(b.jvmArgs());
    cmd.add(b.main());
    cmd.addAll(b.args());
    System.out.println("== " + b.title() + ": " + b.main() + " " + String.join(" ", b.args()));
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(3, TimeUnit.HOURS)) {
      p.destroyForcibly();
      throw new IllegalStateException(b.main() + " did not finish in 3 hours; see " + log);
    }
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new IllegalStateException(
          b.main()
              + " failed (exit "
              + p.exitValue()
              + "); see "
              + log
              + ":\n"
              + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size())));
    }
    return lines;
  }

  /** Draws the curve CSV ({@code series,headers,seconds}) as cumulative headers/s per series. */
  static void drawCurve(Path csv, Path png, int n) throws IOException {
    System.setProperty(
        "java.awt.headless", "true"); // draws into a file on machines without a display
    Map<String, XYSeries> series = new LinkedHashMap<>();
    List<String> rows = Files.readAllLines(csv);
    for (String line : rows.subList(1, rows.size())) {
      String[] f = line.split(",", -1);
      double headers = Double.parseDouble(f[1]);
      double seconds = Double.parseDouble(f[2]);
      if (seconds > 0) {
        series.computeIfAbsent(f[0], XYSeries::new).add(headers, headers / seconds);
      }
    }
    XYSeriesCollection data = new XYSeriesCollection();
    series.values().forEach(data::addSeries);
    JFreeChart c =
        ChartFactory.createXYLineChart(
            String.format("Syncer catch-up of %,d ev-node headers over loopback TCP", n),
            "headers synced",
            "headers/s (cumulative)",
            data,
            PlotOrientation.VERTICAL,
            true,
            false,
            false);
    XYPlot plot = c.getXYPlot();
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
    Color[] colors = {
      new Color(0x00, 0x7d, 0x9c), new Color(0xd9, 0x5f, 0x02), new Color(0x1b, 0x9e, 0x77)
    };
    for (int i = 0; i < data.getSeriesCount(); i++) {
      r.setSeriesPaint(i, colors[i % colors.length]);
      r.setSeriesStroke(i, new BasicStroke(2f));
    }
    plot.setRenderer(r);
    if (png.getParent() != null) {
      Files.createDirectories(png.getParent());
    }
    ChartUtils.saveChartAsPNG(png.toFile(), c, 900, 500);
  }
}
