package io.headersync.libp2p.host;

import io.headersync.libp2p.Stream;
import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.util.concurrent.CompletableFuture;

/** Test helpers over {@link Stream}. */
public final class StreamIo {
  private StreamIo() {}

  /** Reads until EOF. */
  public static CompletableFuture<byte[]> readAll(Stream s) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CompletableFuture<byte[]> done = new CompletableFuture<>();
    readLoop(s, out, done);
    return done;
  }

  private static void readLoop(
      Stream s, ByteArrayOutputStream out, CompletableFuture<byte[]> done) {
    s.read()
        .whenComplete(
            (c, t) -> {
              if (t != null) {
                done.completeExceptionally(t);
              } else if (c.isEmpty()) {
                done.complete(out.toByteArray());
              } else {
                out.writeBytes(c.get());
                readLoop(s, out, done);
              }
            });
  }

  /** Writes {@code data} in chunks of {@code chunk} bytes, then half-closes. */
  public static CompletableFuture<Void> writeAllAndClose(Stream s, byte[] data, int chunk) {
    CompletableFuture<Void> f = CompletableFuture.completedFuture(null);
    for (int off = 0; off < data.length; off += chunk) {
      byte[] part = java.util.Arrays.copyOfRange(data, off, Math.min(data.length, off + chunk));
      f = f.thenCompose(v -> s.write(part));
    }
    return f.thenCompose(v -> s.closeWrite());
  }

  /** Echoes {@code data} over {@code s} and returns what came back. */
  public static CompletableFuture<byte[]> echo(Stream s, byte[] data) {
    CompletableFuture<byte[]> back = readAll(s);
    return writeAllAndClose(s, data, 64 * 1024)
        .thenCombine(
            back,
            (v, b) -> {
              s.close();
              return b;
            });
  }

  public static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
