package io.headersync.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.internal.encoding.Base32;
import io.headersync.libp2p.internal.encoding.Base58;
import io.headersync.libp2p.internal.encoding.Multibase;
import io.headersync.libp2p.internal.encoding.Uvarint;
import io.headersync.libp2p.internal.encoding.Uvarint.VarintException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Varints (multiformats and header-ex flavours) and the text encodings of peer ids and keys. */
class EncodingFuzzTest {
  @FuzzTest(maxDuration = Fuzz.DURATION)
  void varint(byte[] input) {
    decodeBothWays(input, Uvarint.Format.MULTIFORMATS);
  }

  @FuzzTest(maxDuration = Fuzz.DURATION)
  void uvarint(byte[] input) {
    decodeBothWays(input, Uvarint.Format.GO);
  }

  /**
   * Decodes {@code input} from an array and from a ByteBuf: both agree, a complete varint has a
   * length in range, and a minimal format's varint re-encodes to exactly its input bytes.
   */
  private static void decodeBothWays(byte[] input, Uvarint.Format format) {
    String fromArray;
    int length = Uvarint.INCOMPLETE;
    long value = 0;
    try {
      length = Uvarint.length(input, 0, input.length, format);
      if (length != Uvarint.INCOMPLETE) {
        value = Uvarint.decode(input, 0, input.length, format);
      }
      fromArray = length + ":" + value;
    } catch (RuntimeException e) {
      Fuzz.expect(e, VarintException.class);
      fromArray = ((VarintException) e).reason().name();
    }
    String fromBuf;
    ByteBuf buf = Unpooled.wrappedBuffer(input);
    try {
      int n = Uvarint.length(buf, format);
      fromBuf = n + ":" + (n == Uvarint.INCOMPLETE ? 0 : Uvarint.decode(buf, format));
    } catch (RuntimeException e) {
      Fuzz.expect(e, VarintException.class);
      fromBuf = ((VarintException) e).reason().name();
    } finally {
      buf.release();
    }
    if (!fromArray.equals(fromBuf)) {
      throw new AssertionError(
          "array and ByteBuf decoding disagree: " + fromArray + " vs " + fromBuf);
    }
    if (length > 0 && fromArray.indexOf(':') > 0) {
      if (length > format.maxLength() || length > input.length) {
        throw new AssertionError("varint length " + length + " out of range");
      }
      byte[] again = Uvarint.encode(value);
      boolean minimal = format == Uvarint.Format.MULTIFORMATS;
      if (minimal ? !Arrays.equals(again, Arrays.copyOf(input, length)) : again.length > length) {
        throw new AssertionError(
            "varint " + Long.toUnsignedString(value) + " does not re-encode to its input");
      }
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
