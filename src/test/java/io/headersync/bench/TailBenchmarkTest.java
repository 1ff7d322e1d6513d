package io.headersync.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link TailBenchmark} at a tiny size (2,000 headers, a 300-header window, one round) against the
 * Go server: it runs end to end and what it measures is what it says (the on-demand node's history
 * equals the server's, checked inside; the pruned store holds the window). No time is asserted.
 */
@Tag("interop")
class TailBenchmarkTest {
  @Test
  void runsEndToEndAtATinySize() throws Exception {
    TailBenchmark.Result r = TailBenchmark.run(2_000, 300, 1);
    assertEquals(1, r.goMillis().size());
    assertEquals(1, r.ours().size());
    TailBenchmark.OnDemand o = r.ours().get(0);
    assertTrue(o.started() <= o.served() && o.served() <= o.history(), o.toString());
    assertTrue(o.storeBytes() > 0, o.toString());
    // Headers one second apart, a 300 s window: the tail is the first header inside it.
    assertEquals(1_700, r.pruned().tail(), r.pruned().toString());
    assertEquals(2_000, r.pruned().head());
    assertEquals(1, r.kept().tail(), r.kept().toString());
    assertEquals(2_000, r.kept().head());
  }
}
