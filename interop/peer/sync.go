package main

// Commands that run go-header v0.8.6's real sync.Syncer over ev-node P2PSignedHeaders:
//
//	{"cmd":"sync-start","peer":"12D3...","height":1,"blockTimeMillis":1000}
//	    a fresh go-header store, an exchange trusting the peer, a go-header Subscriber on the node's
//	    pubsub (topic /<network>/header-sub/v0.0.1) and a Syncer whose tail is the given height
//	    (WithSyncFromHeight), or the given "hash" (WithSyncFromHash), with an optional
//	    "pruningWindowMillis" (WithPruningWindow); answers once Syncer.Start returned
//	{"cmd":"sync-wait","height":10000,"millis":60000}
//	    answers when the syncer's store head reached the height: elapsed time since sync-start
//	    ("millis"), headers synced since the start and headers per second
//	{"cmd":"sync-state"}                          Syncer.State() and the store's head and tail
//	{"cmd":"sync-header","height":5,"from":"sync"} the header's hash and MarshalBinary bytes (hex) from
//	                                              the syncer's store ("sync") or the served store ("store")
//	{"cmd":"sync-stop"}                           stops the syncer, subscriber and store
//
// sync-start with "datastore":"badger" and a "path" keeps the syncer's store on disk, in the Badger
// datastore ev-node uses (disk.go); sync-stop then closes it too.
//
// One syncer per peer process at a time. Its Subscriber registers go-header's validator on the header
// topic, so do not combine sync-start with hsub-start (subscriber.go) in the same process.

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/celestiaorg/go-header"
	goheaderp2p "github.com/celestiaorg/go-header/p2p"
	"github.com/celestiaorg/go-header/store"
	gosync "github.com/celestiaorg/go-header/sync"
	"github.com/ipfs/go-datastore"
	dssync "github.com/ipfs/go-datastore/sync"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/peer"
)

type syncArgs struct {
	Peer            string `json:"peer"`
	Height          uint64 `json:"height"`
	Hash            string `json:"hash"`
	BlockTimeMillis int64  `json:"blockTimeMillis"`
	PruningWindowMs int64  `json:"pruningWindowMillis"`
	Millis          int64  `json:"millis"`
	From            string `json:"from"`
	Datastore       string `json:"datastore"`
	Path            string `json:"path"`
}

// syncNode is one running go-header syncer with its own store, exchange and subscriber.
type syncNode struct {
	store        *store.Store[H]
	exchange     *goheaderp2p.Exchange[H]
	subscriber   *goheaderp2p.Subscriber[H]
	subscription header.Subscription[H]
	syncer       *gosync.Syncer[H]
	started      time.Time
	startTail    uint64
	// closeDatastore closes an on-disk datastore after the store stopped; nil for the in-memory one.
	closeDatastore func() error
}

var (
	syncMu  sync.Mutex
	syncers = map[*node]*syncNode{}
)

func init() { registerCommands(syncCommand) }

func syncCommand(n *node, ctx context.Context, req request) (map[string]any, bool, error) {
	switch req.Cmd {
	case "sync-start", "sync-wait", "sync-state", "sync-header", "sync-stop":
	default:
		return nil, false, nil
	}
	var args syncArgs
	if err := json.Unmarshal(req.Raw, &args); err != nil {
		return nil, true, fmt.Errorf("%s: bad arguments: %w", req.Cmd, err)
	}
	res, err := n.syncHandle(ctx, req.Cmd, args)
	return res, true, err
}

func (n *node) syncHandle(ctx context.Context, cmd string, args syncArgs) (map[string]any, error) {
	syncMu.Lock()
	sn := syncers[n]
	syncMu.Unlock()
	if cmd != "sync-start" && cmd != "sync-header" && sn == nil {
		return nil, fmt.Errorf("%s: no syncer running: send sync-start first", cmd)
	}
	switch cmd {
	case "sync-start":
		if sn != nil {
			return nil, fmt.Errorf("sync-start: a syncer is already running")
		}
		sn, err := n.startSyncer(ctx, args)
		if err != nil {
			return nil, err
		}
		syncMu.Lock()
		syncers[n] = sn
		syncMu.Unlock()
		return sn.describe(ctx), nil
	case "sync-wait":
		wctx, cancel := context.WithTimeout(ctx, time.Duration(max(args.Millis, 1))*time.Millisecond)
		defer cancel()
		// go-header's store GetByHeight blocks until the height is stored (heightSub).
		h, err := sn.store.GetByHeight(wctx, args.Height)
		if err != nil {
			return nil, fmt.Errorf("sync-wait: height %d not reached (store head %d): %w", args.Height,
				sn.store.Height(), err)
		}
		elapsed := time.Since(sn.started)
		synced := h.Height() - sn.startTail
		return map[string]any{"height": h.Height(), "hash": h.Hash().String(), "millis": elapsed.Milliseconds(),
			"headers": synced, "headersPerSecond": float64(synced) / elapsed.Seconds()}, nil
	case "sync-state":
		return sn.describe(ctx), nil
	case "sync-header":
		var st *store.Store[H]
		if args.From == "store" {
			st = n.headers().store
		} else if sn != nil {
			st = sn.store
		} else {
			return nil, fmt.Errorf("sync-header: no syncer running")
		}
		h, err := st.GetByHeight(ctx, args.Height)
		if err != nil {
			return nil, err
		}
		bin, err := h.MarshalBinary()
		if err != nil {
			return nil, err
		}
		return map[string]any{"height": h.Height(), "hash": h.Hash().String(), "bytes": hex.EncodeToString(bin)}, nil
	default: // sync-stop
		syncMu.Lock()
		delete(syncers, n)
		syncMu.Unlock()
		return nil, sn.stop(ctx)
	}
}

func (n *node) startSyncer(ctx context.Context, args syncArgs) (sn *syncNode, err error) {
	p, err := peer.Decode(args.Peer)
	if err != nil {
		return nil, err
	}
	if args.BlockTimeMillis <= 0 {
		return nil, fmt.Errorf("sync-start: blockTimeMillis must be positive, got %d", args.BlockTimeMillis)
	}
	ps, err := n.pubSub()
	if err != nil {
		return nil, err
	}
	var ds datastore.Batching = dssync.MutexWrap(datastore.NewMapDatastore())
	var closeDatastore func() error
	switch args.Datastore {
	case "", "memory":
	case "badger":
		bds, openErr := openBadger(args.Path)
		if openErr != nil {
			return nil, fmt.Errorf("sync-start: %w", openErr)
		}
		ds, closeDatastore = bds, bds.Close
		defer func() {
			if err != nil { // a later step failed: no syncer owns the datastore
				_ = bds.Close()
			}
		}()
	default:
		return nil, fmt.Errorf("sync-start: datastore %q: memory or badger", args.Datastore)
	}
	st, err := store.NewStore[H](ds)
	if err != nil {
		return nil, err
	}
	// Components outlive the command: they run on the node's context.
	if err := st.Start(n.ctx); err != nil {
		return nil, err
	}
	ex, err := n.newExchange(p)
	if err != nil {
		return nil, err
	}
	sub, err := goheaderp2p.NewSubscriber[H](ps, pubsub.DefaultMsgIdFn, goheaderp2p.WithSubscriberNetworkID(n.network))
	if err != nil {
		return nil, err
	}
	if err := sub.Start(n.ctx); err != nil {
		return nil, err
	}
	// As ev-node's sync service: subscribe, so the topic is announced and gossip reaches the
	// validator (the syncer's verifier); the delivered copies are drained.
	subscription, err := sub.Subscribe()
	if err != nil {
		return nil, err
	}
	go func() {
		for {
			if _, err := subscription.NextHeader(n.ctx); err != nil {
				return
			}
		}
	}()
	opts := []gosync.Option{
		gosync.WithBlockTime(time.Duration(args.BlockTimeMillis) * time.Millisecond),
		// Test chains start on a fixed date: never let their headers expire.
		gosync.WithTrustingPeriod(100 * 365 * 24 * time.Hour),
	}
	if args.PruningWindowMs > 0 {
		opts = append(opts, gosync.WithPruningWindow(time.Duration(args.PruningWindowMs)*time.Millisecond))
	}
	if args.Hash != "" {
		opts = append(opts, gosync.WithSyncFromHash(args.Hash))
	} else {
		opts = append(opts, gosync.WithSyncFromHeight(max(args.Height, 1)))
	}
	syncer, err := gosync.NewSyncer[H](ex, st, sub, opts...)
	if err != nil {
		return nil, err
	}
	sn = &syncNode{store: st, exchange: ex, subscriber: sub, subscription: subscription, syncer: syncer, started: time.Now(),
		startTail: max(args.Height, 1) - 1, closeDatastore: closeDatastore}
	if err := syncer.Start(ctx); err != nil {
		return nil, fmt.Errorf("sync-start: syncer: %w", err)
	}
	if tail, err := st.Tail(ctx); err == nil {
		sn.startTail = tail.Height()
	}
	return sn, nil
}

func (sn *syncNode) describe(ctx context.Context) map[string]any {
	state := sn.syncer.State()
	res := map[string]any{"id": state.ID, "height": state.Height, "fromHeight": state.FromHeight,
		"toHeight": state.ToHeight, "fromHash": state.FromHash.String(), "toHash": state.ToHash.String(),
		"finished": state.Finished(), "error": state.Error}
	if h, err := sn.store.Head(ctx); err == nil {
		res["storeHead"] = h.Height()
	}
	if t, err := sn.store.Tail(ctx); err == nil {
		res["storeTail"] = t.Height()
	}
	return res
}

func (sn *syncNode) stop(ctx context.Context) error {
	sn.subscription.Cancel()
	if err := sn.syncer.Stop(ctx); err != nil {
		return err
	}
	if err := sn.subscriber.Stop(ctx); err != nil {
		return err
	}
	if err := sn.exchange.Stop(ctx); err != nil {
		return err
	}
	if err := sn.store.Stop(ctx); err != nil {
		return err
	}
	if sn.closeDatastore != nil {
		return sn.closeDatastore()
	}
	return nil
}
