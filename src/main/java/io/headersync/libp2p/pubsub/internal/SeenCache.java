package io.headersync.libp2p.pubsub.internal;

import com.google.protobuf.ByteString;
import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Message ids seen within a time to live (Go's {@code TimeCache}, 120 s by default), bounded in
 * size: the oldest entries go first when it is full. Not thread-safe; the router thread owns it.
 */
public final class SeenCache {
  private final Clock clock;
  private final long ttlMillis;
  private final int maxEntries;
  private final LinkedHashMap<ByteString, Long> expiry = new LinkedHashMap<>();

  public SeenCache(Clock clock, Duration ttl, int maxEntries) {
    this.clock = clock;
    this.ttlMillis = ttl.toMillis();
    this.maxEntries = maxEntries;
  }

  /** Records {@code id}; false if it was already seen and not expired. */
  public boolean add(byte[] id) {
    long now = clock.millis();
    prune(now);
    ByteString key = ByteString.copyFrom(id);
    if (expiry.containsKey(key)) {
      return false;
    }
    expiry.put(key, now + ttlMillis);
    if (expiry.size() > maxEntries) {
      Iterator<ByteString> it = expiry.keySet().iterator();
      it.next();
      it.remove();
    }
    return true;
  }

  public boolean contains(byte[] id) {
    prune(clock.millis());
    return expiry.containsKey(ByteString.copyFrom(id));
  }

  public int size() {
    return expiry.size();
  }

  private void prune(long now) {
    Iterator<Map.Entry<ByteString, Long>> it = expiry.entrySet().iterator();
    while (it.hasNext()) {
      if (it.next().getValue() > now) {
        return;
      }
      it.remove();
    }
  }
}
