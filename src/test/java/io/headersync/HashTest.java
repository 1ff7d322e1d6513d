package io.headersync;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HashTest {
  @Test
  void toStringIsUppercaseHexLikeGoHeader() {
    assertEquals("00AB10FF", Hash.of(new byte[] {0, (byte) 0xab, 0x10, (byte) 0xff}).toString());
  }

  @Test
  void parsesHexInEitherCase() {
    assertEquals(Hash.parse("00ab10ff"), Hash.parse("00AB10FF"));
    assertArrayEquals(
        new byte[] {0, (byte) 0xab, 0x10, (byte) 0xff}, Hash.parse("00aB10Ff").toByteArray());
  }

  @Test
  void emptyTextIsTheEmptyHash() {
    assertSame(Hash.EMPTY, Hash.parse(""));
    assertTrue(Hash.EMPTY.isEmpty());
    assertEquals("", Hash.EMPTY.toString());
  }

  @Test
  void rejectsOddLengthNamingTheLength() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Hash.parse("abc"));
    assertTrue(e.getMessage().contains("odd length 3"), e.getMessage());
  }

  @Test
  void rejectsNonHexNamingThePosition() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Hash.parse("00zz"));
    assertTrue(e.getMessage().contains("'z' at index 2"), e.getMessage());
  }

  @Test
  void isImmutable() {
    byte[] bytes = {1, 2, 3};
    Hash h = Hash.of(bytes);
    bytes[0] = 9;
    h.toByteArray()[1] = 9;
    assertEquals("010203", h.toString());
  }

  @Test
  void equalityAndOrderFollowBytes() {
    assertEquals(Hash.parse("0102"), Hash.of(new byte[] {1, 2}));
    assertEquals(Hash.parse("0102").hashCode(), Hash.of(new byte[] {1, 2}).hashCode());
    assertNotEquals(Hash.parse("0102"), Hash.parse("0103"));
    assertTrue(Hash.parse("FF").compareTo(Hash.parse("01")) > 0, "unsigned order");
    assertTrue(Hash.parse("01").compareTo(Hash.parse("0100")) < 0, "shorter first");
  }

  @Test
  void rejectsNull() {
    NullPointerException e = assertThrows(NullPointerException.class, () -> Hash.of(null));
    assertEquals("bytes == null", e.getMessage());
  }
}
