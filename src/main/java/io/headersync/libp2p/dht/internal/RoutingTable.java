package io.headersync.libp2p.dht.internal;

import io.headersync.libp2p.PeerId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Kademlia buckets keyed by the common prefix length (CPL) of a peer's Kademlia id with ours, each
 * holding at most {@code k} peers (kbucket's table, with one fixed bucket per CPL instead of
 * unfolding ones: the same peers fit, at most {@code k} per CPL). A full bucket admits a newcomer
 * only by evicting a <em>replaceable</em> peer (one added while the table was bootstrapping), else
 * rejects it, as kbucket does. Not thread-safe: the DHT guards it.
 */
public final class RoutingTable {
  /** One peer in the table. */
  public static final class Entry {
    final PeerId peer;
    final byte[] id;
    final Instant added;
    Instant lastSuccess;
    boolean replaceable;

    Entry(PeerId peer, byte[] id, Instant now, boolean replaceable) {
      this.peer = peer;
      this.id = id;
      this.added = now;
      this.lastSuccess = now;
      this.replaceable = replaceable;
    }

    public PeerId peer() {
      return peer;
    }

    public Instant lastSuccess() {
      return lastSuccess;
    }
  }

  private final byte[] localId;
  private final int k;
  private final List<List<Entry>> buckets = new ArrayList<>();
  private final Map<PeerId, Entry> byPeer = new HashMap<>();

  public RoutingTable(byte[] localId, int k) {
    this.localId = localId.clone();
    this.k = k;
    for (int i = 0; i <= Keys.ID_LENGTH * 8; i++) {
      buckets.add(new ArrayList<>());
    }
  }

  /**
   * Adds {@code peer}, or marks it as recently useful if present.
   *
   * @param replaceable whether a later newcomer may evict it from a full bucket
   * @return true if the peer is in the table afterwards
   */
  public boolean tryAdd(PeerId peer, Instant now, boolean replaceable) {
    Entry e = byPeer.get(peer);
    if (e != null) {
      e.lastSuccess = now;
      return true;
    }
    byte[] id = Keys.kadId(peer);
    int cpl = Keys.commonPrefixLength(id, localId);
    if (cpl >= Keys.ID_LENGTH * 8) {
      return false; // ourselves
    }
    List<Entry> bucket = buckets.get(cpl);
    if (bucket.size() >= k) {
      Entry victim = null;
      for (Entry x : bucket) {
        if (x.replaceable) {
          victim = x;
          break;
        }
      }
      if (victim == null) {
        return false;
      }
      bucket.remove(victim);
      byPeer.remove(victim.peer);
    }
    Entry n = new Entry(peer, id, now, replaceable);
    bucket.add(n);
    byPeer.put(peer, n);
    return true;
  }

  public boolean remove(PeerId peer) {
    Entry e = byPeer.remove(peer);
    if (e == null) {
      return false;
    }
    buckets.get(Keys.commonPrefixLength(e.id, localId)).remove(e);
    return true;
  }

  public boolean contains(PeerId peer) {
    return byPeer.containsKey(peer);
  }

  public int size() {
    return byPeer.size();
  }

  /** Makes every peer irreplaceable (Go does this once the table has been refreshed twice). */
  public void markAllIrreplaceable() {
    for (Entry e : byPeer.values()) {
      e.replaceable = false;
    }
  }

  /** The highest CPL that holds a peer, or -1 when empty. */
  public int maxCpl() {
    for (int i = buckets.size() - 1; i >= 0; i--) {
      if (!buckets.get(i).isEmpty()) {
        return i;
      }
    }
    return -1;
  }

  public List<PeerId> peers() {
    return new ArrayList<>(byPeer.keySet());
  }

  /** Peers whose last successful exchange is before {@code cutoff}. */
  public List<PeerId> staleSince(Instant cutoff) {
    List<PeerId> out = new ArrayList<>();
    for (Entry e : byPeer.values()) {
      if (e.lastSuccess.isBefore(cutoff)) {
        out.add(e.peer);
      }
    }
    return out;
  }

  /** Up to {@code count} peers nearest {@code targetId} that pass {@code filter}, nearest first. */
  public List<PeerId> nearest(byte[] targetId, int count, Predicate<PeerId> filter) {
    List<Entry> all = new ArrayList<>();
    for (Entry e : byPeer.values()) {
      if (filter.test(e.peer)) {
        all.add(e);
      }
    }
    all.sort(
        Comparator.comparing((Entry e) -> e.id, (a, b) -> Keys.compareDistance(targetId, a, b)));
    List<PeerId> out = new ArrayList<>();
    for (int i = 0; i < Math.min(count, all.size()); i++) {
      out.add(all.get(i).peer);
    }
    return out;
  }
}
