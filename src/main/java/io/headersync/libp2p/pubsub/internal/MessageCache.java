package io.headersync.libp2p.pubsub.internal;

import com.google.protobuf.ByteString;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.pubsub.internal.pb.PubsubProto;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Gossipsub's message cache (Go's {@code MessageCache}): the messages of the last {@code
 * historyLength} heartbeat windows, answerable to IWANT; the ids of the last {@code historyGossip}
 * windows are gossiped in IHAVE. Bounded: beyond {@code maxMessages} the oldest messages go first.
 * Not thread-safe; the router thread owns it.
 */
public final class MessageCache {
  private record Entry(PubsubProto.Message wire, String topic, Map<PeerId, Integer> sent) {}

  private record Id(ByteString id, String topic) {}

  private final int historyGossip;
  private final int maxMessages;
  private final Map<ByteString, Entry> messages = new HashMap<>();
  private final Deque<List<Id>> windows = new ArrayDeque<>();
  private long evicted;

  public MessageCache(int historyGossip, int historyLength, int maxMessages) {
    this.historyGossip = historyGossip;
    this.maxMessages = maxMessages;
    for (int i = 0; i < historyLength; i++) {
      windows.addLast(new ArrayList<>());
    }
  }

  /** Adds a message to the current window; false if it is already cached. */
  public boolean put(ByteString id, PubsubProto.Message wire) {
    if (messages.containsKey(id)) {
      return false;
    }
    while (messages.size() >= maxMessages && evictOldest()) {
      evicted++;
    }
    messages.put(id, new Entry(wire, wire.getTopic(), new HashMap<>()));
    windows.peekFirst().add(new Id(id, wire.getTopic()));
    return true;
  }

  private boolean evictOldest() {
    for (Iterator<List<Id>> it = windows.descendingIterator(); it.hasNext(); ) {
      List<Id> w = it.next();
      if (!w.isEmpty()) {
        messages.remove(w.remove(0).id());
        return true;
      }
    }
    return false;
  }

  /** The message with {@code id}, if cached. */
  public PubsubProto.Message get(ByteString id) {
    Entry e = messages.get(id);
    return e == null ? null : e.wire();
  }

  /**
   * The message for an IWANT of {@code peer}, counting the transmission; null if not cached or
   * already sent to that peer {@code maxTransmissions} times.
   */
  public PubsubProto.Message getForPeer(ByteString id, PeerId peer, int maxTransmissions) {
    Entry e = messages.get(id);
    if (e == null) {
      return null;
    }
    int n = e.sent().merge(peer, 1, Integer::sum);
    return n > maxTransmissions ? null : e.wire();
  }

  /** The ids of {@code topic} in the gossiped windows, newest first. */
  public List<ByteString> gossipIds(String topic) {
    List<ByteString> out = new ArrayList<>();
    int i = 0;
    for (List<Id> w : windows) {
      if (i++ >= historyGossip) {
        break;
      }
      for (Id id : w) {
        if (id.topic().equals(topic)) {
          out.add(id.id());
        }
      }
    }
    return out;
  }

  /** Starts a new window and forgets the oldest. */
  public void shift() {
    List<Id> last = windows.pollLast();
    for (Id id : last) {
      messages.remove(id.id());
    }
    windows.addFirst(new ArrayList<>());
  }

  public int size() {
    return messages.size();
  }

  /** Messages dropped before their time because the cache was full. */
  public long evicted() {
    return evicted;
  }
}
