package io.headersync.exchange.internal;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.headersync.Hash;
import io.headersync.exchange.ExchangeProtocol;
import io.headersync.exchange.ExchangeProtocolException;
import io.headersync.libp2p.internal.encoding.Uvarint;
import java.util.List;
import java.util.Objects;

/**
 * Byte-exact encoding of header-ex/v0.0.3 messages and frames ({@code uvarint(len) || protobuf}).
 *
 * <p>A request always sets its oneof explicitly, so a head request ({@code origin = 0}) encodes as
 * {@code 08 00 18 01}: go-header's server resets a stream whose request has no oneof set.
 */
public final class ExchangeWire {
  /** The complete NOT_FOUND frame go-header's server sends: {@code 02 10 02}. */
  private static final byte[] NOT_FOUND_FRAME = {0x02, 0x10, 0x02};

  private ExchangeWire() {}

  /** The framed head request: {@code 04 08 00 18 01}. */
  public static byte[] headRequestFrame() {
    return frame(
        ExchangeProto.HeaderRequest.newBuilder().setOrigin(0).setAmount(1).build().toByteArray());
  }

  /** The framed request for {@code amount} headers from height {@code origin}. */
  public static byte[] rangeRequestFrame(long origin, long amount) {
    return frame(
        ExchangeProto.HeaderRequest.newBuilder()
            .setOrigin(origin)
            .setAmount(amount)
            .build()
            .toByteArray());
  }

  /**
   * The framed request for the header with {@code hash} (amount 1, as go-header's client sends).
   */
  public static byte[] hashRequestFrame(Hash hash) {
    Objects.requireNonNull(hash, "hash == null");
    return frame(
        ExchangeProto.HeaderRequest.newBuilder()
            .setHash(ByteString.copyFrom(hash.toByteArray()))
            .setAmount(1)
            .build()
            .toByteArray());
  }

  /** A new copy of the framed NOT_FOUND response. */
  public static byte[] notFoundFrame() {
    return NOT_FOUND_FRAME.clone();
  }

  /**
   * The framed OK response carrying {@code body}: {@code uvarint(n) 0A uvarint(len) body 10 01}, as
   * gogo-protobuf marshals {@code HeaderResponse{Body: body, StatusCode: OK}}.
   */
  public static byte[] okResponseFrame(byte[] body) {
    return okResponseFrames(List.of(body));
  }

  /**
   * {@link #okResponseFrame} of every body, one after the other, in one array of the exact size.
   */
  public static byte[] okResponseFrames(List<byte[]> bodies) {
    int total = 0;
    for (byte[] body : bodies) {
      int msgLen = okMessageLength(body.length);
      total += Uvarint.size(msgLen) + msgLen;
    }
    byte[] out = new byte[total];
    int p = 0;
    for (byte[] body : bodies) {
      int bodyLen = body.length;
      p = Uvarint.write(okMessageLength(bodyLen), out, p);
      if (bodyLen != 0) {
        out[p++] = 0x0A;
        p = Uvarint.write(bodyLen, out, p);
        System.arraycopy(body, 0, out, p, bodyLen);
        p += bodyLen;
      }
      out[p++] = 0x10;
      out[p++] = 0x01;
    }
    return out;
  }

  private static int okMessageLength(int bodyLen) {
    return (bodyLen == 0 ? 0 : 1 + Uvarint.size(bodyLen) + bodyLen) + 2;
  }

  /** Prefixes {@code message} with its uvarint length. */
  public static byte[] frame(byte[] message) {
    byte[] out = new byte[Uvarint.size(message.length) + message.length];
    int p = Uvarint.write(message.length, out, 0);
    System.arraycopy(message, 0, out, p, message.length);
    return out;
  }

  /**
   * Decodes an unframed request message.
   *
   * @throws ExchangeProtocolException if the bytes are not a {@code HeaderRequest}
   */
  public static HeaderRequest parseRequest(byte[] message) {
    ExchangeProto.HeaderRequest pb;
    try {
      pb = ExchangeProto.HeaderRequest.parseFrom(message);
    } catch (InvalidProtocolBufferException e) {
      throw new ExchangeProtocolException(
          "malformed HeaderRequest (" + message.length + " bytes): " + e.getMessage(), e);
    }
    switch (pb.getDataCase()) {
      case ORIGIN:
        return HeaderRequest.range(pb.getOrigin(), pb.getAmount());
      case HASH:
        return HeaderRequest.hash(Hash.wrap(pb.getHash().toByteArray()), pb.getAmount());
      default:
        return HeaderRequest.unset(pb.getAmount());
    }
  }

  /**
   * Decodes an unframed response message.
   *
   * @throws ExchangeProtocolException if the bytes are not a {@code HeaderResponse}
   */
  public static HeaderResponse parseResponse(byte[] message) {
    return parseResponse(message, 0, message.length);
  }

  /**
   * Decodes the unframed response message in {@code buf[off, off + len)}; the body is the only copy
   * made (the parser aliases the input instead of copying the message and then the body).
   *
   * @throws ExchangeProtocolException if the bytes are not a {@code HeaderResponse}
   */
  public static HeaderResponse parseResponse(byte[] buf, int off, int len) {
    try {
      CodedInputStream in = CodedInputStream.newInstance(buf, off, len);
      in.enableAliasing(true);
      ExchangeProto.HeaderResponse pb = ExchangeProto.HeaderResponse.parseFrom(in);
      return new HeaderResponse(pb.getBody().toByteArray(), pb.getStatusCodeValue());
    } catch (InvalidProtocolBufferException e) {
      throw new ExchangeProtocolException(
          "malformed HeaderResponse (" + len + " bytes): " + e.getMessage(), e);
    } catch (java.io.IOException e) {
      throw new ExchangeProtocolException("malformed HeaderResponse (" + len + " bytes): " + e, e);
    }
  }

  /** Checks a frame length announced by a peer against the limit. */
  public static int checkFrameLength(long length, int maxFrameSize) {
    if (length < 0 || length > maxFrameSize) {
      throw new ExchangeProtocolException(
          "frame of "
              + Long.toUnsignedString(length)
              + " bytes exceeds the limit of "
              + maxFrameSize
              + " bytes ("
              + ExchangeProtocol.BASE_ID
              + ")");
    }
    return (int) length;
  }
}
