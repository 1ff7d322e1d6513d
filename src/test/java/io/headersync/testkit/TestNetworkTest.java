package io.headersync.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.HeaderSyncException;
import io.headersync.evnode.EvNodeSync;
import io.headersync.evnode.SignerKey;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** What a user's test can set up with the kit beyond the README example. */
class TestNetworkTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void aLightNodePinnedToTheSequencerSyncsAndOnePinnedToAnotherKeyDoesNotStart() {
    try (TestNetwork net = TestNetwork.create("gm")) {
      TestNode sequencer = net.sequencer();
      sequencer.produce(20);
      TestNode pinned = net.node(EvNodeSync.Role.LIGHT, b -> b.proposer(sequencer.proposer()));
      pinned.awaitHeight(20, WAIT);
      sequencer.produce(3);
      pinned.awaitHeight(23, WAIT);

      HeaderSyncException e =
          assertThrows(
              HeaderSyncException.class,
              () ->
                  net.node(
                      EvNodeSync.Role.LIGHT,
                      b -> b.proposer(SignerKey.generate(new Random(5)).signer())));
      assertTrue(e.getMessage().contains("not by the expected proposer"), e.getMessage());
      assertEquals(2, net.nodes().size(), "the node that failed to start is not kept");
    }
  }

  @Test
  void nodeOptionsRefuseASecondSequencerAndOnlyTheSequencerHasAProposer() {
    try (TestNetwork net = TestNetwork.create("gm")) {
      TestNode sequencer = net.sequencer();
      sequencer.produce(1);
      assertThrows(
          IllegalArgumentException.class, () -> net.node(EvNodeSync.Role.SEQUENCER, b -> {}));
      TestNode full = net.node(EvNodeSync.Role.FULL, b -> {});
      assertEquals(EvNodeSync.Role.FULL, full.role());
      IllegalStateException e = assertThrows(IllegalStateException.class, full::proposer);
      assertTrue(e.getMessage().contains("is not the sequencer"), e.getMessage());
    }
  }
}
