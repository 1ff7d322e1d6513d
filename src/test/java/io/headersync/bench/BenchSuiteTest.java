package io.headersync.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps the suite working: {@link BenchSuite} at toy sizes (every benchmark in its own JVM against
 * its Go counterpart, the curve drawn). Asserts that every section and the chart were written; no
 * figure.
 */
@Tag("interop")
class BenchSuiteTest {
  @Test
  void theSuiteRunsEveryBenchmarkAndDrawsTheCurve(@TempDir Path dir) throws Exception {
    System.setProperty("bench.smoke", "true");
    try {
      Path md = dir.resolve("suite.md");
      Path png = dir.resolve("curve.png");
      BenchSuite.main(new String[] {"2000", md.toString(), png.toString()});
      String doc = Files.readString(md);
      for (String section :
          new String[] {
            "## Syncer catch-up, zero delay",
            "## Syncer catch-up, 50 ms round trip",
            "## Syncer catch-up, 50 ms round trip, three peers",
            "## Fresh-JVM light node against go-header",
            "## Ed25519 verify",
            "## Gossip, in-memory hosts",
            "## Light node from a trusted head",
            "## Light node memory and disk",
            "## Long chain",
            "## Full node, headers and data",
            "## Headers per second against headers synced"
          }) {
        assertTrue(doc.contains(section), section + " missing:\n" + doc);
      }
      assertTrue(doc.contains("| go-header"), doc);
      assertTrue(doc.contains("| round trip / zero delay |"), doc);
      assertTrue(doc.contains("| store on disk after a full compaction"), doc);
      assertTrue(doc.contains("| first stretch | last stretch"), doc);
      assertTrue(Files.size(png) > 10_000, "chart " + Files.size(png) + " bytes");
      String csv = Files.readString(Path.of("target/bench/sync-curve.csv"));
      for (String series :
          new String[] {"go-header,", "headersync cold JVM,", "headersync steady,"}) {
        assertTrue(csv.contains(series), series + " missing:\n" + csv);
      }
    } finally {
      System.clearProperty("bench.smoke");
    }
  }
}
