package io.headersync.libp2p.internal.yamux;

import static io.headersync.libp2p.internal.yamux.YamuxFrame.FLAG_ACK;
import static io.headersync.libp2p.internal.yamux.YamuxFrame.FLAG_FIN;
import static io.headersync.libp2p.internal.yamux.YamuxFrame.FLAG_RST;
import static io.headersync.libp2p.internal.yamux.YamuxFrame.FLAG_SYN;
import static io.headersync.libp2p.internal.yamux.YamuxFrame.TYPE_DATA;
import static io.headersync.libp2p.internal.yamux.YamuxFrame.TYPE_GO_AWAY;
import static io.headersync.libp2p.internal.yamux.YamuxFrame.TYPE_PING;
import static io.headersync.libp2p.internal.yamux.YamuxFrame.TYPE_WINDOW_UPDATE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class YamuxFrameDecoderTest {

  /**
   * A frame sequence covering every type, combined flags, empty and non-empty data, unsigned
   * fields.
   */
  private static List<YamuxFrame> sample() {
    List<YamuxFrame> frames = new ArrayList<>();
    frames.add(YamuxFrame.control(TYPE_WINDOW_UPDATE, FLAG_SYN, 1, 0));
    frames.add(data(FLAG_SYN | FLAG_FIN, 3, "syn+data+fin"));
    frames.add(data(0, 1, "hello"));
    frames.add(YamuxFrame.control(TYPE_DATA, FLAG_ACK | FLAG_FIN, 2, 0));
    frames.add(
        YamuxFrame.control(
            TYPE_WINDOW_UPDATE, FLAG_SYN | FLAG_ACK | FLAG_FIN | FLAG_RST, 0xFFFFFFFE, 0x1005));
    frames.add(YamuxFrame.control(TYPE_PING, FLAG_SYN, 0, 0xDEADBEEF));
    frames.add(YamuxFrame.control(TYPE_PING, FLAG_ACK, 0, 7));
    frames.add(data(0, 5, "x".repeat(3000)));
    frames.add(YamuxFrame.control(TYPE_GO_AWAY, 0, 0, 2));
    return frames;
  }

  private static YamuxFrame data(int flags, int id, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    return new YamuxFrame(TYPE_DATA, flags, id, bytes.length, Unpooled.wrappedBuffer(bytes));
  }

  private static byte[] encodeAll(List<YamuxFrame> frames) {
    ByteBuf all = Unpooled.buffer();
    for (YamuxFrame f : frames) {
      ByteBuf e = f.encode(Unpooled.buffer().alloc());
      all.writeBytes(e);
      e.release();
    }
    byte[] bytes = ByteBufUtil.getBytes(all);
    all.release();
    return bytes;
  }

  @Test
  void encodesTheReferenceWireExamples() {
    assertArrayEquals(hex("000100010000000100000000"), header(TYPE_WINDOW_UPDATE, FLAG_SYN, 1, 0));
    assertArrayEquals(hex("000100040000000100000000"), header(TYPE_WINDOW_UPDATE, FLAG_FIN, 1, 0));
    assertArrayEquals(hex("000200010000000012345678"), header(TYPE_PING, FLAG_SYN, 0, 0x12345678));
    assertArrayEquals(hex("000300000000000000000000"), header(TYPE_GO_AWAY, 0, 0, 0));
  }

  private static byte[] header(int type, int flags, int id, int length) {
    ByteBuf b = YamuxFrame.encodeHeader(Unpooled.buffer().alloc(), type, flags, id, length);
    byte[] bytes = ByteBufUtil.getBytes(b);
    b.release();
    return bytes;
  }

  private static byte[] hex(String s) {
    return ByteBufUtil.decodeHexDump(s);
  }

  @Test
  void decodesFramesSplitAtEveryByte() {
    List<YamuxFrame> expected = sample();
    byte[] wire = encodeAll(expected);
    for (int split = 0; split <= wire.length; split++) {
      EmbeddedChannel ch = new EmbeddedChannel(new YamuxFrameDecoder(1 << 20));
      ch.writeInbound(Unpooled.wrappedBuffer(wire, 0, split));
      ch.writeInbound(Unpooled.wrappedBuffer(wire, split, wire.length - split));
      assertDecoded(expected, ch);
      assertFalse(ch.finish());
    }
    expected.forEach(YamuxFrame::release);
  }

  @Test
  void decodesFramesFedOneByteAtATime() {
    List<YamuxFrame> expected = sample();
    byte[] wire = encodeAll(expected);
    EmbeddedChannel ch = new EmbeddedChannel(new YamuxFrameDecoder(1 << 20));
    for (byte b : wire) {
      ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
    }
    assertDecoded(expected, ch);
    assertFalse(ch.finish());
    expected.forEach(YamuxFrame::release);
  }

  private static void assertDecoded(List<YamuxFrame> expected, EmbeddedChannel ch) {
    for (YamuxFrame want : expected) {
      YamuxFrame got = ch.readInbound();
      try {
        assertEquals(want.type(), got.type());
        assertEquals(want.flags(), got.flags());
        assertEquals(want.streamId(), got.streamId());
        assertEquals(want.length(), got.length());
        assertEquals(want.content(), got.content());
      } finally {
        got.release();
      }
    }
    assertNull(ch.readInbound());
  }

  @Test
  void rejectsDataLargerThanTheBoundBeforeBufferingItAndDiscardsTheRest() {
    EmbeddedChannel ch = new EmbeddedChannel(new YamuxFrameDecoder(1024));
    ByteBuf in = Unpooled.buffer();
    YamuxFrame.writeHeader(in, TYPE_DATA, 0, 1, 1025);
    in.writeZero(10); // only part of the payload has arrived: the header alone is enough to reject
    DecoderException e = assertThrows(DecoderException.class, () -> ch.writeInbound(in));
    assertInstanceOf(YamuxException.ProtocolException.class, e.getCause());
    assertEquals(
        YamuxFrame.GO_AWAY_PROTOCOL_ERROR,
        ((YamuxException.ProtocolException) e.getCause()).goAwayCode());
    // Later bytes, even valid frames, are discarded: the frame boundaries are lost.
    ch.writeInbound(YamuxFrame.encodeHeader(ch.alloc(), TYPE_PING, FLAG_SYN, 0, 1));
    assertNull(ch.readInbound());
    assertFalse(ch.finish());
  }

  @Test
  void rejectsAnUnknownVersion() {
    EmbeddedChannel ch = new EmbeddedChannel(new YamuxFrameDecoder(1024));
    DecoderException e =
        assertThrows(
            DecoderException.class,
            () -> ch.writeInbound(Unpooled.wrappedBuffer(hex("010200010000000000000001"))));
    assertInstanceOf(YamuxException.ProtocolException.class, e.getCause());
    assertFalse(ch.finish());
  }

  @Test
  void rejectsAnUnknownType() {
    EmbeddedChannel ch = new EmbeddedChannel(new YamuxFrameDecoder(1024));
    DecoderException e =
        assertThrows(
            DecoderException.class,
            () -> ch.writeInbound(Unpooled.wrappedBuffer(hex("000400000000000000000000"))));
    assertInstanceOf(YamuxException.ProtocolException.class, e.getCause());
    assertFalse(ch.finish());
  }

  @Test
  void skipsPayloadsTheGateRefusesSplitAtEveryByte() {
    // Stream 9 is "unknown": its 5000-byte payload is skipped as it arrives, never buffered.
    ByteBuf wire = Unpooled.buffer();
    YamuxFrame.writeHeader(wire, TYPE_DATA, 0, 9, 5000);
    wire.writeZero(5000);
    YamuxFrame.writeHeader(wire, TYPE_DATA, 0, 1, 3);
    wire.writeBytes(new byte[] {1, 2, 3});
    byte[] bytes = ByteBufUtil.getBytes(wire);
    wire.release();
    for (int split = 0; split <= bytes.length; split += 7) {
      EmbeddedChannel ch =
          new EmbeddedChannel(new YamuxFrameDecoder((id, flags, length) -> id != 9));
      ch.writeInbound(Unpooled.wrappedBuffer(bytes, 0, split));
      ch.writeInbound(Unpooled.wrappedBuffer(bytes, split, bytes.length - split));
      YamuxFrame f = ch.readInbound();
      assertEquals(1, f.streamId());
      assertArrayEquals(new byte[] {1, 2, 3}, ByteBufUtil.getBytes(f.content()));
      f.release();
      assertNull(ch.readInbound());
      assertFalse(ch.finish());
    }
  }

  @Test
  void frameToStringNamesTypeAndFlags() {
    YamuxFrame f = YamuxFrame.control(TYPE_WINDOW_UPDATE, FLAG_SYN | FLAG_FIN, -2, -1);
    assertEquals(
        "YamuxFrame(WINDOW_UPDATE, flags=SYN|FIN, stream=4294967294, length=4294967295)",
        f.toString());
  }
}
