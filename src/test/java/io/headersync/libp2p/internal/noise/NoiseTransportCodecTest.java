package io.headersync.libp2p.internal.noise;

import static io.headersync.libp2p.internal.Buffers.drainOutbound;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.libp2p.internal.ByteCollector;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.channels.ClosedChannelException;
import org.junit.jupiter.api.Test;

/** The transport codec gathers the writes between two flushes into one Noise message. */
class NoiseTransportCodecTest {

  @Test
  void writesBetweenFlushesGoOutAsOneMessage() {
    ByteCollector app = new ByteCollector();
    EmbeddedChannel[] p = NoiseHandlerTest.codecPair(app);
    ChannelPromise first = p[0].newPromise();
    ChannelPromise second = p[0].newPromise();
    p[0].write(Unpooled.wrappedBuffer(new byte[] {1, 2, 3}), first);
    p[0].write(Unpooled.wrappedBuffer(new byte[] {4, 5}), second);
    p[0].write(Unpooled.wrappedBuffer(new byte[] {6}), p[0].voidPromise());
    assertTrue(p[0].outboundMessages().isEmpty(), "nothing leaves before the flush");
    assertFalse(first.isDone());

    p[0].flush();
    byte[] wire = drainOutbound(p[0]);
    assertEquals(2 + 6 + Aead.TAG_LENGTH, wire.length, "one message: length prefix, 6 bytes, tag");
    assertTrue(first.isSuccess());
    assertTrue(second.isSuccess());
    p[1].writeInbound(Unpooled.wrappedBuffer(wire));
    assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6}, app.bytes());
    assertEquals(1, app.reads);
    assertFalse(p[0].finishAndReleaseAll());
    assertFalse(p[1].finishAndReleaseAll());
  }

  @Test
  void unflushedPlaintextIsBounded() {
    ByteCollector app = new ByteCollector();
    EmbeddedChannel[] p = NoiseHandlerTest.codecPair(app);
    byte[] chunk = new byte[NoiseTransportCodec.MAX_PLAINTEXT];
    ChannelPromise last = null;
    for (int i = 0; i * chunk.length < NoiseTransportCodec.MAX_GATHERED; i++) {
      last = p[0].newPromise();
      p[0].write(Unpooled.wrappedBuffer(chunk), last);
    }
    // The codec passed the gathered bytes on, encrypted, without waiting for a flush.
    long encrypted = 4L * (2 + NoiseTransportCodec.MAX_PLAINTEXT + Aead.TAG_LENGTH);
    long pending =
        p[0].unsafe().outboundBuffer().totalPendingWriteBytes(); // plus Netty's entry overhead
    assertTrue(pending >= encrypted && pending < encrypted + 1024, "pending " + pending);
    p[0].flush();
    assertTrue(last.isSuccess());
    p[1].writeInbound(Unpooled.wrappedBuffer(drainOutbound(p[0])));
    assertEquals(NoiseTransportCodec.MAX_GATHERED, app.bytes().length);
    assertEquals(4, app.reads);
    assertFalse(p[0].finishAndReleaseAll());
    assertFalse(p[1].finishAndReleaseAll());
  }

  @Test
  void closeDropsUnflushedWritesAndFailsTheirPromises() {
    EmbeddedChannel[] p = NoiseHandlerTest.codecPair(new ByteCollector());
    ByteBuf data = Unpooled.wrappedBuffer(new byte[] {1, 2, 3});
    ChannelPromise promise = p[0].newPromise();
    p[0].write(data, promise);
    assertEquals(0, data.refCnt(), "the codec copied and released the written buffer");
    p[0].close();
    assertInstanceOf(ClosedChannelException.class, promise.cause());
    assertEquals(0, drainOutbound(p[0]).length);
    assertFalse(p[0].finishAndReleaseAll());
    assertFalse(p[1].finishAndReleaseAll());
  }
}
