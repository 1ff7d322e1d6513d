package io.headersync.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The README's "Testing your node" example, verbatim. */
class TestKitReadmeTest {
  @Test
  void myNodeSeesTheChain() {
    try (TestNetwork net = TestNetwork.create("gm")) {
      TestNode sequencer = net.sequencer(); // signs ev-node blocks with a key derived from the seed
      sequencer.produce(100); // writeToStoreAndBroadcast of 100 headers and their data
      TestNode full = net.fullNode(); // seeded with the sequencer: initialises from genesis
      TestNode light = net.lightNode();
      full.awaitHeight(100, Duration.ofSeconds(10));
      sequencer.produce(5); // followed by gossip
      light.awaitHeight(105, Duration.ofSeconds(10));
      assertEquals(sequencer.headerStore().getByHeight(105), light.headerStore().getByHeight(105));
    }
  }
}
