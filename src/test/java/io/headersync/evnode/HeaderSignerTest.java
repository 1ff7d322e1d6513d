package io.headersync.evnode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.Hash;
import io.headersync.Verification;
import io.headersync.VerifyException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HeaderSignerTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Clock NOW = Clock.fixed(T0.plus(Duration.ofHours(1)), ZoneOffset.UTC);

  private static HeaderSigner signer(long initialHeight) {
    return HeaderSigner.builder()
        .key(SignerKey.generate(new Random(1)))
        .chainId("chain-a")
        .initialHeight(initialHeight)
        .startTime(T0)
        .blockTime(Duration.ofMillis(500))
        .build();
  }

  private static List<Block> chainWithTxs(HeaderSigner s, int n) {
    List<Block> blocks = new ArrayList<>();
    blocks.add(s.genesis(List.of()));
    for (int i = 1; i < n; i++) {
      List<byte[]> txs = i % 2 == 0 ? List.of() : List.of(("tx-" + i).getBytes(), new byte[i]);
      blocks.add(s.next(blocks.get(i - 1), txs));
    }
    return blocks;
  }

  @Test
  void producesAChainThatVerifiesAsGoHeaderWould() {
    List<Block> blocks = chainWithTxs(signer(1), 20);
    Verification<P2PSignedHeader> headers = new Verification<>(EvNodeTypes.P2P_SIGNED_HEADER, NOW);
    Verification<P2PData> data = new Verification<>(EvNodeTypes.P2P_DATA, NOW);
    List<P2PSignedHeader> hs = new ArrayList<>();
    List<P2PData> ds = new ArrayList<>();
    for (Block b : blocks) {
      hs.add(P2PSignedHeader.decode(b.p2pHeader().encode()));
      ds.add(P2PData.decode(b.p2pData().encode()));
    }
    Verification.RangeResult<P2PSignedHeader> hr =
        headers.verifyRange(hs.get(0), hs.subList(1, hs.size()));
    assertTrue(hr.isComplete(), () -> String.valueOf(hr.error()));
    Verification.RangeResult<P2PData> dr = data.verifyRange(ds.get(0), ds.subList(1, ds.size()));
    assertTrue(dr.isComplete(), () -> String.valueOf(dr.error()));
    for (int i = 0; i < blocks.size(); i++) {
      Block b = blocks.get(i);
      assertEquals(1 + i, b.height());
      assertEquals(T0.plusMillis(500L * i), b.header().time());
      b.header().validateBasic(NOW);
      hs.get(i).validate(NOW);
      ds.get(i).validate(NOW);
      EvNodeTypes.validate(b.header(), b.data());
    }
    assertEquals(Hash.EMPTY, blocks.get(0).header().lastHeaderHash());
    assertEquals(Hash.EMPTY, blocks.get(0).data().lastHeaderHash());
    assertEquals(Data.EMPTY_TXS_DATA_HASH, blocks.get(0).header().header().dataHash());
    assertEquals(blocks.get(0).data().hash(), blocks.get(1).data().lastHeaderHash());
  }

  @Test
  void genesisMayStartAtAnyHeight() {
    List<Block> blocks = signer(100).chain(3);
    assertEquals(100, blocks.get(0).height());
    assertEquals(102, blocks.get(2).height());
    new Verification<>(EvNodeTypes.SIGNED_HEADER, NOW)
        .verify(blocks.get(0).header(), blocks.get(2).header());
    new Verification<>(EvNodeTypes.SIGNED_HEADER, NOW)
        .verify(blocks.get(1).header(), blocks.get(2).header());
  }

  @Test
  void brokenLinkFailsHardWhenAdjacentAndSoftOtherwise() {
    HeaderSigner s = signer(1);
    List<Block> blocks = s.chain(3);
    SignedHeader forged =
        s.sign(
            blocks.get(1).header().header().toBuilder()
                .lastHeaderHash(Hash.wrap(new byte[32]))
                .build());
    Verification<SignedHeader> v = new Verification<>(EvNodeTypes.SIGNED_HEADER, NOW);
    VerifyException hard =
        assertThrows(VerifyException.class, () -> v.verify(blocks.get(0).header(), forged));
    assertFalse(hard.isSoft());
    assertEquals(VerifyException.Reason.TYPE_CHECK, hard.reason());
    // Data links are checked for non-adjacent pairs too; the failure is soft there.
    Verification<Data> dv = new Verification<>(EvNodeTypes.DATA, NOW);
    VerifyException soft =
        assertThrows(
            VerifyException.class, () -> dv.verify(blocks.get(0).data(), blocks.get(2).data()));
    assertTrue(soft.isSoft());
  }

  @Test
  void signatureChecksCatchTampering() {
    HeaderSigner s = signer(1);
    SignedHeader good = s.genesis(List.of()).header();
    good.verifySignature();
    SignedHeader otherTime =
        good.withHeader(good.header().toBuilder().time(T0.plusSeconds(1)).build());
    EvNodeValidationException e =
        assertThrows(EvNodeValidationException.class, otherTime::verifySignature);
    assertEquals(EvNodeValidationException.Reason.SIGNATURE_VERIFICATION_FAILED, e.reason());
    // go-header's Validate does not look at signatures, as in Go.
    otherTime.validate(NOW);
    SignerKey other = SignerKey.generate(new Random(2));
    SignedHeader wrongSigner = good.withSigner(other.signer());
    assertEquals(
        EvNodeValidationException.Reason.PROPOSER_ADDRESS_MISMATCH,
        assertThrows(EvNodeValidationException.class, wrongSigner::verifySignature).reason());
    SignedHeader badAddress = good.withSigner(Signer.of(other.address(), good.signer().pubKey()));
    assertEquals(
        EvNodeValidationException.Reason.SIGNER_ADDRESS_MISMATCH,
        assertThrows(EvNodeValidationException.class, badAddress::verifySignature).reason());
    assertEquals(
        EvNodeValidationException.Reason.SIGNATURE_EMPTY,
        assertThrows(
                EvNodeValidationException.class,
                () -> good.withSignature(new byte[0]).verifySignature())
            .reason());
  }

  @Test
  void takesTimesFromAClockThatMustMoveForward() {
    Instant[] now = {T0};
    Clock clock =
        new Clock() {
          @Override
          public ZoneOffset getZone() {
            return ZoneOffset.UTC;
          }

          @Override
          public Clock withZone(java.time.ZoneId zone) {
            return this;
          }

          @Override
          public Instant instant() {
            return now[0];
          }
        };
    HeaderSigner s =
        HeaderSigner.builder()
            .key(SignerKey.generate(new Random(3)))
            .chainId("c")
            .clock(clock)
            .build();
    Block g = s.genesis(List.of());
    assertThrows(IllegalStateException.class, () -> s.next(g, List.of()));
    now[0] = T0.plusNanos(1);
    assertEquals(T0.plusNanos(1), s.next(g, List.of()).header().time());
  }

  @Test
  void builderNamesWhatIsMissing() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> HeaderSigner.builder().chainId("c").startTime(T0).build());
    assertTrue(e.getMessage().contains("key"), e.getMessage());
    e =
        assertThrows(
            IllegalStateException.class,
            () ->
                HeaderSigner.builder()
                    .key(SignerKey.generate(new Random(1)))
                    .startTime(T0)
                    .build());
    assertTrue(e.getMessage().contains("chain id"), e.getMessage());
  }

  @Test
  void keysAreDeterministicFromSeedAndRandom() {
    SignerKey a = SignerKey.generate(new Random(9));
    SignerKey b = SignerKey.generate(new Random(9));
    assertArrayEquals(a.publicKey(), b.publicKey());
    assertArrayEquals(a.sign("m".getBytes()), b.sign("m".getBytes()));
    assertArrayEquals(a.publicKey(), SignerKey.fromSeed(a.seed()).publicKey());
    assertArrayEquals(BlockHeader.sha256(a.publicKey()), a.address());
    assertEquals(36, a.libp2pPublicKey().length);
    assertTrue(a.signer().verify("m".getBytes(), a.sign("m".getBytes())));
    assertFalse(a.signer().verify("n".getBytes(), a.sign("m".getBytes())));
    assertFalse(a.signer().verify("m".getBytes(), new byte[63]));
  }
}
