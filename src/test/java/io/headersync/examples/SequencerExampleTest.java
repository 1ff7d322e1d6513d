package io.headersync.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.headersync.Hash;
import io.headersync.evnode.Block;
import io.headersync.evnode.BlockBuilder;
import io.headersync.evnode.EvNodeSync;
import io.headersync.evnode.Genesis;
import io.headersync.evnode.P2PData;
import io.headersync.evnode.P2PSignedHeader;
import io.headersync.evnode.SignerKey;
import io.headersync.evnode.SignerKeyFile;
import io.headersync.libp2p.Multiaddr;
import io.headersync.service.NetworkProfile;
import io.headersync.service.P2PConfig;
import io.headersync.testkit.KvStateMachine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Run a sequencer", over loopback TCP with RocksDB stores: ev-node's key and genesis
 * files, a sequencer that builds blocks from its executor's decisions ({@link KvStateMachine} here)
 * and a full node that re-executes what it synced and arrives at every app hash the blocks carry.
 * The same blocks execute on a real ev-node full node in {@code EvNodeNodeInteropTest}.
 */
class SequencerExampleTest {
  static final Duration BLOCK_TIME = Duration.ofMillis(100);

  @Test
  void aSequencerDrivenByItsExecutorAndAFullNodeThatReExecutes(@TempDir Path dir) throws Exception {
    // Once: a key file and a genesis naming it, as `evnode init` (or `headersync genesis`) writes
    // them.
    Path config = dir.resolve("config");
    Path passphrase = dir.resolve("passphrase.txt");
    Files.writeString(passphrase, "correct horse\n");
    SignerKeyFile.create(
        config,
        SignerKey.generate(new SecureRandom()),
        SignerKeyFile.readPassphrase(passphrase),
        new SecureRandom());
    Genesis.builder("gm")
        .startTime(Instant.now())
        .proposer(SignerKeyFile.publicKey(config))
        .build()
        .write(config.resolve("genesis.json"));

    // The sequencer, as the README shows it.
    Genesis genesis = Genesis.read(config.resolve("genesis.json"));
    SignerKey key = SignerKeyFile.load(config, SignerKeyFile.readPassphrase(passphrase));
    EvNodeSync node =
        EvNodeSync.builder(genesis.chainId())
            .role(EvNodeSync.Role.SEQUENCER)
            .profile(NetworkProfile.EVNODE)
            .genesis(genesis)
            .p2p(P2PConfig.builder().listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")).build())
            .dataDir(dir.resolve("sequencer"))
            .blockTime(BLOCK_TIME)
            .build();
    EvNodeSync full = null;
    try {
      node.start().get(30, TimeUnit.SECONDS);
      BlockBuilder blocks = node.blockBuilder(genesis, key).build();
      KvStateMachine executor = new KvStateMachine();
      Hash appHash = executor.initChain();
      Clock clock = Clock.systemUTC();
      for (int i = 0; i < 50; i++) {
        List<byte[]> txs = List.of(("height" + (i % 7) + "=" + i).getBytes(StandardCharsets.UTF_8));
        Block block = blocks.next(clock.instant(), txs, appHash);
        appHash = executor.execute(txs);
        node.publish(block).get(10, TimeUnit.SECONDS);
        if (i == 0) {
          full =
              EvNodeSync.builder(genesis.chainId())
                  .role(EvNodeSync.Role.FULL)
                  .profile(NetworkProfile.EVNODE)
                  .genesis(genesis)
                  .p2p(P2PConfig.builder().seeds(node.p2p().addresses().get(0).toString()).build())
                  .blockTime(BLOCK_TIME)
                  .build();
          full.start().get(30, TimeUnit.SECONDS);
        }
      }
      full.awaitHeight(50).get(30, TimeUnit.SECONDS);

      // The full node re-executes the data it synced: each header's app hash is the root before it.
      KvStateMachine replay = new KvStateMachine();
      Hash root = replay.initChain();
      for (long h = 1; h <= 50; h++) {
        P2PSignedHeader header = full.headers().store().getByHeight(h).orElseThrow();
        P2PData data = full.data().orElseThrow().store().getByHeight(h).orElseThrow();
        assertEquals(root, header.signedHeader().header().appHash(), "app hash of block " + h);
        root = replay.execute(data.data().txs());
      }
      assertEquals(appHash, root);
    } finally {
      if (full != null) {
        full.close();
      }
      node.close();
    }
  }
}
