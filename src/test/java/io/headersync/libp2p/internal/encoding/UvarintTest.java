package io.headersync.libp2p.internal.encoding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.libp2p.Hex;
import io.headersync.libp2p.internal.encoding.Uvarint.Format;
import io.headersync.libp2p.internal.encoding.Uvarint.VarintException;
import io.headersync.libp2p.internal.encoding.Uvarint.VarintException.Reason;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The one varint codec. The GO expectations are what Go 1.26's {@code binary.Uvarint} returns for
 * the same bytes (and protowire.ConsumeVarint, which agrees with it); the MULTIFORMATS ones are
 * go-varint's ({@code ErrNotMinimal}, {@code ErrOverflow} past 9 bytes).
 */
class UvarintTest {
  private static final long[] EDGES = {
    0,
    1,
    127,
    128,
    255,
    300,
    16_383,
    16_384,
    Integer.MAX_VALUE,
    1L << 35,
    (1L << 56) - 1,
    1L << 56,
    Long.MAX_VALUE,
    Long.MIN_VALUE,
    -1L
  };

  @Test
  void encodesMinimallyAsGoPutUvarint() {
    assertEquals("00", Hex.encode(Uvarint.encode(0)));
    assertEquals("7f", Hex.encode(Uvarint.encode(127)));
    assertEquals("8001", Hex.encode(Uvarint.encode(128)));
    assertEquals("ac02", Hex.encode(Uvarint.encode(300)));
    assertEquals("ffffffffffffffff7f", Hex.encode(Uvarint.encode(Long.MAX_VALUE)));
    assertEquals(
        "ffffffffffffffffff01", Hex.encode(Uvarint.encode(-1L))); // 2^64-1: the 10-byte maximum
    assertEquals("80808080808080808001", Hex.encode(Uvarint.encode(Long.MIN_VALUE))); // 2^63
    for (long v : EDGES) {
      byte[] a = Uvarint.encode(v);
      assertEquals(Uvarint.size(v), a.length);
      byte[] b = new byte[a.length + 3];
      assertEquals(a.length + 2, Uvarint.write(v, b, 2));
      ByteBuf buf = Unpooled.buffer(1);
      try {
        Uvarint.write(v, buf);
        assertArrayEquals(a, ByteBufUtil.getBytes(buf));
      } finally {
        buf.release();
      }
    }
    assertEquals(10, Uvarint.size(-1L));
    assertEquals(9, Uvarint.size(Long.MAX_VALUE));
  }

  @Test
  void roundTripsInBothFormatsAndBothSources() {
    Random r = new Random(16);
    for (int i = 0; i < 2_000; i++) {
      long v = i < EDGES.length ? EDGES[i] : r.nextLong() >>> r.nextInt(64);
      byte[] enc = Uvarint.encode(v);
      assertEquals(enc.length, Uvarint.length(enc, 0, enc.length, Format.GO));
      assertEquals(v, Uvarint.decode(enc, 0, enc.length, Format.GO));
      ByteBuf buf = Unpooled.wrappedBuffer(enc);
      try {
        assertEquals(enc.length, Uvarint.length(buf, Format.GO));
        assertEquals(v, Uvarint.decode(buf, Format.GO));
        assertEquals(
            0, buf.readerIndex(), "decoding from a ByteBuf must not move the reader index");
        if (v >= 0) {
          assertEquals(v, Uvarint.decode(buf, Format.MULTIFORMATS));
          int[] pos = {0};
          assertEquals(v, Uvarint.read(enc, pos, Format.MULTIFORMATS));
          assertEquals(enc.length, pos[0]);
        }
      } finally {
        buf.release();
      }
    }
  }

  @Test
  void aPartialVarintAsksForMoreBytes() {
    for (long v : EDGES) {
      byte[] enc = Uvarint.encode(v);
      for (int cut = 0; cut < enc.length; cut++) {
        int end = cut;
        assertEquals(Uvarint.INCOMPLETE, Uvarint.length(enc, 0, end, Format.GO));
        assertEquals(Reason.TRUNCATED, reason(() -> Uvarint.decode(enc, 0, end, Format.GO)));
        ByteBuf buf = Unpooled.wrappedBuffer(enc, 0, cut);
        try {
          assertEquals(Uvarint.INCOMPLETE, Uvarint.length(buf, Format.GO));
          assertEquals(0, buf.readerIndex());
          if (v >= 0 && enc.length <= 9) {
            assertEquals(Uvarint.INCOMPLETE, Uvarint.length(buf, Format.MULTIFORMATS));
          }
        } finally {
          buf.release();
        }
      }
    }
    int[] pos = {0};
    assertEquals(
        Reason.TRUNCATED, reason(() -> Uvarint.read(Hex.decode("80"), pos, Format.MULTIFORMATS)));
    assertEquals(0, pos[0], "a failed read leaves the position");
  }

  @Test
  void goFormatAcceptsWhatGoAcceptsAndNoMore() {
    // binary.Uvarint: ffffffffffffffffff01 -> 2^64-1, 10 bytes.
    assertEquals(-1L, decode("ffffffffffffffffff01", Format.GO));
    // The 10th byte may only be 0 or 1 (Go: n = -10).
    assertEquals(Reason.OVERFLOW, reason(() -> decode("ffffffffffffffffff02", Format.GO)));
    // An 11th byte is an overflow too (Go: n = -11); we refuse at the 10th, which has to continue.
    assertEquals(Reason.OVERFLOW, reason(() -> decode("ffffffffffffffffffff01", Format.GO)));
    assertEquals(
        Reason.OVERFLOW,
        reason(() -> Uvarint.length(Hex.decode("ffffffffffffffffffff"), 0, 10, Format.GO)));
    // Non-minimal encodings are accepted, as Go does: 8000 -> 0 (n = 2); ten bytes of zero -> 0 (n
    // = 10).
    assertEquals(0, decode("8000", Format.GO));
    assertEquals(2, Uvarint.length(Hex.decode("8000"), 0, 2, Format.GO));
    assertEquals(0, decode("80808080808080808000", Format.GO));
    assertEquals(10, Uvarint.length(Hex.decode("80808080808080808000"), 0, 10, Format.GO));
    assertEquals(1, decode("01ff", Format.GO), "only the first varint is read");
  }

  @Test
  void multiformatsFormatIsMinimalAndAtMostNineBytes() {
    assertEquals(Long.MAX_VALUE, decode("ffffffffffffffff7f", Format.MULTIFORMATS));
    assertEquals(Reason.NOT_MINIMAL, reason(() -> decode("8000", Format.MULTIFORMATS)));
    assertEquals(Reason.NOT_MINIMAL, reason(() -> decode("ac8000", Format.MULTIFORMATS)));
    VarintException e =
        assertThrows(
            VarintException.class, () -> decode("ffffffffffffffffff01", Format.MULTIFORMATS));
    assertEquals(Reason.TOO_LONG, e.reason());
    assertTrue(e.getMessage().contains("longer than 9 bytes"), e.getMessage());
    assertEquals(
        Reason.TOO_LONG,
        reason(() -> Uvarint.length(Hex.decode("ffffffffffffffffff"), 0, 9, Format.MULTIFORMATS)));
    ByteBuf buf = Unpooled.wrappedBuffer(Hex.decode("ffffffffffffffffff"));
    try {
      assertEquals(Reason.TOO_LONG, reason(() -> Uvarint.length(buf, Format.MULTIFORMATS)));
    } finally {
      buf.release();
    }
  }

  @Test
  void aCallersLimitIsEnforcedAsUnsigned() {
    byte[] enc = Uvarint.encode(1025);
    assertEquals(1025, Uvarint.decode(enc, 0, enc.length, Format.GO, 1025));
    VarintException e =
        assertThrows(
            VarintException.class, () -> Uvarint.decode(enc, 0, enc.length, Format.GO, 1024));
    assertEquals(Reason.OVER_LIMIT, e.reason());
    assertTrue(e.getMessage().contains("1025 exceeds the limit of 1024"), e.getMessage());
    byte[] huge = Uvarint.encode(-1L);
    VarintException h =
        assertThrows(
            VarintException.class,
            () -> Uvarint.decode(huge, 0, huge.length, Format.GO, Long.MAX_VALUE));
    assertEquals(Reason.OVER_LIMIT, h.reason());
    assertTrue(h.getMessage().contains("18446744073709551615"), h.getMessage());
    ByteBuf buf = Unpooled.wrappedBuffer(enc);
    try {
      assertEquals(Reason.OVER_LIMIT, reason(() -> Uvarint.decode(buf, Format.MULTIFORMATS, 1000)));
    } finally {
      buf.release();
    }
  }

  @Test
  void decodesAtAnOffsetWithinALimit() {
    byte[] bytes = Hex.decode("ffac02ff");
    assertEquals(300, Uvarint.decode(bytes, 1, 3, Format.GO));
    assertEquals(2, Uvarint.length(bytes, 1, 3, Format.GO));
    assertEquals(Uvarint.INCOMPLETE, Uvarint.length(bytes, 1, 2, Format.GO));
  }

  private static long decode(String hex, Format format) {
    byte[] b = Hex.decode(hex);
    return Uvarint.decode(b, 0, b.length, format);
  }

  private static Reason reason(Runnable r) {
    return assertThrows(VarintException.class, r::run).reason();
  }
}
