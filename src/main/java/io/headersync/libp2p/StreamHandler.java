package io.headersync.libp2p;

/**
 * Serves one protocol on inbound streams. Register with {@link Host#setStreamHandler}.
 *
 * <p>Threads: {@link #handle} runs on the host's user executor, never on a network thread; it may
 * block briefly, but long work should go through the stream's futures. The handler owns the stream
 * and must close or reset it.
 */
@FunctionalInterface
public interface StreamHandler {
  /**
   * Serves one inbound stream.
   *
   * @param stream the stream, with its protocol negotiated; the handler must close or reset it
   */
  void handle(Stream stream);
}
