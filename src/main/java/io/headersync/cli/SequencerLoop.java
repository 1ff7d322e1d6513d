package io.headersync.cli;

import io.headersync.Hash;
import io.headersync.annotation.Nullable;
import io.headersync.evnode.Block;
import io.headersync.evnode.BlockBuilder;
import io.headersync.evnode.EvNodeSync;
import io.headersync.evnode.P2PData;
import io.headersync.internal.Await;
import io.headersync.store.Store;
import io.headersync.testkit.KvStateMachine;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The block producer of {@code headersync node --role sequencer}: one block per call of {@link
 * #produce()}, built by a {@link BlockBuilder} that continues after the stored head and published
 * through the node. Blocks are empty with an empty app hash, or, with the demo executor ({@code
 * --kv}), carry a few random {@code key=value} transactions and the {@link KvStateMachine}'s roots,
 * so that a real ev-node full node running the same executor ({@code interop/evnode}) executes
 * them. On restart the demo state is rebuilt by replaying the stored blocks' transactions.
 *
 * <p>Not thread-safe: one producer thread.
 */
final class SequencerLoop {
  private final EvNodeSync node;
  private final BlockBuilder blocks;
  private final Clock clock;
  private final @Nullable KvStateMachine kv;
  private final Random random;
  private Hash appHash;

  SequencerLoop(
      EvNodeSync node,
      BlockBuilder blocks,
      Clock clock,
      @Nullable KvStateMachine kv,
      Random random) {
    this.node = node;
    this.blocks = blocks;
    this.clock = clock;
    this.kv = kv;
    this.random = random;
    this.appHash =
        kv == null ? Hash.EMPTY : replay(node, kv, blocks.last().map(Block::height).orElse(0L));
  }

  /** The demo state after {@code head}: every stored block's transactions, from the tail up. */
  private static Hash replay(EvNodeSync node, KvStateMachine kv, long head) {
    Hash root = kv.initChain();
    Store<P2PData> data = node.data().orElseThrow().store();
    long from = data.tail().map(P2PData::height).orElse(head + 1);
    for (long h = from; h <= head; h += 256) {
      for (P2PData d : data.getRange(h, Math.min(head, h + 255) + 1)) {
        root = kv.execute(d.data().txs());
      }
    }
    return root;
  }

  /**
   * Builds, publishes and returns the next block (waits up to a minute for the node to take it).
   */
  Block produce() {
    List<byte[]> txs = kv == null ? List.of() : demoTxs();
    Instant now = clock.instant();
    Instant time = blocks.last().map(b -> b.header().time()).filter(now::isBefore).orElse(now);
    if (blocks.last().isEmpty() && time.isBefore(blocks.genesis().startTime())) {
      time = blocks.genesis().startTime();
    }
    Block block = blocks.next(time, txs, appHash);
    if (kv != null) {
      appHash = kv.execute(txs);
    }
    Await.await(node.publish(block), "block " + block.height(), Duration.ofSeconds(60));
    return block;
  }

  private List<byte[]> demoTxs() {
    List<byte[]> txs = new ArrayList<>();
    for (int i = random.nextInt(4); i > 0; i--) {
      txs.add(
          ("key" + random.nextInt(100) + "=" + Long.toHexString(random.nextLong()))
              .getBytes(StandardCharsets.UTF_8));
    }
    return txs;
  }

  /** The app hash the next block will carry: the demo state's root, or empty. */
  Hash appHash() {
    return appHash;
  }
}
