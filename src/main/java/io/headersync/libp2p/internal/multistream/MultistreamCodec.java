package io.headersync.libp2p.internal.multistream;

import io.headersync.annotation.Nullable;
import io.headersync.libp2p.internal.encoding.Uvarint;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * multistream-select 1.0 framing: every message is {@code uvarint(len(token) + 1) ‖ token ‖ '\n'}.
 *
 * <p>Reading follows go-multistream's {@code lpReadBuf}: minimal varints, a length of at most
 * {@value #MAX_MESSAGE_LENGTH} (so tokens of at most 1023 bytes), a non-empty message whose last
 * byte is {@code '\n'}.
 */
public final class MultistreamCodec {
  /** The protocol id and header of multistream-select 1.0. */
  public static final String PROTOCOL_ID = "/multistream/1.0.0";

  /** The answer for an unsupported protocol. */
  public static final String NA = "na";

  /** The largest message length (token plus newline) accepted. */
  public static final int MAX_MESSAGE_LENGTH = 1024;

  private MultistreamCodec() {}

  /**
   * Encodes {@code tokens} as consecutive messages into one new buffer (the caller owns it).
   *
   * @throws IllegalArgumentException if a token is empty, contains a newline or is too long
   */
  public static ByteBuf encode(ByteBufAllocator alloc, String... tokens) {
    byte[][] raw = new byte[tokens.length][];
    int size = 0;
    for (int i = 0; i < tokens.length; i++) {
      raw[i] = checkToken(tokens[i]);
      size += Uvarint.size(raw[i].length + 1L) + raw[i].length + 1;
    }
    ByteBuf out = alloc.buffer(size);
    for (byte[] t : raw) {
      Uvarint.write(t.length + 1L, out);
      out.writeBytes(t);
      out.writeByte('\n');
    }
    return out;
  }

  /** Validates a token we are about to send; returns its UTF-8 bytes. */
  public static byte[] checkToken(String token) {
    byte[] b = token.getBytes(StandardCharsets.UTF_8);
    if (b.length == 0 || b.length >= MAX_MESSAGE_LENGTH || token.indexOf('\n') >= 0) {
      throw new IllegalArgumentException(
          "invalid multistream token (empty, newline or over 1023 bytes): " + token);
    }
    return b;
  }

  /**
   * Reads one message from {@code in} and returns its token, consuming it; returns null (and
   * consumes nothing) if the message is not complete yet.
   *
   * @throws MultistreamException with {@link MultistreamException.Reason#MALFORMED}
   */
  @Nullable
  public static String decode(ByteBuf in) {
    int prefix;
    long len;
    try {
      prefix = Uvarint.length(in, Uvarint.Format.MULTIFORMATS);
      if (prefix == Uvarint.INCOMPLETE) {
        return null;
      }
      len = Uvarint.decode(in, Uvarint.Format.MULTIFORMATS);
    } catch (Uvarint.VarintException e) {
      throw new MultistreamException(
          MultistreamException.Reason.MALFORMED, "multistream length: " + e.getMessage());
    }
    if (len > MAX_MESSAGE_LENGTH) {
      throw new MultistreamException(
          MultistreamException.Reason.MALFORMED,
          "multistream message of " + len + " bytes exceeds " + MAX_MESSAGE_LENGTH);
    }
    if (len == 0) {
      throw new MultistreamException(
          MultistreamException.Reason.MALFORMED, "empty multistream message");
    }
    if (in.readableBytes() < prefix + len) {
      return null;
    }
    int start = in.readerIndex() + prefix;
    int n = (int) len;
    if (in.getByte(start + n - 1) != '\n') {
      throw new MultistreamException(
          MultistreamException.Reason.MALFORMED, "multistream message without trailing newline");
    }
    String token = in.toString(start, n - 1, StandardCharsets.UTF_8);
    in.skipBytes(prefix + n);
    return token;
  }
}
