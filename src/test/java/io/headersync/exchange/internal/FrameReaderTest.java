package io.headersync.exchange.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.exchange.ExchangeProtocolException;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FrameReaderTest {
  private static byte[] stream(List<byte[]> messages) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] m : messages) {
      out.writeBytes(ExchangeWire.frame(m));
    }
    return out.toByteArray();
  }

  @Test
  void cutsFramesSplitAtEveryPosition() {
    Random r = new Random(1);
    List<byte[]> messages = new ArrayList<>();
    for (int size : new int[] {0, 1, 127, 128, 300, 20_000}) {
      byte[] m = new byte[size];
      r.nextBytes(m);
      messages.add(m);
    }
    byte[] all = stream(messages);
    for (int split = 0; split <= all.length; split += split < 400 ? 1 : 997) {
      FrameReader reader = new FrameReader(1 << 20);
      List<byte[]> got = new ArrayList<>(reader.push(Arrays.copyOfRange(all, 0, split)));
      got.addAll(reader.push(Arrays.copyOfRange(all, split, all.length)));
      assertEquals(messages.size(), got.size(), "split at " + split);
      for (int i = 0; i < got.size(); i++) {
        assertArrayEquals(messages.get(i), got.get(i), "message " + i + ", split at " + split);
      }
      assertFalse(reader.hasPartialFrame());
    }
  }

  @Test
  void byteByByte() {
    byte[] all = stream(List.of(new byte[] {1, 2, 3}, new byte[200]));
    FrameReader reader = new FrameReader(1 << 20);
    List<byte[]> got = new ArrayList<>();
    for (byte b : all) {
      got.addAll(reader.push(new byte[] {b}));
      if (got.size() < 2) {
        assertTrue(reader.hasPartialFrame() || got.size() == 1);
      }
    }
    assertEquals(2, got.size());
  }

  @Test
  void rejectsAFrameOverTheLimitBeforeBufferingIt() {
    FrameReader reader = new FrameReader(100);
    ExchangeProtocolException e =
        assertThrows(
            ExchangeProtocolException.class, () -> reader.push(new byte[] {(byte) 0xE5, 0x00}));
    assertTrue(e.getMessage().contains("101 bytes exceeds the limit of 100"), e.getMessage());
  }

  @Test
  void rejectsAnOverflowingPrefix() {
    FrameReader reader = new FrameReader(100);
    byte[] bad = new byte[11];
    Arrays.fill(bad, (byte) 0xFF);
    assertThrows(ExchangeProtocolException.class, () -> reader.push(bad));
  }

  @Test
  void framesInsideAChunkAreSlicesOfItAndTheRestCarriesOver() {
    byte[] all =
        stream(List.of(new byte[] {1, 2}, new byte[] {3}, new byte[300], new byte[] {4, 5, 6}));
    FrameReader reader = new FrameReader(1 << 20);
    List<byte[]> got = new ArrayList<>();
    byte[] first = Arrays.copyOfRange(all, 0, 10); // two whole frames, the start of the third
    reader.push(
        first,
        (buf, off, len) -> {
          assertTrue(buf == first, "a frame inside the chunk is not copied");
          got.add(Arrays.copyOfRange(buf, off, off + len));
        });
    assertEquals(2, got.size());
    assertTrue(reader.hasPartialFrame());
    // three-way split: the held part grows, then completes with the last frame
    reader.push(
        Arrays.copyOfRange(all, 10, 200),
        (buf, off, len) -> got.add(Arrays.copyOfRange(buf, off, off + len)));
    assertEquals(2, got.size());
    reader.push(
        Arrays.copyOfRange(all, 200, all.length),
        (buf, off, len) -> got.add(Arrays.copyOfRange(buf, off, off + len)));
    assertEquals(4, got.size());
    assertArrayEquals(new byte[300], got.get(2));
    assertArrayEquals(new byte[] {4, 5, 6}, got.get(3));
    assertFalse(reader.hasPartialFrame());
  }
}
