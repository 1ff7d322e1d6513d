package io.headersync.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.libp2p.Host;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PrivateKey;
import io.headersync.lifecycle.Service.State;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The test kit's lifecycle: a {@link TestNetwork} is a {@link io.headersync.lifecycle.Service} that
 * runs from its creation and stops every node, then its in-memory network; a {@link TestNode} is
 * its node's state machine seen through the kit.
 */
class TestNetworkLifecycleTest {
  private static final long T = 30;

  @Test
  void aNetworkRunsFromItsCreationAndItsStopStopsEveryNode() throws Exception {
    try (TestNetwork net = TestNetwork.create("gm")) {
      stopsEveryNode(net);
    }
  }

  private static void stopsEveryNode(TestNetwork net) throws Exception {
    assertEquals(State.RUNNING, net.state());
    TestNode sequencer = net.sequencer();
    sequencer.produce(5);
    TestNode full = net.fullNode();
    TestNode light = net.lightNode();
    full.awaitHeight(5, Duration.ofSeconds(T));
    List<TestNode> nodes = List.of(sequencer, full, light);
    nodes.forEach(n -> assertEquals(State.RUNNING, n.state(), n.name()));

    net.stop().get(T, TimeUnit.SECONDS);
    net.stop().get(T, TimeUnit.SECONDS); // idempotent
    assertEquals(State.STOPPED, net.state());
    for (TestNode n : nodes) {
      assertEquals(State.STOPPED, n.state(), n.name());
      n.terminated().get(T, TimeUnit.SECONDS);
      assertEquals(State.STOPPED, n.p2p().state(), n.name());
    }
    assertEquals(List.of(), net.nodes());
    IllegalStateException e = assertThrows(IllegalStateException.class, net::fullNode);
    assertTrue(e.getMessage().contains("adds no nodes"), e.getMessage());
    // The in-memory network is closed too: a host on it cannot listen.
    Host h =
        Host.builder(PrivateKey.ed25519FromSeed(new byte[32]))
            .inMemory(net.inMemoryNetwork())
            .listen(Multiaddr.parse("/memory/0"))
            .build();
    try {
      // Refused at once or through the future, depending on how the host reports it.
      Throwable refused = assertThrows(Exception.class, () -> h.start().get(T, TimeUnit.SECONDS));
      Throwable cause = refused instanceof ExecutionException ? refused.getCause() : refused;
      assertTrue(cause.getMessage().contains("is closed"), cause.toString());
    } finally {
      h.close();
    }
  }

  @Test
  void aNodeIsItsNodesStateMachineAndStopsAlone() throws Exception {
    try (TestNetwork net = TestNetwork.create("gm")) {
      TestNode sequencer = net.sequencer();
      sequencer.produce(1);
      TestNode light = net.lightNode();
      assertEquals(light.sync().state(), light.state());
      light.start().get(T, TimeUnit.SECONDS); // already running: the node's one start
      light.stop().get(T, TimeUnit.SECONDS);
      assertEquals(State.STOPPED, light.state());
      assertEquals(State.STOPPED, light.sync().state());
      assertTrue(light.failure().isEmpty());
      light.terminated().get(T, TimeUnit.SECONDS);
      light.close(); // idempotent, and the network's stop later stops it no further
      assertEquals(State.RUNNING, sequencer.state(), "the other nodes run on");
      sequencer.produce(1);
    }
  }

  @Test
  void aNodeThatFailsToStartIsFailedAndReleased() {
    try (TestNetwork net = TestNetwork.create("gm")) {
      net.sequencer().produce(1);
      // A light node pinned to another key refuses the genesis: its start fails and it is closed.
      assertThrows(
          io.headersync.HeaderSyncException.class,
          () ->
              net.node(
                  io.headersync.evnode.EvNodeSync.Role.LIGHT,
                  b ->
                      b.proposer(io.headersync.evnode.SignerKey.generate(new Random(5)).signer())));
      assertEquals(1, net.nodes().size());
      assertEquals(State.RUNNING, net.state(), "a node failing does not fail the network");
    }
  }
}
