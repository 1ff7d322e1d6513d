package io.headersync.libp2p.pubsub.internal;

import com.google.protobuf.ByteString;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.pubsub.PeerScoreParams;
import io.headersync.libp2p.pubsub.TopicScoreParams;
import java.time.Clock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The gossipsub v1.1 score of each peer (Go's {@code peerScore}), fed by the router with mesh and
 * delivery events. Not thread-safe; the router thread owns it. Bounded: delivery records expire
 * after the seen-cache time and are capped; scores of disconnected peers are retained for {@link
 * PeerScoreParams#retainScore()} only.
 */
public final class PeerScore {
  private static final int MAX_DELIVERY_RECORDS = 1 << 16;

  private enum Status {
    PENDING,
    VALID,
    INVALID,
    IGNORED
  }

  private static final class Delivery {
    Status status = Status.PENDING;
    final long firstSeen;
    long validated;
    final Set<PeerId> peers = new HashSet<>();

    Delivery(long firstSeen) {
      this.firstSeen = firstSeen;
    }
  }

  private static final class TopicStats {
    boolean inMesh;
    long graftTime;
    long meshTimeMillis;
    double firstMessageDeliveries;
    double meshMessageDeliveries;
    boolean meshMessageDeliveriesActive;
    double meshFailurePenalty;
    double invalidMessageDeliveries;
  }

  private static final class PeerStats {
    boolean connected = true;
    long expire;
    String ip;
    double behaviourPenalty;
    final Map<String, TopicStats> topics = new HashMap<>();
  }

  private final PeerScoreParams params;
  private final Clock clock;
  private final long deliveryTtlMillis;
  private final Map<PeerId, PeerStats> peers = new HashMap<>();
  private final Map<String, Set<PeerId>> peersByIp = new HashMap<>();
  private final LinkedHashMap<ByteString, Delivery> deliveries = new LinkedHashMap<>();

  public PeerScore(PeerScoreParams params, Clock clock, long deliveryTtlMillis) {
    this.params = params;
    this.clock = clock;
    this.deliveryTtlMillis = deliveryTtlMillis;
  }

  public PeerScoreParams params() {
    return params;
  }

  /** The peer's score now (0 for peers never seen). */
  public double score(PeerId p) {
    PeerStats ps = peers.get(p);
    if (ps == null) {
      return 0;
    }
    double score = 0;
    for (Map.Entry<String, TopicStats> e : ps.topics.entrySet()) {
      TopicScoreParams tp = params.topics().get(e.getKey());
      if (tp != null) {
        score += topicScore(tp, e.getValue()) * tp.topicWeight();
      }
    }
    if (params.topicScoreCap() > 0 && score > params.topicScoreCap()) {
      score = params.topicScoreCap();
    }
    score += params.appSpecificScore().applyAsDouble(p) * params.appSpecificWeight();
    score += ipColocationFactor(ps) * params.ipColocationFactorWeight();
    if (ps.behaviourPenalty > params.behaviourPenaltyThreshold()) {
      double excess = ps.behaviourPenalty - params.behaviourPenaltyThreshold();
      score += excess * excess * params.behaviourPenaltyWeight();
    }
    return score;
  }

  @SuppressWarnings("NarrowCalculation") // P1 divides durations as integers, as Go does
  private static double topicScore(TopicScoreParams tp, TopicStats ts) {
    double s = 0;
    if (ts.inMesh) {
      double p1 = (double) (ts.meshTimeMillis / tp.timeInMeshQuantum().toMillis());
      s += Math.min(p1, tp.timeInMeshCap()) * tp.timeInMeshWeight();
    }
    s += ts.firstMessageDeliveries * tp.firstMessageDeliveriesWeight();
    if (ts.meshMessageDeliveriesActive
        && ts.meshMessageDeliveries < tp.meshMessageDeliveriesThreshold()) {
      double deficit = tp.meshMessageDeliveriesThreshold() - ts.meshMessageDeliveries;
      s += deficit * deficit * tp.meshMessageDeliveriesWeight();
    }
    s += ts.meshFailurePenalty * tp.meshFailurePenaltyWeight();
    s +=
        ts.invalidMessageDeliveries
            * ts.invalidMessageDeliveries
            * tp.invalidMessageDeliveriesWeight();
    return s;
  }

  private double ipColocationFactor(PeerStats ps) {
    if (ps.ip == null || params.ipColocationFactorWhitelist().contains(ps.ip)) {
      return 0;
    }
    int n = peersByIp.getOrDefault(ps.ip, Set.of()).size();
    if (n <= params.ipColocationFactorThreshold()) {
      return 0;
    }
    double surplus = n - params.ipColocationFactorThreshold();
    return surplus * surplus;
  }

  /** A peer connected (again); {@code ip} may be null. */
  public void addPeer(PeerId p, String ip) {
    PeerStats ps = peers.computeIfAbsent(p, k -> new PeerStats());
    ps.connected = true;
    if (ip != null && !ip.equals(ps.ip)) {
      removeIp(p, ps.ip);
      ps.ip = ip;
      peersByIp.computeIfAbsent(ip, k -> new HashSet<>()).add(p);
    }
  }

  /** A peer left: its score is kept, undecayed, for the retention time. */
  public void removePeer(PeerId p) {
    PeerStats ps = peers.get(p);
    if (ps == null) {
      return;
    }
    if (score(p) > 0 || params.retainScore().isZero()) {
      // Go forgets peers with a positive score right away: nothing to hold against them.
      removeIp(p, ps.ip);
      peers.remove(p);
      return;
    }
    for (Map.Entry<String, TopicStats> e : ps.topics.entrySet()) {
      TopicScoreParams tp = params.topics().get(e.getKey());
      TopicStats ts = e.getValue();
      ts.firstMessageDeliveries = 0;
      if (tp != null && ts.inMesh) {
        applyMeshFailure(tp, ts);
      }
      ts.inMesh = false;
      ts.meshMessageDeliveriesActive = false;
    }
    ps.connected = false;
    ps.expire = clock.millis() + params.retainScore().toMillis();
  }

  private void removeIp(PeerId p, String ip) {
    if (ip == null) {
      return;
    }
    Set<PeerId> s = peersByIp.get(ip);
    if (s != null && s.remove(p) && s.isEmpty()) {
      peersByIp.remove(ip);
    }
  }

  public void graft(PeerId p, String topic) {
    TopicStats ts = topic(p, topic);
    if (ts != null) {
      ts.inMesh = true;
      ts.graftTime = clock.millis();
      ts.meshTimeMillis = 0;
      ts.meshMessageDeliveriesActive = false;
    }
  }

  public void prune(PeerId p, String topic) {
    TopicStats ts = topic(p, topic);
    TopicScoreParams tp = params.topics().get(topic);
    if (ts != null && tp != null) {
      applyMeshFailure(tp, ts);
      ts.inMesh = false;
      ts.meshMessageDeliveriesActive = false;
    }
  }

  private static void applyMeshFailure(TopicScoreParams tp, TopicStats ts) {
    if (ts.meshMessageDeliveriesActive
        && ts.meshMessageDeliveries < tp.meshMessageDeliveriesThreshold()) {
      double deficit = tp.meshMessageDeliveriesThreshold() - ts.meshMessageDeliveries;
      ts.meshFailurePenalty += deficit * deficit;
    }
  }

  /** The stats of a scored topic of a connected peer, or null. */
  private TopicStats topic(PeerId p, String topic) {
    PeerStats ps = peers.get(p);
    if (ps == null || !ps.connected || !params.topics().containsKey(topic)) {
      return null;
    }
    return ps.topics.computeIfAbsent(topic, k -> new TopicStats());
  }

  /** P7: adds {@code count} to the peer's behaviour penalty counter. */
  public void addPenalty(PeerId p, int count) {
    PeerStats ps = peers.get(p);
    if (ps != null) {
      ps.behaviourPenalty += count;
    }
  }

  /** The first copy of a message arrived from {@code p}; validation starts. */
  public void validating(PeerId p, ByteString id) {
    long now = clock.millis();
    expireDeliveries(now);
    if (!deliveries.containsKey(id)) {
      deliveries.put(id, new Delivery(now));
      if (deliveries.size() > MAX_DELIVERY_RECORDS) {
        Iterator<ByteString> it = deliveries.keySet().iterator();
        it.next();
        it.remove();
      }
    }
  }

  private Delivery record(PeerId first, ByteString id) {
    validating(first, id);
    return deliveries.get(id);
  }

  /**
   * The message was accepted: P2 for the first sender, P3 for mesh peers that sent it meanwhile.
   */
  public void deliver(PeerId first, ByteString id, String topic) {
    Delivery d = record(first, id);
    d.status = Status.VALID;
    d.validated = clock.millis();
    TopicScoreParams tp = params.topics().get(topic);
    TopicStats ts = topic(first, topic);
    if (tp != null && ts != null) {
      ts.firstMessageDeliveries =
          Math.min(ts.firstMessageDeliveries + 1, tp.firstMessageDeliveriesCap());
      if (ts.inMesh) {
        ts.meshMessageDeliveries =
            Math.min(ts.meshMessageDeliveries + 1, tp.meshMessageDeliveriesCap());
      }
    }
    for (PeerId p : d.peers) {
      meshDelivery(p, topic);
    }
    d.peers.clear();
  }

  private void meshDelivery(PeerId p, String topic) {
    TopicScoreParams tp = params.topics().get(topic);
    TopicStats ts = topic(p, topic);
    if (tp != null && ts != null && ts.inMesh) {
      ts.meshMessageDeliveries =
          Math.min(ts.meshMessageDeliveries + 1, tp.meshMessageDeliveriesCap());
    }
  }

  /** The message was rejected (invalid signature or the validator said Reject): P4. */
  public void reject(PeerId first, ByteString id, String topic) {
    Delivery d = record(first, id);
    d.status = Status.INVALID;
    invalid(first, topic);
    for (PeerId p : d.peers) {
      invalid(p, topic);
    }
    d.peers.clear();
  }

  /** The validator said Ignore (or timed out): no penalty, later copies neither. */
  public void ignore(ByteString id) {
    Delivery d = deliveries.get(id);
    if (d != null) {
      d.status = Status.IGNORED;
      d.peers.clear();
    }
  }

  private void invalid(PeerId p, String topic) {
    TopicStats ts = topic(p, topic);
    if (ts != null) {
      ts.invalidMessageDeliveries += 1;
    }
  }

  /** Another copy of a known message arrived from {@code p}. */
  public void duplicate(PeerId p, ByteString id, String topic) {
    Delivery d = deliveries.get(id);
    if (d == null) {
      return;
    }
    switch (d.status) {
      case PENDING -> {
        if (d.peers.size() < 64) {
          d.peers.add(p);
        }
      }
      case VALID -> {
        TopicScoreParams tp = params.topics().get(topic);
        if (tp != null
            && clock.millis() - d.validated <= tp.meshMessageDeliveriesWindow().toMillis()) {
          meshDelivery(p, topic);
        }
      }
      case INVALID -> invalid(p, topic);
      case IGNORED -> {}
    }
  }

  /** Decays every counter and updates mesh times; the router calls it every decay interval. */
  public void refresh() {
    long now = clock.millis();
    for (Iterator<Map.Entry<PeerId, PeerStats>> it = peers.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<PeerId, PeerStats> e = it.next();
      PeerStats ps = e.getValue();
      if (!ps.connected) {
        if (now > ps.expire) {
          removeIp(e.getKey(), ps.ip);
          it.remove();
        }
        continue;
      }
      for (Map.Entry<String, TopicStats> te : ps.topics.entrySet()) {
        TopicScoreParams tp = params.topics().get(te.getKey());
        if (tp == null) {
          continue;
        }
        TopicStats ts = te.getValue();
        ts.firstMessageDeliveries =
            decayed(ts.firstMessageDeliveries, tp.firstMessageDeliveriesDecay());
        ts.meshMessageDeliveries =
            decayed(ts.meshMessageDeliveries, tp.meshMessageDeliveriesDecay());
        ts.meshFailurePenalty = decayed(ts.meshFailurePenalty, tp.meshFailurePenaltyDecay());
        ts.invalidMessageDeliveries =
            decayed(ts.invalidMessageDeliveries, tp.invalidMessageDeliveriesDecay());
        if (ts.inMesh) {
          ts.meshTimeMillis = now - ts.graftTime;
          if (ts.meshTimeMillis > tp.meshMessageDeliveriesActivation().toMillis()) {
            ts.meshMessageDeliveriesActive = true;
          }
        }
      }
      ps.behaviourPenalty = decayed(ps.behaviourPenalty, params.behaviourPenaltyDecay());
    }
    expireDeliveries(now);
  }

  private double decayed(double value, double factor) {
    double v = value * factor;
    return v < params.decayToZero() ? 0 : v;
  }

  private void expireDeliveries(long now) {
    for (Iterator<Delivery> it = deliveries.values().iterator(); it.hasNext(); ) {
      if (now - it.next().firstSeen <= deliveryTtlMillis) {
        return;
      }
      it.remove();
    }
  }

  /** Peers tracked (connected or retained). */
  public int trackedPeers() {
    return peers.size();
  }
}
