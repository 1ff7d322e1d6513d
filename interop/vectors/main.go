// Command vectors writes byte-compatibility vectors for headersync's ev-node types
// (io.headersync.evnode) using ev-node's own Go types (github.com/evstack/ev-node v1.2.2).
//
// Usage: go run . -out <dir>
//
// Everything is deterministic: keys come from fixed seeds, timestamps are fixed constants, and the
// headers are old enough that the time.Now() inside ev-node's and go-header's checks never changes
// an outcome. Unsigned 64-bit values are written as decimal strings, bytes as lowercase hex.
package main

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"filippo.io/edwards25519"
	"github.com/celestiaorg/go-header"
	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/libp2p/go-libp2p/core/crypto"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/evstack/ev-node/types"
)

// T0 is 2026-01-01T00:00:00Z in Unix nanoseconds; every "normal" header time is T0 + n seconds.
const T0 uint64 = 1767225600 * 1_000_000_000

// NowForJava is the fixed "now" the Java tests use: T0 + 1 day. Go's time.Now() is later than
// every normal header time as well, so both sides see the same outcomes.
const NowForJava uint64 = T0 + 86400*1_000_000_000

const chainID = "headersync-test"

type key struct {
	priv crypto.PrivKey
	pub  crypto.PubKey
	seed []byte
}

func newKey(label string) key {
	seed := sha256.Sum256([]byte(label))
	edPriv := ed25519.NewKeyFromSeed(seed[:])
	priv, err := crypto.UnmarshalEd25519PrivateKey(edPriv)
	must(err)
	return key{priv: priv, pub: priv.GetPublic(), seed: seed[:]}
}

func (k key) signer() types.Signer {
	s, err := types.NewSigner(k.pub)
	must(err)
	return s
}

func (k key) sign(b []byte) []byte {
	sig, err := k.priv.Sign(b)
	must(err)
	return sig
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

func hx(b []byte) string { return hex.EncodeToString(b) }

func u64(v uint64) string { return strconv.FormatUint(v, 10) }

var (
	maxAllowedRe = regexp.MustCompile(`max allowed: [^)]*`)
	nowRe        = regexp.MustCompile(`now '[^']*'`)
)

// errStr returns err's text, made deterministic: protobuf-go randomly uses U+00A0 for some spaces
// in its errors (per binary), and ev-node and go-header print time.Now() in their time errors.
func errStr(err error) string {
	if err == nil {
		return ""
	}
	s := strings.ReplaceAll(err.Error(), "\u00a0", " ")
	s = maxAllowedRe.ReplaceAllString(s, "max allowed: <now>")
	return nowRe.ReplaceAllString(s, "now '<now>'")
}

// ---- JSON shapes -------------------------------------------------------------------------------

type jsonLegacy struct {
	LastCommitHash  string `json:"last_commit_hash"`
	ConsensusHash   string `json:"consensus_hash"`
	LastResultsHash string `json:"last_results_hash"`
}

type jsonHeader struct {
	VersionBlock    string      `json:"version_block"`
	VersionApp      string      `json:"version_app"`
	Height          string      `json:"height"`
	Time            string      `json:"time"`
	LastHeaderHash  string      `json:"last_header_hash"`
	DataHash        string      `json:"data_hash"`
	AppHash         string      `json:"app_hash"`
	ProposerAddress string      `json:"proposer_address"`
	ValidatorHash   string      `json:"validator_hash"`
	ChainID         string      `json:"chain_id"`
	Legacy          *jsonLegacy `json:"legacy"`
}

type jsonSignedHeaderCase struct {
	Name                string     `json:"name"`
	Type                string     `json:"type"` // SignedHeader or P2PSignedHeader
	Header              jsonHeader `json:"header"`
	Signature           string     `json:"signature"`
	SignerAddress       string     `json:"signer_address"`
	SignerPubKey        string     `json:"signer_pub_key"`
	PublicKeyRaw        string     `json:"public_key_raw"`
	DAHeightHint        string     `json:"da_height_hint"`
	Encoded             string     `json:"encoded"`
	HeaderEncoded       string     `json:"header_encoded"`
	HeaderLegacyEncoded string     `json:"header_legacy_encoded"`
	Hash                string     `json:"hash"`
	HashSlim            string     `json:"hash_slim"`
	HashLegacy          string     `json:"hash_legacy"`
	SignaturePayload    string     `json:"signature_payload"`
	ValidateError       string     `json:"validate_error"`       // go-header Validate()
	ValidateBasicError  string     `json:"validate_basic_error"` // SignedHeader.ValidateBasic()
}

type jsonMetadata struct {
	ChainID      string `json:"chain_id"`
	Height       string `json:"height"`
	Time         string `json:"time"`
	LastDataHash string `json:"last_data_hash"`
}

type jsonDataCase struct {
	Name          string        `json:"name"`
	Type          string        `json:"type"` // Data or P2PData
	Metadata      *jsonMetadata `json:"metadata"`
	Txs           []string      `json:"txs"`
	DAHeightHint  string        `json:"da_height_hint"`
	Encoded       string        `json:"encoded"`
	DataEncoded   string        `json:"data_encoded"`
	Hash          string        `json:"hash"`
	DACommitment  string        `json:"da_commitment"`
	ValidateError string        `json:"validate_error"`
}

type jsonDecodeCase struct {
	Name string `json:"name"`
	Type string `json:"type"`
	Wire string `json:"wire"`
	// WireZeros is a number of zero bytes that follow Wire (keeps the files small).
	WireZeros int    `json:"wire_zeros"`
	GoOK      bool   `json:"go_ok"`
	GoError   string `json:"go_error"`
	Reencoded string `json:"reencoded"`
	Hash      string `json:"hash"`
	// Divergence is non-empty where headersync deliberately differs from Go (documented there).
	Divergence string `json:"divergence"`
}

type jsonVerifyCase struct {
	Name              string `json:"name"`
	Type              string `json:"type"`
	Trusted           string `json:"trusted"`
	Untrusted         string `json:"untrusted"`
	TypeVerifyError   string `json:"type_verify_error"`   // trusted.Verify(untrusted)
	HeaderVerifyError string `json:"header_verify_error"` // header.Verify(trusted, untrusted)
	Soft              bool   `json:"soft"`
	UntrustedValidate string `json:"untrusted_validate_error"`
	UntrustedBasic    string `json:"untrusted_validate_basic_error"` // headers only
}

type jsonPairCase struct {
	Name   string `json:"name"`
	Header string `json:"header"` // SignedHeader encoding
	Data   string `json:"data"`   // Data encoding
	Error  string `json:"error"`  // types.Validate(header, data)
}

type jsonKey struct {
	Name         string `json:"name"`
	Seed         string `json:"seed"`
	PublicKeyRaw string `json:"public_key_raw"`
	PubKeyProto  string `json:"pub_key_proto"`
	Address      string `json:"address"`
	Message      string `json:"message"`
	Signature    string `json:"signature"`
}

type jsonChainBlock struct {
	Height    string   `json:"height"`
	Txs       []string `json:"txs"`
	P2PHeader string   `json:"p2p_header"`
	P2PData   string   `json:"p2p_data"`
	Hash      string   `json:"hash"`
	DataHash  string   `json:"data_hash"`
}

// jsonChain is a chain built the way headersync's HeaderSigner builds one (and ev-node's
// executor.CreateBlock): constant app hash, no validator hash, data hash = DA commitment,
// last_data_hash = previous Data.Hash().
type jsonChain struct {
	Name           string           `json:"name"`
	Seed           string           `json:"seed"`
	ChainID        string           `json:"chain_id"`
	VersionBlock   string           `json:"version_block"`
	VersionApp     string           `json:"version_app"`
	InitialHeight  string           `json:"initial_height"`
	StartTime      string           `json:"start_time"`
	BlockTimeNanos string           `json:"block_time_nanos"`
	AppHash        string           `json:"app_hash"`
	Blocks         []jsonChainBlock `json:"blocks"`
}

func buildChain(name string, k key, initial uint64, n int, step uint64) jsonChain {
	appHash := bytesOf("chain-app-hash", 32)
	c := jsonChain{Name: name, Seed: hx(k.seed), ChainID: chainID, VersionBlock: "11", VersionApp: "1",
		InitialHeight: u64(initial), StartTime: u64(T0), BlockTimeNanos: u64(step), AppHash: hx(appHash)}
	var prevHeader *types.SignedHeader
	var prevData *types.Data
	for i := 0; i < n; i++ {
		height := initial + uint64(i)
		t := T0 + uint64(i)*step
		txs := types.Txs{}
		if i%2 == 1 {
			txs = types.Txs{types.Tx(fmt.Sprintf("tx-%d", i)), types.Tx(make([]byte, i))}
		}
		var lastHeader, lastData []byte
		if prevHeader != nil {
			lastHeader, lastData = prevHeader.Hash(), prevData.Hash()
		}
		data := &types.Data{Metadata: &types.Metadata{ChainID: chainID, Height: height, Time: t, LastDataHash: lastData}, Txs: txs}
		h := types.Header{
			BaseHeader:      types.BaseHeader{Height: height, Time: t, ChainID: chainID},
			Version:         types.Version{Block: 11, App: 1},
			LastHeaderHash:  lastHeader,
			DataHash:        data.DACommitment(),
			AppHash:         appHash,
			ProposerAddress: k.signer().Address,
		}
		sh := signSlim(k, h)
		b := jsonChainBlock{Height: u64(height), Txs: []string{},
			P2PHeader: hx(marshal(&types.P2PSignedHeader{SignedHeader: sh})),
			P2PData:   hx(marshal(&types.P2PData{Data: data})),
			Hash:      hx(sh.Hash()), DataHash: hx(data.Hash())}
		for _, tx := range txs {
			b.Txs = append(b.Txs, hx(tx))
		}
		c.Blocks = append(c.Blocks, b)
		prevHeader, prevData = sh, data
	}
	return c
}

type file struct {
	Generator string `json:"generator"`
	EvNode    string `json:"ev_node"`
	Now       string `json:"now"`
	Cases     any    `json:"cases"`
}

// ---- conversions -------------------------------------------------------------------------------

func toJSONHeader(h *types.Header) jsonHeader {
	j := jsonHeader{
		VersionBlock:    u64(h.Version.Block),
		VersionApp:      u64(h.Version.App),
		Height:          u64(h.BaseHeader.Height),
		Time:            u64(h.BaseHeader.Time),
		LastHeaderHash:  hx(h.LastHeaderHash),
		DataHash:        hx(h.DataHash),
		AppHash:         hx(h.AppHash),
		ProposerAddress: hx(h.ProposerAddress),
		ValidatorHash:   hx(h.ValidatorHash),
		ChainID:         h.BaseHeader.ChainID,
	}
	if h.Legacy != nil {
		j.Legacy = &jsonLegacy{hx(h.Legacy.LastCommitHash), hx(h.Legacy.ConsensusHash), hx(h.Legacy.LastResultsHash)}
	}
	return j
}

func signedCase(name string, sh *types.SignedHeader, p2p bool, hint uint64) jsonSignedHeaderCase {
	var enc []byte
	var err error
	typ := "SignedHeader"
	if p2p {
		typ = "P2PSignedHeader"
		enc, err = (&types.P2PSignedHeader{SignedHeader: sh, DAHeightHint: hint}).MarshalBinary()
	} else {
		enc, err = sh.MarshalBinary()
	}
	must(err)
	// Round trip through Go's decoder, so the vector describes what a Go peer sees.
	var back types.SignedHeader
	if p2p {
		var p types.P2PSignedHeader
		must(p.UnmarshalBinary(enc))
		back = *p.SignedHeader
	} else {
		must(back.UnmarshalBinary(enc))
	}
	slim, err := back.Header.MarshalBinary()
	must(err)
	legacy, err := back.Header.MarshalBinaryLegacy()
	must(err)
	hs, err := back.Header.HashSlim()
	must(err)
	hl, err := back.Header.HashLegacy()
	must(err)
	c := jsonSignedHeaderCase{
		Name:                name,
		Type:                typ,
		Header:              toJSONHeader(&back.Header),
		Signature:           hx(back.Signature),
		SignerAddress:       hx(back.Signer.Address),
		Encoded:             hx(enc),
		HeaderEncoded:       hx(slim),
		HeaderLegacyEncoded: hx(legacy),
		Hash:                hx(back.Hash()),
		HashSlim:            hx(hs),
		HashLegacy:          hx(hl),
		SignaturePayload:    hx(slim),
		ValidateError:       errStr(back.Validate()),
		ValidateBasicError:  errStr(back.ValidateBasic()),
	}
	if back.Signer.PubKey != nil {
		pk, err := back.Signer.MarshalledPubKey()
		must(err)
		raw, err := back.Signer.PubKey.Raw()
		must(err)
		c.SignerPubKey = hx(pk)
		c.PublicKeyRaw = hx(raw)
	}
	if p2p {
		c.DAHeightHint = u64(hint)
	}
	return c
}

func dataCase(name string, d *types.Data, p2p bool, hint uint64) jsonDataCase {
	var enc []byte
	var err error
	typ := "Data"
	if p2p {
		typ = "P2PData"
		enc, err = (&types.P2PData{Data: d, DAHeightHint: hint}).MarshalBinary()
	} else {
		enc, err = d.MarshalBinary()
	}
	must(err)
	var back types.Data
	if p2p {
		var p types.P2PData
		must(p.UnmarshalBinary(enc))
		back = *p.Data
	} else {
		must(back.UnmarshalBinary(enc))
	}
	dataEnc, err := back.MarshalBinary()
	must(err)
	c := jsonDataCase{
		Name:          name,
		Type:          typ,
		Txs:           []string{},
		Encoded:       hx(enc),
		DataEncoded:   hx(dataEnc),
		Hash:          hx(back.Hash()),
		DACommitment:  hx(back.DACommitment()),
		ValidateError: errStr(back.Validate()),
	}
	if back.Metadata != nil {
		c.Metadata = &jsonMetadata{back.Metadata.ChainID, u64(back.Metadata.Height), u64(back.Metadata.Time), hx(back.Metadata.LastDataHash)}
	}
	for _, tx := range back.Txs {
		c.Txs = append(c.Txs, hx(tx))
	}
	if p2p {
		c.DAHeightHint = u64(hint)
	}
	return c
}

// ---- builders ----------------------------------------------------------------------------------

func emptyDataHash() []byte { return (&types.Data{}).DACommitment() }

func bytesOf(label string, n int) []byte {
	out := make([]byte, 0, n)
	for i := 0; len(out) < n; i++ {
		s := sha256.Sum256([]byte(fmt.Sprintf("%s/%d", label, i)))
		out = append(out, s[:]...)
	}
	return out[:n]
}

func baseHeader(k key, height, t uint64, last []byte, dataHash []byte) types.Header {
	return types.Header{
		BaseHeader:      types.BaseHeader{Height: height, Time: t, ChainID: chainID},
		Version:         types.Version{Block: 11, App: 1},
		LastHeaderHash:  last,
		DataHash:        dataHash,
		AppHash:         bytesOf(fmt.Sprintf("app/%d", height), 32),
		ProposerAddress: k.signer().Address,
	}
}

func signSlim(k key, h types.Header) *types.SignedHeader {
	payload, err := h.MarshalBinary()
	must(err)
	return &types.SignedHeader{Header: h, Signature: k.sign(payload), Signer: k.signer()}
}

// signCrafted signs h with k's secret scalar but a crafted nonce point R: with torsion, R = [r]B + T
// where T = (0, -1) has order 2 (a cofactored verifier accepts, Go does not); without, R is the
// identity and S = k*a (Go accepts).
func signCrafted(k key, h types.Header, torsion bool) *types.SignedHeader {
	payload, err := h.MarshalBinary()
	must(err)
	digest := sha512.Sum512(k.seed)
	a, err := edwards25519.NewScalar().SetBytesWithClamping(digest[:32])
	must(err)
	var rPoint *edwards25519.Point
	r := edwards25519.NewScalar()
	if torsion {
		var wide [64]byte
		copy(wide[:], bytesOf("nonce", 64))
		r, err = r.SetUniformBytes(wide[:])
		must(err)
		t, err := new(edwards25519.Point).SetBytes(append([]byte{0xec}, append(bytes32(0xff)[:30], 0x7f)...))
		must(err)
		rPoint = new(edwards25519.Point).Add(new(edwards25519.Point).ScalarBaseMult(r), t)
	} else {
		rPoint = edwards25519.NewIdentityPoint()
	}
	rEnc := rPoint.Bytes()
	raw, err := k.pub.Raw()
	must(err)
	hh := sha512.New()
	hh.Write(rEnc)
	hh.Write(raw)
	hh.Write(payload)
	kScalar, err := edwards25519.NewScalar().SetUniformBytes(hh.Sum(nil))
	must(err)
	sScalar := edwards25519.NewScalar().MultiplyAdd(kScalar, a, r)
	sig := append(append([]byte(nil), rEnc...), sScalar.Bytes()...)
	return &types.SignedHeader{Header: h, Signature: sig, Signer: k.signer()}
}

func signLegacy(k key, h types.Header) *types.SignedHeader {
	payload, err := h.MarshalBinaryLegacy()
	must(err)
	return &types.SignedHeader{Header: h, Signature: k.sign(payload), Signer: k.signer()}
}

func marshal(m interface{ MarshalBinary() ([]byte, error) }) []byte {
	b, err := m.MarshalBinary()
	must(err)
	return b
}

// ---- raw protobuf helpers for hand-made wire inputs ---------------------------------------------

func tagBytes(b []byte, num protowire.Number, v []byte) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	b = protowire.AppendVarint(b, uint64(len(v)))
	return append(b, v...)
}

func tagVarint(b []byte, num protowire.Number, v uint64) []byte {
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, v)
}

func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// ---- decode cases ------------------------------------------------------------------------------

type unmarshaler interface {
	UnmarshalBinary([]byte) error
	MarshalBinary() ([]byte, error)
	Hash() header.Hash
}

func trailingZeros(b []byte) int {
	n := 0
	for n < len(b) && b[len(b)-1-n] == 0 {
		n++
	}
	return n
}

func newOf(typ string) unmarshaler {
	switch typ {
	case "SignedHeader":
		return new(types.SignedHeader)
	case "P2PSignedHeader":
		return &types.P2PSignedHeader{SignedHeader: new(types.SignedHeader)}
	case "Data":
		return new(types.Data)
	case "P2PData":
		return &types.P2PData{Data: new(types.Data)}
	}
	panic(typ)
}

func decodeCase(name, typ string, wire []byte, divergence string) jsonDecodeCase {
	c := jsonDecodeCase{Name: name, Type: typ, Wire: hx(wire), Divergence: divergence}
	if z := trailingZeros(wire); z > 64 {
		c.Wire, c.WireZeros = hx(wire[:len(wire)-z]), z
	}
	v := newOf(typ)
	err := v.UnmarshalBinary(wire)
	if err != nil {
		c.GoError = errStr(err)
		return c
	}
	c.GoOK = true
	c.Reencoded = hx(marshal(v))
	c.Hash = hx(v.Hash())
	return c
}

// ---- signer public keys of every libp2p key type -------------------------------------------------

// addKeyTypeCases adds decode cases whose signer carries RSA, Secp256k1 and ECDSA keys, valid and
// not: Go's decoder checks the key material of each type. Keys are derived from fixed seeds; the
// RSA modulus is a fixed odd number of the wanted size (parsing does not check primality).
func addKeyTypeCases(d func(name, typ string, wire []byte)) {
	withKey := func(keyType uint64, data []byte) []byte {
		pk := tagBytes(tagVarint(nil, 1, keyType), 2, data)
		return cat(tagBytes(nil, 1, nil), tagBytes(nil, 3, cat(tagBytes(nil, 1, []byte{1}), tagBytes(nil, 2, pk))))
	}
	// secp256k1
	sk := secp256k1.PrivKeyFromBytes(bytesOf("secp256k1-key", 32))
	pub := sk.PubKey()
	d("key_secp256k1_compressed", "SignedHeader", withKey(2, pub.SerializeCompressed()))
	d("key_secp256k1_uncompressed", "SignedHeader", withKey(2, pub.SerializeUncompressed()))
	hybrid := pub.SerializeUncompressed()
	hybrid[0] = 0x06 | (hybrid[64] & 1)
	d("key_secp256k1_hybrid", "SignedHeader", withKey(2, hybrid))
	badHybrid := append([]byte(nil), hybrid...)
	badHybrid[0] ^= 1
	d("key_secp256k1_hybrid_wrong_parity", "SignedHeader", withKey(2, badHybrid))
	offCurve := pub.SerializeUncompressed()
	offCurve[64] ^= 1
	d("key_secp256k1_not_on_curve", "SignedHeader", withKey(2, offCurve))
	d("key_secp256k1_bad_length", "SignedHeader", withKey(2, pub.SerializeCompressed()[:32]))
	d("key_secp256k1_infinity", "SignedHeader", withKey(2, []byte{0}))
	xTooBig := append([]byte{0x02}, bytes32(0xff)...)
	d("key_secp256k1_x_not_below_p", "SignedHeader", withKey(2, xTooBig))
	// ECDSA (PKIX)
	for _, c := range []struct {
		name  string
		curve elliptic.Curve
		size  int
	}{{"p224", elliptic.P224(), 28}, {"p256", elliptic.P256(), 32}, {"p384", elliptic.P384(), 48}, {"p521", elliptic.P521(), 66}} {
		scalar := bytesOf("ecdsa-"+c.name, c.size)
		scalar[0] = 0x01
		priv, err := ecdsa.ParseRawPrivateKey(c.curve, scalar)
		must(err)
		der, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
		must(err)
		d("key_ecdsa_"+c.name, "SignedHeader", withKey(3, der))
		if c.name == "p256" {
			bad := append([]byte(nil), der...)
			bad[len(bad)-1] ^= 1
			d("key_ecdsa_p256_not_on_curve", "SignedHeader", withKey(3, bad))
			d("key_ecdsa_trailing_data", "SignedHeader", withKey(3, append(append([]byte(nil), der...), 0)))
			d("key_ecdsa_holding_ed25519_spki", "SignedHeader", withKey(3, ed25519SPKI()))
			d("key_rsa_holding_ecdsa_spki", "SignedHeader", withKey(0, der))
		}
	}
	// RSA (PKIX)
	for _, bits := range []int{1024, 2048, 4096, 8192, 8200} {
		n := new(big.Int).SetBytes(bytesOf(fmt.Sprintf("rsa-%d", bits), (bits+7)/8))
		n.SetBit(n, bits-1, 1)
		for i := bits; i < n.BitLen(); i++ {
			n.SetBit(n, i, 0)
		}
		n.SetBit(n, 0, 1)
		der, err := x509.MarshalPKIXPublicKey(&rsa.PublicKey{N: n, E: 65537})
		must(err)
		d(fmt.Sprintf("key_rsa_%d_bits", bits), "SignedHeader", withKey(0, der))
	}
	d("key_rsa_garbage", "SignedHeader", withKey(0, []byte{0x30, 0x03, 0x02, 0x01, 0x01}))
}

func bytes32(b byte) []byte {
	out := make([]byte, 32)
	for i := range out {
		out[i] = b
	}
	return out
}

func ed25519SPKI() []byte {
	pub := ed25519.NewKeyFromSeed(bytesOf("spki", 32)).Public()
	der, err := x509.MarshalPKIXPublicKey(pub)
	must(err)
	return der
}

// ---- main --------------------------------------------------------------------------------------

func main() {
	out := flag.String("out", "", "directory to write the vector files into")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "usage: go run . -out <dir>")
		os.Exit(2)
	}
	must(os.MkdirAll(*out, 0o755))

	k1 := newKey("headersync/evnode/key-1")
	k2 := newKey("headersync/evnode/key-2")
	sec := uint64(1_000_000_000)

	// ---- keys
	var keys []jsonKey
	for _, kk := range []struct {
		name string
		k    key
	}{{"key-1", k1}, {"key-2", k2}} {
		raw, err := kk.k.pub.Raw()
		must(err)
		pk, err := crypto.MarshalPublicKey(kk.k.pub)
		must(err)
		msg := []byte("headersync ed25519 vector")
		keys = append(keys, jsonKey{kk.name, hx(kk.k.seed), hx(raw), hx(pk), hx(kk.k.signer().Address), hx(msg), hx(kk.k.sign(msg))})
	}

	// ---- a small chain with data: heights 1..3
	txs2 := types.Txs{types.Tx("tx-a"), types.Tx(""), types.Tx(bytesOf("tx-c", 300))}
	data1 := &types.Data{Metadata: &types.Metadata{ChainID: chainID, Height: 1, Time: T0}, Txs: nil}
	h1 := signSlim(k1, baseHeader(k1, 1, T0, nil, emptyDataHash()))
	data2 := &types.Data{Metadata: &types.Metadata{ChainID: chainID, Height: 2, Time: T0 + sec, LastDataHash: data1.Hash()}, Txs: txs2}
	h2 := signSlim(k1, baseHeader(k1, 2, T0+sec, h1.Hash(), (&types.Data{Txs: txs2}).DACommitment()))
	data3 := &types.Data{Metadata: &types.Metadata{ChainID: chainID, Height: 3, Time: T0 + 2*sec, LastDataHash: data2.Hash()}, Txs: types.Txs{}}
	h3 := signSlim(k1, baseHeader(k1, 3, T0+2*sec, h2.Hash(), emptyDataHash()))

	var signed []jsonSignedHeaderCase
	signed = append(signed,
		signedCase("genesis_height_1", h1, false, 0),
		signedCase("height_2_with_txs", h2, false, 0),
		signedCase("height_3_empty_txs", h3, false, 0),
	)
	g100 := baseHeader(k1, 100, T0, nil, emptyDataHash())
	g100.ValidatorHash = bytesOf("validators", 32)
	signed = append(signed, signedCase("genesis_initial_height_100_with_validator_hash", signSlim(k1, g100), false, 0))
	signed = append(signed, signedCase("zero_valued_unsigned", &types.SignedHeader{}, false, 0))
	zeroSigned := signSlim(k1, types.Header{})
	signed = append(signed, signedCase("zero_valued_header_signed", zeroSigned, false, 0))
	big := baseHeader(k1, math.MaxInt64, math.MaxInt64, bytesOf("last", 32), emptyDataHash())
	big.Version = types.Version{Block: math.MaxUint64, App: math.MaxUint64}
	signed = append(signed, signedCase("big_height_and_version", signSlim(k1, big), false, 0))
	highTime := baseHeader(k1, 7, math.MaxUint64, bytesOf("last", 32), emptyDataHash())
	signed = append(signed, signedCase("time_with_high_bit_set_is_before_1970_in_go", signSlim(k1, highTime), false, 0))
	future := baseHeader(k1, 8, uint64(1)<<62, bytesOf("last", 32), emptyDataHash())
	signed = append(signed, signedCase("time_far_in_future", signSlim(k1, future), false, 0))
	uni := baseHeader(k1, 9, T0, bytesOf("last", 32), emptyDataHash())
	uni.BaseHeader.ChainID = "链-ü-chain"
	signed = append(signed, signedCase("unicode_chain_id", signSlim(k1, uni), false, 0))
	noProposer := baseHeader(k1, 10, T0, bytesOf("last", 32), emptyDataHash())
	noProposer.ProposerAddress = nil
	signed = append(signed, signedCase("no_proposer_address", signSlim(k1, noProposer), false, 0))
	badSig := signSlim(k1, baseHeader(k1, 11, T0, bytesOf("last", 32), emptyDataHash()))
	badSig.Signature = append([]byte(nil), badSig.Signature...)
	badSig.Signature[5] ^= 0x40
	signed = append(signed, signedCase("bad_signature", badSig, false, 0))
	wrongAddr := signSlim(k1, baseHeader(k1, 12, T0, bytesOf("last", 32), emptyDataHash()))
	wrongAddr.Signer.Address = k2.signer().Address
	signed = append(signed, signedCase("signer_address_not_from_pub_key", wrongAddr, false, 0))
	otherProposer := baseHeader(k1, 13, T0, bytesOf("last", 32), emptyDataHash())
	otherProposer.ProposerAddress = k2.signer().Address
	signed = append(signed, signedCase("proposer_address_differs_from_signer", signSlim(k1, otherProposer), false, 0))
	noSig := &types.SignedHeader{Header: baseHeader(k1, 14, T0, bytesOf("last", 32), emptyDataHash()), Signer: k1.signer()}
	signed = append(signed, signedCase("empty_signature", noSig, false, 0))
	noKey := signSlim(k1, baseHeader(k1, 15, T0, bytesOf("last", 32), emptyDataHash()))
	noKey.Signer = types.Signer{}
	signed = append(signed, signedCase("no_signer", noKey, false, 0))
	// A small-order public key (the identity point): Go's ed25519.Verify accepts [S]B as R for any
	// message, so anyone can "sign" with it.
	identity := append([]byte{1}, make([]byte, 31)...)
	idPub, err := crypto.UnmarshalEd25519PublicKey(identity)
	must(err)
	idSigner, err := types.NewSigner(idPub)
	must(err)
	weak := baseHeader(k1, 16, T0, bytesOf("last", 32), emptyDataHash())
	weak.ProposerAddress = idSigner.Address
	// The encoding of the Ed25519 base point B (y = 4/5).
	basePoint, err := hex.DecodeString("5866666666666666666666666666666666666666666666666666666666666666")
	must(err)
	forged := append(append([]byte(nil), basePoint...), append([]byte{1}, make([]byte, 31)...)...)
	signed = append(signed, signedCase("small_order_identity_pub_key_forged_signature",
		&types.SignedHeader{Header: weak, Signature: forged, Signer: idSigner}, false, 0))
	// Signatures only Go's cofactorless check tells apart (headersync must agree with Go).
	torsionR := signCrafted(k1, baseHeader(k1, 17, T0, bytesOf("last", 32), emptyDataHash()), true)
	signed = append(signed, signedCase("signature_r_with_order_2_component_rejected_by_go", torsionR, false, 0))
	identityR := signCrafted(k1, baseHeader(k1, 18, T0, bytesOf("last", 32), emptyDataHash()), false)
	signed = append(signed, signedCase("signature_with_identity_r_accepted_by_go", identityR, false, 0))
	// P2P envelopes
	signed = append(signed,
		signedCase("p2p_hint_zero", h1, true, 0),
		signedCase("p2p_hint_12345", h2, true, 12345),
		signedCase("p2p_hint_max_uint64", h3, true, math.MaxUint64),
	)
	// Legacy headers (fields 5/7/9)
	leg1 := baseHeader(k1, 20, T0, bytesOf("last", 32), emptyDataHash())
	leg1.Legacy = &types.LegacyHeaderFields{LastCommitHash: bytesOf("commit", 32), LastResultsHash: bytesOf("results", 32)}
	signed = append(signed, signedCase("legacy_without_consensus_hash_signed_legacy", signLegacy(k1, leg1), false, 0))
	leg2 := baseHeader(k1, 21, T0, bytesOf("last", 32), emptyDataHash())
	leg2.Legacy = &types.LegacyHeaderFields{LastCommitHash: bytesOf("commit", 32), ConsensusHash: bytesOf("consensus", 32), LastResultsHash: bytesOf("results", 32)}
	signed = append(signed, signedCase("legacy_all_fields_signed_legacy", signLegacy(k1, leg2), false, 0))
	signed = append(signed, signedCase("legacy_all_fields_signed_slim", signSlim(k1, leg2), false, 0))
	signed = append(signed, signedCase("legacy_p2p_hint_7", signLegacy(k1, leg2), true, 7))
	leg3 := types.Header{Legacy: &types.LegacyHeaderFields{ConsensusHash: []byte{1}}}
	signed = append(signed, signedCase("legacy_zero_height_and_time", signLegacy(k1, leg3), false, 0))
	leg4 := baseHeader(k1, 22, T0, bytesOf("last", 32), emptyDataHash())
	leg4.Legacy = &types.LegacyHeaderFields{LastResultsHash: bytesOf("results", 1024)}
	signed = append(signed, signedCase("legacy_field_at_1024_byte_limit", signLegacy(k1, leg4), false, 0))

	// ---- data
	var datas []jsonDataCase
	datas = append(datas,
		dataCase("data_height_1_no_txs", data1, false, 0),
		dataCase("data_height_2_with_txs", data2, false, 0),
		dataCase("data_height_3_empty_txs", data3, false, 0),
		dataCase("data_without_metadata", &types.Data{Txs: types.Txs{types.Tx("x")}}, false, 0),
		dataCase("data_zero_metadata", &types.Data{Metadata: &types.Metadata{}}, false, 0),
		dataCase("data_empty", &types.Data{}, false, 0),
		dataCase("data_big_height", &types.Data{Metadata: &types.Metadata{ChainID: chainID, Height: math.MaxInt64, Time: math.MaxUint64}}, false, 0),
		dataCase("data_time_far_in_future", &types.Data{Metadata: &types.Metadata{ChainID: chainID, Height: 4, Time: uint64(1) << 62}}, false, 0),
		dataCase("data_no_chain_id", &types.Data{Metadata: &types.Metadata{Height: 4, Time: T0}}, false, 0),
		dataCase("p2p_data_hint_zero", data1, true, 0),
		dataCase("p2p_data_hint_99", data2, true, 99),
		dataCase("p2p_data_hint_max", data3, true, math.MaxUint64),
		dataCase("p2p_data_without_metadata", &types.Data{Txs: types.Txs{types.Tx("x")}}, true, 5),
	)

	// ---- header <-> data pairs: types.Validate(header, data)
	pairs := []jsonPairCase{}
	addPair := func(name string, sh *types.SignedHeader, d *types.Data) {
		pairs = append(pairs, jsonPairCase{name, hx(marshal(sh)), hx(marshal(d)), errStr(types.Validate(sh, d))})
	}
	addPair("match_empty", h1, data1)
	addPair("match_with_txs", h2, data2)
	addPair("match_empty_txs_slice", h3, data3)
	addPair("data_without_metadata_matching_txs", h2, &types.Data{Txs: txs2})
	addPair("wrong_height", h2, &types.Data{Metadata: &types.Metadata{ChainID: chainID, Height: 3, Time: T0 + sec}, Txs: txs2})
	addPair("wrong_time", h2, &types.Data{Metadata: &types.Metadata{ChainID: chainID, Height: 2, Time: T0 + sec + 1}, Txs: txs2})
	addPair("wrong_chain", h2, &types.Data{Metadata: &types.Metadata{ChainID: "other", Height: 2, Time: T0 + sec}, Txs: txs2})
	addPair("wrong_txs", h2, &types.Data{Metadata: &types.Metadata{ChainID: chainID, Height: 2, Time: T0 + sec}, Txs: types.Txs{types.Tx("tx-a")}})
	addPair("last_data_hash_ignored", h2, &types.Data{Metadata: &types.Metadata{ChainID: chainID, Height: 2, Time: T0 + sec, LastDataHash: []byte{1, 2, 3}}, Txs: txs2})

	// ---- verify pairs
	var verifies []jsonVerifyCase
	addVerify := func(name, typ string, trusted, untrusted unmarshaler) {
		c := jsonVerifyCase{Name: name, Type: typ, Trusted: hx(marshal(trusted)), Untrusted: hx(marshal(untrusted))}
		var typeErr, hdrErr, valErr error
		switch typ {
		case "SignedHeader":
			t, u := trusted.(*types.SignedHeader), untrusted.(*types.SignedHeader)
			typeErr, hdrErr, valErr = t.Verify(u), header.Verify(t, u), u.Validate()
			c.UntrustedBasic = errStr(u.ValidateBasic())
		case "P2PSignedHeader":
			t, u := trusted.(*types.P2PSignedHeader), untrusted.(*types.P2PSignedHeader)
			typeErr, hdrErr, valErr = t.Verify(u), header.Verify(t, u), u.Validate()
			c.UntrustedBasic = errStr(u.ValidateBasic())
		case "Data":
			t, u := trusted.(*types.Data), untrusted.(*types.Data)
			typeErr, hdrErr, valErr = t.Verify(u), header.Verify(t, u), u.Validate()
		case "P2PData":
			t, u := trusted.(*types.P2PData), untrusted.(*types.P2PData)
			typeErr, hdrErr, valErr = t.Verify(u), header.Verify(t, u), u.Validate()
		}
		c.TypeVerifyError, c.HeaderVerifyError, c.UntrustedValidate = errStr(typeErr), errStr(hdrErr), errStr(valErr)
		var ve *header.VerifyError
		if errors.As(hdrErr, &ve) {
			c.Soft = ve.SoftFailure
		}
		verifies = append(verifies, c)
	}
	p2ph := func(sh *types.SignedHeader) *types.P2PSignedHeader { return &types.P2PSignedHeader{SignedHeader: sh} }
	p2pd := func(d *types.Data) *types.P2PData { return &types.P2PData{Data: d} }
	addVerify("adjacent_ok", "SignedHeader", h1, h2)
	addVerify("adjacent_ok_2_3", "SignedHeader", h2, h3)
	addVerify("non_adjacent_ok", "SignedHeader", h1, h3)
	wrongLink := signSlim(k1, baseHeader(k1, 2, T0+sec, bytesOf("not-h1", 32), emptyDataHash()))
	addVerify("adjacent_wrong_link", "SignedHeader", h1, wrongLink)
	wrongLink3 := signSlim(k1, baseHeader(k1, 3, T0+2*sec, bytesOf("not-h2", 32), emptyDataHash()))
	addVerify("non_adjacent_wrong_link_not_checked", "SignedHeader", h1, wrongLink3)
	badSig2 := signSlim(k1, baseHeader(k1, 2, T0+sec, h1.Hash(), emptyDataHash()))
	badSig2.Signature = append([]byte(nil), badSig2.Signature...)
	badSig2.Signature[0] ^= 1
	addVerify("adjacent_bad_signature_passes_verify", "SignedHeader", h1, badSig2)
	wrongAddr2 := signSlim(k1, baseHeader(k1, 2, T0+sec, h1.Hash(), emptyDataHash()))
	wrongAddr2.Signer.Address = k2.signer().Address
	addVerify("adjacent_wrong_signer_address_passes_verify", "SignedHeader", h1, wrongAddr2)
	addVerify("known_height", "SignedHeader", h2, h1)
	otherChain := baseHeader(k1, 2, T0+sec, h1.Hash(), emptyDataHash())
	otherChain.BaseHeader.ChainID = "other-chain"
	addVerify("wrong_chain_id", "SignedHeader", h1, signSlim(k1, otherChain))
	earlier := signSlim(k1, baseHeader(k1, 2, T0-sec, h1.Hash(), emptyDataHash()))
	addVerify("unordered_time", "SignedHeader", h1, earlier)
	addVerify("future_time", "SignedHeader", h1, signSlim(k1, baseHeader(k1, 2, uint64(1)<<62, h1.Hash(), emptyDataHash())))
	addVerify("p2p_adjacent_ok", "P2PSignedHeader", p2ph(h1), p2ph(h2))
	addVerify("p2p_adjacent_wrong_link", "P2PSignedHeader", p2ph(h1), p2ph(wrongLink))
	addVerify("p2p_non_adjacent_ok", "P2PSignedHeader", p2ph(h1), p2ph(h3))
	addVerify("legacy_adjacent_ok", "SignedHeader", signLegacy(k1, leg1), signSlim(k1, func() types.Header {
		h := baseHeader(k1, 21, T0+sec, signLegacy(k1, leg1).Hash(), emptyDataHash())
		return h
	}()))
	addVerify("data_adjacent_ok", "Data", data1, data2)
	addVerify("data_adjacent_ok_2_3", "Data", data2, data3)
	addVerify("data_non_adjacent_link_checked_and_fails_soft", "Data", data1, data3)
	data3linked := &types.Data{Metadata: &types.Metadata{ChainID: chainID, Height: 3, Time: T0 + 2*sec, LastDataHash: data1.Hash()}}
	addVerify("data_non_adjacent_link_to_trusted_passes", "Data", data1, data3linked)
	data2bad := &types.Data{Metadata: &types.Metadata{ChainID: chainID, Height: 2, Time: T0 + sec, LastDataHash: bytesOf("x", 32)}, Txs: txs2}
	addVerify("data_adjacent_wrong_link", "Data", data1, data2bad)
	addVerify("p2p_data_adjacent_ok", "P2PData", p2pd(data1), p2pd(data2))
	addVerify("p2p_data_adjacent_wrong_link", "P2PData", p2pd(data1), p2pd(data2bad))
	addVerify("p2p_data_non_adjacent_fails_soft", "P2PData", p2pd(data1), p2pd(data3))

	// ---- decode cases: hand-made wire bytes and what Go's UnmarshalBinary makes of them
	var decodes []jsonDecodeCase
	h1b := marshal(h1)
	d := func(name, typ string, wire []byte) { decodes = append(decodes, decodeCase(name, typ, wire, "")) }
	dv := func(name, typ string, wire []byte, div string) {
		decodes = append(decodes, decodeCase(name, typ, wire, div))
	}
	d("roundtrip_signed_header", "SignedHeader", h1b)
	for _, cut := range []int{1, 2, 5, len(h1b) / 2, len(h1b) - 1} {
		d(fmt.Sprintf("truncated_at_%d", cut), "SignedHeader", h1b[:cut])
	}
	d("empty_input_no_header", "SignedHeader", []byte{})
	d("empty_input_p2p_no_header", "P2PSignedHeader", []byte{})
	d("empty_input_data", "Data", []byte{})
	d("empty_input_p2p_data", "P2PData", []byte{})
	d("bad_varint_11_bytes", "SignedHeader", append([]byte{0x10}, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}...))
	d("varint_10th_byte_overflow", "P2PSignedHeader", cat(tagBytes(nil, 1, nil), []byte{0x20, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02}))
	d("wire_type_7", "SignedHeader", cat(h1b, []byte{0x0f, 0x00}))
	d("wire_type_6_in_header", "SignedHeader", tagBytes(nil, 1, []byte{0x0e, 0x00}))
	d("end_group_without_start", "SignedHeader", cat(h1b, []byte{0x0c}))
	d("field_number_zero", "SignedHeader", cat(h1b, []byte{0x00, 0x00}))
	d("length_past_end", "SignedHeader", []byte{0x0a, 0x05, 0x10, 0x01})
	d("header_wrong_wire_type_varint", "SignedHeader", []byte{0x08, 0x01})
	d("height_as_bytes_is_unknown_field", "SignedHeader", tagBytes(nil, 1, tagBytes(tagVarint(nil, 3, T0), 2, []byte{1, 2})))
	d("unknown_field_99_in_header_dropped", "SignedHeader", tagBytes(nil, 1, tagVarint(tagVarint(nil, 2, 5), 99, 1)))
	d("unknown_field_in_signed_header_dropped", "SignedHeader", cat(h1b, tagBytes(nil, 15, []byte("junk"))))
	d("unknown_field_in_p2p_envelope_dropped", "P2PSignedHeader", cat(h1b, tagBytes(nil, 5, []byte("junk"))))
	d("unknown_group_field_in_header", "SignedHeader", tagBytes(nil, 1, cat(tagVarint(nil, 2, 5), []byte{0xa3, 0x06, 0x08, 0x01, 0xa4, 0x06})))
	d("unknown_fixed32_fixed64", "Data", cat(tagBytes(nil, 1, tagVarint(nil, 2, 3)), []byte{0x2d, 1, 2, 3, 4, 0x31, 1, 2, 3, 4, 5, 6, 7, 8}))
	d("legacy_field_wrong_wire_type_skipped", "SignedHeader", tagBytes(nil, 1, cat(tagVarint(nil, 2, 5), tagVarint(nil, 5, 1))))
	d("legacy_empty_fields_mean_no_legacy", "SignedHeader", tagBytes(nil, 1, cat(tagVarint(nil, 2, 5), tagBytes(nil, 5, nil), tagBytes(nil, 9, nil))))
	d("legacy_fields_out_of_order_reemitted_in_order", "SignedHeader", tagBytes(nil, 1, cat(tagBytes(nil, 9, []byte{9}), tagVarint(nil, 2, 5), tagBytes(nil, 7, []byte{7}), tagBytes(nil, 5, []byte{5}))))
	d("legacy_duplicate_last_wins", "SignedHeader", tagBytes(nil, 1, cat(tagBytes(nil, 5, []byte{1}), tagBytes(nil, 5, []byte{2, 2}))))
	d("legacy_field_1025_bytes", "SignedHeader", tagBytes(nil, 1, tagBytes(nil, 7, make([]byte, 1025))))
	d("legacy_field_1024_bytes", "SignedHeader", tagBytes(nil, 1, tagBytes(nil, 7, make([]byte, 1024))))
	bigUnknown := tagBytes(nil, 1, tagBytes(tagVarint(nil, 2, 1), 100, make([]byte, 1024*1024)))
	d("unknown_fields_over_1_mib", "SignedHeader", bigUnknown)
	justUnder := tagBytes(nil, 1, tagBytes(tagVarint(nil, 2, 1), 100, make([]byte, 1024*1024-5)))
	d("unknown_fields_exactly_1_mib", "SignedHeader", justUnder)
	d("duplicate_header_field_merges", "SignedHeader", cat(tagBytes(nil, 1, tagVarint(nil, 2, 5)), tagBytes(nil, 1, tagVarint(nil, 3, 7))))
	d("duplicate_scalar_last_wins", "SignedHeader", tagBytes(nil, 1, cat(tagVarint(nil, 2, 5), tagVarint(nil, 2, 6))))
	d("explicit_zero_height_omitted_on_reencode", "SignedHeader", tagBytes(nil, 1, cat(tagBytes(nil, 1, nil), tagVarint(nil, 2, 0))))
	d("version_absent_reencoded_present", "SignedHeader", tagBytes(nil, 1, tagVarint(nil, 2, 5)))
	d("version_merges", "SignedHeader", tagBytes(nil, 1, cat(tagBytes(nil, 1, tagVarint(nil, 1, 3)), tagBytes(nil, 1, tagVarint(nil, 2, 4)))))
	pk1, _ := crypto.MarshalPublicKey(k1.pub)
	d("signer_address_without_pub_key_dropped", "SignedHeader", cat(tagBytes(nil, 1, nil), tagBytes(nil, 3, tagBytes(nil, 1, []byte{1, 2, 3}))))
	d("signer_pub_key_without_address", "SignedHeader", cat(tagBytes(nil, 1, nil), tagBytes(nil, 3, tagBytes(nil, 2, pk1))))
	d("signer_pub_key_ed25519_31_bytes", "SignedHeader", cat(tagBytes(nil, 1, nil), tagBytes(nil, 3, tagBytes(nil, 2, tagBytes(tagVarint(nil, 1, 1), 2, make([]byte, 31))))))
	d("signer_pub_key_unknown_type_9", "SignedHeader", cat(tagBytes(nil, 1, nil), tagBytes(nil, 3, tagBytes(nil, 2, tagBytes(tagVarint(nil, 1, 9), 2, make([]byte, 32))))))
	d("signer_pub_key_missing_type", "SignedHeader", cat(tagBytes(nil, 1, nil), tagBytes(nil, 3, tagBytes(nil, 2, tagBytes(nil, 2, make([]byte, 32))))))
	d("signer_pub_key_missing_data", "SignedHeader", cat(tagBytes(nil, 1, nil), tagBytes(nil, 3, tagBytes(nil, 2, tagVarint(nil, 1, 1)))))
	d("signer_pub_key_garbage", "SignedHeader", cat(tagBytes(nil, 1, nil), tagBytes(nil, 3, tagBytes(nil, 2, []byte{0xff}))))
	raw1, _ := k1.pub.Raw()
	d("signer_pub_key_reversed_order_ed25519", "SignedHeader", cat(tagBytes(nil, 1, nil), tagBytes(nil, 3, tagBytes(nil, 2, tagVarint(tagBytes(nil, 2, raw1), 1, 1)))))
	addKeyTypeCases(d)
	d("chain_id_invalid_utf8", "SignedHeader", tagBytes(nil, 1, tagBytes(nil, 12, []byte{0xc3, 0x28})))
	d("chain_id_surrogate_utf8", "SignedHeader", tagBytes(nil, 1, tagBytes(nil, 12, []byte{0xed, 0xa0, 0x80})))
	d("metadata_chain_id_invalid_utf8", "Data", tagBytes(nil, 1, tagBytes(nil, 1, []byte{0xff})))
	dv("height_above_int64", "SignedHeader", tagBytes(nil, 1, tagVarint(nil, 2, uint64(math.MaxInt64)+1)),
		"headersync rejects heights above 2^63-1 (Go accepts them)")
	dv("data_height_above_int64", "Data", tagBytes(nil, 1, tagVarint(nil, 2, math.MaxUint64)),
		"headersync rejects heights above 2^63-1 (Go accepts them)")
	d("p2p_hint_absent", "P2PSignedHeader", h1b)
	d("p2p_hint_wrong_wire_type_ignored", "P2PSignedHeader", cat(h1b, tagBytes(nil, 4, []byte{1})))
	d("p2p_hint_twice_last_wins", "P2PSignedHeader", cat(h1b, tagVarint(nil, 4, 9), tagVarint(nil, 4, 10)))
	d("signed_header_reserved_field_4_dropped", "SignedHeader", cat(h1b, tagVarint(nil, 4, 9)))
	d("data_tx_empty_elements", "Data", cat(tagBytes(nil, 2, nil), tagBytes(nil, 2, []byte{1}), tagBytes(nil, 2, nil)))
	d("data_metadata_empty_message", "Data", tagBytes(nil, 1, nil))
	d("data_metadata_merges", "Data", cat(tagBytes(nil, 1, tagVarint(nil, 2, 3)), tagBytes(nil, 2, []byte{1}), tagBytes(nil, 1, tagVarint(nil, 3, 4))))
	d("p2p_data_hint_absent", "P2PData", marshal(data2))
	d("p2p_data_hint_wrong_wire_type_ignored", "P2PData", cat(marshal(data2), tagBytes(nil, 3, []byte{1})))
	d("data_txs_wrong_wire_type_ignored", "Data", cat(marshal(data2), tagVarint(nil, 2, 1)))
	d("data_metadata_wrong_wire_type_ignored", "Data", cat(tagVarint(nil, 1, 1), tagBytes(nil, 2, []byte{1})))

	chains := []jsonChain{
		buildChain("from_height_1", k1, 1, 6, sec),
		buildChain("from_height_1000_half_second", k2, 1000, 4, sec/2),
	}
	write(*out, "chains.json", chains)
	write(*out, "keys.json", keys)
	write(*out, "signed_headers.json", signed)
	write(*out, "data.json", datas)
	write(*out, "header_data_pairs.json", pairs)
	write(*out, "verify.json", verifies)
	write(*out, "decode.json", decodes)
	write(*out, "ed25519_edges.json", ed25519Edges())
}

func write(dir, name string, cases any) {
	f := file{
		Generator: "interop/vectors (go run . -out <dir>)",
		EvNode:    "github.com/evstack/ev-node v1.2.2",
		Now:       u64(NowForJava),
		Cases:     cases,
	}
	b, err := json.MarshalIndent(f, "", "  ")
	must(err)
	b = append(b, '\n')
	must(os.WriteFile(filepath.Join(dir, name), b, 0o644))
	fmt.Printf("wrote %s\n", filepath.Join(dir, name))
}
