package io.headersync.libp2p.dht.internal;

import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PeerId;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Provider records in memory, as ev-node keeps them (it passes kad-dht no datastore): per content
 * key, the peers that announced it, each valid for {@code validity} (Go's 48 h) after its last
 * announcement, with the addresses it announced. Bounded in keys, providers per key and keys per
 * provider; see {@link #add}. Not thread-safe: the DHT guards it.
 */
public final class ProviderStore {
  /** A provider of a key, with the addresses it announced. */
  public record Provider(PeerId peer, List<Multiaddr> addresses, Instant expires) {}

  /** What {@link #add} did. */
  public enum AddResult {
    ADDED,
    REFRESHED,
    KEY_LIMIT,
    PEER_KEY_LIMIT
  }

  private final int maxKeys;
  private final int maxProvidersPerKey;
  private final int maxKeysPerPeer;
  private final Duration validity;
  private final Map<ByteBuffer, LinkedHashMap<PeerId, Provider>> byKey = new HashMap<>();
  private final Map<PeerId, Integer> keysPerPeer = new HashMap<>();

  public ProviderStore(int maxKeys, int maxProvidersPerKey, int maxKeysPerPeer, Duration validity) {
    this.maxKeys = maxKeys;
    this.maxProvidersPerKey = maxProvidersPerKey;
    this.maxKeysPerPeer = maxKeysPerPeer;
    this.validity = validity;
  }

  /**
   * Records {@code peer} as a provider of {@code key} until now + validity. A new key beyond the
   * key limit, or a peer already providing the maximum number of keys, is refused; a full key drops
   * the provider that expires first to make room.
   */
  public AddResult add(byte[] key, PeerId peer, List<Multiaddr> addresses, Instant now) {
    ByteBuffer k = ByteBuffer.wrap(key.clone());
    LinkedHashMap<PeerId, Provider> providers = byKey.get(k);
    Provider fresh = new Provider(peer, List.copyOf(addresses), now.plus(validity));
    if (providers != null && providers.containsKey(peer)) {
      Provider old = providers.get(peer);
      providers.put(
          peer, addresses.isEmpty() ? new Provider(peer, old.addresses(), fresh.expires()) : fresh);
      return AddResult.REFRESHED;
    }
    if (keysPerPeer.getOrDefault(peer, 0) >= maxKeysPerPeer) {
      return AddResult.PEER_KEY_LIMIT;
    }
    if (providers == null) {
      if (byKey.size() >= maxKeys) {
        gc(now);
        if (byKey.size() >= maxKeys) {
          return AddResult.KEY_LIMIT;
        }
      }
      providers = new LinkedHashMap<>();
      byKey.put(k, providers);
    }
    if (providers.size() >= maxProvidersPerKey) {
      Provider first = null;
      for (Provider p : providers.values()) {
        if (first == null || p.expires().isBefore(first.expires())) {
          first = p;
        }
      }
      removeProvider(providers, first.peer());
    }
    providers.put(peer, fresh);
    keysPerPeer.merge(peer, 1, Integer::sum);
    return AddResult.ADDED;
  }

  /** The unexpired providers of {@code key}, oldest announcement first. */
  public List<Provider> get(byte[] key, Instant now) {
    LinkedHashMap<PeerId, Provider> providers = byKey.get(ByteBuffer.wrap(key));
    List<Provider> out = new ArrayList<>();
    if (providers == null) {
      return out;
    }
    for (Provider p : providers.values()) {
      if (p.expires().isAfter(now)) {
        out.add(p);
      }
    }
    return out;
  }

  /** Drops expired records (Go's hourly GC); returns how many. */
  public int gc(Instant now) {
    int dropped = 0;
    Iterator<Map.Entry<ByteBuffer, LinkedHashMap<PeerId, Provider>>> it =
        byKey.entrySet().iterator();
    while (it.hasNext()) {
      LinkedHashMap<PeerId, Provider> providers = it.next().getValue();
      List<PeerId> expired = new ArrayList<>();
      for (Provider p : providers.values()) {
        if (!p.expires().isAfter(now)) {
          expired.add(p.peer());
        }
      }
      for (PeerId p : expired) {
        removeProvider(providers, p);
        dropped++;
      }
      if (providers.isEmpty()) {
        it.remove();
      }
    }
    return dropped;
  }

  private void removeProvider(LinkedHashMap<PeerId, Provider> providers, PeerId peer) {
    if (providers.remove(peer) != null) {
      keysPerPeer.computeIfPresent(peer, (p, n) -> n <= 1 ? null : n - 1);
    }
  }

  public int keyCount() {
    return byKey.size();
  }

  /** How many keys {@code peer} provides. */
  public int keysOf(PeerId peer) {
    return keysPerPeer.getOrDefault(peer, 0);
  }
}
