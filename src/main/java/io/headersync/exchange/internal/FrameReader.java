package io.headersync.exchange.internal;

import io.headersync.exchange.ExchangeProtocolException;
import io.headersync.libp2p.internal.encoding.Uvarint;
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

  /** Receives frames as slices of an array that is only valid during the call. */
  public interface FrameSink {
    void frame(byte[] buf, int off, int len);
  }

  /**
   * Adds {@code chunk} and returns the frames it completed (their bodies, without prefixes).
   *
   * @throws ExchangeProtocolException if a length prefix is malformed or over the limit
   */
  public List<byte[]> push(byte[] chunk) {
    List<byte[]> out = new ArrayList<>();
    push(chunk, (b, off, n) -> out.add(Arrays.copyOfRange(b, off, off + n)));
    return out;
  }

  /**
   * Adds {@code chunk} and hands every frame it completed to {@code sink}, in order, without
   * copying: frames wholly inside {@code chunk} are cut from it directly, and only an unfinished
   * frame is copied aside.
   *
   * @throws ExchangeProtocolException if a length prefix is malformed or over the limit
   */
  public void push(byte[] chunk, FrameSink sink) {
    byte[] data;
    int end;
    if (len == 0) {
      data = chunk;
      end = chunk.length;
    } else {
      if (len + chunk.length > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(len + chunk.length, buf.length * 2));
      }
      System.arraycopy(chunk, 0, buf, len, chunk.length);
      len += chunk.length;
      data = buf;
      end = len;
    }
    int pos = 0;
    while (pos < end) {
      int prefixLength;
      long frameLength;
      try {
        prefixLength = Uvarint.length(data, pos, end, Uvarint.Format.GO);
        if (prefixLength == Uvarint.INCOMPLETE) {
          break;
        }
        frameLength = Uvarint.decode(data, pos, end, Uvarint.Format.GO);
      } catch (Uvarint.VarintException e) {
        throw new ExchangeProtocolException("malformed frame length: " + e.getMessage());
      }
      int size = ExchangeWire.checkFrameLength(frameLength, maxFrameSize);
      int start = pos + prefixLength;
      if (end - start < size) {
        break;
      }
      sink.frame(data, start, size);
      pos = start + size;
    }
    int rest = end - pos;
    if (data == buf) {
      System.arraycopy(buf, pos, buf, 0, rest);
    } else if (rest > 0) {
      if (rest > buf.length) {
        buf = new byte[Math.max(rest, buf.length * 2)];
      }
      System.arraycopy(chunk, pos, buf, 0, rest);
    }
    len = rest;
  }

  /** True if bytes of an unfinished frame are held. */
  public boolean hasPartialFrame() {
    return len > 0;
  }
}
