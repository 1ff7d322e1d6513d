package io.headersync.libp2p.internal.yamux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class YamuxConfigTest {
  @Test
  void defaultsFollowGoYamuxAndGoLibp2p() {
    YamuxConfig c = YamuxConfig.defaults();
    assertEquals(256 * 1024, c.initialStreamWindow());
    assertEquals(16 * 1024 * 1024, c.maxStreamWindow());
    assertEquals(256, c.acceptBacklog());
    assertEquals(1000, c.maxInboundStreams());
    assertEquals(1000, c.maxOutboundStreams());
    assertEquals(1024 * 1024, c.maxQueuedBytesPerStream());
    assertEquals(64 * 1024 - 12, c.maxFrameData());
    assertEquals(Duration.ofSeconds(30), c.keepAliveInterval());
    assertEquals(Duration.ofSeconds(10), c.pingTimeout());
    assertEquals(Duration.ofSeconds(30), c.measureRttInterval());
  }

  @Test
  void rejectsAnInitialWindowBelowTheProtocolWindow() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> YamuxConfig.builder().initialStreamWindow(128 * 1024).build());
    assertTrue(e.getMessage().contains("initialStreamWindow"));
  }

  @Test
  void rejectsAMaxWindowBelowTheInitialWindow() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            YamuxConfig.builder().initialStreamWindow(1 << 20).maxStreamWindow(512 * 1024).build());
  }

  @Test
  void rejectsNonPositiveLimitsAndNegativeIntervals() {
    assertThrows(
        IllegalArgumentException.class, () -> YamuxConfig.builder().acceptBacklog(0).build());
    assertThrows(
        IllegalArgumentException.class, () -> YamuxConfig.builder().maxInboundStreams(0).build());
    assertThrows(
        IllegalArgumentException.class, () -> YamuxConfig.builder().maxOutboundStreams(-1).build());
    assertThrows(
        IllegalArgumentException.class,
        () -> YamuxConfig.builder().maxQueuedBytesPerStream(0).build());
    assertThrows(
        IllegalArgumentException.class, () -> YamuxConfig.builder().maxFrameData(100).build());
    assertThrows(
        IllegalArgumentException.class,
        () -> YamuxConfig.builder().keepAliveInterval(Duration.ofSeconds(-1)).build());
    assertThrows(
        IllegalArgumentException.class,
        () -> YamuxConfig.builder().pingTimeout(Duration.ZERO).build());
    assertThrows(NullPointerException.class, () -> YamuxConfig.builder().ticker(null));
  }

  @Test
  void toBuilderKeepsEveryValue() {
    YamuxConfig c =
        YamuxConfig.builder()
            .acceptBacklog(7)
            .maxFrameData(2000)
            .keepAliveInterval(Duration.ZERO)
            .build();
    YamuxConfig copy = c.toBuilder().build();
    assertEquals(c.toString(), copy.toString());
  }
}
