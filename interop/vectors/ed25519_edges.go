package main

import (
	"crypto/ed25519"
	"crypto/sha512"
	"encoding/hex"
	"math/rand"

	"filippo.io/edwards25519"
)

// ed25519Edge is one (public key, message, signature) with what Go's crypto/ed25519.Verify answers.
type ed25519Edge struct {
	Name      string `json:"name"`
	PublicKey string `json:"public_key"`
	Message   string `json:"message"`
	Signature string `json:"signature"`
	GoValid   bool   `json:"go_valid"`
}

// The eight points of small order, canonically encoded, and encodings whose y is not reduced mod p
// (y = p, p + 1, 2^255 - 1, with either sign bit): the inputs where Ed25519 implementations differ
// (cofactored or not, canonical checks or not). Go decides each case below; Java must agree.
var smallOrder = []string{
	"0100000000000000000000000000000000000000000000000000000000000000",
	"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"0000000000000000000000000000000000000000000000000000000000000000",
	"0000000000000000000000000000000000000000000000000000000000000080",
	"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
	"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
	"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
	"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
}

var nonCanonical = []string{
	"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
	"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
	"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
}

// The group order L, little-endian.
const orderL = "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010"

func unhex(s string) []byte {
	b, err := hex.DecodeString(s)
	must(err)
	return b
}

// addLE adds two 32-byte little-endian numbers, dropping a carry out of the top byte.
func addLE(a, b []byte) []byte {
	out := make([]byte, 32)
	carry := 0
	for i := 0; i < 32; i++ {
		v := int(a[i]) + int(b[i]) + carry
		out[i] = byte(v)
		carry = v >> 8
	}
	return out
}

// signWithNonce signs msg with the key of seed but with the nonce point R = r*B + T (T of small order,
// or the identity): a signature whose R has a small-order component.
func signWithNonce(seed []byte, r *edwards25519.Scalar, t *edwards25519.Point, msg []byte) ([]byte, []byte) {
	h := sha512.Sum512(seed)
	a, err := edwards25519.NewScalar().SetBytesWithClamping(h[:32])
	must(err)
	A := new(edwards25519.Point).ScalarBaseMult(a)
	R := new(edwards25519.Point).Add(new(edwards25519.Point).ScalarBaseMult(r), t)
	kh := sha512.New()
	kh.Write(R.Bytes())
	kh.Write(A.Bytes())
	kh.Write(msg)
	k, err := edwards25519.NewScalar().SetUniformBytes(kh.Sum(nil))
	must(err)
	s := edwards25519.NewScalar().MultiplyAdd(k, a, r)
	return A.Bytes(), append(R.Bytes(), s.Bytes()...)
}

func ed25519Edges() []ed25519Edge {
	var out []ed25519Edge
	add := func(name string, pk, msg, sig []byte) {
		out = append(out, ed25519Edge{name, hex.EncodeToString(pk), hex.EncodeToString(msg),
			hex.EncodeToString(sig), ed25519.Verify(ed25519.PublicKey(pk), msg, sig)})
	}
	msg := []byte("headersync ed25519 edge")
	zero := make([]byte, 32)
	points := append(append([]string{}, smallOrder...), nonCanonical...)
	// Small-order and non-canonical keys with small-order and non-canonical R, S = 0.
	for i, pk := range points {
		for j, r := range points {
			add("pk"+itoa(i)+"_r"+itoa(j)+"_s0", unhex(pk), msg, append(unhex(r), zero...))
		}
	}
	// A real key and signature, then the signature's S made non-canonical (S + L, S = L) or R garbled.
	seed := sha512.Sum512([]byte("headersync/ed25519/edges"))
	priv := ed25519.NewKeyFromSeed(seed[:32])
	pub := priv.Public().(ed25519.PublicKey)
	sig := ed25519.Sign(priv, msg)
	add("valid", pub, msg, sig)
	add("s_plus_l", pub, msg, append(append([]byte{}, sig[:32]...), addLE(sig[32:], unhex(orderL))...))
	add("s_equals_l", pub, msg, append(append([]byte{}, sig[:32]...), unhex(orderL)...))
	hi := append([]byte{}, sig...)
	hi[63] |= 0xe0
	add("s_high_bits", pub, msg, hi)
	for j, r := range points {
		add("valid_key_r"+itoa(j), pub, msg, append(unhex(r), sig[32:]...))
	}
	flipped := append([]byte{}, pub...)
	flipped[31] ^= 0x80
	add("key_sign_bit_flipped", flipped, msg, sig)
	// Mixed-order keys (A + T) and nonces with a small-order component (R + T), for every T.
	for i, t := range smallOrder {
		T, err := new(edwards25519.Point).SetBytes(unhex(t))
		if err != nil {
			continue
		}
		rb := make([]byte, 32)
		rb[0] = byte(i + 7)
		r, err := edwards25519.NewScalar().SetCanonicalBytes(rb)
		must(err)
		pk, s := signWithNonce(seed[:32], r, T, msg)
		add("nonce_plus_t"+itoa(i), pk, msg, s)
		mixed := new(edwards25519.Point).Add(mustPoint(pub), T)
		add("key_plus_t"+itoa(i), mixed.Bytes(), msg, sig)
	}
	// Random bytes: almost all invalid, some keys not on the curve.
	rnd := rand.New(rand.NewSource(20261205))
	for i := 0; i < 64; i++ {
		pk := make([]byte, 32)
		sg := make([]byte, 64)
		rnd.Read(pk)
		rnd.Read(sg)
		add("random"+itoa(i), pk, msg, sg)
	}
	return out
}

func mustPoint(b []byte) *edwards25519.Point {
	p, err := new(edwards25519.Point).SetBytes(b)
	must(err)
	return p
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}
