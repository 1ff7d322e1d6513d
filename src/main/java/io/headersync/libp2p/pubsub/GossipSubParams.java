package io.headersync.libp2p.pubsub;

import static io.headersync.libp2p.pubsub.PeerScoreThresholds.check;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Gossipsub router parameters. {@link #defaults()} are go-libp2p-pubsub v0.16.0's ({@code
 * gossipsub.go}): D=6, Dlo=5, Dhi=12, Dscore=4, Dout=2, Dlazy=6, history 5 windows of which 3 are
 * gossiped, heartbeat every 1 s after 100 ms, fanout TTL 60 s, prune backoff 1 min, unsubscribe
 * backoff 10 s, gossip factor 0.25, 3 IWANT retransmissions, at most 5000 ids per IHAVE and 10
 * IHAVEs per peer per heartbeat, IWANT follow-up 3 s, opportunistic graft of 2 peers every 60
 * heartbeats, GRAFT flood threshold 10 s, 16 PX records per PRUNE, IDONTWANT sent for messages of
 * at least 1024 bytes and honoured for 3 heartbeats (at most 1000 IDONTWANT messages per peer per
 * heartbeat, at most 10 ids taken from each). As in Go v0.16.0, flood publish and peer exchange are
 * off unless set (the spec recommends flood publish on). Three bounds are ours (Go has none): the
 * message cache, the backoff table and the PX records kept from one PRUNE.
 *
 * <p>Build with {@link #builder()} (every default is in {@link Builder}), or change a few settings
 * of {@link #defaults()} with {@link #toBuilder()}; {@link Builder#build()} checks Go's rules and
 * names the setting that breaks one. Immutable.
 *
 * <p>Why ~1,000 lines: 32 settings, each with a field, an accessor, a builder setter, their Javadoc
 * and Go's validation rule; there is no logic to move out, and one class per settings group would
 * make users look for a setting in several places (go-libp2p-pubsub has one {@code
 * GossipSubParams}).
 */
public final class GossipSubParams {
  /** gossipsub v1.2. */
  public static final String MESHSUB_V12 = "/meshsub/1.2.0";

  /** gossipsub v1.1. */
  public static final String MESHSUB_V11 = "/meshsub/1.1.0";

  /** gossipsub v1.0. */
  public static final String MESHSUB_V10 = "/meshsub/1.0.0";

  /** FloodSub, spoken to FloodSub peers. */
  public static final String FLOODSUB = "/floodsub/1.0.0";

  /** Go's {@code GossipSubDefaultProtocols}, preferred first. */
  public static final List<String> DEFAULT_PROTOCOLS =
      List.of(MESHSUB_V12, MESHSUB_V11, MESHSUB_V10, FLOODSUB);

  private static final GossipSubParams DEFAULTS = builder().build();

  private final List<String> protocols;
  private final int d;
  private final int dlo;
  private final int dhi;
  private final int dscore;
  private final int dout;
  private final int dlazy;
  private final int historyLength;
  private final int historyGossip;
  private final double gossipFactor;
  private final int gossipRetransmission;
  private final Duration heartbeatInitialDelay;
  private final Duration heartbeatInterval;
  private final Duration fanoutTtl;
  private final int prunePeers;
  private final Duration pruneBackoff;
  private final Duration unsubscribeBackoff;
  private final int opportunisticGraftTicks;
  private final int opportunisticGraftPeers;
  private final Duration graftFloodThreshold;
  private final int maxIHaveLength;
  private final int maxIHaveMessages;
  private final Duration iwantFollowupTime;
  private final int maxIDontWantLength;
  private final int maxIDontWantMessages;
  private final int idontwantMessageThreshold;
  private final int idontwantTtlHeartbeats;
  private final boolean floodPublish;
  private final boolean peerExchange;
  private final int maxCachedMessages;
  private final int maxBackoffEntries;
  private final int maxPxPeers;

  private GossipSubParams(Builder b) {
    this.protocols = List.copyOf(b.protocols);
    this.d = b.d;
    this.dlo = b.dlo;
    this.dhi = b.dhi;
    this.dscore = b.dscore;
    this.dout = b.dout;
    this.dlazy = b.dlazy;
    this.historyLength = b.historyLength;
    this.historyGossip = b.historyGossip;
    this.gossipFactor = b.gossipFactor;
    this.gossipRetransmission = b.gossipRetransmission;
    this.heartbeatInitialDelay = b.heartbeatInitialDelay;
    this.heartbeatInterval = b.heartbeatInterval;
    this.fanoutTtl = b.fanoutTtl;
    this.prunePeers = b.prunePeers;
    this.pruneBackoff = b.pruneBackoff;
    this.unsubscribeBackoff = b.unsubscribeBackoff;
    this.opportunisticGraftTicks = b.opportunisticGraftTicks;
    this.opportunisticGraftPeers = b.opportunisticGraftPeers;
    this.graftFloodThreshold = b.graftFloodThreshold;
    this.maxIHaveLength = b.maxIHaveLength;
    this.maxIHaveMessages = b.maxIHaveMessages;
    this.iwantFollowupTime = b.iwantFollowupTime;
    this.maxIDontWantLength = b.maxIDontWantLength;
    this.maxIDontWantMessages = b.maxIDontWantMessages;
    this.idontwantMessageThreshold = b.idontwantMessageThreshold;
    this.idontwantTtlHeartbeats = b.idontwantTtlHeartbeats;
    this.floodPublish = b.floodPublish;
    this.peerExchange = b.peerExchange;
    this.maxCachedMessages = b.maxCachedMessages;
    this.maxBackoffEntries = b.maxBackoffEntries;
    this.maxPxPeers = b.maxPxPeers;
  }

  /**
   * @return the protocols offered on our outbound streams and served, preferred first
   */
  public List<String> protocols() {
    return protocols;
  }

  /**
   * @return the mesh degree D
   */
  public int d() {
    return d;
  }

  /**
   * @return the lower mesh bound Dlo
   */
  public int dlo() {
    return dlo;
  }

  /**
   * @return the upper mesh bound Dhi
   */
  public int dhi() {
    return dhi;
  }

  /**
   * @return Dscore, the mesh peers kept by score when pruning
   */
  public int dscore() {
    return dscore;
  }

  /**
   * @return Dout, the outbound mesh peers kept
   */
  public int dout() {
    return dout;
  }

  /**
   * @return the gossip degree Dlazy
   */
  public int dlazy() {
    return dlazy;
  }

  /**
   * @return the message cache windows kept
   */
  public int historyLength() {
    return historyLength;
  }

  /**
   * @return the message cache windows gossiped
   */
  public int historyGossip() {
    return historyGossip;
  }

  /**
   * @return the share of non-mesh peers gossiped to
   */
  public double gossipFactor() {
    return gossipFactor;
  }

  /**
   * @return how often a message is sent to one peer in answer to IWANT
   */
  public int gossipRetransmission() {
    return gossipRetransmission;
  }

  /**
   * @return the delay before the first heartbeat
   */
  public Duration heartbeatInitialDelay() {
    return heartbeatInitialDelay;
  }

  /**
   * @return the time between heartbeats
   */
  public Duration heartbeatInterval() {
    return heartbeatInterval;
  }

  /**
   * @return how long fanout state of a topic we publish to but did not join is kept
   */
  public Duration fanoutTtl() {
    return fanoutTtl;
  }

  /**
   * @return the PX records sent in one PRUNE
   */
  public int prunePeers() {
    return prunePeers;
  }

  /**
   * @return the backoff after a PRUNE
   */
  public Duration pruneBackoff() {
    return pruneBackoff;
  }

  /**
   * @return the backoff after leaving a topic
   */
  public Duration unsubscribeBackoff() {
    return unsubscribeBackoff;
  }

  /**
   * @return the heartbeats between opportunistic grafts
   */
  public int opportunisticGraftTicks() {
    return opportunisticGraftTicks;
  }

  /**
   * @return the peers grafted opportunistically
   */
  public int opportunisticGraftPeers() {
    return opportunisticGraftPeers;
  }

  /**
   * @return the time after a PRUNE within which a GRAFT is penalised as a flood
   */
  public Duration graftFloodThreshold() {
    return graftFloodThreshold;
  }

  /**
   * @return the message ids in one IHAVE at most
   */
  public int maxIHaveLength() {
    return maxIHaveLength;
  }

  /**
   * @return the IHAVEs accepted from one peer per heartbeat
   */
  public int maxIHaveMessages() {
    return maxIHaveMessages;
  }

  /**
   * @return the time a peer has to deliver a message it advertised and we asked for
   */
  public Duration iwantFollowupTime() {
    return iwantFollowupTime;
  }

  /**
   * @return the ids taken from one IDONTWANT at most
   */
  public int maxIDontWantLength() {
    return maxIDontWantLength;
  }

  /**
   * @return the IDONTWANT messages accepted from one peer per heartbeat
   */
  public int maxIDontWantMessages() {
    return maxIDontWantMessages;
  }

  /**
   * @return the size in data bytes from which we send IDONTWANT to v1.2 mesh peers
   */
  public int idontwantMessageThreshold() {
    return idontwantMessageThreshold;
  }

  /**
   * @return the heartbeats an IDONTWANT is honoured for
   */
  public int idontwantTtlHeartbeats() {
    return idontwantTtlHeartbeats;
  }

  /**
   * @return whether our own messages go to every topic peer scoring at least the publish threshold
   *     (Go: off)
   */
  public boolean floodPublish() {
    return floodPublish;
  }

  /**
   * @return whether our PRUNEs carry peer exchange records (Go: off)
   */
  public boolean peerExchange() {
    return peerExchange;
  }

  /**
   * @return the bound of the message cache (ours; Go's is bounded by traffic only)
   */
  public int maxCachedMessages() {
    return maxCachedMessages;
  }

  /**
   * @return the bound of the backoff table, the soonest-expiring going first (ours)
   */
  public int maxBackoffEntries() {
    return maxBackoffEntries;
  }

  /**
   * @return the PX records kept from one PRUNE (ours)
   */
  public int maxPxPeers() {
    return maxPxPeers;
  }

  /**
   * A builder starting from these settings, to change a few.
   *
   * @return a new builder holding every setting of this one
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.protocols = protocols;
    b.d = d;
    b.dlo = dlo;
    b.dhi = dhi;
    b.dscore = dscore;
    b.dout = dout;
    b.dlazy = dlazy;
    b.historyLength = historyLength;
    b.historyGossip = historyGossip;
    b.gossipFactor = gossipFactor;
    b.gossipRetransmission = gossipRetransmission;
    b.heartbeatInitialDelay = heartbeatInitialDelay;
    b.heartbeatInterval = heartbeatInterval;
    b.fanoutTtl = fanoutTtl;
    b.prunePeers = prunePeers;
    b.pruneBackoff = pruneBackoff;
    b.unsubscribeBackoff = unsubscribeBackoff;
    b.opportunisticGraftTicks = opportunisticGraftTicks;
    b.opportunisticGraftPeers = opportunisticGraftPeers;
    b.graftFloodThreshold = graftFloodThreshold;
    b.maxIHaveLength = maxIHaveLength;
    b.maxIHaveMessages = maxIHaveMessages;
    b.iwantFollowupTime = iwantFollowupTime;
    b.maxIDontWantLength = maxIDontWantLength;
    b.maxIDontWantMessages = maxIDontWantMessages;
    b.idontwantMessageThreshold = idontwantMessageThreshold;
    b.idontwantTtlHeartbeats = idontwantTtlHeartbeats;
    b.floodPublish = floodPublish;
    b.peerExchange = peerExchange;
    b.maxCachedMessages = maxCachedMessages;
    b.maxBackoffEntries = maxBackoffEntries;
    b.maxPxPeers = maxPxPeers;
    return b;
  }

  /** Equal when every setting is. */
  @Override
  public boolean equals(Object o) {
    return o instanceof GossipSubParams x && values().equals(x.values());
  }

  /** A hash of every setting. */
  @Override
  public int hashCode() {
    return values().hashCode();
  }

  /** Every setting, by name. */
  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("GossipSubParams{");
    String[] names = {
      "protocols",
      "d",
      "dlo",
      "dhi",
      "dscore",
      "dout",
      "dlazy",
      "historyLength",
      "historyGossip",
      "gossipFactor",
      "gossipRetransmission",
      "heartbeatInitialDelay",
      "heartbeatInterval",
      "fanoutTtl",
      "prunePeers",
      "pruneBackoff",
      "unsubscribeBackoff",
      "opportunisticGraftTicks",
      "opportunisticGraftPeers",
      "graftFloodThreshold",
      "maxIHaveLength",
      "maxIHaveMessages",
      "iwantFollowupTime",
      "maxIDontWantLength",
      "maxIDontWantMessages",
      "idontwantMessageThreshold",
      "idontwantTtlHeartbeats",
      "floodPublish",
      "peerExchange",
      "maxCachedMessages",
      "maxBackoffEntries",
      "maxPxPeers"
    };
    List<Object> values = values();
    for (int k = 0; k < names.length; k++) {
      s.append(k == 0 ? "" : ", ").append(names[k]).append('=').append(values.get(k));
    }
    return s.append('}').toString();
  }

  private List<Object> values() {
    return Arrays.asList(
        protocols,
        d,
        dlo,
        dhi,
        dscore,
        dout,
        dlazy,
        historyLength,
        historyGossip,
        gossipFactor,
        gossipRetransmission,
        heartbeatInitialDelay,
        heartbeatInterval,
        fanoutTtl,
        prunePeers,
        pruneBackoff,
        unsubscribeBackoff,
        opportunisticGraftTicks,
        opportunisticGraftPeers,
        graftFloodThreshold,
        maxIHaveLength,
        maxIHaveMessages,
        iwantFollowupTime,
        maxIDontWantLength,
        maxIDontWantMessages,
        idontwantMessageThreshold,
        idontwantTtlHeartbeats,
        floodPublish,
        peerExchange,
        maxCachedMessages,
        maxBackoffEntries,
        maxPxPeers);
  }

  /**
   * Builds {@link GossipSubParams}; starts from Go's defaults, every default here. Not thread-safe.
   */
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
    private int gossipRetransmission = 3;
    private Duration heartbeatInitialDelay = Duration.ofMillis(100);
    private Duration heartbeatInterval = Duration.ofSeconds(1);
    private Duration fanoutTtl = Duration.ofSeconds(60);
    private int prunePeers = 16;
    private Duration pruneBackoff = Duration.ofMinutes(1);
    private Duration unsubscribeBackoff = Duration.ofSeconds(10);
    private int opportunisticGraftTicks = 60;
    private int opportunisticGraftPeers = 2;
    private Duration graftFloodThreshold = Duration.ofSeconds(10);
    private int maxIHaveLength = 5000;
    private int maxIHaveMessages = 10;
    private Duration iwantFollowupTime = Duration.ofSeconds(3);
    private int maxIDontWantLength = 10;
    private int maxIDontWantMessages = 1000;
    private int idontwantMessageThreshold = 1024;
    private int idontwantTtlHeartbeats = 3;
    private boolean floodPublish;
    private boolean peerExchange;
    private int maxCachedMessages = 16_384;
    private int maxBackoffEntries = 65_536;
    private int maxPxPeers = 16;

    private Builder() {}

    /**
     * Sets the protocols offered on our outbound streams and served, preferred first; default
     * {@link #DEFAULT_PROTOCOLS}.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder protocols(List<String> value) {
      this.protocols = Objects.requireNonNull(value, "protocols == null");
      return this;
    }

    /**
     * Sets the mesh degree D; default 6.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder d(int value) {
      this.d = value;
      return this;
    }

    /**
     * Sets the lower mesh bound Dlo; default 5.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder dlo(int value) {
      this.dlo = value;
      return this;
    }

    /**
     * Sets the upper mesh bound Dhi; default 12.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder dhi(int value) {
      this.dhi = value;
      return this;
    }

    /**
     * Sets Dscore, the mesh peers kept by score when pruning; default 4.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder dscore(int value) {
      this.dscore = value;
      return this;
    }

    /**
     * Sets Dout, the outbound mesh peers kept; default 2.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder dout(int value) {
      this.dout = value;
      return this;
    }

    /**
     * Sets the gossip degree Dlazy; default 6.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder dlazy(int value) {
      this.dlazy = value;
      return this;
    }

    /**
     * Sets the message cache windows kept; default 5.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder historyLength(int value) {
      this.historyLength = value;
      return this;
    }

    /**
     * Sets the message cache windows gossiped; default 3.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder historyGossip(int value) {
      this.historyGossip = value;
      return this;
    }

    /**
     * Sets the share of non-mesh peers gossiped to; default 0.25.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder gossipFactor(double value) {
      this.gossipFactor = value;
      return this;
    }

    /**
     * Sets how often a message is sent to one peer in answer to IWANT; default 3.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder gossipRetransmission(int value) {
      this.gossipRetransmission = value;
      return this;
    }

    /**
     * Sets the delay before the first heartbeat; default 100 ms.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder heartbeatInitialDelay(Duration value) {
      this.heartbeatInitialDelay = Objects.requireNonNull(value, "heartbeatInitialDelay == null");
      return this;
    }

    /**
     * Sets the time between heartbeats; default 1 s.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder heartbeatInterval(Duration value) {
      this.heartbeatInterval = Objects.requireNonNull(value, "heartbeatInterval == null");
      return this;
    }

    /**
     * Sets how long fanout state of a topic we publish to but did not join is kept; default 60 s.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder fanoutTtl(Duration value) {
      this.fanoutTtl = Objects.requireNonNull(value, "fanoutTtl == null");
      return this;
    }

    /**
     * Sets the PX records sent in one PRUNE; default 16.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder prunePeers(int value) {
      this.prunePeers = value;
      return this;
    }

    /**
     * Sets the backoff after a PRUNE; default 1 min.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder pruneBackoff(Duration value) {
      this.pruneBackoff = Objects.requireNonNull(value, "pruneBackoff == null");
      return this;
    }

    /**
     * Sets the backoff after leaving a topic; default 10 s.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder unsubscribeBackoff(Duration value) {
      this.unsubscribeBackoff = Objects.requireNonNull(value, "unsubscribeBackoff == null");
      return this;
    }

    /**
     * Sets the heartbeats between opportunistic grafts; default 60.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder opportunisticGraftTicks(int value) {
      this.opportunisticGraftTicks = value;
      return this;
    }

    /**
     * Sets the peers grafted opportunistically; default 2.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder opportunisticGraftPeers(int value) {
      this.opportunisticGraftPeers = value;
      return this;
    }

    /**
     * Sets the time after a PRUNE within which a GRAFT is penalised as a flood; default 10 s.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder graftFloodThreshold(Duration value) {
      this.graftFloodThreshold = Objects.requireNonNull(value, "graftFloodThreshold == null");
      return this;
    }

    /**
     * Sets the message ids in one IHAVE at most; default 5000.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder maxIHaveLength(int value) {
      this.maxIHaveLength = value;
      return this;
    }

    /**
     * Sets the IHAVEs accepted from one peer per heartbeat; default 10.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder maxIHaveMessages(int value) {
      this.maxIHaveMessages = value;
      return this;
    }

    /**
     * Sets the time a peer has to deliver a message it advertised and we asked for; default 3 s.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder iwantFollowupTime(Duration value) {
      this.iwantFollowupTime = Objects.requireNonNull(value, "iwantFollowupTime == null");
      return this;
    }

    /**
     * Sets the ids taken from one IDONTWANT at most; default 10.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder maxIDontWantLength(int value) {
      this.maxIDontWantLength = value;
      return this;
    }

    /**
     * Sets the IDONTWANT messages accepted from one peer per heartbeat; default 1000.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder maxIDontWantMessages(int value) {
      this.maxIDontWantMessages = value;
      return this;
    }

    /**
     * Sets the size in data bytes from which we send IDONTWANT to v1.2 mesh peers; default 1024.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder idontwantMessageThreshold(int value) {
      this.idontwantMessageThreshold = value;
      return this;
    }

    /**
     * Sets the heartbeats an IDONTWANT is honoured for; default 3.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder idontwantTtlHeartbeats(int value) {
      this.idontwantTtlHeartbeats = value;
      return this;
    }

    /**
     * Sets whether our own messages go to every topic peer scoring at least the publish threshold
     * (Go: off); default off.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder floodPublish(boolean value) {
      this.floodPublish = value;
      return this;
    }

    /**
     * Sets whether our PRUNEs carry peer exchange records (Go: off); default off.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder peerExchange(boolean value) {
      this.peerExchange = value;
      return this;
    }

    /**
     * Sets the bound of the message cache (ours; Go's is bounded by traffic only); default 16,384.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder maxCachedMessages(int value) {
      this.maxCachedMessages = value;
      return this;
    }

    /**
     * Sets the bound of the backoff table, the soonest-expiring going first (ours); default 65,536.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder maxBackoffEntries(int value) {
      this.maxBackoffEntries = value;
      return this;
    }

    /**
     * Sets the PX records kept from one PRUNE (ours); default 16.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder maxPxPeers(int value) {
      this.maxPxPeers = value;
      return this;
    }

    /**
     * The mesh degrees D, Dlo, Dhi, Dscore, Dout and the gossip degree Dlazy.
     *
     * @param newD D
     * @param newDlo Dlo
     * @param newDhi Dhi
     * @param newDscore Dscore
     * @param newDout Dout
     * @param newDlazy Dlazy
     * @return this builder
     */
    public Builder degrees(
        int newD, int newDlo, int newDhi, int newDscore, int newDout, int newDlazy) {
      this.d = newD;
      this.dlo = newDlo;
      this.dhi = newDhi;
      this.dscore = newDscore;
      this.dout = newDout;
      this.dlazy = newDlazy;
      return this;
    }

    /**
     * Message cache windows kept and gossiped, and the share of non-mesh peers gossiped to.
     *
     * @param length {@link GossipSubParams#historyLength()}
     * @param gossip {@link GossipSubParams#historyGossip()}
     * @param factor {@link GossipSubParams#gossipFactor()}
     * @return this builder
     */
    public Builder history(int length, int gossip, double factor) {
      this.historyLength = length;
      this.historyGossip = gossip;
      this.gossipFactor = factor;
      return this;
    }

    /**
     * The first heartbeat's delay and the time between heartbeats.
     *
     * @param initialDelay {@link GossipSubParams#heartbeatInitialDelay()}
     * @param interval {@link GossipSubParams#heartbeatInterval()}
     * @return this builder
     */
    public Builder heartbeat(Duration initialDelay, Duration interval) {
      this.heartbeatInitialDelay =
          Objects.requireNonNull(initialDelay, "heartbeatInitialDelay == null");
      this.heartbeatInterval = Objects.requireNonNull(interval, "heartbeatInterval == null");
      return this;
    }

    /**
     * The backoffs after a PRUNE and after leaving a topic.
     *
     * @param prune {@link GossipSubParams#pruneBackoff()}
     * @param unsubscribe {@link GossipSubParams#unsubscribeBackoff()}
     * @return this builder
     */
    public Builder backoff(Duration prune, Duration unsubscribe) {
      this.pruneBackoff = Objects.requireNonNull(prune, "pruneBackoff == null");
      this.unsubscribeBackoff = Objects.requireNonNull(unsubscribe, "unsubscribeBackoff == null");
      return this;
    }

    /**
     * The settings, checked.
     *
     * @return the immutable settings
     * @throws IllegalArgumentException naming the setting that is out of range
     */
    public GossipSubParams build() {
      List<String> list = List.copyOf(protocols);
      check(!list.isEmpty(), "protocols must not be empty");
      for (String p : list) {
        check(
            DEFAULT_PROTOCOLS.contains(p),
            "unsupported protocol " + p + " in protocols; known: " + DEFAULT_PROTOCOLS);
      }
      check(
          list.stream().anyMatch(p -> p.startsWith("/meshsub/")),
          "protocols need a /meshsub/ version");
      check(
          dlo <= d && d <= dhi && dlo >= 1,
          "need 1 <= Dlo <= D <= Dhi, got Dlo=" + dlo + " D=" + d + " Dhi=" + dhi);
      check(dscore >= 0 && dscore <= dhi, "Dscore=" + dscore + " must be in [0, Dhi=" + dhi + "]");
      check(
          dout >= 0 && dout < dlo && dout <= d / 2,
          "Dout=" + dout + " must be < Dlo=" + dlo + " and <= D/2");
      check(dlazy >= 0, "Dlazy must be >= 0");
      check(
          historyGossip >= 1 && historyGossip <= historyLength,
          "need 1 <= historyGossip <= historyLength, got " + historyGossip + " / " + historyLength);
      check(
          gossipFactor >= 0 && gossipFactor <= 1,
          "gossipFactor must be in [0, 1], got " + gossipFactor);
      check(gossipRetransmission >= 1, "gossipRetransmission must be positive");
      positive(heartbeatInterval, "heartbeatInterval");
      positive(fanoutTtl, "fanoutTtl");
      check(prunePeers >= 0, "prunePeers must be >= 0");
      positive(pruneBackoff, "pruneBackoff");
      positive(unsubscribeBackoff, "unsubscribeBackoff");
      check(opportunisticGraftTicks >= 1, "opportunisticGraftTicks must be positive");
      check(opportunisticGraftPeers >= 0, "opportunisticGraftPeers must be >= 0");
      check(maxIHaveLength >= 1, "maxIHaveLength must be positive");
      check(maxIHaveMessages >= 1, "maxIHaveMessages must be positive");
      positive(iwantFollowupTime, "iwantFollowupTime");
      check(maxIDontWantLength >= 0, "maxIDontWantLength must be >= 0");
      check(maxIDontWantMessages >= 0, "maxIDontWantMessages must be >= 0");
      check(idontwantMessageThreshold >= 0, "idontwantMessageThreshold must be >= 0");
      check(idontwantTtlHeartbeats >= 1, "idontwantTtlHeartbeats must be positive");
      check(maxCachedMessages >= 1, "maxCachedMessages must be positive");
      check(maxBackoffEntries >= 1, "maxBackoffEntries must be positive");
      check(maxPxPeers >= 0, "maxPxPeers must be >= 0");
      return new GossipSubParams(this);
    }
  }

  /**
   * go-libp2p-pubsub v0.16.0's defaults (and ours for the bounds Go does not have).
   *
   * @return parameters with every default
   */
  public static GossipSubParams defaults() {
    return DEFAULTS;
  }

  /**
   * A builder starting from {@link #defaults()}.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  private static void positive(Duration d, String name) {
    check(!d.isZero() && !d.isNegative(), name + " must be positive, got " + d);
  }
}
