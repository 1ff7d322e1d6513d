package io.headersync.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.headersync.HeaderSyncService;
import io.headersync.NetworkProfile;
import io.headersync.NetworkProfile.SyncKind;
import io.headersync.P2PClient;
import io.headersync.P2PConfig;
import io.headersync.evnode.EvNodeTypes;
import io.headersync.evnode.HeaderSigner;
import io.headersync.evnode.P2PData;
import io.headersync.evnode.P2PSignedHeader;
import io.headersync.evnode.SignerKey;
import io.headersync.libp2p.Multiaddr;
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
 * README quotes these methods. Each role is a {@link P2PClient} plus one or two {@link
 * HeaderSyncService}s.
 */
class NodeRolesExampleTest {
  static final Duration BLOCK_TIME = Duration.ofMillis(100);

  /**
   * A sequencer or a full node: one {@link P2PClient} shared by a header service and a data service.
   * A full node lists seeds (its trusted peers); a sequencer has none and writes what it produces.
   */
  static final class Node implements AutoCloseable {
    final P2PClient p2p;
    final HeaderSyncService<P2PSignedHeader> headers;
    final HeaderSyncService<P2PData> data;

    Node(Path dir, List<Multiaddr> seeds) throws Exception {
      P2PConfig.Builder config = P2PConfig.builder().listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"));
      seeds.forEach(config::seed);
      p2p = P2PClient.create(config.build(), NetworkProfile.EVNODE);
      headers = HeaderSyncService.builder(EvNodeTypes.P2P_SIGNED_HEADER, "gm")
          .profile(NetworkProfile.EVNODE).p2p(p2p).storePath(dir.resolve("headers")).blockTime(BLOCK_TIME)
          .build();
      data = HeaderSyncService.builder(EvNodeTypes.P2P_DATA, "gm").kind(SyncKind.DATA)
          .profile(NetworkProfile.EVNODE).p2p(p2p).storePath(dir.resolve("data")).blockTime(BLOCK_TIME)
          .build();
      p2p.start().get(10, TimeUnit.SECONDS);
      headers.start().get(30, TimeUnit.SECONDS);
      data.start().get(30, TimeUnit.SECONDS);
    }

    /** The sequencer's path: store and gossip a block it produced. */
    void publish(HeaderSigner.Block block) throws Exception {
      headers.writeToStoreAndBroadcast(block.p2pHeader()).get(10, TimeUnit.SECONDS);
      data.writeToStoreAndBroadcast(block.p2pData()).get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
      headers.stop();
      data.stop();
      p2p.close();
    }
  }

  /** A light node: the header service alone, owning its P2P client. */
  static HeaderSyncService<P2PSignedHeader> lightNode(Path dir, Multiaddr seed) throws Exception {
    HeaderSyncService<P2PSignedHeader> headers = HeaderSyncService.builder(EvNodeTypes.P2P_SIGNED_HEADER, "gm")
        .profile(NetworkProfile.EVNODE)
        .p2p(P2PConfig.builder().listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")).seed(seed).build())
        .storePath(dir)
        .blockTime(BLOCK_TIME)
        .build();
    headers.start().get(30, TimeUnit.SECONDS);
    return headers;
  }

  @Test
  void sequencerFullAndLightNodes(@TempDir Path dir) throws Exception {
    byte[] keySeed = new byte[SignerKey.SEED_SIZE];
    new SecureRandom().nextBytes(keySeed);
    HeaderSigner signer = HeaderSigner.builder().key(SignerKey.fromSeed(keySeed)).chainId("gm")
        .clock(Clock.systemUTC()).build();
    try (Node sequencer = new Node(dir.resolve("sequencer"), List.of())) {
      HeaderSigner.Block block = signer.genesis(List.of());
      sequencer.publish(block);
      Multiaddr seed = sequencer.p2p.addresses().get(0);
      try (Node full = new Node(dir.resolve("full"), List.of(seed))) {
        HeaderSyncService<P2PSignedHeader> light = lightNode(dir.resolve("light"), seed);
        try {
          for (int i = 0; i < 20; i++) {
            block = signer.next(block, List.of(("tx" + i).getBytes()));
            sequencer.publish(block);
          }
          long head = block.height();
          full.headers.store().awaitHeight(head).get(30, TimeUnit.SECONDS);
          full.data.store().awaitHeight(head).get(30, TimeUnit.SECONDS);
          light.store().awaitHeight(head).get(30, TimeUnit.SECONDS);
          assertEquals(block.data().hash(), full.data.store().getByHeight(head).orElseThrow().hash());
          assertEquals(block.p2pHeader().hash(), light.store().getByHeight(head).orElseThrow().hash());
        } finally {
          light.stop();
        }
      }
    }
  }
}
