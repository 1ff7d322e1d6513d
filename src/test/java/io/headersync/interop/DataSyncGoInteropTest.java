package io.headersync.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.evnode.Block;
import io.headersync.evnode.EvNodeSync;
import io.headersync.evnode.EvNodeTypes;
import io.headersync.evnode.HeaderSigner;
import io.headersync.evnode.P2PData;
import io.headersync.evnode.P2PSignedHeader;
import io.headersync.evnode.SignerKey;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PeerId;
import io.headersync.service.NetworkProfile;
import io.headersync.service.NetworkProfile.SyncKind;
import io.headersync.service.P2PConfig;
import io.headersync.store.RocksDbStore;
import io.headersync.store.Store;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full node's header AND data sync against Go ({@code interop/peer/blocks.go}), ev-node v1.2.2
 * blocks with transactions (1 block in 10 carries 20 txs of 200 bytes), networks {@code
 * gm-headerSync} and {@code gm-dataSync}: our {@link EvNodeSync} FULL node catching up from a Go
 * peer that serves both go-header stores and then gossips new blocks on both topics; and a Go full
 * node (go-header syncers for headers and data, wired as ev-node v1.2.2's {@code SyncService})
 * catching up from our SEQUENCER. The stores are compared by digests over every height's hash, and
 * spot-checked height by height.
 */
@Tag("interop")
class DataSyncGoInteropTest {
  static final long T = 120;

  /** The Go peer's chain for our full node. */
  static final int N = 10_000;

  /**
   * Our chain for the Go full node. go-header's data syncer catches up by bifurcation only
   * (ev-node's Data.Verify holds for adjacent pairs alone): a few hundred blocks per second on
   * loopback, so a smaller chain keeps this test short.
   */
  static final int N_GO_SYNCS = 2_000;

  static final int TX_EVERY = 10;
  static final int TX_COUNT = 20;
  static final int TX_BYTES = 200;
  static final String TXS =
      ",\"txEvery\":"
          + TX_EVERY
          + ",\"txCount\":"
          + TX_COUNT
          + ",\"txBytes\":"
          + TX_BYTES
          + ",\"txSeed\":7";

  private GoPeer go;
  private EvNodeSync node;

  @AfterEach
  void stop() throws Exception {
    try {
      if (node != null) {
        node.close();
      }
    } finally {
      if (go != null) {
        go.close();
      }
    }
    if (go != null) {
      // go-header's data syncer logs every bifurcation step (header/sync); the rest must be clean.
      String bad =
          go.stderr()
              .lines()
              .filter(l -> !l.contains("header/sync\t"))
              .filter(l -> HostGoInteropTest.PROTOCOL_ERROR.matcher(l).find())
              .reduce("", (a, b) -> a + b + "\n");
      assertEquals("", bad, "go-libp2p logged protocol errors; its whole stderr:\n" + go.stderr());
    }
  }

  @Test
  void fullNodeSyncsHeadersAndDataFromGoAndFollowsItsGossip(@TempDir Path dir) throws Exception {
    go = new GoPeer(41, "-network", "gm-headerSync", "-chain-id", "gm");
    go.ok("\"cmd\":\"blocks-gen\",\"count\":" + N + ",\"seed\":1" + TXS, T);
    go.ok("\"cmd\":\"blocks-sub-start\"", T);
    node =
        EvNodeSync.builder("gm")
            .role(EvNodeSync.Role.FULL)
            .profile(NetworkProfile.EVNODE)
            .p2p(
                P2PConfig.builder()
                    .identity(ServiceGoInteropTest.key(41))
                    .listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"))
                    .seed(Multiaddr.parse(go.tcpAddress()))
                    .build())
            .dataDir(dir)
            .blockTime(Duration.ofSeconds(1))
            .build();
    long t0 = System.nanoTime();
    node.start().get(T, TimeUnit.SECONDS);
    node.awaitHeight(N).get(T, TimeUnit.SECONDS);
    System.out.printf(
        "our full node synced %,d blocks (headers and data) from Go in %d ms%n",
        N, (System.nanoTime() - t0) / 1_000_000);
    assertSameStores(N, "store");
    for (long h : new long[] {1, 2, TX_EVERY, N / 2, N}) {
      assertSameBlock(h, "store");
    }

    // The Go sequencer goes on: new blocks reach us by gossip on both topics, header before data.
    go.ok("\"cmd\":\"blocks-wait-peer\",\"peer\":\"" + node.p2p().host().peerId() + "\"", T);
    go.ok("\"cmd\":\"blocks-publish\",\"count\":5,\"seed\":1" + TXS, T);
    node.awaitHeight(N + 5).get(T, TimeUnit.SECONDS);
    assertSameStores(N + 5, "store");
    assertSameBlock(N + 5, "store");
  }

  @Test
  void goFullNodeSyncsHeadersAndDataFromOurSequencer(@TempDir Path dir) throws Exception {
    Duration blockTime = Duration.ofMillis(100);
    HeaderSigner signer =
        HeaderSigner.builder()
            .key(SignerKey.generate(new Random(42)))
            .chainId("gm")
            .startTime(Instant.now().minus(blockTime.multipliedBy(N_GO_SYNCS + 10)))
            .blockTime(blockTime)
            .build();
    List<Block> chain =
        new ArrayList<>(EvNodeBlocks.chain(signer, N_GO_SYNCS, TX_EVERY, TX_COUNT, TX_BYTES, 42));
    // The sequencer's history, as a restarted sequencer finds it in its stores.
    try (RocksDbStore<P2PSignedHeader> headers =
            RocksDbStore.builder(EvNodeTypes.P2P_SIGNED_HEADER)
                .path(dir.resolve("headers"))
                .prefix(NetworkProfile.EVNODE.storePrefix(SyncKind.HEADERS))
                .build();
        RocksDbStore<P2PData> data =
            RocksDbStore.builder(EvNodeTypes.P2P_DATA)
                .path(dir.resolve("data"))
                .prefix(NetworkProfile.EVNODE.storePrefix(SyncKind.DATA))
                .build()) {
      for (int i = 0; i < N_GO_SYNCS; i += 1000) {
        List<Block> part = chain.subList(i, Math.min(N_GO_SYNCS, i + 1000));
        headers.append(part.stream().map(Block::p2pHeader).toList()).join();
        data.append(part.stream().map(Block::p2pData).toList()).join();
      }
      headers.flush();
      data.flush();
    }
    node =
        EvNodeSync.builder("gm")
            .role(EvNodeSync.Role.SEQUENCER)
            .profile(NetworkProfile.EVNODE)
            .p2p(
                P2PConfig.builder()
                    .identity(ServiceGoInteropTest.key(42))
                    .listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"))
                    .build())
            .dataDir(dir)
            .blockTime(blockTime)
            .build();
    node.start().get(T, TimeUnit.SECONDS);
    assertEquals(N_GO_SYNCS, node.headers().store().height(), "resumed from its header store");
    assertEquals(
        N_GO_SYNCS, node.data().orElseThrow().store().height(), "resumed from its data store");

    go = new GoPeer(43, "-chain-id", "gm");
    go.ok("\"cmd\":\"connect\",\"addr\":\"" + node.p2p().addresses().get(0) + "\"", T);
    long t0 = System.nanoTime();
    go.ok(
        "\"cmd\":\"fn-start\",\"peer\":\""
            + node.p2p().host().peerId()
            + "\",\"blockTimeMillis\":"
            + blockTime.toMillis()
            + ",\"target\":"
            + (N_GO_SYNCS + 1),
        T);
    // go-header's data syncer stops bifurcating after Syncer.Start's 2 s network-head timeout; a
    // new
    // block's gossip (as on a live chain) makes its validator bifurcate up to that block.
    PeerId goId = PeerId.parse(go.peerId());
    node.p2p().pubSub().awaitPeer(node.headers().topic(), goId).get(T, TimeUnit.SECONDS);
    node.p2p().pubSub().awaitPeer(node.data().orElseThrow().topic(), goId).get(T, TimeUnit.SECONDS);
    Block next = EvNodeBlocks.next(signer, chain.get(chain.size() - 1), 1, TX_COUNT, TX_BYTES, 43);
    chain.add(next);
    node.publish(next).get(T, TimeUnit.SECONDS);
    String waited =
        go.ok(
            "\"cmd\":\"fn-wait\",\"height\":" + (N_GO_SYNCS + 1) + ",\"millis\":" + T * 1000,
            T + 10);
    System.out.printf(
        "Go full node synced %,d blocks from ours in %d ms: %s%n",
        N_GO_SYNCS + 1, (System.nanoTime() - t0) / 1_000_000, waited);
    assertSameStores(N_GO_SYNCS + 1, "sync");
    for (long h : new long[] {1, TX_EVERY, N_GO_SYNCS, N_GO_SYNCS + 1}) {
      assertSameBlock(h, "sync");
      String at = go.ok("\"cmd\":\"blocks-at\",\"height\":" + h + ",\"from\":\"sync\"", T);
      assertEquals(
          chain.get((int) h - 1).data().txCount(),
          ServiceGoInteropTest.number(at, "txs"),
          "txs at " + h);
    }
  }

  /**
   * Our stores against the Go peer's ("store": what it serves, "sync": its full node's), by digest.
   */
  private void assertSameStores(long height, String from) throws Exception {
    String got =
        go.ok("\"cmd\":\"blocks-digest\",\"height\":" + height + ",\"from\":\"" + from + "\"", T);
    Store<P2PData> data = node.data().orElseThrow().store();
    assertEquals(
        GoPeer.string(got, "headerDigest"),
        EvNodeBlocks.digest(node.headers().store(), height),
        "header stores differ below " + height);
    assertEquals(
        GoPeer.string(got, "dataDigest"),
        EvNodeBlocks.digest(data, height),
        "data stores differ below " + height);
    long txs = 0;
    for (long h = 1; h <= height; h++) {
      txs += data.getByHeight(h).orElseThrow().data().txCount();
    }
    assertEquals(ServiceGoInteropTest.number(got, "txs"), txs, "transactions");
  }

  private void assertSameBlock(long height, String from) throws Exception {
    String got =
        go.ok("\"cmd\":\"blocks-at\",\"height\":" + height + ",\"from\":\"" + from + "\"", T);
    assertEquals("", GoPeer.string(got, "validate"), "types.Validate(header, data) at " + height);
    assertEquals(
        GoPeer.string(got, "headerHash").toUpperCase(),
        node.headers().store().getByHeight(height).orElseThrow().hash().toString().toUpperCase(),
        "header " + height);
    P2PData d = node.data().orElseThrow().store().getByHeight(height).orElseThrow();
    assertEquals(
        GoPeer.string(got, "dataHash").toUpperCase(),
        d.hash().toString().toUpperCase(),
        "data " + height);
    assertTrue(d.data().metadata().isPresent(), "metadata at " + height);
  }
}
