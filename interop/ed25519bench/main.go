// Command ed25519bench times Go's crypto/ed25519.Verify on the inputs that
// io.headersync.bench.Ed25519VsGoBenchmark times ours on, so that the two are compared in one run:
// the key is the one of seed SHA-512("headersync/ed25519/bench")[:32], the message 256 bytes of
// SHA-512 chained from "headersync/ed25519/message", the signature Ed25519's of that message. It
// prints one line per round: {"round":n,"ns_per_op":x}.
package main

import (
	"crypto/ed25519"
	"crypto/sha512"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"
)

func main() {
	rounds := flag.Int("rounds", 15, "rounds")
	ops := flag.Int("ops", 2000, "verifications per round")
	flag.Parse()
	seed := sha512.Sum512([]byte("headersync/ed25519/bench"))
	priv := ed25519.NewKeyFromSeed(seed[:32])
	pub := priv.Public().(ed25519.PublicKey)
	var msg []byte
	block := sha512.Sum512([]byte("headersync/ed25519/message"))
	for len(msg) < 256 {
		msg = append(msg, block[:]...)
		block = sha512.Sum512(block[:])
	}
	msg = msg[:256]
	sig := ed25519.Sign(priv, msg)
	out := json.NewEncoder(os.Stdout)
	for r := 0; r < *rounds; r++ {
		start := time.Now()
		for i := 0; i < *ops; i++ {
			if !ed25519.Verify(pub, msg, sig) {
				fmt.Fprintln(os.Stderr, "signature does not verify")
				os.Exit(1)
			}
		}
		ns := float64(time.Since(start).Nanoseconds()) / float64(*ops)
		if err := out.Encode(map[string]any{"round": r, "ns_per_op": ns}); err != nil {
			os.Exit(1)
		}
	}
}
