// Command noise-vectors writes a deterministic libp2p Noise XX transcript (fixed static,
// ephemeral and identity keys) computed with github.com/flynn/noise, the Noise library
// go-libp2p v0.48 uses. The handshake payloads are built the way go-libp2p's
// p2p/security/noise/handshake.go builds them (identity key, signature over
// "noise-libp2p-static-key:" + static key, extensions with stream_muxers ["/yamux/1.0.0"]).
//
// Usage: go run . -out ../../src/test/resources/vectors/noise/xx.json
package main

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"

	"github.com/flynn/noise"
)

func fill(b byte) []byte {
	out := make([]byte, 32)
	for i := range out {
		out[i] = b + byte(i)
	}
	return out
}

func appendVarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

func field(b []byte, num int, data []byte) []byte {
	b = append(b, byte(num<<3|2))
	b = appendVarint(b, uint64(len(data)))
	return append(b, data...)
}

// payload encodes pb.NoiseHandshakePayload by hand (fields 1, 2, 4 in order, as Go's proto.Marshal does).
func payload(id ed25519.PrivateKey, staticPub []byte, muxers []string) []byte {
	pub := id.Public().(ed25519.PublicKey)
	key := append([]byte{0x08, 0x01, 0x12, 0x20}, pub...)
	sig := ed25519.Sign(id, append([]byte("noise-libp2p-static-key:"), staticPub...))
	var out []byte
	out = field(out, 1, key)
	out = field(out, 2, sig)
	if muxers != nil {
		var ext []byte
		for _, m := range muxers {
			ext = field(ext, 2, []byte(m))
		}
		out = field(out, 4, ext)
	}
	return out
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

func main() {
	outPath := flag.String("out", "xx.json", "output file")
	flag.Parse()

	suite := noise.NewCipherSuite(noise.DH25519, noise.CipherChaChaPoly, noise.HashSHA256)
	iStatic, err := noise.DH25519.GenerateKeypair(bytes.NewReader(fill(0x10)))
	must(err)
	rStatic, err := noise.DH25519.GenerateKeypair(bytes.NewReader(fill(0x30)))
	must(err)
	iEph, rEph := fill(0x50), fill(0x70)
	iID := ed25519.NewKeyFromSeed(fill(0x90))
	rID := ed25519.NewKeyFromSeed(fill(0xb0))
	muxers := []string{"/yamux/1.0.0"}

	ihs, err := noise.NewHandshakeState(noise.Config{CipherSuite: suite, Pattern: noise.HandshakeXX,
		Initiator: true, StaticKeypair: iStatic, Random: bytes.NewReader(iEph)})
	must(err)
	rhs, err := noise.NewHandshakeState(noise.Config{CipherSuite: suite, Pattern: noise.HandshakeXX,
		Initiator: false, StaticKeypair: rStatic, Random: bytes.NewReader(rEph)})
	must(err)

	msg1, _, _, err := ihs.WriteMessage(nil, nil)
	must(err)
	_, _, _, err = rhs.ReadMessage(nil, msg1)
	must(err)
	p2 := payload(rID, rStatic.Public, muxers)
	msg2, _, _, err := rhs.WriteMessage(nil, p2)
	must(err)
	_, _, _, err = ihs.ReadMessage(nil, msg2)
	must(err)
	p3 := payload(iID, iStatic.Public, muxers)
	msg3, ics1, ics2, err := ihs.WriteMessage(nil, p3)
	must(err)
	_, rcs1, rcs2, err := rhs.ReadMessage(nil, msg3)
	must(err)
	_ = rcs1
	_ = ics2

	t1, err := ics1.Encrypt(nil, nil, []byte("hello from the initiator"))
	must(err)
	t2, err := ics1.Encrypt(nil, nil, []byte(""))
	must(err)
	t3, err := rcs2.Encrypt(nil, nil, []byte("hello from the responder"))
	must(err)

	h := hex.EncodeToString
	v := map[string]string{
		"protocol":                   "Noise_XX_25519_ChaChaPoly_SHA256",
		"generator":                  "github.com/flynn/noise v1.1.0 (interop/noise-vectors)",
		"initiator_static_random":    h(fill(0x10)),
		"responder_static_random":    h(fill(0x30)),
		"initiator_ephemeral_random": h(iEph),
		"responder_ephemeral_random": h(rEph),
		"initiator_static_public":    h(iStatic.Public),
		"responder_static_public":    h(rStatic.Public),
		"initiator_identity_seed":    h(fill(0x90)),
		"responder_identity_seed":    h(fill(0xb0)),
		"msg1":                       h(msg1),
		"payload2":                   h(p2),
		"msg2":                       h(msg2),
		"payload3":                   h(p3),
		"msg3":                       h(msg3),
		"handshake_hash":             h(ihs.ChannelBinding()),
		"transport_i2r_0":            h(t1),
		"transport_i2r_1":            h(t2),
		"transport_r2i_0":            h(t3),
	}
	out, err := json.MarshalIndent(v, "", "  ")
	must(err)
	must(os.WriteFile(*outPath, append(out, '\n'), 0o644))
}
