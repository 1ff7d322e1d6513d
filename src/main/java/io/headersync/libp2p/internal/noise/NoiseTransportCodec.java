package io.headersync.libp2p.internal.noise;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.ByteToMessageCodec;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;

/**
 * The encrypted transport after a Noise handshake (go-libp2p {@code rw.go}).
 *
 * <p>Inbound: reads 2-byte big-endian length-prefixed Noise messages of any length up to 65535 (at
 * least the 16-byte tag) and emits each decrypted payload as a new heap {@link ByteBuf} the next
 * handler owns. Outbound: the {@link ByteBuf}s written between two flushes (which this codec
 * releases) are gathered and encrypted at the flush in chunks of at most {@value #MAX_PLAINTEXT}
 * plaintext bytes, one Noise message each (go-libp2p encrypts per {@code Write}; a reader cannot
 * tell the difference, and a Yamux header, its data and a FIN written together then cost one
 * message and one socket write instead of three). At most {@value #MAX_GATHERED} bytes are held
 * back: more are encrypted and passed on at once, unflushed. Nothing written produces no message.
 *
 * <p>Failures (a tampered or truncated message, nonce exhaustion) fire a {@link NoiseException}
 * down the pipeline and close the channel; later input is discarded and released.
 *
 * <p>Nonces: each direction counts from 0, little-endian in the 12-byte nonce, with an empty
 * associated data; see {@link CipherState}.
 */
public final class NoiseTransportCodec extends ByteToMessageCodec<ByteBuf> {
  /** Largest Noise message. */
  public static final int MAX_MESSAGE = 65535;

  /** Largest plaintext per message: 65535 - 16. */
  public static final int MAX_PLAINTEXT = MAX_MESSAGE - Aead.TAG_LENGTH;

  /** Unflushed plaintext held back before it is encrypted anyway. */
  static final int MAX_GATHERED = 4 * MAX_PLAINTEXT;

  private static final byte[] NO_AD = new byte[0];

  private final CipherState enc;
  private final CipherState dec;
  private boolean failed;

  /** Plaintext written since the last flush, or null. */
  private ByteBuf gathered;

  /** The promises of the writes in {@link #gathered}, none of them void. */
  private final List<ChannelPromise> gatheredPromises = new ArrayList<>();

  public NoiseTransportCodec(CipherState enc, CipherState dec) {
    super(ByteBuf.class, false);
    this.enc = enc;
    this.dec = dec;
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise)
      throws Exception {
    if (!(msg instanceof ByteBuf buf)) {
      super.write(ctx, msg, promise);
      return;
    }
    try {
      if (gathered == null) {
        gathered = ctx.alloc().heapBuffer(Math.max(buf.readableBytes(), 256));
      }
      gathered.writeBytes(buf);
    } catch (RuntimeException e) {
      promise.tryFailure(e);
      return;
    } finally {
      buf.release();
    }
    if (!promise.isVoid()) {
      gatheredPromises.add(promise);
    }
    if (gathered.readableBytes() >= MAX_GATHERED) {
      writeGathered(ctx);
    }
  }

  @Override
  public void flush(ChannelHandlerContext ctx) throws Exception {
    writeGathered(ctx);
    ctx.flush();
  }

  /** Encrypts what was gathered (through {@link #encode}) and passes it on, unflushed. */
  private void writeGathered(ChannelHandlerContext ctx) throws Exception {
    ByteBuf plain = gathered;
    if (plain == null) {
      return;
    }
    gathered = null;
    if (gatheredPromises.isEmpty()) {
      super.write(ctx, plain, ctx.voidPromise());
      return;
    }
    ChannelPromise[] waiting = gatheredPromises.toArray(new ChannelPromise[0]);
    gatheredPromises.clear();
    ChannelPromise all = ctx.newPromise();
    all.addListener(
        f -> {
          for (ChannelPromise p : waiting) {
            if (f.isSuccess()) {
              p.trySuccess();
            } else {
              p.tryFailure(f.cause());
            }
          }
        });
    super.write(ctx, plain, all);
  }

  /** Drops unflushed plaintext (as Netty drops unflushed writes of a closed channel). */
  private void dropGathered() {
    if (gathered != null) {
      gathered.release();
      gathered = null;
    }
    if (!gatheredPromises.isEmpty()) {
      ClosedChannelException closed = new ClosedChannelException();
      for (ChannelPromise p : gatheredPromises) {
        p.tryFailure(closed);
      }
      gatheredPromises.clear();
    }
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) throws Exception {
    dropGathered();
    super.close(ctx, promise);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    dropGathered();
    super.channelInactive(ctx);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) throws Exception {
    dropGathered();
    super.handlerRemoved(ctx);
  }

  @Override
  protected void encode(ChannelHandlerContext ctx, ByteBuf msg, ByteBuf out) {
    byte[] scratch = null;
    try {
      while (msg.isReadable()) {
        int n = Math.min(msg.readableBytes(), MAX_PLAINTEXT);
        byte[] src;
        int srcOff;
        if (msg.hasArray()) {
          src = msg.array();
          srcOff = msg.arrayOffset() + msg.readerIndex();
        } else {
          if (scratch == null || scratch.length < n) {
            scratch = new byte[n];
          }
          msg.getBytes(msg.readerIndex(), scratch, 0, n);
          src = scratch;
          srcOff = 0;
        }
        out.ensureWritable(2 + n + Aead.TAG_LENGTH);
        out.writeShort(n + Aead.TAG_LENGTH);
        if (out.hasArray()) {
          int w = out.writerIndex();
          enc.encryptWithAd(NO_AD, src, srcOff, n, out.array(), out.arrayOffset() + w);
          out.writerIndex(w + n + Aead.TAG_LENGTH);
        } else {
          byte[] c = new byte[n + Aead.TAG_LENGTH];
          enc.encryptWithAd(NO_AD, src, srcOff, n, c, 0);
          out.writeBytes(c);
        }
        msg.skipBytes(n);
      }
    } catch (NoiseException e) {
      ctx.close();
      throw e;
    }
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (failed) {
      in.skipBytes(in.readableBytes());
      return;
    }
    while (in.readableBytes() >= 2) {
      int len = in.getUnsignedShort(in.readerIndex());
      if (in.readableBytes() < 2 + len) {
        return;
      }
      if (len < Aead.TAG_LENGTH) {
        failed(
            ctx,
            in,
            new NoiseException(
                NoiseException.Reason.MALFORMED,
                "Noise message of " + len + " bytes is shorter than a tag"));
        return;
      }
      int start = in.readerIndex() + 2;
      byte[] src;
      int srcOff;
      if (in.hasArray()) {
        src = in.array();
        srcOff = in.arrayOffset() + start;
      } else {
        src = new byte[len];
        in.getBytes(start, src);
        srcOff = 0;
      }
      int n = len - Aead.TAG_LENGTH;
      ByteBuf plain = ctx.alloc().heapBuffer(n);
      try {
        if (plain.hasArray()) {
          dec.decryptWithAd(NO_AD, src, srcOff, len, plain.array(), plain.arrayOffset());
          plain.writerIndex(n);
        } else {
          byte[] p = new byte[n];
          dec.decryptWithAd(NO_AD, src, srcOff, len, p, 0);
          plain.writeBytes(p);
        }
      } catch (NoiseException e) {
        plain.release();
        failed(ctx, in, e);
        return;
      }
      in.skipBytes(2 + len);
      out.add(plain);
    }
  }

  private void failed(ChannelHandlerContext ctx, ByteBuf in, NoiseException e) {
    failed = true;
    in.skipBytes(in.readableBytes());
    ctx.fireExceptionCaught(e);
    ctx.close();
  }
}
