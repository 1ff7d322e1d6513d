// Command evnode runs a real ev-node v1.2.2 node — the node package of github.com/evstack/ev-node,
// unchanged — for headersync's interop tests: an aggregator (block producer) or a full node, with
// a small key-value executor (kv.go) whose state root the Java side can compute too, the module's
// in-process DA (test/testda) and an in-memory datastore.
//
//	evnode -role aggregator -home DIR -chain-id gm -listen /ip4/127.0.0.1/tcp/P -rpc 127.0.0.1:R
//	       [-genesis FILE] [-signer DIR -passphrase-file F] [-block-time 100ms] [-txs-per-block 2]
//	evnode -role full -home DIR -genesis FILE -listen ... -rpc ... -peers /ip4/.../p2p/12D3...
//
// An aggregator without an existing -genesis file creates a signer.json under -signer (passphrase
// from -passphrase-file) and writes an ev-node genesis.json naming it, as `evnode init` does; with
// one, it loads both and must be the genesis proposer. A full node reads the genesis (which a
// Java test may have written) and syncs over P2P from -peers.
//
// It prints one JSON line on stdout when the node runs: {"ready":true,"peer":"12D3...",
// "addr":"/ip4/.../p2p/12D3..."}, then nothing; the tests read hashes and state over ev-node's own
// RPC (-rpc). Logs go to stderr as zerolog JSON lines ("level":"error" marks an error). It runs
// until stdin closes or SIGTERM.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/evstack/ev-node/node"
	"github.com/evstack/ev-node/pkg/config"
	"github.com/evstack/ev-node/pkg/genesis"
	"github.com/evstack/ev-node/pkg/p2p"
	"github.com/evstack/ev-node/pkg/p2p/key"
	"github.com/evstack/ev-node/pkg/sequencers/solo"
	"github.com/evstack/ev-node/pkg/signer"
	"github.com/evstack/ev-node/pkg/signer/file"
	"github.com/evstack/ev-node/pkg/store"
	"github.com/evstack/ev-node/test/testda"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/rs/zerolog"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "evnode:", err)
		os.Exit(1)
	}
}

func run() error {
	role := flag.String("role", "full", "aggregator or full")
	home := flag.String("home", "", "root directory (config/, node key)")
	chainID := flag.String("chain-id", "", "chain id (aggregator without a genesis file)")
	genesisPath := flag.String("genesis", "", "genesis.json (default <home>/config/genesis.json)")
	signerDir := flag.String("signer", "", "directory of signer.json (aggregator; default <home>/config)")
	passphraseFile := flag.String("passphrase-file", "", "file with the signer passphrase (aggregator)")
	listen := flag.String("listen", "/ip4/127.0.0.1/tcp/7676", "P2P listen multiaddr")
	peers := flag.String("peers", "", "comma-separated seed multiaddrs with /p2p/<id>")
	rpc := flag.String("rpc", "127.0.0.1:7331", "RPC listen address")
	blockTime := flag.Duration("block-time", 100*time.Millisecond, "block time")
	txsPerBlock := flag.Int("txs-per-block", 0, "aggregator: key-value txs added to the mempool per block time")
	logLevel := flag.String("log-level", "info", "zerolog level")
	flag.Parse()

	if *home == "" {
		return fmt.Errorf("-home is required")
	}
	if *genesisPath == "" {
		*genesisPath = genesis.GenesisPath(*home)
	}
	if *signerDir == "" {
		*signerDir = filepath.Join(*home, "config")
	}
	level, err := zerolog.ParseLevel(*logLevel)
	if err != nil {
		return err
	}
	logger := zerolog.New(os.Stderr).Level(level).With().Timestamp().Str("node", *role).Logger()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { // stdin closing (the test ending) or a signal stops the node
		_, _ = io.Copy(io.Discard, os.Stdin)
		cancel()
	}()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-sigs
		cancel()
	}()

	cfg := config.DefaultConfig()
	cfg.RootDir = *home
	cfg.P2P.ListenAddress = *listen
	cfg.P2P.Peers = *peers
	cfg.RPC.Address = *rpc
	cfg.Node.BlockTime = config.DurationWrapper{Duration: *blockTime}
	cfg.Node.ScrapeInterval = config.DurationWrapper{Duration: *blockTime}
	cfg.DA.Namespace = "hsinterop"
	cfg.DA.DataNamespace = "hsinterop"
	cfg.DA.BlockTime = config.DurationWrapper{Duration: time.Second}
	cfg.Instrumentation.Prometheus = false

	nodeKey, err := key.LoadOrGenNodeKey(filepath.Join(*home, "config"))
	if err != nil {
		return fmt.Errorf("node key: %w", err)
	}
	id, err := peer.IDFromPrivateKey(nodeKey.PrivKey)
	if err != nil {
		return err
	}

	exec := NewKV()
	var (
		sig signer.Signer
		gen genesis.Genesis
		seq *solo.SoloSequencer
	)
	switch *role {
	case "aggregator":
		cfg.Node.Aggregator = true
		pass, err := readPassphrase(*passphraseFile)
		if err != nil {
			return err
		}
		if _, err := os.Stat(filepath.Join(*signerDir, "signer.json")); os.IsNotExist(err) {
			sig, err = file.CreateFileSystemSigner(*signerDir, pass)
			if err != nil {
				return fmt.Errorf("create signer: %w", err)
			}
		} else {
			sig, err = file.LoadFileSystemSigner(*signerDir, pass)
			if err != nil {
				return fmt.Errorf("load signer: %w", err)
			}
		}
		address, err := sig.GetAddress()
		if err != nil {
			return err
		}
		if _, err := os.Stat(*genesisPath); os.IsNotExist(err) {
			if *chainID == "" {
				return fmt.Errorf("-chain-id is required to create a genesis")
			}
			gen = genesis.NewGenesis(*chainID, 1, time.Now().UTC(), address)
			if err := os.MkdirAll(filepath.Dir(*genesisPath), 0o750); err != nil {
				return err
			}
			if err := gen.Save(*genesisPath); err != nil {
				return err
			}
		} else if gen, err = genesis.LoadGenesis(*genesisPath); err != nil {
			return err
		}
		seq = solo.NewSoloSequencer(logger, []byte(gen.ChainID), exec)
		if *txsPerBlock > 0 {
			go exec.Feed(ctx, *blockTime, *txsPerBlock)
		}
	case "full":
		if gen, err = genesis.LoadGenesis(*genesisPath); err != nil {
			return err
		}
	default:
		return fmt.Errorf("-role must be aggregator or full, not %q", *role)
	}

	database, err := store.NewTestInMemoryKVStore()
	if err != nil {
		return err
	}
	p2pClient, err := p2p.NewClient(cfg.P2P, nodeKey.PrivKey, database, gen.ChainID, logger, nil)
	if err != nil {
		return err
	}
	da := testda.New()
	var n node.Node
	if seq != nil {
		n, err = node.NewNode(cfg, exec, seq, da, sig, p2pClient, gen, database,
			node.DefaultMetricsProvider(cfg.Instrumentation), logger, node.NodeOptions{})
	} else {
		n, err = node.NewNode(cfg, exec, nil, da, nil, p2pClient, gen, database,
			node.DefaultMetricsProvider(cfg.Instrumentation), logger, node.NodeOptions{})
	}
	if err != nil {
		return fmt.Errorf("new node: %w", err)
	}

	done := make(chan error, 1)
	go func() { done <- n.Run(ctx) }()
	// The P2P client is listening once Run started it; the address is the one we were told to use.
	ready, _ := json.Marshal(map[string]any{
		"ready": true,
		"peer":  id.String(),
		"addr":  strings.TrimSuffix(*listen, "/") + "/p2p/" + id.String(),
	})
	fmt.Println(string(ready))
	err = <-done
	if err != nil && ctx.Err() == nil {
		return fmt.Errorf("node stopped: %w", err)
	}
	return nil
}

func readPassphrase(path string) ([]byte, error) {
	if path == "" {
		return nil, fmt.Errorf("-passphrase-file is required for an aggregator")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pass := strings.TrimSpace(string(b))
	if pass == "" {
		return nil, fmt.Errorf("passphrase file %s is empty", path)
	}
	return []byte(pass), nil
}
