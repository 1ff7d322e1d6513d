package io.headersync.fuzz;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Shared pieces of the fuzz harnesses.
 *
 * <p>A harness calls a decoder with peer bytes and accepts only the decoder's documented, typed
 * failures; {@link #expect} turns anything else into a finding (an {@link AssertionError} Jazzer
 * reports, with the crashing input saved).
 */
final class Fuzz {
  /**
   * How long one harness fuzzes in fuzzing mode ({@code JAZZER_FUZZ=1}); regression mode ignores
   * it. Override for a longer local run with {@code -Djazzer.internal.arg.0=fuzz
   * -Djazzer.internal.arg.1=-max_total_time=<seconds>} (libFuzzer takes the last value).
   */
  static final String DURATION = "40s";

  private Fuzz() {}

  /** Exceptions that mean a bug wherever they appear in a failure's cause chain. */
  private static final List<Class<? extends Throwable>> BUGS =
      List.of(
          NullPointerException.class,
          IndexOutOfBoundsException.class,
          ArithmeticException.class,
          ClassCastException.class,
          NegativeArraySizeException.class,
          ArrayStoreException.class,
          IllegalStateException.class,
          UnsupportedOperationException.class,
          java.util.ConcurrentModificationException.class,
          java.util.NoSuchElementException.class,
          Error.class);

  /**
   * Rethrows {@code t} as a finding unless it is one of {@code allowed} (possibly wrapped in
   * Netty's {@link DecoderException} or a {@link CompletionException}) and no exception in its
   * cause chain is a bug (a {@code NullPointerException}, an index out of bounds, an {@code Error}:
   * a typed exception caused by one is still a finding, unless a library threw it inside its own
   * parsing; see {@link #thrownByOurCode}).
   */
  @SafeVarargs
  static void expect(Throwable t, Class<? extends Throwable>... allowed) {
    Throwable top = t;
    while ((top instanceof DecoderException || top instanceof CompletionException)
        && top.getCause() != null) {
      top = top.getCause();
    }
    if (!isAllowed(top, allowed)) {
      throw finding(t);
    }
    int depth = 0;
    for (Throwable c = t; c != null && depth < 32; c = c.getCause(), depth++) {
      for (Class<? extends Throwable> bug : BUGS) {
        if (bug.isInstance(c) && (c instanceof Error || thrownByOurCode(c))) {
          throw finding(t);
        }
      }
    }
  }

  /**
   * Whether {@code c} was thrown by our code: its first stack frame outside the JDK is ours. A
   * library that signals malformed input with an untyped exception internally (Bouncy Castle's
   * ASN.1 parser throws {@code IllegalStateException} for a malformed NULL, which it wraps itself)
   * is not a bug of ours as long as we wrap what reaches us in our typed exception, which the first
   * check demands.
   */
  private static boolean thrownByOurCode(Throwable c) {
    for (StackTraceElement e : c.getStackTrace()) {
      String cls = e.getClassName();
      if (cls.startsWith("java.") || cls.startsWith("jdk.") || cls.startsWith("sun.")) {
        continue;
      }
      return cls.startsWith("io.headersync.");
    }
    return true; // no frames outside the JDK (or none recorded): count it
  }

  private static boolean isAllowed(Throwable c, Class<? extends Throwable>[] allowed) {
    for (Class<? extends Throwable> a : allowed) {
      if (a.isInstance(c)) {
        return true;
      }
    }
    return false;
  }

  static AssertionError finding(Throwable t) {
    return new AssertionError("untyped failure from a decoder: " + t, t);
  }

  /**
   * As {@link #expect} for the exceptional completion of {@code f}, if it completed exceptionally.
   */
  @SafeVarargs
  static void expectFuture(CompletableFuture<?> f, Class<? extends Throwable>... allowed) {
    if (f.isCompletedExceptionally()) {
      try {
        f.join();
      } catch (CompletionException e) {
        expect(e.getCause(), allowed);
      } catch (RuntimeException e) {
        expect(e, allowed);
      }
    }
  }

  /** Fails if {@code buf} (handed to a handler, which now owns it) was not released. */
  static void assertReleased(ByteBuf buf, String what) {
    if (buf.refCnt() != 0) {
      throw new AssertionError(what + " was not released (refCnt " + buf.refCnt() + ")");
    }
  }

  /**
   * The read size a harness input's first byte selects: its low 7 bits times 32, plus 1 (1 to 4065
   * bytes); harnesses may use the high bit for a choice of their own. Seeds use {@code 0x7f}.
   */
  static int readSize(byte first) {
    return 1 + (first & 0x7f) * 32;
  }

  /**
   * Feeds {@code bytes[offset..]} to {@code ch} in reads of {@code readSize} bytes while it is
   * open, judging what the pipeline throws; then closes the channel (releasing what is left,
   * judging what that throws) and fails if a fed buffer was not released by then.
   */
  @SafeVarargs
  static void feed(
      EmbeddedChannel ch,
      byte[] bytes,
      int offset,
      int readSize,
      Class<? extends Throwable>... allowed) {
    List<byte[]> chunks = new ArrayList<>();
    for (int p = offset; p < bytes.length; p += readSize) {
      chunks.add(java.util.Arrays.copyOfRange(bytes, p, Math.min(bytes.length, p + readSize)));
    }
    feed(ch, chunks, allowed);
  }

  @SafeVarargs
  private static void feed(
      EmbeddedChannel ch, List<byte[]> chunks, Class<? extends Throwable>... allowed) {
    List<ByteBuf> fed = new ArrayList<>();
    try {
      for (byte[] chunk : chunks) {
        if (!ch.isOpen()) {
          break;
        }
        ByteBuf buf = ByteBufAllocator.DEFAULT.heapBuffer(chunk.length).writeBytes(chunk);
        fed.add(buf);
        try {
          ch.writeInbound(buf);
        } catch (RuntimeException e) {
          expect(e, allowed);
        }
      }
      try {
        ch.checkException();
      } catch (RuntimeException e) {
        expect(e, allowed);
      }
    } finally {
      close(ch, allowed);
    }
    for (ByteBuf buf : fed) {
      assertReleased(buf, "an inbound buffer");
    }
  }

  /** Releases everything still queued in {@code ch}, then closes it, judging what that throws. */
  @SafeVarargs
  static void close(EmbeddedChannel ch, Class<? extends Throwable>... allowed) {
    for (Object o; (o = ch.readOutbound()) != null; ) {
      ReferenceCountUtil.release(o);
    }
    for (Object o; (o = ch.readInbound()) != null; ) {
      ReferenceCountUtil.release(o);
    }
    try {
      ch.finishAndReleaseAll();
    } catch (RuntimeException e) {
      expect(e, allowed);
    }
  }
}
