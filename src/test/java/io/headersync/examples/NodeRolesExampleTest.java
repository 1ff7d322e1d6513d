package io.headersync.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.evnode.Block;
import io.headersync.evnode.EvNodeSync;
import io.headersync.evnode.HeaderSigner;
import io.headersync.evnode.SignerKey;
import io.headersync.libp2p.Multiaddr;
import io.headersync.service.NetworkProfile;
import io.headersync.service.P2PConfig;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The three node roles as a rollup node wires them, over loopback TCP with RocksDB stores: the
 * README quotes these methods. Each role is one {@link EvNodeSync}.
 */
class NodeRolesExampleTest {
  static final Duration BLOCK_TIME = Duration.ofMillis(100);

  /**
   * Any of the three roles: a SEQUENCER (headers and data, no seeds, publishes what it produces), a
   * FULL node (headers and data, initialised from its seeds) or a LIGHT node (headers only).
   */
  static EvNodeSync node(EvNodeSync.Role role, Path dir, List<Multiaddr> seeds) throws Exception {
    P2PConfig.Builder p2p = P2PConfig.builder().listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"));
    seeds.forEach(p2p::seed);
    EvNodeSync node =
        EvNodeSync.builder("gm")
            .role(role)
            .profile(NetworkProfile.EVNODE)
            .p2p(p2p.build())
            .dataDir(dir) // RocksDB stores in dir/headers and dir/data
            .blockTime(BLOCK_TIME)
            .build();
    node.start().get(30, TimeUnit.SECONDS);
    return node;
  }

  @Test
  void sequencerFullAndLightNodes(@TempDir Path dir) throws Exception {
    byte[] keySeed = new byte[SignerKey.SEED_SIZE];
    new SecureRandom().nextBytes(keySeed);
    HeaderSigner signer =
        HeaderSigner.builder()
            .key(SignerKey.fromSeed(keySeed))
            .chainId("gm")
            .clock(Clock.systemUTC())
            .build();
    try (EvNodeSync sequencer =
        node(EvNodeSync.Role.SEQUENCER, dir.resolve("sequencer"), List.of())) {
      Block block = signer.genesis(List.of());
      sequencer.publish(block).get(10, TimeUnit.SECONDS); // the first block initialises its stores
      Multiaddr seed = sequencer.p2p().addresses().get(0);
      try (EvNodeSync full = node(EvNodeSync.Role.FULL, dir.resolve("full"), List.of(seed));
          EvNodeSync light = node(EvNodeSync.Role.LIGHT, dir.resolve("light"), List.of(seed))) {
        for (int i = 0; i < 20; i++) {
          block = signer.next(block, List.of(("tx" + i).getBytes()));
          sequencer.publish(block).get(10, TimeUnit.SECONDS);
        }
        long head = block.height();
        full.awaitHeight(head).get(30, TimeUnit.SECONDS); // headers and data
        light.awaitHeight(head).get(30, TimeUnit.SECONDS); // headers
        assertEquals(
            block.data().hash(),
            full.data().orElseThrow().store().getByHeight(head).orElseThrow().hash());
        assertEquals(
            block.p2pHeader().hash(),
            light.headers().store().getByHeight(head).orElseThrow().hash());
        assertTrue(light.data().isEmpty());
      }
    }
  }
}
