package io.headersync.libp2p.pubsub;

import static io.headersync.libp2p.pubsub.PeerScoreThresholds.check;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Gossipsub router parameters. {@link #defaults()} are go-libp2p-pubsub v0.16.0's ({@code
 * gossipsub.go}): D=6, Dlo=5, Dhi=12, Dscore=4, Dout=2, Dlazy=6, history 5 windows of which 3 are
 * gossiped, heartbeat every 1 s after 100 ms, fanout TTL 60 s, prune backoff 1 min, unsubscribe
 * backoff 10 s, gossip factor 0.25, 3 IWANT retransmissions, at most 5000 ids per IHAVE and 10
 * IHAVEs per peer per heartbeat, IWANT follow-up 3 s, opportunistic graft of 2 peers every 60
 * heartbeats, GRAFT flood threshold 10 s, 16 PX records per PRUNE, IDONTWANT sent for messages
 * of at least 1024 bytes and honoured for 3 heartbeats (at most 1000 IDONTWANT messages per peer
 * per heartbeat, at most 10 ids taken from each). As in Go v0.16.0, flood publish and peer exchange
 * are off unless set (the spec recommends flood publish on).
 *
 * @param protocols offered on our outbound streams and served, preferred first; a subset of
 *     {@code /meshsub/1.2.0}, {@code /meshsub/1.1.0}, {@code /meshsub/1.0.0}, {@code
 *     /floodsub/1.0.0}
 * @param maxCachedMessages bound of the message cache (ours; Go's is bounded by traffic only)
 * @param maxBackoffEntries bound of the backoff table (ours); the soonest-expiring go first
 * @param maxPxPeers PX records kept from one PRUNE (ours)
 */
public record GossipSubParams(
    List<String> protocols,
    int d,
    int dlo,
    int dhi,
    int dscore,
    int dout,
    int dlazy,
    int historyLength,
    int historyGossip,
    double gossipFactor,
    int gossipRetransmission,
    Duration heartbeatInitialDelay,
    Duration heartbeatInterval,
    Duration fanoutTtl,
    int prunePeers,
    Duration pruneBackoff,
    Duration unsubscribeBackoff,
    int opportunisticGraftTicks,
    int opportunisticGraftPeers,
    Duration graftFloodThreshold,
    int maxIHaveLength,
    int maxIHaveMessages,
    Duration iwantFollowupTime,
    int maxIDontWantLength,
    int maxIDontWantMessages,
    int idontwantMessageThreshold,
    int idontwantTtlHeartbeats,
    boolean floodPublish,
    boolean peerExchange,
    int maxCachedMessages,
    int maxBackoffEntries,
    int maxPxPeers) {

  public static final String MESHSUB_V12 = "/meshsub/1.2.0";
  public static final String MESHSUB_V11 = "/meshsub/1.1.0";
  public static final String MESHSUB_V10 = "/meshsub/1.0.0";
  public static final String FLOODSUB = "/floodsub/1.0.0";
  /** Go's {@code GossipSubDefaultProtocols}, preferred first. */
  public static final List<String> DEFAULT_PROTOCOLS = List.of(MESHSUB_V12, MESHSUB_V11, MESHSUB_V10, FLOODSUB);

  /** @throws IllegalArgumentException naming the parameter that breaks Go's rules (or ours) */
  public GossipSubParams {
    protocols = List.copyOf(Objects.requireNonNull(protocols, "protocols == null"));
    check(!protocols.isEmpty(), "protocols must not be empty");
    for (String p : protocols) {
      check(DEFAULT_PROTOCOLS.contains(p), "unsupported protocol " + p + "; known: " + DEFAULT_PROTOCOLS);
    }
    check(protocols.stream().anyMatch(p -> p.startsWith("/meshsub/")), "protocols need a /meshsub/ version");
    check(dlo <= d && d <= dhi && dlo >= 1, "need 1 <= Dlo <= D <= Dhi, got Dlo=" + dlo + " D=" + d + " Dhi=" + dhi);
    check(dscore >= 0 && dscore <= dhi, "Dscore=" + dscore + " must be in [0, Dhi=" + dhi + "]");
    check(dout >= 0 && dout < dlo && dout <= d / 2, "Dout=" + dout + " must be < Dlo=" + dlo + " and <= D/2");
    check(dlazy >= 0, "Dlazy must be >= 0");
    check(historyGossip >= 1 && historyGossip <= historyLength,
        "need 1 <= historyGossip <= historyLength, got " + historyGossip + " / " + historyLength);
    check(gossipFactor >= 0 && gossipFactor <= 1, "gossipFactor must be in [0, 1], got " + gossipFactor);
    check(gossipRetransmission >= 1, "gossipRetransmission must be positive");
    positive(heartbeatInterval, "heartbeatInterval");
    Objects.requireNonNull(heartbeatInitialDelay, "heartbeatInitialDelay == null");
    positive(fanoutTtl, "fanoutTtl");
    check(prunePeers >= 0, "prunePeers must be >= 0");
    positive(pruneBackoff, "pruneBackoff");
    positive(unsubscribeBackoff, "unsubscribeBackoff");
    check(opportunisticGraftTicks >= 1 && opportunisticGraftPeers >= 0, "opportunistic graft ticks/peers out of range");
    Objects.requireNonNull(graftFloodThreshold, "graftFloodThreshold == null");
    check(maxIHaveLength >= 1 && maxIHaveMessages >= 1, "maxIHaveLength and maxIHaveMessages must be positive");
    positive(iwantFollowupTime, "iwantFollowupTime");
    check(maxIDontWantLength >= 0 && maxIDontWantMessages >= 0, "IDONTWANT limits must be >= 0");
    check(idontwantMessageThreshold >= 0 && idontwantTtlHeartbeats >= 1, "IDONTWANT threshold/ttl out of range");
    check(maxCachedMessages >= 1 && maxBackoffEntries >= 1 && maxPxPeers >= 0, "cache bounds must be positive");
  }

  private static void positive(Duration d, String name) {
    Objects.requireNonNull(d, name + " == null");
    check(!d.isZero() && !d.isNegative(), name + " must be positive, got " + d);
  }

  /** go-libp2p-pubsub v0.16.0's defaults (and ours for the bounds Go does not have). */
  public static GossipSubParams defaults() {
    return builder().build();
  }

  /** A builder starting from {@link #defaults()}. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds {@link GossipSubParams}; starts from Go's defaults. */
  public static final class Builder {
    private List<String> protocols = DEFAULT_PROTOCOLS;
    private int d = 6;
    private int dlo = 5;
    private int dhi = 12;
    private int dscore = 4;
    private int dout = 2;
    private int dlazy = 6;
    private int historyLength = 5;
    private int historyGossip = 3;
    private double gossipFactor = 0.25;
    private Duration heartbeatInitialDelay = Duration.ofMillis(100);
    private Duration heartbeatInterval = Duration.ofSeconds(1);
    private Duration fanoutTtl = Duration.ofSeconds(60);
    private Duration pruneBackoff = Duration.ofMinutes(1);
    private Duration unsubscribeBackoff = Duration.ofSeconds(10);
    private int idontwantMessageThreshold = 1024;
    private boolean floodPublish;
    private boolean peerExchange;
    private int maxCachedMessages = 16_384;

    private Builder() {}

    /** Offered and served protocols, preferred first (e.g. {@code List.of(MESHSUB_V11)}). */
    public Builder protocols(List<String> list) {
      this.protocols = Objects.requireNonNull(list, "list == null");
      return this;
    }

    /** The mesh degrees D, Dlo, Dhi, Dscore, Dout and the gossip degree Dlazy. */
    public Builder degrees(int newD, int newDlo, int newDhi, int newDscore, int newDout, int newDlazy) {
      this.d = newD;
      this.dlo = newDlo;
      this.dhi = newDhi;
      this.dscore = newDscore;
      this.dout = newDout;
      this.dlazy = newDlazy;
      return this;
    }

    /** Message cache windows kept and gossiped, and the share of non-mesh peers gossiped to. */
    public Builder history(int length, int gossip, double factor) {
      this.historyLength = length;
      this.historyGossip = gossip;
      this.gossipFactor = factor;
      return this;
    }

    public Builder heartbeat(Duration initialDelay, Duration interval) {
      this.heartbeatInitialDelay = Objects.requireNonNull(initialDelay, "initialDelay == null");
      this.heartbeatInterval = Objects.requireNonNull(interval, "interval == null");
      return this;
    }

    public Builder fanoutTtl(Duration ttl) {
      this.fanoutTtl = Objects.requireNonNull(ttl, "ttl == null");
      return this;
    }

    public Builder backoff(Duration prune, Duration unsubscribe) {
      this.pruneBackoff = Objects.requireNonNull(prune, "prune == null");
      this.unsubscribeBackoff = Objects.requireNonNull(unsubscribe, "unsubscribe == null");
      return this;
    }

    /** Messages of more than this many data bytes make us send IDONTWANT to v1.2 mesh peers. */
    public Builder idontwantMessageThreshold(int bytes) {
      this.idontwantMessageThreshold = bytes;
      return this;
    }

    /** Our own messages to every topic peer scoring at least the publish threshold (Go: off). */
    public Builder floodPublish(boolean on) {
      this.floodPublish = on;
      return this;
    }

    /** Peer exchange records in our PRUNEs (Go: off). */
    public Builder peerExchange(boolean on) {
      this.peerExchange = on;
      return this;
    }

    public Builder maxCachedMessages(int messages) {
      this.maxCachedMessages = messages;
      return this;
    }

    /** @throws IllegalArgumentException naming the parameter that is out of range */
    public GossipSubParams build() {
      return new GossipSubParams(protocols, d, dlo, dhi, dscore, dout, dlazy, historyLength, historyGossip,
          gossipFactor, 3, heartbeatInitialDelay, heartbeatInterval, fanoutTtl, 16, pruneBackoff,
          unsubscribeBackoff, 60, 2, Duration.ofSeconds(10), 5000, 10, Duration.ofSeconds(3), 10, 1000,
          idontwantMessageThreshold, 3, floodPublish, peerExchange, maxCachedMessages, 65_536, 16);
    }
  }
}
