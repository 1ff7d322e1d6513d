package io.headersync.libp2p.pubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.libp2p.pubsub.internal.SeenCache;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class SeenCacheTest {
  static final class MutableClock extends Clock {
    Instant now = Instant.ofEpochSecond(1_700_000_000L);

    @Override
    public ZoneId getZone() {
      return ZoneId.of("UTC");
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void forgetsAfterTtl() {
    MutableClock clock = new MutableClock();
    SeenCache c = new SeenCache(clock, Duration.ofSeconds(120), 100);
    assertTrue(c.add(new byte[] {1}));
    assertFalse(c.add(new byte[] {1}));
    clock.now = clock.now.plusSeconds(119);
    assertFalse(c.add(new byte[] {1}));
    clock.now = clock.now.plusSeconds(1);
    assertTrue(c.add(new byte[] {1}));
  }

  @Test
  void boundedDropsOldestFirst() {
    SeenCache c = new SeenCache(new MutableClock(), Duration.ofSeconds(120), 2);
    c.add(new byte[] {1});
    c.add(new byte[] {2});
    c.add(new byte[] {3});
    assertEquals(2, c.size());
    assertFalse(c.contains(new byte[] {1}));
    assertTrue(c.contains(new byte[] {3}));
  }
}
