package io.headersync.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.headersync.exchange.internal.Uvarint;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.internal.encoding.Base32;
import io.headersync.libp2p.internal.encoding.Base58;
import io.headersync.libp2p.internal.encoding.Multibase;
import io.headersync.libp2p.internal.encoding.Varint;
import io.headersync.libp2p.internal.encoding.Varint.VarintException;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Varints (multiformats and header-ex flavours) and the text encodings of peer ids and keys. */
class EncodingFuzzTest {
  @FuzzTest(maxDuration = Fuzz.DURATION)
  void varint(byte[] input) {
    long fromArray;
    int[] pos = {0};
    try {
      fromArray = Varint.read(input, pos);
    } catch (RuntimeException e) {
      Fuzz.expect(e, VarintException.class);
      fromArray = -2;
    }
    int[] size = {0};
    long fromBuf;
    try {
      fromBuf = Varint.peek(Unpooled.wrappedBuffer(input), size);
    } catch (RuntimeException e) {
      Fuzz.expect(e, VarintException.class);
      fromBuf = -2;
    }
    if (fromBuf != Varint.INCOMPLETE && fromBuf != fromArray) {
      throw new AssertionError("read and peek disagree: " + fromArray + " vs " + fromBuf);
    }
    if (fromArray >= 0) {
      if (pos[0] != size[0] || !Arrays.equals(Varint.encode(fromArray), Arrays.copyOf(input, pos[0]))) {
        throw new AssertionError("varint " + fromArray + " does not re-encode to its input");
      }
    }
  }

  @FuzzTest(maxDuration = Fuzz.DURATION)
  void uvarint(byte[] input) {
    try {
      Uvarint.Result r = Uvarint.read(input, 0, input.length);
      if (r != null && (r.length() < 1 || r.length() > Uvarint.MAX_LENGTH || r.length() > input.length)) {
        throw new AssertionError("uvarint length " + r.length() + " out of range");
      }
    } catch (IllegalArgumentException e) {
      // documented: overflows 64 bits
    }
  }

  /** The first byte picks base58 (peer ids), base32 or multibase (CIDs); the rest is the text. */
  @FuzzTest(maxDuration = Fuzz.DURATION)
  void text(byte[] input) {
    // Peer ids and CIDs are read only up to PeerId.MAX_TEXT_LENGTH chars; base58 is quadratic.
    if (input.length == 0 || input.length > 1 + PeerId.MAX_TEXT_LENGTH) {
      return;
    }
    int which = (input[0] & 0xff) % 3;
    String s = new String(input, 1, input.length - 1, StandardCharsets.UTF_8);
    try {
      switch (which) {
        case 0 -> {
          byte[] b = Base58.decode(s);
          if (!Arrays.equals(Base58.decode(Base58.encode(b)), b)) {
            throw new AssertionError("base58 round trip changed " + s);
          }
        }
        case 1 -> Base32.decode(s);
        default -> Multibase.decode(s);
      }
    } catch (IllegalArgumentException e) {
      // documented
    }
  }
}
