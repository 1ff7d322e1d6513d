package io.headersync.exchange.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.Hash;
import io.headersync.exchange.ExchangeProtocol;
import io.headersync.exchange.ExchangeProtocolException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExchangeWireTest {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void headRequestSetsTheOneofExplicitly() {
    assertEquals("0408001801", HEX.formatHex(ExchangeWire.headRequestFrame()));
  }

  @Test
  void rangeRequestBytes() {
    // origin 300 (ac 02), amount 64 (40)
    assertEquals("0508ac021840", HEX.formatHex(ExchangeWire.rangeRequestFrame(300, 64)));
  }

  @Test
  void hashRequestBytes() {
    assertEquals(
        "061202abcd1801", HEX.formatHex(ExchangeWire.hashRequestFrame(Hash.parse("ABCD"))));
  }

  @Test
  void notFoundFrameIsGoHeaders() {
    assertEquals("021002", HEX.formatHex(ExchangeWire.notFoundFrame()));
  }

  @Test
  void okResponseMatchesProtobufEncoding() {
    byte[] body = new byte[200];
    Arrays.fill(body, (byte) 7);
    byte[] expected =
        ExchangeWire.frame(
            io.headersync.exchange.internal.ExchangeProto.HeaderResponse.newBuilder()
                .setBody(com.google.protobuf.ByteString.copyFrom(body))
                .setStatusCode(io.headersync.exchange.internal.ExchangeProto.StatusCode.OK)
                .build()
                .toByteArray());
    assertArrayEquals(expected, ExchangeWire.okResponseFrame(body));
    assertEquals(
        "0a05010203040510" + "01",
        HEX.formatHex(ExchangeWire.okResponseFrame(new byte[] {1, 2, 3, 4, 5})).substring(2));
  }

  @Test
  void parsesRequestsOfEveryKind() {
    HeaderRequest head = ExchangeWire.parseRequest(HEX.parseHex("08001801"));
    assertEquals(HeaderRequest.Kind.ORIGIN, head.kind());
    assertEquals(0, head.origin());
    assertEquals(1, head.amount());
    HeaderRequest byHash = ExchangeWire.parseRequest(HEX.parseHex("1202abcd1801"));
    assertEquals(HeaderRequest.Kind.HASH, byHash.kind());
    assertEquals(Hash.parse("abcd"), byHash.hash());
    assertEquals(HeaderRequest.Kind.UNSET, ExchangeWire.parseRequest(HEX.parseHex("1801")).kind());
  }

  @Test
  void parsesUint64OriginBeyondSignedRange() {
    HeaderRequest r =
        ExchangeWire.parseRequest(
            ExchangeProto.HeaderRequest.newBuilder()
                .setOrigin(-1L)
                .setAmount(2)
                .build()
                .toByteArray());
    assertEquals("18446744073709551615", Long.toUnsignedString(r.origin()));
  }

  @Test
  void malformedRequestNamesItsSize() {
    ExchangeProtocolException e =
        assertThrows(
            ExchangeProtocolException.class, () -> ExchangeWire.parseRequest(HEX.parseHex("0a05")));
    assertTrue(e.getMessage().contains("malformed HeaderRequest (2 bytes)"), e.getMessage());
  }

  @Test
  void parsesResponses() {
    HeaderResponse notFound = ExchangeWire.parseResponse(HEX.parseHex("1002"));
    assertEquals(HeaderResponse.NOT_FOUND, notFound.statusCode());
    assertEquals(0, notFound.body().length);
  }

  @Test
  void okResponseFramesAreTheFramesOneAfterTheOther() {
    List<byte[]> bodies = List.of(new byte[] {1}, new byte[0], new byte[300], new byte[] {2, 3});
    java.io.ByteArrayOutputStream expected = new java.io.ByteArrayOutputStream();
    for (byte[] b : bodies) {
      expected.writeBytes(ExchangeWire.okResponseFrame(b));
    }
    assertArrayEquals(expected.toByteArray(), ExchangeWire.okResponseFrames(bodies));
    assertEquals(0, ExchangeWire.okResponseFrames(List.of()).length);
  }

  @Test
  void parsesAResponseInsideALargerArrayAndCopiesTheBody() {
    byte[] frame = ExchangeWire.okResponseFrame(new byte[] {9, 8, 7});
    byte[] buf = new byte[frame.length + 4];
    System.arraycopy(frame, 1, buf, 2, frame.length - 1); // the message without its length prefix
    HeaderResponse r = ExchangeWire.parseResponse(buf, 2, frame.length - 1);
    assertEquals(HeaderResponse.OK, r.statusCode());
    assertArrayEquals(new byte[] {9, 8, 7}, r.body());
    buf[2 + 2] = 0; // the body does not alias the input
    assertArrayEquals(new byte[] {9, 8, 7}, r.body());
    ExchangeProtocolException e =
        assertThrows(
            ExchangeProtocolException.class,
            () -> ExchangeWire.parseResponse(buf, 2, 3)); // cut inside the body
    assertTrue(e.getMessage().contains("malformed HeaderResponse (3 bytes)"), e.getMessage());
  }

  @Test
  void frameLengthIsBounded() {
    assertEquals(10, ExchangeWire.checkFrameLength(10, 1 << 20));
    ExchangeProtocolException e =
        assertThrows(
            ExchangeProtocolException.class,
            () -> ExchangeWire.checkFrameLength((1 << 20) + 1, 1 << 20));
    assertTrue(
        e.getMessage().contains("1048577 bytes exceeds the limit of 1048576"), e.getMessage());
    assertThrows(
        ExchangeProtocolException.class, () -> ExchangeWire.checkFrameLength(-1L, 1 << 20));
  }

  @Test
  void protocolIdFollowsGoHeader() {
    assertEquals("/gm/header-ex/v0.0.3", ExchangeProtocol.protocolId("gm"));
    assertEquals("/gm-headerSync/header-ex/v0.0.3", ExchangeProtocol.protocolId("gm-headerSync"));
    assertEquals("header-ex/v0.0.3", ExchangeProtocol.protocolId(""));
  }
}
