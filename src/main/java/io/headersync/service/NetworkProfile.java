package io.headersync.service;

import io.headersync.exchange.ExchangeProtocol;
import io.headersync.libp2p.pubsub.PubSub;
import io.headersync.subscriber.Subscriber;
import io.headersync.sync.SyncerOptions;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * How a network names and sizes things: the network id that the pubsub topic and the exchange
 * protocol are derived from, the store prefix, and the message limits. Two profiles exist:
 *
 * <table>
 *   <caption>Names for chain id {@code gm}</caption>
 *   <tr><th></th><th>{@link #SEED} headers</th><th>{@link #SEED} data</th><th>{@link #EVNODE} headers</th><th>{@link #EVNODE} data</th></tr>
 *   <tr><td>network id</td><td>{@code gm}</td><td>{@code gm-block}</td><td>{@code gm-headerSync}</td><td>{@code gm-dataSync}</td></tr>
 *   <tr><td>topic</td><td>{@code /gm/header-sub/v0.0.1}</td><td>{@code /gm-block/header-sub/v0.0.1}</td><td>{@code /gm-headerSync/header-sub/v0.0.1}</td><td>{@code /gm-dataSync/header-sub/v0.0.1}</td></tr>
 *   <tr><td>exchange protocol</td><td>{@code /gm/header-ex/v0.0.3}</td><td>{@code /gm-block/header-ex/v0.0.3}</td><td>{@code /gm-headerSync/header-ex/v0.0.3}</td><td>{@code /gm-dataSync/header-ex/v0.0.3}</td></tr>
 *   <tr><td>store prefix</td><td>{@code headerEx}</td><td>{@code blockEx}</td><td>{@code headerSync}</td><td>{@code dataSync}</td></tr>
 *   <tr><td>exchange frame / pubsub message</td><td colspan="2">1 MiB / 1 MiB</td><td colspan="2">10 MiB / 5 MiB</td></tr>
 *   <tr><td>trusting period</td><td colspan="2">336 h (go-header)</td><td colspan="2">99 years (ev-node)</td></tr>
 *   <tr><td>pruning window (header store)</td><td colspan="2">337 h (go-header)</td><td colspan="2">99 years: no pruning (ev-node)</td></tr>
 * </table>
 *
 * <p>{@link #SEED} is the naming of Rollkit v0.7–v0.13.5 (the design this library started from);
 * {@link #EVNODE} is what ev-node v0.14–v1.2.3 runs today.
 */
public enum NetworkProfile {
  /** Rollkit's original naming: network id = chain id; blocks under {@code <chainId>-block}. */
  SEED(
      PubSub.DEFAULT_MAX_MESSAGE_SIZE,
      1 << 20,
      SyncerOptions.DEFAULT_TRUSTING_PERIOD,
      SyncerOptions.DEFAULT_PRUNING_WINDOW) {
    @Override
    public String networkId(String chainId, SyncKind kind) {
      return kind == SyncKind.HEADERS ? chainId : chainId + "-block";
    }

    @Override
    public String storePrefix(SyncKind kind) {
      return kind == SyncKind.HEADERS ? "headerEx" : "blockEx";
    }
  },
  /** ev-node v1.x: {@code <chainId>-headerSync} and {@code <chainId>-dataSync}. */
  EVNODE(
      PubSub.EVNODE_MAX_MESSAGE_SIZE,
      10 << 20,
      Duration.ofDays(99L * 365),
      Duration.ofDays(99L * 365)) {
    @Override
    public String networkId(String chainId, SyncKind kind) {
      return chainId + (kind == SyncKind.HEADERS ? "-headerSync" : "-dataSync");
    }

    @Override
    public String storePrefix(SyncKind kind) {
      return kind == SyncKind.HEADERS ? "headerSync" : "dataSync";
    }
  };

  /** What a service syncs. */
  public enum SyncKind {
    /** Signed headers. */
    HEADERS,
    /** Block data (ev-node {@code Data}), synced by a second service of the same node. */
    DATA
  }

  private final int maxPubsubMessageSize;
  private final int maxExchangeFrameSize;

  private final Duration trustingPeriod;
  private final Duration pruningWindow;

  NetworkProfile(
      int maxPubsubMessageSize,
      int maxExchangeFrameSize,
      Duration trustingPeriod,
      Duration pruningWindow) {
    this.maxPubsubMessageSize = maxPubsubMessageSize;
    this.maxExchangeFrameSize = maxExchangeFrameSize;
    this.trustingPeriod = trustingPeriod;
    this.pruningWindow = pruningWindow;
  }

  /**
   * {@return how far behind the head's time the header store keeps headers: go-header's default
   * (337 h) under {@link #SEED}, so the store is pruned as the head advances; 99 years under {@link
   * #EVNODE}, which is how ev-node v1.x configures go-header's syncer ({@code
   * WithPruningWindow(99y)}): nothing is pruned}
   */
  public Duration pruningWindow() {
    return pruningWindow;
  }

  /**
   * {@return how old the store head may be before the syncer stops trusting it: go-header's default
   * (336 h) under {@link #SEED}; 99 years under {@link #EVNODE}, which is how ev-node v1.x
   * configures go-header's syncer ({@code WithTrustingPeriod(99y)}, "effectively disabling" the
   * check), so a node can sync a chain whose blocks are older than two weeks}
   */
  public Duration trustingPeriod() {
    return trustingPeriod;
  }

  /**
   * {@return the network id for {@code chainId}}
   *
   * @param chainId the chain id
   * @param kind headers or data
   */
  public abstract String networkId(String chainId, SyncKind kind);

  /**
   * {@return the store key prefix}
   *
   * @param kind headers or data
   */
  public abstract String storePrefix(SyncKind kind);

  /**
   * {@return the pubsub topic: {@code /<networkId>/header-sub/v0.0.1}}
   *
   * @param chainId the chain id
   * @param kind headers or data
   */
  public String topic(String chainId, SyncKind kind) {
    return Subscriber.topic(networkId(chainId, kind));
  }

  /**
   * {@return the exchange protocol: {@code /<networkId>/header-ex/v0.0.3}}
   *
   * @param chainId the chain id
   * @param kind headers or data
   */
  public String protocolId(String chainId, SyncKind kind) {
    return ExchangeProtocol.protocolId(networkId(chainId, kind));
  }

  /** {@return the largest pubsub RPC we accept and send} */
  public int maxPubsubMessageSize() {
    return maxPubsubMessageSize;
  }

  /** {@return the largest exchange response frame we accept} */
  public int maxExchangeFrameSize() {
    return maxExchangeFrameSize;
  }

  /**
   * Parses {@code seed} or {@code evnode} (any case), for command lines.
   *
   * @param name {@code seed}, {@code evnode} or {@code ev-node}
   * @return the profile
   * @throws IllegalArgumentException for any other name, listing the known ones
   */
  public static NetworkProfile parse(String name) {
    Objects.requireNonNull(name, "name == null");
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "seed" -> SEED;
      case "evnode", "ev-node" -> EVNODE;
      default ->
          throw new IllegalArgumentException(
              "unknown network profile \"" + name + "\"; known: seed, evnode");
    };
  }
}
