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
 * state machine: the network builds and starts the node before this object exists, and a node
 * stops as its node does). The network hands it out running.
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

  public String name() {
    return name;
  }

  public EvNodeSync.Role role() {
    return node.role();
  }

  /** The node under test, for code that takes an {@link EvNodeSync}. */
  public EvNodeSync sync() {
    return node;
  }

  /**
   * The sequencer's signer (its public key), for nodes that pin it ({@link EvNodeSync.Builder#proposer}).
   *
   * @throws IllegalStateException if this node is not the sequencer
   */
  public Signer proposer() {
    if (signer == null) {
      throw new IllegalStateException(name + " is not the sequencer");
    }
    return signer.key().signer();
  }

  public PeerId peerId() {
    return node.p2p().host().peerId();
  }

  public P2PClient p2p() {
    return node.p2p();
  }

  public HeaderSyncService<P2PSignedHeader> headers() {
    return node.headers();
  }

  /** The data service; empty for light nodes. */
  public Optional<HeaderSyncService<P2PData>> data() {
    return node.data();
  }

  /** The header store's height. */
  public long height() {
    return node.headers().store().height();
  }

  /**
   * Signs the next {@code count} blocks and {@link EvNodeSync#publish publishes} each (header, then
   * data), waiting for each block.
   *
   * @throws IllegalStateException if this node is not the sequencer
   * @throws HeaderSyncException if a write fails or takes more than 10 s
   */
  public synchronized List<Block> produce(int count) {
    if (signer == null) {
      throw new IllegalStateException(name + " is a " + role() + " node; only the sequencer produces blocks");
    }
    List<Block> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      Block b = produced.isEmpty() ? signer.genesis(List.of())
          : signer.next(produced.get(produced.size() - 1), List.of());
      await(node.publish(b), Duration.ofSeconds(10), "block " + b.height());
      produced.add(b);
      out.add(b);
    }
    return out;
  }

  /** The blocks this sequencer produced so far. */
  public synchronized List<Block> produced() {
    return List.copyOf(produced);
  }

  /**
   * Waits until the header store (and the data store, if any) holds {@code height}.
   *
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
    Await.await(f, name + " reaching " + what, timeout, () -> "header store at " + height()
        + node.data().map(d -> ", data store at " + d.store().height()).orElse("") + ", headers "
        + headers().state() + ", sync " + headers().syncState());
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

  /** Stores of the node, for assertions. */
  public Store<P2PSignedHeader> headerStore() {
    return node.headers().store();
  }

  @Override
  public String toString() {
    return "TestNode{" + name + ", " + role() + ", " + peerId() + "}";
  }
}
