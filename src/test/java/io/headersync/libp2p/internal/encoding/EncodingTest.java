package io.headersync.libp2p.internal.encoding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

class EncodingTest {
  @Test
  void base58RoundTripsRandomBytesWithLeadingZeros() {
    Random r = new Random(7);
    for (int i = 0; i < 500; i++) {
      byte[] b = new byte[r.nextInt(60)];
      r.nextBytes(b);
      for (int z = 0; z < Math.min(b.length, i % 4); z++) {
        b[z] = 0;
      }
      assertArrayEquals(b, Base58.decode(Base58.encode(b)));
    }
    assertEquals("111", Base58.encode(new byte[3]));
    assertEquals("2NEpo7TZRRrLZSi2U", Base58.encode("Hello World!".getBytes()));
    assertThrows(IllegalArgumentException.class, () -> Base58.decode("0OIl"));
  }

  @Test
  void base32MatchesRfc4648WithoutPadding() {
    assertEquals("", Base32.encode(new byte[0]));
    assertEquals("my", Base32.encode("f".getBytes()));
    assertEquals("mzxw6ytboi", Base32.encode("foobar".getBytes()));
    assertArrayEquals("foobar".getBytes(), Base32.decode("MZXW6YTBOI"));
    assertThrows(IllegalArgumentException.class, () -> Base32.decode("m1"));
    assertThrows(
        IllegalArgumentException.class, () -> Base32.decode("mz")); // non-zero trailing bits
    Random r = new Random(8);
    for (int i = 0; i < 200; i++) {
      byte[] b = new byte[r.nextInt(40)];
      r.nextBytes(b);
      assertArrayEquals(b, Base32.decode(Base32.encode(b)));
    }
  }

  @Test
  void multibaseDecodesTheCommonPrefixes() {
    byte[] x = {1, 2, 3};
    assertArrayEquals(x, Multibase.decode("b" + Base32.encode(x)));
    assertArrayEquals(x, Multibase.decode("z" + Base58.encode(x)));
    assertArrayEquals(x, Multibase.decode("f010203"));
    assertArrayEquals(x, Multibase.decode("uAQID"));
    assertArrayEquals(x, Multibase.decode("mAQID"));
    assertThrows(IllegalArgumentException.class, () -> Multibase.decode("q123"));
    assertThrows(IllegalArgumentException.class, () -> Multibase.decode(""));
  }
}
