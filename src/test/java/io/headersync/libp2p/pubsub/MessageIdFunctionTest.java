package io.headersync.libp2p.pubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.PrivateKey;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MessageIdFunctionTest {
  static Message message(byte[] data) {
    PeerId p = PrivateKey.ed25519FromSeed(new byte[32]).publicKey().peerId();
    return new Message(
        Optional.of(p),
        new byte[] {0, 0, 0, 0, 0, 0, 0, 1},
        data,
        "t",
        new byte[0],
        new byte[0],
        new byte[0],
        p);
  }

  @Test
  void blake2b256MatchesTheRfc7693Vectors() {
    // BLAKE2b-256 of "" and "abc" (reference values of the 256-bit variant).
    assertEquals(
        "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8",
        HexFormat.of().formatHex(MessageIdFunction.BLAKE2B_256.apply(message(new byte[0]))));
    assertEquals(
        "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319",
        HexFormat.of()
            .formatHex(
                MessageIdFunction.BLAKE2B_256.apply(
                    message("abc".getBytes(StandardCharsets.US_ASCII)))));
  }

  @Test
  void defaultIsFromThenSeqno() {
    Message m = message(new byte[] {1});
    byte[] id = MessageIdFunction.DEFAULT.apply(m);
    assertEquals(m.fromBytes().length + 8, id.length);
    assertEquals(1, id[id.length - 1]);
  }
}
