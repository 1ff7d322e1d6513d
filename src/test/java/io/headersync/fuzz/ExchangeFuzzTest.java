package io.headersync.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.headersync.exchange.ExchangeProtocolException;
import io.headersync.exchange.internal.ExchangeWire;
import io.headersync.exchange.internal.FrameReader;
import io.headersync.exchange.internal.HeaderRequest;
import io.headersync.exchange.internal.HeaderResponse;
import java.util.Arrays;

/** header-ex/v0.0.3: requests (server side), responses (client side) and their uvarint framing. */
class ExchangeFuzzTest {
  @FuzzTest(maxDuration = Fuzz.DURATION)
  void request(byte[] input) {
    HeaderRequest r;
    try {
      r = ExchangeWire.parseRequest(input);
    } catch (RuntimeException e) {
      Fuzz.expect(e, ExchangeProtocolException.class);
      return;
    }
    r.kind();
    r.amount();
    r.toString();
  }

  @FuzzTest(maxDuration = Fuzz.DURATION)
  void response(byte[] input) {
    HeaderResponse r;
    try {
      r = ExchangeWire.parseResponse(input);
    } catch (RuntimeException e) {
      Fuzz.expect(e, ExchangeProtocolException.class);
      return;
    }
    r.body();
    r.statusCode();
  }

  /**
   * A response stream as the client reads it: the input after its first byte (which selects the
   * read size) goes into a {@link FrameReader} in reads of that size, every frame parsed.
   */
  @FuzzTest(maxDuration = Fuzz.DURATION)
  void responseFrames(byte[] input) {
    if (input.length == 0) {
      return;
    }
    FrameReader reader = new FrameReader(1 << 16);
    int readSize = Fuzz.readSize(input[0]);
    try {
      for (int p = 1; p < input.length; p += readSize) {
        byte[] chunk = Arrays.copyOfRange(input, p, Math.min(input.length, p + readSize));
        reader.push(chunk, (buf, off, len) -> ExchangeWire.parseResponse(buf, off, len));
      }
      reader.hasPartialFrame();
    } catch (RuntimeException e) {
      Fuzz.expect(e, ExchangeProtocolException.class);
    }
  }
}
