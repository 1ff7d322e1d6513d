package io.headersync.evnode;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.VerifyException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ProposerCheckTest {
  static HeaderSigner signer(long seed) {
    return HeaderSigner.builder()
        .key(SignerKey.generate(new Random(seed)))
        .chainId("gm")
        .startTime(Instant.parse("2026-01-01T00:00:00Z"))
        .blockTime(Duration.ofSeconds(1))
        .build();
  }

  @Test
  void passesTheSequencersHeadersAndRefusesOthers() {
    HeaderSigner sequencer = signer(1);
    HeaderSigner forger = signer(2);
    ProposerCheck check = ProposerCheck.of(sequencer.key().signer());
    for (Block b : sequencer.chain(5)) {
      check.check(b.p2pHeader());
    }
    P2PSignedHeader forged = forger.genesis(List.of()).p2pHeader();
    forged.verifySignature(); // a valid signature, by the wrong key
    VerifyException e = assertThrows(VerifyException.class, () -> check.check(forged));
    assertFalse(e.isSoft());
    assertTrue(e.getMessage().contains("not by the expected proposer"), e.getMessage());
  }

  @Test
  void refusesABadSignatureUnderTheExpectedKey() {
    HeaderSigner sequencer = signer(3);
    SignedHeader good = sequencer.genesis(List.of()).header();
    byte[] sig = good.signature();
    sig[0] ^= 1;
    P2PSignedHeader tampered =
        P2PSignedHeader.of(SignedHeader.of(good.header(), sig, good.signer()), 0);
    VerifyException e =
        assertThrows(
            VerifyException.class,
            () -> ProposerCheck.of(sequencer.key().signer()).check(tampered));
    assertFalse(e.isSoft());
    assertTrue(e.getMessage().contains("from the expected proposer"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ProposerCheck.of(Signer.EMPTY));
  }
}
