package io.headersync.testkit;

import io.headersync.HeaderSyncException;
import io.headersync.annotation.Nullable;
import io.headersync.evnode.Block;
import io.headersync.evnode.EvNodeSync;
import io.headersync.evnode.HeaderSigner;
import io.headersync.evnode.P2PData;
import io.headersync.evnode.P2PSignedHeader;
import io.headersync.evnode.Signer;
import io.headersync.internal.Await;
import io.headersync.libp2p.PeerId;
import io.headersync.lifecycle.Service;
import io.headersync.service.HeaderSyncService;
import io.headersync.service.P2PClient;
import io.headersync.store.Store;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * One node of a {@link TestNetwork}: an {@link EvNodeSync} (its {@link P2PClient}, its header
 * service and, for sequencers and full nodes, its data service). A sequencer also {@link #produce
 * produces} blocks.
 *
 * <p>Lifecycle: a {@link Service} that is its node's: {@link #state()}, {@link #stop()}, {@link
 * #terminated()} and the rest are the {@link EvNodeSync}'s own (a view by composition, not a second
 * state machine: the network builds and starts the node before this object exists, and a node stops
 * as its node does). The network hands it out running.
 *
 * <p>Thread-safe; {@link #produce} calls are serialised.
 */
public final class TestNode implements Service {
  private final String name;
  private final EvNodeSync node;
  private final @Nullable HeaderSigner signer;
  private final List<Block> produced = new ArrayList<>();

  TestNode(String name, EvNodeSync node, @Nullable HeaderSigner signer) {
    this.name = name;
    this.node = node;
    this.signer = signer;
  }

  /** {@return the node's name in this network, used in thread names, logs and failure messages} */
  public String name() {
    return name;
  }

  /** {@return whether the node is the sequencer, a full node or a light node} */
  public EvNodeSync.Role role() {
    return node.role();
  }

  /** {@return the node under test, for code that takes an {@link EvNodeSync}} */
  public EvNodeSync sync() {
    return node;
  }

  /**
   * {@return the sequencer's signer (its public key), for nodes that pin it ({@link
   * EvNodeSync.Builder#proposer})}
   *
   * @throws IllegalStateException if this node is not the sequencer
   */
  public Signer proposer() {
    if (signer == null) {
      throw new IllegalStateException(name + " is not the sequencer");
    }
    return signer.key().signer();
  }

  /** {@return the node's peer id, derived from its network-seeded identity} */
  public PeerId peerId() {
    return node.p2p().host().peerId();
  }

  /** {@return the node's P2P client: its host, pubsub and peers} */
  public P2PClient p2p() {
    return node.p2p();
  }

  /** {@return the node's header service} */
  public HeaderSyncService<P2PSignedHeader> headers() {
    return node.headers();
  }

  /** {@return the data service; empty for light nodes} */
  public Optional<HeaderSyncService<P2PData>> data() {
    return node.data();
  }

  /** {@return the header store's height} */
  public long height() {
    return node.headers().store().height();
  }

  /**
   * Signs the next {@code count} blocks and {@link EvNodeSync#publish publishes} each (header, then
   * data), waiting for each block.
   *
   * @param count how many blocks; 0 produces none
   * @return the blocks produced by this call, in height order
   * @throws IllegalStateException if this node is not the sequencer
   * @throws HeaderSyncException if a write fails or takes more than 10 s
   */
  public synchronized List<Block> produce(int count) {
    if (signer == null) {
      throw new IllegalStateException(
          name + " is a " + role() + " node; only the sequencer produces blocks");
    }
    List<Block> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      Block b =
          produced.isEmpty()
              ? signer.genesis(List.of())
              : signer.next(produced.get(produced.size() - 1), List.of());
      await(node.publish(b), Duration.ofSeconds(10), "block " + b.height());
      produced.add(b);
      out.add(b);
    }
    return out;
  }

  /** {@return the blocks this sequencer produced so far} */
  public synchronized List<Block> produced() {
    return List.copyOf(produced);
  }

  /**
   * Waits until the header store (and the data store, if any) holds {@code height}.
   *
   * @param height the height to wait for
   * @param timeout how long to wait at most
   * @throws HeaderSyncException on timeout, naming the node and where it got to
   */
  public void awaitHeight(long height, Duration timeout) {
    CompletableFuture<Void> f = node.awaitHeight(height);
    try {
      await(f, timeout, "height " + height);
    } finally {
      f.cancel(false);
    }
  }

  private void await(CompletableFuture<Void> f, Duration timeout, String what) {
    Await.await(
        f,
        name + " reaching " + what,
        timeout,
        () ->
            "header store at "
                + height()
                + node.data().map(d -> ", data store at " + d.store().height()).orElse("")
                + ", headers "
                + headers().state()
                + ", sync "
                + headers().syncState());
  }

  /**
   * The node's start: it is already running when the network hands it out, so this completes at
   * once (or fails as the node's start did).
   *
   * @return the node's start future
   */
  @Override
  public CompletableFuture<Void> start() {
    return node.start();
  }

  /**
   * Stops the node: its services, then its P2P client.
   *
   * @return a future that completes when the node is stopped
   */
  @Override
  public CompletableFuture<Void> stop() {
    return node.stop();
  }

  /** Stops the node and waits for it. */
  @Override
  public void close() {
    node.close();
  }

  /**
   * The node's state.
   *
   * @return {@link EvNodeSync#state()}
   */
  @Override
  public State state() {
    return node.state();
  }

  /**
   * Why the node failed.
   *
   * @return {@link EvNodeSync#failure()}
   */
  @Override
  public Optional<Throwable> failure() {
    return node.failure();
  }

  /**
   * The node's end.
   *
   * @return {@link EvNodeSync#terminated()}
   */
  @Override
  public CompletableFuture<Void> terminated() {
    return node.terminated();
  }

  /**
   * Stores of the node, for assertions.
   *
   * @return the header service's store
   */
  public Store<P2PSignedHeader> headerStore() {
    return node.headers().store();
  }

  @Override
  public String toString() {
    return "TestNode{" + name + ", " + role() + ", " + peerId() + "}";
  }
}
