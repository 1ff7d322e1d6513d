package io.headersync.libp2p;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * One multiplexed libp2p stream (a Yamux stream under a negotiated protocol). Pure Java; obtained
 * from {@link Host#newStream} or given to a {@link StreamHandler}.
 *
 * <h2>Reading</h2>
 *
 * Bytes are read only on demand: nothing is pulled from the connection until a read is pending, so
 * a slow reader stalls the remote at its Yamux window (backpressure). One read at a time: a second
 * read before the first completed fails with {@link IllegalStateException}. {@link #readMessage}
 * reads one uvarint-length-prefixed frame (the framing of every headersync protocol); {@link
 * #read()} the next chunk of raw bytes; {@link #readExactly} a fixed number of bytes. Each returns
 * an empty {@link Optional} at a clean end of stream (the remote half-closed) — {@code readMessage}
 * and {@code readExactly} fail with {@link StreamException.Reason#CLOSED} if the stream ends in the
 * middle of a message.
 *
 * <h2>Writing</h2>
 *
 * {@link #write} and {@link #writeMessage} take a copy of nothing: do not change the array until
 * the future completes. A write completes when its bytes were handed to the connection.
 *
 * <h2>Errors and deadlines</h2>
 *
 * Futures fail with {@link StreamException}: {@code RESET} when the stream was reset, {@code
 * TIMEOUT} when an operation outlives the {@link #setDeadline deadline}, {@code TOO_LARGE} for a
 * message over the limit, {@code CLOSED} when the stream or connection is gone.
 *
 * <h2>Threads</h2>
 *
 * Every method may be called from any thread. Every returned future completes on the host's user
 * executor (never on a network thread), so dependent stages run there too.
 */
public interface Stream {
  /** {@return the peer at the other end} */
  PeerId remotePeer();

  /** {@return the negotiated protocol id} */
  String protocol();

  /** {@return true if we opened the stream} */
  boolean isOutbound();

  /** {@return the next chunk of bytes (any size &gt; 0), or empty at the end of the stream} */
  CompletableFuture<Optional<byte[]>> read();

  /**
   * Reads exactly {@code length} bytes.
   *
   * @param length how many bytes; not negative
   * @return a future with the bytes, or empty if the stream ended cleanly before the first of them;
   *     it fails with a {@link StreamException} if the stream ends in between, is reset or times
   *     out
   */
  CompletableFuture<Optional<byte[]>> readExactly(int length);

  /**
   * One uvarint-length-prefixed message, or empty at a clean end of stream before its first byte.
   *
   * @param maxLength the longest message accepted; a longer prefix fails with {@code TOO_LARGE} and
   *     resets the stream
   * @return a future with the message, or empty at a clean end of stream; it fails with a {@link
   *     StreamException} otherwise
   */
  CompletableFuture<Optional<byte[]>> readMessage(int maxLength);

  /**
   * Writes raw bytes.
   *
   * @param bytes the bytes; not copied, so do not change them until the future completes
   * @return a future that completes when the bytes were handed to the connection; it fails with a
   *     {@link StreamException} if the stream is closed or reset, or too much is buffered
   */
  CompletableFuture<Void> write(byte[] bytes);

  /**
   * Writes {@code message} preceded by its uvarint length.
   *
   * @param message the message
   * @return a future as {@link #write}'s
   */
  CompletableFuture<Void> writeMessage(byte[] message);

  /**
   * Half-closes: sends FIN after queued writes; reading goes on.
   *
   * @return a future that completes when the FIN is sent
   */
  CompletableFuture<Void> closeWrite();

  /** Aborts the stream both ways (Yamux RST); pending operations fail with {@code RESET}. */
  void reset();

  /**
   * Closes gracefully: half-closes if not done yet and stops reading (unread input is dropped, as
   * go-libp2p's {@code Close}). Pending reads complete empty.
   */
  void close();

  /**
   * Sets the time limit of each read and write started from now on ({@link Duration#ZERO} for none,
   * the default). A read or write that times out fails with {@code TIMEOUT} and the stream is
   * reset, since its state is then undefined.
   *
   * @param timeout the limit per operation; {@link Duration#ZERO} for none
   */
  void setDeadline(Duration timeout);
}
