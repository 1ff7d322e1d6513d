package io.headersync.libp2p.internal.noise;

import io.headersync.annotation.Nullable;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import org.bouncycastle.math.ec.rfc7748.X25519;

/**
 * The Noise HandshakeState for pattern XX with X25519 (prologue empty, as libp2p uses it):
 *
 * <pre>
 *   -> e
 *   <- e, ee, s, es
 *   -> s, se
 * </pre>
 *
 * Call {@link #writeMessage} and {@link #readMessage} in pattern order; after the third message
 * {@link #isComplete()} is true and {@link #split()} returns the transport cipher states. Not
 * thread-safe. Ephemeral keys come from the injected {@link SecureRandom}.
 */
public final class HandshakeState {
  /** X25519 key and DH-output length. */
  public static final int DHLEN = 32;

  /** The largest Noise message (libp2p's 2-byte framing). */
  public static final int MAX_MESSAGE_LENGTH = 65535;

  private final boolean initiator;
  private final SymmetricState ss;
  private final SecureRandom random;
  private final byte[] sPriv;
  private final byte[] sPub;
  @Nullable private byte[] ePriv;
  @Nullable private byte[] re;
  @Nullable private byte[] rs;
  private int step;
  @Nullable private CipherState[] split;

  /**
   * @param staticPrivate our 32-byte X25519 static private key
   * @param random the source of the ephemeral key
   */
  public HandshakeState(
      boolean initiator, byte[] staticPrivate, SecureRandom random, Aead.Factory aeads) {
    this.initiator = initiator;
    this.random = Objects.requireNonNull(random, "random == null");
    if (staticPrivate.length != DHLEN) {
      throw new IllegalArgumentException("X25519 private key must be 32 bytes");
    }
    this.sPriv = staticPrivate.clone();
    this.sPub = publicKey(sPriv);
    this.ss = new SymmetricState(SymmetricState.PROTOCOL_NAME, aeads);
    ss.mixHash(new byte[0]); // empty prologue
  }

  /** Generates an X25519 private key from {@code random}. */
  public static byte[] generatePrivateKey(SecureRandom random) {
    byte[] k = new byte[DHLEN];
    X25519.generatePrivateKey(random, k);
    return k;
  }

  /** The X25519 public key of {@code priv}. */
  public static byte[] publicKey(byte[] priv) {
    byte[] pub = new byte[DHLEN];
    X25519.generatePublicKey(priv, 0, pub, 0);
    return pub;
  }

  /** X25519; rejects an all-zero result (low-order remote point). */
  static byte[] dh(byte[] priv, byte[] pub) {
    byte[] out = new byte[DHLEN];
    if (!X25519.calculateAgreement(priv, 0, pub, 0, out, 0)) {
      throw new NoiseException(NoiseException.Reason.BAD_KEY, "X25519 produced an all-zero secret");
    }
    return out;
  }

  public boolean isInitiator() {
    return initiator;
  }

  /** Our static public key. */
  public byte[] localStatic() {
    return sPub.clone();
  }

  /** The remote static public key, once received. */
  @Nullable
  public byte[] remoteStatic() {
    return rs == null ? null : rs.clone();
  }

  public byte[] handshakeHash() {
    return ss.handshakeHash();
  }

  /** Whether it is our turn to write. */
  public boolean isMyTurn() {
    return (step % 2 == 0) == initiator;
  }

  public boolean isComplete() {
    return step == 3;
  }

  /**
   * The transport cipher states {@code [initiator-to-responder, responder-to-initiator]}.
   *
   * @throws IllegalStateException before the handshake completes
   */
  public CipherState[] split() {
    if (split == null) {
      throw new IllegalStateException("handshake not complete");
    }
    return split.clone();
  }

  /** Writes the next message carrying {@code payload}. */
  public byte[] writeMessage(byte[] payload) {
    if (isComplete() || !isMyTurn()) {
      throw new IllegalStateException("not our turn to write (step " + step + ")");
    }
    byte[] out;
    switch (step) {
      case 0:
        {
          byte[] e = newEphemeral();
          ss.mixHash(e);
          out = concat(e, ss.encryptAndHash(payload));
          break;
        }
      case 1:
        {
          byte[] e = newEphemeral();
          ss.mixHash(e);
          ss.mixKey(dh(ePriv, re)); // ee
          byte[] s = ss.encryptAndHash(sPub);
          ss.mixKey(dh(sPriv, re)); // es
          out = concat(e, s, ss.encryptAndHash(payload));
          break;
        }
      default:
        {
          byte[] s = ss.encryptAndHash(sPub);
          ss.mixKey(dh(sPriv, re)); // se
          out = concat(s, ss.encryptAndHash(payload));
          break;
        }
    }
    if (out.length > MAX_MESSAGE_LENGTH) {
      throw new IllegalArgumentException("handshake message over " + MAX_MESSAGE_LENGTH + " bytes");
    }
    advance();
    return out;
  }

  /**
   * Reads the next message and returns its payload.
   *
   * @throws NoiseException if the message is too short, fails authentication or carries a bad key
   */
  public byte[] readMessage(byte[] msg) {
    if (isComplete() || isMyTurn()) {
      throw new IllegalStateException("not our turn to read (step " + step + ")");
    }
    byte[] payload;
    switch (step) {
      case 0:
        {
          need(msg, DHLEN, "message 1");
          re = Arrays.copyOf(msg, DHLEN);
          ss.mixHash(re);
          payload = ss.decryptAndHash(Arrays.copyOfRange(msg, DHLEN, msg.length));
          break;
        }
      case 1:
        {
          need(msg, DHLEN + DHLEN + 2 * Aead.TAG_LENGTH, "message 2");
          re = Arrays.copyOf(msg, DHLEN);
          ss.mixHash(re);
          ss.mixKey(dh(ePriv, re)); // ee
          rs = ss.decryptAndHash(Arrays.copyOfRange(msg, DHLEN, 2 * DHLEN + Aead.TAG_LENGTH));
          ss.mixKey(dh(ePriv, rs)); // es
          payload =
              ss.decryptAndHash(Arrays.copyOfRange(msg, 2 * DHLEN + Aead.TAG_LENGTH, msg.length));
          break;
        }
      default:
        {
          need(msg, DHLEN + 2 * Aead.TAG_LENGTH, "message 3");
          rs = ss.decryptAndHash(Arrays.copyOf(msg, DHLEN + Aead.TAG_LENGTH));
          ss.mixKey(dh(ePriv, rs)); // se
          payload = ss.decryptAndHash(Arrays.copyOfRange(msg, DHLEN + Aead.TAG_LENGTH, msg.length));
          break;
        }
    }
    advance();
    return payload;
  }

  private void advance() {
    step++;
    if (step == 3) {
      split = ss.split();
      if (ePriv != null) {
        Arrays.fill(ePriv, (byte) 0);
      }
    }
  }

  private byte[] newEphemeral() {
    ePriv = generatePrivateKey(random);
    return publicKey(ePriv);
  }

  private static void need(byte[] msg, int min, String what) {
    if (msg.length < min) {
      throw new NoiseException(
          NoiseException.Reason.MALFORMED,
          "Noise " + what + " is " + msg.length + " bytes, at least " + min + " expected");
    }
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int o = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, o, p.length);
      o += p.length;
    }
    return out;
  }
}
