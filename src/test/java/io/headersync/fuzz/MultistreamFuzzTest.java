package io.headersync.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.headersync.libp2p.internal.ByteCollector;
import io.headersync.libp2p.internal.multistream.MultistreamCodec;
import io.headersync.libp2p.internal.multistream.MultistreamException;
import io.headersync.libp2p.internal.multistream.MultistreamInitiator;
import io.headersync.libp2p.internal.multistream.MultistreamResponder;
import io.headersync.libp2p.internal.multistream.ProtocolHandlerFactory;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * multistream-select 1.0: the token codec and both negotiators, fed peer bytes in fuzzer-chosen
 * reads.
 */
class MultistreamFuzzTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final ProtocolHandlerFactory KNOWN =
      p ->
          "/noise".equals(p) || "/yamux/1.0.0".equals(p)
              ? (ChannelHandler) new ByteCollector()
              : null;

  @FuzzTest(maxDuration = Fuzz.DURATION)
  void token(byte[] input) {
    ByteBuf in = ByteBufAllocator.DEFAULT.heapBuffer(input.length).writeBytes(input);
    try {
      while (in.isReadable()) {
        int before = in.readerIndex();
        String token = MultistreamCodec.decode(in);
        if (token == null) {
          if (in.readerIndex() != before) {
            throw new AssertionError("an incomplete message was consumed");
          }
          break;
        }
      }
    } catch (RuntimeException e) {
      Fuzz.expect(e, MultistreamException.class);
    } finally {
      in.release();
    }
  }

  @FuzzTest(maxDuration = Fuzz.DURATION)
  void responder(byte[] input) {
    CompletableFuture<String> result = new CompletableFuture<>();
    run(new EmbeddedChannel(new MultistreamResponder(KNOWN, TIMEOUT, result)), result, input);
  }

  @FuzzTest(maxDuration = Fuzz.DURATION)
  void initiator(byte[] input) {
    CompletableFuture<String> result = new CompletableFuture<>();
    run(
        new EmbeddedChannel(
            new MultistreamInitiator(List.of("/noise", "/yamux/1.0.0"), KNOWN, TIMEOUT, result)),
        result,
        input);
  }

  /** Feeds the input after its first byte (the read size) to {@code ch}. */
  static void run(EmbeddedChannel ch, CompletableFuture<?> result, byte[] input) {
    if (input.length == 0) {
      ch.finishAndReleaseAll();
      return;
    }
    Fuzz.feed(ch, input, 1, Fuzz.readSize(input[0]), MultistreamException.class);
    Fuzz.expectFuture(result, MultistreamException.class);
  }
}
