package io.headersync.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.evnode.EvNodeSync;
import io.headersync.evnode.P2PData;
import io.headersync.service.NetworkProfile;
import io.headersync.store.Store;
import io.headersync.testing.Logs;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The happy path is quiet: a sequencer, a full node and a light node that follow it, a full node
 * that joins late, stops and restarts on its stores after a gap, all with the real stack on an
 * in-memory network, log no WARN or ERROR line. The SLF4J backend of the tests (slf4j-simple)
 * writes to {@code System.err}, which is captured here.
 */
class QuietHappyPathTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @Test
  void sequencerFullLightJoinLateAndRestartLogNoWarning(@TempDir Path dir) {
    List<String> lines =
        Logs.capture(
            () -> {
              try (TestNetwork net =
                  TestNetwork.create(
                      "gm", NetworkProfile.EVNODE, Duration.ofMillis(100), Clock.systemUTC(), 11)) {
                TestNode sequencer = net.sequencer();
                sequencer.produce(50);
                TestNode full = net.fullNode();
                TestNode light = net.lightNode();
                full.awaitHeight(50, WAIT);
                light.awaitHeight(50, WAIT);

                sequencer.produce(150); // followed by gossip
                full.awaitHeight(200, WAIT);
                light.awaitHeight(200, WAIT);

                TestNode late =
                    net.node(EvNodeSync.Role.FULL, b -> b.dataDir(dir)); // joins late: catch-up
                late.awaitHeight(200, WAIT);
                late.close();

                sequencer.produce(300); // a gap while it is down
                TestNode restarted = net.node(EvNodeSync.Role.FULL, b -> b.dataDir(dir));
                restarted.awaitHeight(500, WAIT);
                full.awaitHeight(500, WAIT);

                for (TestNode node : List.of(full, restarted)) {
                  Store<P2PData> data = node.data().orElseThrow().store();
                  Store<P2PData> expected = sequencer.data().orElseThrow().store();
                  assertEquals(500, data.height(), node.name());
                  assertEquals(expected.getByHeight(1), data.getByHeight(1), node.name());
                  assertEquals(expected.getByHeight(500), data.getByHeight(500), node.name());
                }
              }
            });
    List<String> loud = Logs.loud(lines);
    assertTrue(
        loud.isEmpty(),
        loud.size() + " WARN/ERROR lines on the happy path:\n" + String.join("\n", loud));
  }

  @Test
  void theCaptureSeesWarnings() {
    List<String> lines =
        Logs.capture(() -> LoggerFactory.getLogger(QuietHappyPathTest.class).warn("probe"));
    assertTrue(
        lines.stream().anyMatch(l -> l.contains(" WARN ") && l.contains("probe")),
        lines.toString());
  }
}
