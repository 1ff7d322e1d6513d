package io.headersync.exchange.internal;

import io.headersync.exchange.ExchangeProtocolException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Cuts a byte stream into uvarint-length-prefixed frames, however the bytes arrive. Holds at most
 * one unfinished frame (bounded by {@code maxFrameSize} plus its prefix). Not thread-safe.
 */
public final class FrameReader {
  private final int maxFrameSize;
  private byte[] buf = new byte[0];
  private int len;

  public FrameReader(int maxFrameSize) {
    this.maxFrameSize = maxFrameSize;
  }

  /**
   * Adds {@code chunk} and returns the frames it completed (their bodies, without prefixes).
   *
   * @throws ExchangeProtocolException if a length prefix is malformed or over the limit
   */
  public List<byte[]> push(byte[] chunk) {
    if (len + chunk.length > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(len + chunk.length, buf.length * 2));
    }
    System.arraycopy(chunk, 0, buf, len, chunk.length);
    len += chunk.length;
    List<byte[]> out = new ArrayList<>();
    int pos = 0;
    while (pos < len) {
      Uvarint.Result prefix;
      try {
        prefix = Uvarint.read(buf, pos, len);
      } catch (IllegalArgumentException e) {
        throw new ExchangeProtocolException("malformed frame length: " + e.getMessage());
      }
      if (prefix == null) {
        break;
      }
      int size = ExchangeWire.checkFrameLength(prefix.value(), maxFrameSize);
      int start = pos + prefix.length();
      if (len - start < size) {
        break;
      }
      out.add(Arrays.copyOfRange(buf, start, start + size));
      pos = start + size;
    }
    if (pos > 0) {
      System.arraycopy(buf, pos, buf, 0, len - pos);
      len -= pos;
    }
    return out;
  }

  /** True if bytes of an unfinished frame are held. */
  public boolean hasPartialFrame() {
    return len > 0;
  }
}
