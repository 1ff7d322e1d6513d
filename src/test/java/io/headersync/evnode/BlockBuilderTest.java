package io.headersync.evnode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.Hash;
import io.headersync.Verification;
import io.headersync.evnode.BlockRuleException.Rule;
import io.headersync.testkit.KvStateMachine;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BlockBuilderTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00.123456789Z");
  private static final Clock NOW = Clock.fixed(T0.plus(Duration.ofHours(1)), ZoneOffset.UTC);
  private static final SignerKey KEY = SignerKey.generate(new Random(7));
  private static final Genesis GENESIS =
      Genesis.builder("chain-b").startTime(T0).initialHeight(5).proposer(KEY).build();

  private static BlockBuilder builder() {
    return BlockBuilder.builder(GENESIS, KEY).clock(NOW).build();
  }

  private static List<byte[]> txs(String... txs) {
    List<byte[]> out = new ArrayList<>();
    for (String t : txs) {
      out.add(t.getBytes(StandardCharsets.UTF_8));
    }
    return out;
  }

  /** A sequencer loop as the class comment shows it, over the demo executor. */
  private static List<Block> produce(BlockBuilder blocks, KvStateMachine kv, Hash root, int n) {
    List<Block> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      List<byte[]> txs = i % 3 == 0 ? List.of() : txs("k" + (i % 4) + "=v" + i, "no-equals-sign");
      Instant time =
          T0.plusMillis(i == 0 ? 0 : 100L * i + (i % 5 == 0 ? -100 : 0)); // some equal times
      Block b = blocks.next(time, txs, root);
      root = kv.execute(txs);
      out.add(b);
    }
    return out;
  }

  @Test
  void everyBlockPassesEvNodesChecksAndLinks() {
    KvStateMachine kv = new KvStateMachine();
    Hash root = kv.initChain();
    BlockBuilder blocks = builder();
    assertEquals(5, blocks.nextHeight());
    List<Block> chain = produce(blocks, kv, root, 30);

    Block first = chain.get(0);
    assertEquals(5, first.height());
    assertEquals(
        T0, first.header().time(), "the first block may carry the genesis start time itself");
    assertEquals(Hash.EMPTY, first.header().lastHeaderHash());
    assertEquals(root, first.header().header().appHash(), "block 1's app hash is InitChain's root");
    assertArrayEquals(GENESIS.proposerAddress(), first.header().header().proposerAddress());
    KvStateMachine replay = new KvStateMachine();
    Hash expected = replay.initChain();
    for (int i = 0; i < chain.size(); i++) {
      Block b = chain.get(i);
      b.header().validateBasic(NOW); // ValidateBasic: proposer, signer, signature, time
      EvNodeTypes.validate(b.header(), b.data()); // types.Validate: metadata, data commitment
      assertEquals(expected, b.header().header().appHash(), "app hash of block " + b.height());
      expected = replay.execute(b.data().txs());
      if (i > 0) {
        Block prev = chain.get(i - 1);
        assertEquals(prev.height() + 1, b.height());
        assertEquals(prev.hash(), b.header().lastHeaderHash());
        assertEquals(prev.data().hash(), b.data().metadata().orElseThrow().lastDataHash());
        assertTrue(!b.header().time().isBefore(prev.header().time()));
      }
    }
    // go-header's verification of the gossip forms, headers and data, over the whole range.
    List<P2PSignedHeader> hs =
        chain.stream().map(b -> P2PSignedHeader.decode(b.p2pHeader().encode())).toList();
    List<P2PData> ds = chain.stream().map(b -> P2PData.decode(b.p2pData().encode())).toList();
    assertTrue(
        new Verification<>(EvNodeTypes.P2P_SIGNED_HEADER, NOW)
            .verifyRange(hs.get(0), hs.subList(1, 30))
            .isComplete());
    assertTrue(
        new Verification<>(EvNodeTypes.P2P_DATA, NOW)
            .verifyRange(ds.get(0), ds.subList(1, 30))
            .isComplete());
    assertEquals(chain.get(29), blocks.last().orElseThrow());
    assertEquals(35, blocks.nextHeight());
  }

  @Test
  void sameInputsGiveTheSameBlocksAsHeaderSigner() {
    HeaderSigner signer =
        HeaderSigner.builder()
            .key(KEY)
            .chainId("chain-b")
            .initialHeight(5)
            .startTime(T0)
            .blockTime(Duration.ofMillis(250))
            .build();
    BlockBuilder blocks = builder();
    Block a = signer.genesis(txs("a=1"));
    assertEquals(a, blocks.next(T0, txs("a=1"), Hash.EMPTY));
    Block b = signer.next(a, List.of());
    assertEquals(b, blocks.next(T0.plusMillis(250), List.of(), Hash.EMPTY));
  }

  @Test
  void continuesAfterAStoredBlock() {
    BlockBuilder first = builder();
    Block b5 = first.next(T0, List.of(), Hash.EMPTY);
    Block b6 = first.next(T0.plusSeconds(1), txs("x=y"), Hash.EMPTY);
    BlockBuilder resumed =
        BlockBuilder.builder(GENESIS, KEY)
            .clock(NOW)
            .after(Block.of(b6.header(), b6.data()))
            .build();
    assertEquals(7, resumed.nextHeight());
    Block b7 = resumed.next(T0.plusSeconds(2), List.of(), Hash.EMPTY);
    assertEquals(b6.hash(), b7.header().lastHeaderHash());
    assertEquals(b6.data().hash(), b7.data().metadata().orElseThrow().lastDataHash());
    assertEquals(b7, first.next(T0.plusSeconds(2), List.of(), Hash.EMPTY));
    assertEquals(5, b5.height());
  }

  @Test
  void refusesAKeyThatIsNotTheGenesisProposer() {
    SignerKey other = SignerKey.generate(new Random(8));
    BlockRuleException e =
        assertThrows(BlockRuleException.class, () -> BlockBuilder.builder(GENESIS, other).build());
    assertEquals(Rule.PROPOSER, e.rule());
    assertTrue(e.getMessage().contains("not the genesis proposer"), e.getMessage());
  }

  @Test
  void refusesToContinueAfterABlockOfAnotherChainOrBelowTheGenesis() {
    Genesis otherChain =
        Genesis.builder("chain-c").startTime(T0).initialHeight(5).proposer(KEY).build();
    Block foreign =
        BlockBuilder.builder(otherChain, KEY).clock(NOW).build().next(T0, List.of(), Hash.EMPTY);
    BlockRuleException e =
        assertThrows(
            BlockRuleException.class,
            () -> BlockBuilder.builder(GENESIS, KEY).after(foreign).build());
    assertEquals(Rule.CHAIN_ID, e.rule());

    Genesis lower = Genesis.builder("chain-b").startTime(T0).initialHeight(1).proposer(KEY).build();
    Block one = BlockBuilder.builder(lower, KEY).clock(NOW).build().next(T0, List.of(), Hash.EMPTY);
    e =
        assertThrows(
            BlockRuleException.class, () -> BlockBuilder.builder(GENESIS, KEY).after(one).build());
    assertEquals(Rule.HEIGHT, e.rule());
  }

  @Test
  void refusesTimesThatBreakTheSequenceAndMovesOnOnlyAfterAValidBlock() {
    BlockBuilder blocks = builder();
    BlockRuleException e =
        assertThrows(
            BlockRuleException.class, () -> blocks.next(T0.minusNanos(1), List.of(), Hash.EMPTY));
    assertEquals(Rule.TIME, e.rule());
    assertTrue(e.getMessage().contains("before the genesis start time"), e.getMessage());
    assertEquals(5, blocks.nextHeight(), "a refused block does not move the builder on");

    blocks.next(T0.plusSeconds(3), List.of(), Hash.EMPTY);
    e =
        assertThrows(
            BlockRuleException.class, () -> blocks.next(T0.plusSeconds(2), List.of(), Hash.EMPTY));
    assertEquals(Rule.TIME, e.rule());
    assertTrue(e.getMessage().contains("must not go back"), e.getMessage());

    Instant tooLate = NOW.instant().plus(BlockBuilder.MAX_FUTURE).plusNanos(1);
    e = assertThrows(BlockRuleException.class, () -> blocks.next(tooLate, List.of(), Hash.EMPTY));
    assertEquals(Rule.TIME, e.rule());
    assertEquals(6, blocks.nextHeight());
    assertEquals(
        6,
        blocks.next(NOW.instant().plus(BlockBuilder.MAX_FUTURE), List.of(), Hash.EMPTY).height());
  }

  @Test
  void refusesDataLargerThanOneGossipMessage() {
    BlockBuilder blocks = BlockBuilder.builder(GENESIS, KEY).clock(NOW).maxDataBytes(1000).build();
    BlockRuleException e =
        assertThrows(
            BlockRuleException.class,
            () -> blocks.next(T0, List.of(new byte[600], new byte[600]), Hash.EMPTY));
    assertEquals(Rule.SIZE, e.rule());
    assertTrue(e.getMessage().contains("1000"), e.getMessage());
    assertEquals(5, blocks.next(T0, List.of(new byte[600]), Hash.EMPTY).height());
  }

  @Test
  void blockOfChecksThatTheDataBelongsToTheHeader() {
    BlockBuilder blocks = builder();
    Block a = blocks.next(T0, txs("a=1"), Hash.EMPTY);
    Block b = blocks.next(T0.plusSeconds(1), txs("b=2"), Hash.EMPTY);
    assertThrows(EvNodeValidationException.class, () -> Block.of(a.header(), b.data()));
  }
}
