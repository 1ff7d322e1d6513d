package io.headersync.testkit;

import io.headersync.HeaderSyncService;
import io.headersync.HeaderSyncException;
import io.headersync.P2PClient;
import io.headersync.annotation.Nullable;
import io.headersync.evnode.HeaderSigner;
import io.headersync.evnode.P2PData;
import io.headersync.evnode.P2PSignedHeader;
import io.headersync.libp2p.PeerId;
import io.headersync.store.Store;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One node of a {@link TestNetwork}: its {@link P2PClient}, its header service and, for sequencers
 * and full nodes, its data service. A sequencer also {@link #produce produces} blocks.
 *
 * <p>Thread-safe; {@link #produce} calls are serialised.
 */
public final class TestNode implements AutoCloseable {
  /** What the node does. */
  public enum Role {
    /** Produces blocks: header and data services, no trusted peers. */
    SEQUENCER,
    /** Follows: header and data services, the sequencer as seed. */
    FULL,
    /** Follows headers only. */
    LIGHT
  }

  private final String name;
  private final Role role;
  private final P2PClient p2p;
  private final HeaderSyncService<P2PSignedHeader> headers;
  private final @Nullable HeaderSyncService<P2PData> data;
  private final @Nullable HeaderSigner signer;
  private final List<HeaderSigner.Block> produced = new ArrayList<>();

  TestNode(String name, Role role, P2PClient p2p, HeaderSyncService<P2PSignedHeader> headers,
      @Nullable HeaderSyncService<P2PData> data, @Nullable HeaderSigner signer) {
    this.name = name;
    this.role = role;
    this.p2p = p2p;
    this.headers = headers;
    this.data = data;
    this.signer = signer;
  }

  public String name() {
    return name;
  }

  public Role role() {
    return role;
  }

  public PeerId peerId() {
    return p2p.host().peerId();
  }

  public P2PClient p2p() {
    return p2p;
  }

  public HeaderSyncService<P2PSignedHeader> headers() {
    return headers;
  }

  /** The data service; empty for light nodes. */
  public Optional<HeaderSyncService<P2PData>> data() {
    return Optional.ofNullable(data);
  }

  /** The header store's height. */
  public long height() {
    return headers.store().height();
  }

  /**
   * Signs the next {@code count} blocks and writes each header and its data through {@link
   * HeaderSyncService#writeToStoreAndBroadcast}, waiting for each block.
   *
   * @throws IllegalStateException if this node is not the sequencer
   * @throws HeaderSyncException if a write fails or takes more than 10 s
   */
  public synchronized List<HeaderSigner.Block> produce(int count) {
    if (signer == null) {
      throw new IllegalStateException(name + " is a " + role + " node; only the sequencer produces blocks");
    }
    List<HeaderSigner.Block> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      HeaderSigner.Block b = produced.isEmpty() ? signer.genesis(List.of())
          : signer.next(produced.get(produced.size() - 1), List.of());
      CompletableFuture<Void> h = headers.writeToStoreAndBroadcast(b.p2pHeader());
      CompletableFuture<Void> d = data != null ? data.writeToStoreAndBroadcast(b.p2pData())
          : CompletableFuture.completedFuture(null);
      await(CompletableFuture.allOf(h, d), Duration.ofSeconds(10), "block " + b.height());
      produced.add(b);
      out.add(b);
    }
    return out;
  }

  /** The blocks this sequencer produced so far. */
  public synchronized List<HeaderSigner.Block> produced() {
    return List.copyOf(produced);
  }

  /**
   * Waits until the header store (and the data store, if any) holds {@code height}.
   *
   * @throws HeaderSyncException on timeout, naming the node and where it got to
   */
  public void awaitHeight(long height, Duration timeout) {
    List<CompletableFuture<?>> all = new ArrayList<>();
    all.add(headers.store().awaitHeight(height));
    if (data != null) {
      all.add(data.store().awaitHeight(height));
    }
    await(CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)), timeout, "height " + height);
  }

  private <T> T await(CompletableFuture<T> f, Duration timeout, String what) {
    try {
      return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      f.cancel(false);
      throw new HeaderSyncException(name + " did not reach " + what + " within " + timeout + ": header store at "
          + height() + (data != null ? ", data store at " + data.store().height() : "") + ", headers "
          + headers.state() + ", sync " + headers.syncState());
    } catch (ExecutionException e) {
      throw new HeaderSyncException(name + " failed on " + what + ": " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HeaderSyncException(name + " interrupted waiting for " + what, e);
    }
  }

  /** Stops the services, then the P2P client. */
  @Override
  public void close() {
    headers.stop();
    if (data != null) {
      data.stop();
    }
    p2p.close();
  }

  /** Stores of the node, for assertions. */
  public Store<P2PSignedHeader> headerStore() {
    return headers.store();
  }

  @Override
  public String toString() {
    return "TestNode{" + name + ", " + role + ", " + peerId() + "}";
  }
}
