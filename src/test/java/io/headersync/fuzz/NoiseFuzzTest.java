package io.headersync.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import io.headersync.libp2p.KeyFormatException;
import io.headersync.libp2p.PrivateKey;
import io.headersync.libp2p.internal.Buffers;
import io.headersync.libp2p.internal.ByteCollector;
import io.headersync.libp2p.internal.noise.Aead;
import io.headersync.libp2p.internal.noise.CipherState;
import io.headersync.libp2p.internal.noise.HandshakeState;
import io.headersync.libp2p.internal.noise.NoiseConfig;
import io.headersync.libp2p.internal.noise.NoiseException;
import io.headersync.libp2p.internal.noise.NoiseHandshakeHandler;
import io.headersync.libp2p.internal.noise.NoiseSession;
import io.headersync.libp2p.internal.noise.NoiseTransportCodec;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.bouncycastle.util.test.FixedSecureRandom;

/**
 * Noise XX: the handshake handler fed peer messages (framing, message 1 and 3 as the responder, the
 * payload of message 2 as the initiator) and the transport codec fed frames under known keys. All
 * randomness is fixed, so an input always replays the same handshake.
 */
class NoiseFuzzTest {
  private static final PrivateKey ALICE = key(1);
  private static final PrivateKey BOB = key(2);

  /** A valid framed message 1 from an initiator with fixed randomness. */
  private static final byte[] M1;

  static {
    EmbeddedChannel initiator =
        new EmbeddedChannel(
            new NoiseHandshakeHandler(
                config(ALICE, 1), true, null, s -> null, new CompletableFuture<>()));
    M1 = Buffers.drainOutbound(initiator);
    initiator.finishAndReleaseAll();
  }

  private static PrivateKey key(int b) {
    byte[] seed = new byte[32];
    Arrays.fill(seed, (byte) b);
    return PrivateKey.ed25519FromSeed(seed);
  }

  static SecureRandom random(int seed) {
    byte[] stream = new byte[256];
    new Random(seed).nextBytes(stream);
    return new FixedSecureRandom(stream);
  }

  static NoiseConfig config(PrivateKey id, int seed) {
    return new NoiseConfig(id, random(seed), Duration.ofSeconds(15), List.of(), Aead.DEFAULT);
  }

  /**
   * The responder fed peer bytes after the input's first byte, which selects the read size and,
   * with its high bit set, a valid message 1 first, so the rest is read as message 3 (garbage after
   * a valid-looking first message).
   */
  @FuzzTest(maxDuration = Fuzz.DURATION)
  void responder(byte[] input) {
    if (input.length == 0) {
      return;
    }
    CompletableFuture<NoiseSession> result = new CompletableFuture<>();
    ByteCollector app = new ByteCollector();
    EmbeddedChannel ch =
        new EmbeddedChannel(
            new NoiseHandshakeHandler(config(BOB, 2), false, null, s -> app, result));
    if (input[0] < 0) {
      ch.writeInbound(Unpooled.wrappedBuffer(M1));
    }
    Fuzz.feed(
        ch,
        input,
        1,
        Fuzz.readSize(input[0]),
        NoiseException.class,
        InvalidProtocolBufferException.class,
        KeyFormatException.class);
    Fuzz.expectFuture(
        result,
        NoiseException.class,
        InvalidProtocolBufferException.class,
        KeyFormatException.class);
  }

  /**
   * The initiator receives a well-formed message 2 (right keys, right AEAD) whose payload is the
   * input: the identity key protobuf, key parsing, signature check and extensions.
   */
  @FuzzTest(maxDuration = Fuzz.DURATION)
  void payload(byte[] input) {
    CompletableFuture<NoiseSession> result = new CompletableFuture<>();
    EmbeddedChannel ch =
        new EmbeddedChannel(
            new NoiseHandshakeHandler(config(ALICE, 1), true, null, s -> null, result));
    try {
      byte[] m1 = Buffers.drainOutbound(ch);
      HandshakeState responder =
          new HandshakeState(
              false, HandshakeState.generatePrivateKey(random(9)), random(10), Aead.DEFAULT);
      responder.readMessage(Arrays.copyOfRange(m1, 2, m1.length));
      byte[] m2 = responder.writeMessage(input);
      if (m2.length > HandshakeState.MAX_MESSAGE_LENGTH) {
        return;
      }
      try {
        ch.writeInbound(
            Unpooled.wrappedBuffer(new byte[] {(byte) (m2.length >> 8), (byte) m2.length}, m2));
      } catch (RuntimeException e) {
        Fuzz.expect(
            e,
            NoiseException.class,
            InvalidProtocolBufferException.class,
            KeyFormatException.class);
      }
      Fuzz.expectFuture(
          result,
          NoiseException.class,
          InvalidProtocolBufferException.class,
          KeyFormatException.class);
    } finally {
      Fuzz.close(
          ch, NoiseException.class, InvalidProtocolBufferException.class, KeyFormatException.class);
    }
  }

  /**
   * The transport codec under fixed keys. The input is a sequence of segments, each a header byte
   * then up to {@code (header >>> 1) * 16} bytes: with the header's low bit set the bytes go on the
   * wire raw, else as the frames the peer's codec makes of them. The wire is read in 1000-byte
   * reads; when nothing raw was mixed in, the application must receive exactly the plaintexts.
   */
  @FuzzTest(maxDuration = Fuzz.DURATION)
  void transport(byte[] input) {
    byte[] k1 = new byte[32];
    byte[] k2 = new byte[32];
    k2[0] = 1;
    EmbeddedChannel sender =
        new EmbeddedChannel(
            new NoiseTransportCodec(
                CipherState.withKey(Aead.DEFAULT, k1), CipherState.withKey(Aead.DEFAULT, k2)));
    ByteCollector app = new ByteCollector();
    EmbeddedChannel receiver =
        new EmbeddedChannel(
            new NoiseTransportCodec(
                CipherState.withKey(Aead.DEFAULT, k2), CipherState.withKey(Aead.DEFAULT, k1)),
            app);
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    ByteArrayOutputStream plain = new ByteArrayOutputStream();
    boolean raw = false;
    try {
      for (int p = 0; p < input.length; ) {
        int header = input[p++] & 0xff;
        int n = Math.min((header >>> 1) * 16, input.length - p);
        byte[] bytes = Arrays.copyOfRange(input, p, p + n);
        p += n;
        if ((header & 1) == 1) {
          raw = true;
          wire.writeBytes(bytes);
        } else if (n > 0) {
          plain.writeBytes(bytes);
          sender.writeOutbound(Unpooled.wrappedBuffer(bytes));
          wire.writeBytes(Buffers.drainOutbound(sender));
        }
      }
    } finally {
      Fuzz.close(sender);
    }
    Fuzz.feed(receiver, wire.toByteArray(), 0, 1000, NoiseException.class);
    if (!raw && !Arrays.equals(plain.toByteArray(), app.bytes())) {
      throw new AssertionError("the receiver did not get exactly what was sent");
    }
  }
}
