package io.headersync.service;

import io.headersync.annotation.Nullable;
import io.headersync.libp2p.ConnectionManager;
import io.headersync.libp2p.InMemoryNetwork;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.PrivateKey;
import io.headersync.libp2p.SeedAddresses;
import io.headersync.libp2p.dht.DhtOptions;
import io.headersync.libp2p.dht.DiscoveryOptions;
import io.headersync.libp2p.pubsub.PeerScoreParams;
import io.headersync.libp2p.pubsub.PeerScoreThresholds;
import io.headersync.libp2p.pubsub.RouterKind;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * How a {@link P2PClient} joins the network (ev-node's {@code P2PConfig}): identity, listen
 * addresses, seeds, blocked and allowed peers, the pubsub router.
 *
 * <p>Seeds are multiaddrs ending in {@code /p2p/<peer id>}; they are dialled at start, re-dialled
 * with backoff (1 s doubling to 30 s, as ev-node v1.1+) while disconnected, and they are the
 * exchange's trusted peers. Blocked peers are refused by the connection gater; allowed peers are
 * then unblocked (ev-node applies {@code BlockedPeers} with {@code BlockPeer}, then {@code
 * AllowedPeers} with {@code UnblockPeer}: "allowed" overrides "blocked", it is not an allowlist).
 */
public final class P2PConfig {
  /** ev-node's default listen address. */
  public static final Multiaddr DEFAULT_LISTEN = Multiaddr.parse("/ip4/0.0.0.0/tcp/7676");

  private final PrivateKey identity;
  private final List<Multiaddr> listen;
  private final List<Multiaddr> seeds;
  private final Set<PeerId> blockedPeers;
  private final Set<PeerId> allowedPeers;
  private final RouterKind router;
  private final @Nullable PeerScoreParams peerScore;
  private final ConnectionManager.Options connectionManager;
  private final PeerScoreThresholds scoreThresholds;
  private final int maxPubsubMessageSize;
  private final @Nullable InMemoryNetwork inMemory;
  private final Duration seedRedialMin;
  private final Duration seedRedialMax;
  private final @Nullable DiscoveryOptions discovery;
  private final DhtOptions dht;

  private P2PConfig(Builder b) {
    this.identity =
        b.identity != null ? b.identity : PrivateKey.generateEd25519(new SecureRandom());
    this.listen =
        List.copyOf(
            b.listen.isEmpty()
                ? List.of(b.inMemory != null ? Multiaddr.parse("/memory/0") : DEFAULT_LISTEN)
                : b.listen);
    this.seeds = List.copyOf(b.seeds);
    this.blockedPeers = Set.copyOf(b.blockedPeers);
    this.allowedPeers = Set.copyOf(b.allowedPeers);
    this.router = b.router;
    this.peerScore = b.peerScore;
    this.connectionManager = b.connectionManager;
    this.scoreThresholds = b.scoreThresholds;
    this.maxPubsubMessageSize = b.maxPubsubMessageSize;
    this.inMemory = b.inMemory;
    this.seedRedialMin = b.seedRedialMin;
    this.seedRedialMax = b.seedRedialMax;
    this.discovery = b.discovery;
    this.dht = b.dht;
  }

  /**
   * {@return a builder with every default: a fresh random identity, {@link #DEFAULT_LISTEN}, no
   * seeds, gossipsub without scoring, no discovery}
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder starting from this configuration, to change a few settings: it keeps this
   * configuration's identity (a generated one included) and its listen addresses as built.
   *
   * @return a new builder holding every setting of this configuration
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.identity = identity;
    b.router = router;
    b.peerScore = peerScore;
    b.connectionManager = connectionManager;
    b.scoreThresholds = scoreThresholds;
    b.maxPubsubMessageSize = maxPubsubMessageSize;
    b.inMemory = inMemory;
    b.seedRedialMin = seedRedialMin;
    b.seedRedialMax = seedRedialMax;
    b.discovery = discovery;
    b.dht = dht;
    b.listen.addAll(listen);
    b.seeds.addAll(seeds);
    b.blockedPeers.addAll(blockedPeers);
    b.allowedPeers.addAll(allowedPeers);
    return b;
  }

  /**
   * {@return the node's private key, which determines its peer id} When none was set, the key
   * generated at {@link Builder#build()}: keep it (via {@link #toBuilder()}) to keep the same peer
   * id.
   */
  public PrivateKey identity() {
    return identity;
  }

  /**
   * {@return the addresses to listen on, never empty} Default {@link #DEFAULT_LISTEN}, or {@code
   * /memory/0} on an in-memory network.
   */
  public List<Multiaddr> listen() {
    return listen;
  }

  /** {@return the seeds, each with its peer id} */
  public List<Multiaddr> seeds() {
    return seeds;
  }

  /** {@return the seeds' peer ids, in order, without duplicates} */
  public List<PeerId> seedPeers() {
    LinkedHashSet<PeerId> ids = new LinkedHashSet<>();
    for (Multiaddr m : seeds) {
      ids.add(m.peerId().orElseThrow());
    }
    return List.copyOf(ids);
  }

  /** {@return the peers the connection gater refuses, unless also in {@link #allowedPeers()}} */
  public Set<PeerId> blockedPeers() {
    return blockedPeers;
  }

  /**
   * {@return the peers unblocked after {@link #blockedPeers()} is applied} "Allowed" overrides
   * "blocked"; it is not an allowlist, other peers are still accepted.
   */
  public Set<PeerId> allowedPeers() {
    return allowedPeers;
  }

  /** {@return the pubsub router the node runs} Default {@link RouterKind#GOSSIPSUB}. */
  public RouterKind router() {
    return router;
  }

  /** {@return the connection manager's watermarks and periods} */
  public ConnectionManager.Options connectionManager() {
    return connectionManager;
  }

  /** {@return gossipsub's peer scoring parameters, or null when scoring is off (the default)} */
  public @Nullable PeerScoreParams peerScore() {
    return peerScore;
  }

  /**
   * {@return the score thresholds applied with {@link #peerScore()}} {@link
   * PeerScoreThresholds#NONE} when scoring is off.
   */
  public PeerScoreThresholds scoreThresholds() {
    return scoreThresholds;
  }

  /** {@return the pubsub RPC limit, or 0 to take it from the service's {@link NetworkProfile}} */
  public int maxPubsubMessageSize() {
    return maxPubsubMessageSize;
  }

  /** {@return the in-memory network to join instead of TCP, if any} */
  public @Nullable InMemoryNetwork inMemory() {
    return inMemory;
  }

  /**
   * {@return the first delay before a disconnected seed is dialled again} Default 1 s; it doubles
   * on each failure up to {@link #seedRedialMax()}.
   */
  public Duration seedRedialMin() {
    return seedRedialMin;
  }

  /** {@return the longest delay between re-dials of a disconnected seed} Default 30 s. */
  public Duration seedRedialMax() {
    return seedRedialMax;
  }

  /** {@return peer discovery through the Kademlia DHT, if turned on ({@link Builder#discovery})} */
  public Optional<DiscoveryOptions> discovery() {
    return Optional.ofNullable(discovery);
  }

  /** {@return the DHT's settings (used when discovery is on)} */
  public DhtOptions dht() {
    return dht;
  }

  /** Builds a {@link P2PConfig}. */
  public static final class Builder {
    private @Nullable PrivateKey identity;
    private final List<Multiaddr> listen = new ArrayList<>();
    private final List<Multiaddr> seeds = new ArrayList<>();
    private final Set<PeerId> blockedPeers = new LinkedHashSet<>();
    private final Set<PeerId> allowedPeers = new LinkedHashSet<>();
    private RouterKind router = RouterKind.GOSSIPSUB;
    private @Nullable PeerScoreParams peerScore;
    private ConnectionManager.Options connectionManager = ConnectionManager.Options.defaults();
    private PeerScoreThresholds scoreThresholds = PeerScoreThresholds.NONE;
    private int maxPubsubMessageSize;
    private @Nullable InMemoryNetwork inMemory;
    private Duration seedRedialMin = Duration.ofSeconds(1);
    private Duration seedRedialMax = Duration.ofSeconds(30);
    private @Nullable DiscoveryOptions discovery;
    private DhtOptions dht = DhtOptions.defaults();

    private Builder() {}

    /**
     * Sets the node's key, which determines its peer id. Default: a fresh random Ed25519 key, a new
     * identity each run; load a stable one with {@link io.headersync.libp2p.NodeKeyFile}.
     *
     * @param key the node's private key
     * @return this builder
     */
    public Builder identity(PrivateKey key) {
      this.identity = Objects.requireNonNull(key, "identity == null");
      return this;
    }

    /**
     * Adds a listen address; call it once per address. Default {@link #DEFAULT_LISTEN} ({@code
     * /memory/0} in memory) when none is added.
     *
     * @param address a TCP address such as {@code /ip4/0.0.0.0/tcp/7676} (port 0 picks a free port)
     * @return this builder
     */
    public Builder listen(Multiaddr address) {
      listen.add(Objects.requireNonNull(address, "listen address == null"));
      return this;
    }

    /**
     * Adds a seed.
     *
     * @param address the seed's address, ending in {@code /p2p/<peer id>}
     * @return this builder
     * @throws IllegalArgumentException if it has no {@code /p2p/<peer id>}
     */
    public Builder seed(Multiaddr address) {
      Objects.requireNonNull(address, "seed == null");
      if (address.peerId().isEmpty()) {
        throw new IllegalArgumentException("seed " + address + " has no /p2p/<peer id>");
      }
      seeds.add(address);
      return this;
    }

    /**
     * Adds ev-node's comma-separated seed list ({@code --evnode.p2p.peers}).
     *
     * @param commaSeparated multiaddrs separated by commas, each ending in {@code /p2p/<peer id>};
     *     blanks around entries are ignored
     * @return this builder
     * @throws IllegalArgumentException naming every entry that is not a multiaddr with a peer id
     *     (ev-node logs and skips them; a library caller should know)
     */
    public Builder seeds(String commaSeparated) {
      SeedAddresses.Result r =
          SeedAddresses.parseCommaSeparated(
              Objects.requireNonNull(commaSeparated, "seeds == null"));
      if (!r.skipped().isEmpty()) {
        throw new IllegalArgumentException("bad seed entries: " + r.skipped());
      }
      for (SeedAddresses.Seed s : r.seeds()) {
        seeds.add(s.address().withoutPeerId().withPeerId(s.peer()));
      }
      return this;
    }

    /**
     * Blocks a peer: the connection gater refuses its connections, unless {@link #allowPeer} names
     * it too (ev-node's {@code BlockedPeers}).
     *
     * @param peer the peer to refuse
     * @return this builder
     */
    public Builder blockPeer(PeerId peer) {
      blockedPeers.add(Objects.requireNonNull(peer, "peer == null"));
      return this;
    }

    /**
     * Unblocks a peer that {@link #blockPeer} named (ev-node's {@code AllowedPeers}). It does not
     * turn on an allowlist: peers named nowhere are still accepted.
     *
     * @param peer the peer to accept even when blocked
     * @return this builder
     */
    public Builder allowPeer(PeerId peer) {
      allowedPeers.add(Objects.requireNonNull(peer, "peer == null"));
      return this;
    }

    /**
     * The pubsub router. Default {@link RouterKind#GOSSIPSUB} with go-libp2p-pubsub's defaults,
     * which also speaks {@code /floodsub/1.0.0} to FloodSub nodes (ev-node v1.1.1+ runs FloodSub;
     * Rollkit v0.x and celestia-node run gossipsub).
     *
     * @param kind the router to run
     * @return this builder
     */
    public Builder router(RouterKind kind) {
      this.router = Objects.requireNonNull(kind, "router == null");
      return this;
    }

    /**
     * Gossipsub peer scoring, off by default (as in ev-node); {@link
     * PeerScoreParams#forHeaderTopic(String)} with {@link PeerScoreThresholds#CELESTIA} is what
     * celestia-node runs on the header topic.
     *
     * @param params how peers are scored
     * @param thresholds the scores below which a peer loses gossip, publishing or its connection
     * @return this builder
     */
    public Builder peerScore(PeerScoreParams params, PeerScoreThresholds thresholds) {
      this.peerScore = Objects.requireNonNull(params, "params == null");
      this.scoreThresholds = Objects.requireNonNull(thresholds, "thresholds == null");
      return this;
    }

    /**
     * The pubsub RPC limit. Default: the service's {@link NetworkProfile#maxPubsubMessageSize()}.
     *
     * @param bytes the largest pubsub RPC sent or accepted, in bytes; at least 1024
     * @return this builder
     * @throws IllegalArgumentException if {@code bytes} is below 1024
     */
    public Builder maxPubsubMessageSize(int bytes) {
      if (bytes < 1024) {
        throw new IllegalArgumentException(
            "maxPubsubMessageSize must be at least 1024, got " + bytes);
      }
      this.maxPubsubMessageSize = bytes;
      return this;
    }

    /**
     * Joins an in-memory network instead of TCP (tests; see {@code io.headersync.testkit}).
     *
     * @param network the network to join; nodes on it reach each other by {@code /memory/<n>}
     *     addresses
     * @return this builder
     */
    public Builder inMemory(InMemoryNetwork network) {
      this.inMemory = Objects.requireNonNull(network, "network == null");
      return this;
    }

    /**
     * Sets the seed re-dial backoff: a disconnected seed is dialled again after {@code min}, the
     * delay doubling on each failure up to {@code max}. Default 1 s to 30 s, as ev-node v1.1+.
     *
     * @param min the first delay; positive
     * @param max the longest delay; not below {@code min}
     * @return this builder
     * @throws IllegalArgumentException unless {@code 0 < min <= max}
     */
    public Builder seedRedial(Duration min, Duration max) {
      if (min.isNegative() || min.isZero() || max.compareTo(min) < 0) {
        throw new IllegalArgumentException(
            "seed redial needs 0 < min <= max, got " + min + ", " + max);
      }
      this.seedRedialMin = min;
      this.seedRedialMax = max;
      return this;
    }

    /**
     * Turns on peer discovery as ev-node runs it: a Kademlia DHT server on {@code /ipfs/kad/1.0.0}
     * bootstrapped from the seeds, the namespace (default: the chain id) advertised every 52.5 min,
     * and searched and dialled whenever fewer than the low watermark of peers are connected. Off by
     * default; {@link #noDiscovery()} turns it off again.
     *
     * @param options the namespace and timings of discovery
     * @return this builder
     */
    public Builder discovery(DiscoveryOptions options) {
      this.discovery = Objects.requireNonNull(options, "discovery == null");
      return this;
    }

    /**
     * The connection manager's watermarks and periods. Default {@link
     * ConnectionManager.Options#defaults()} (go-libp2p's: 160 / 192 peers, one minute of grace).
     *
     * @param options the watermarks and periods
     * @return this builder
     */
    public Builder connectionManager(ConnectionManager.Options options) {
      this.connectionManager = Objects.requireNonNull(options, "options == null");
      return this;
    }

    /**
     * Turns peer discovery off (the default): only seeds and peers that dial us.
     *
     * @return this builder
     */
    public Builder noDiscovery() {
      this.discovery = null;
      return this;
    }

    /**
     * The DHT's settings when discovery is on. Default {@link DhtOptions#defaults()} (server mode).
     *
     * @param options the DHT's settings
     * @return this builder
     */
    public Builder dht(DhtOptions options) {
      this.dht = Objects.requireNonNull(options, "dht == null");
      return this;
    }

    /**
     * Builds the configuration, generating a random identity if none was set.
     *
     * @return the configuration; immutable
     */
    public P2PConfig build() {
      return new P2PConfig(this);
    }
  }
}
