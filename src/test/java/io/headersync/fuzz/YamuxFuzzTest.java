package io.headersync.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.headersync.libp2p.internal.ByteCollector;
import io.headersync.libp2p.internal.yamux.YamuxConfig;
import io.headersync.libp2p.internal.yamux.YamuxException;
import io.headersync.libp2p.internal.yamux.YamuxFrameDecoder;
import io.headersync.libp2p.internal.yamux.YamuxSession;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;

/**
 * Yamux: the frame decoder alone, and a whole session (streams, windows, pings, go-away) fed peer
 * bytes. An input's first byte selects the read size; its high bit a 16-byte data limit (decoder)
 * or the client side (session).
 */
class YamuxFuzzTest {
  @FuzzTest(maxDuration = Fuzz.DURATION)
  void frameDecoder(byte[] input) {
    if (input.length == 0) {
      return;
    }
    EmbeddedChannel ch = new EmbeddedChannel(new YamuxFrameDecoder(input[0] < 0 ? 16 : 256 * 1024));
    Fuzz.feed(ch, input, 1, Fuzz.readSize(input[0]), YamuxException.class);
  }

  @FuzzTest(maxDuration = Fuzz.DURATION)
  void session(byte[] input) {
    if (input.length == 0) {
      return;
    }
    YamuxConfig config =
        YamuxConfig.builder()
            .keepAliveInterval(Duration.ZERO)
            .measureRttInterval(Duration.ZERO)
            .maxInboundStreams(8)
            .build();
    ChannelInitializer<Channel> streams =
        new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel stream) {
            stream.pipeline().addLast(new ByteCollector());
          }
        };
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.pipeline().addLast("yamux", new YamuxSession(config, input[0] < 0, streams));
    Fuzz.feed(ch, input, 1, Fuzz.readSize(input[0]), YamuxException.class);
  }
}
