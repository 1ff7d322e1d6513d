package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	goheaderp2p "github.com/celestiaorg/go-header/p2p"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
)

// The router pubsub-start chose (before any join); "" keeps pubSub()'s default, floodsub.
// One interop peer process runs one node, so package state is enough.
var (
	routerMu     sync.Mutex
	routerChoice string
	routerTopic  string
	scores       = map[peer.ID]float64{}
	scoresAt     time.Time
	mesh         = &meshTracer{mesh: map[string]map[peer.ID]bool{}, changed: make(chan struct{})}
)

// meshTracer follows Go's mesh through GRAFT/PRUNE trace events and counts rejected messages.
type meshTracer struct {
	mu       sync.Mutex
	mesh     map[string]map[peer.ID]bool
	changed  chan struct{}
	rejected map[string]int
}

func (t *meshTracer) set(p peer.ID, topic string, in bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.mesh[topic] == nil {
		t.mesh[topic] = map[peer.ID]bool{}
	}
	t.mesh[topic][p] = in
	close(t.changed)
	t.changed = make(chan struct{})
}

// waitIn waits until p is in Go's mesh of topic.
func (t *meshTracer) waitIn(ctx context.Context, p peer.ID, topic string) error {
	for {
		t.mu.Lock()
		in, ch := t.mesh[topic][p], t.changed
		t.mu.Unlock()
		if in {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (t *meshTracer) Graft(p peer.ID, topic string) { t.set(p, topic, true) }
func (t *meshTracer) Prune(p peer.ID, topic string) { t.set(p, topic, false) }
func (t *meshTracer) RejectMessage(msg *pubsub.Message, reason string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.rejected == nil {
		t.rejected = map[string]int{}
	}
	t.rejected[reason]++
}
func (t *meshTracer) OnNewOutboundStream(peer.ID, protocol.ID) {}
func (t *meshTracer) OnClosedOutboundStream(peer.ID)           {}
func (t *meshTracer) Join(string)                              {}
func (t *meshTracer) Leave(string)                             {}
func (t *meshTracer) ValidateMessage(*pubsub.Message)          {}
func (t *meshTracer) DeliverMessage(*pubsub.Message)           {}
func (t *meshTracer) DuplicateMessage(*pubsub.Message)         {}
func (t *meshTracer) ThrottlePeer(peer.ID)                     {}
func (t *meshTracer) RecvRPC(*pubsub.RPC)                      {}
func (t *meshTracer) SendRPC(*pubsub.RPC, peer.ID)             {}
func (t *meshTracer) DropRPC(*pubsub.RPC, peer.ID)             {}
func (t *meshTracer) UndeliverableMessage(*pubsub.Message)     {}

func init() {
	registerCommands(gossipCommand)
}

// gossipCommand handles:
//   - {"cmd":"pubsub-start","router":"gossipsub|floodsub|meshsub11-scored","topic":T}: chooses and starts
//     the router; it must come before any pubsub-join. meshsub11-scored is celestia-node's setup:
//     gossipsub restricted to /meshsub/1.1.0, go-header's GossibSubScore on topic T, celestia's
//     thresholds (gossip -1000, publish -2000, graylist -8000, acceptPX 1000, opportunistic graft 5).
//   - {"cmd":"pubsub-score","peer":P}: Go's latest score of P (WithPeerScoreInspect, every 100 ms);
//     answers scored=false for routers without scoring; "rejected" counts messages Go rejected, by reason.
//   - {"cmd":"pubsub-wait-mesh","topic":T,"peer":P}: waits until P is in Go's gossipsub mesh of T.
func gossipCommand(n *node, ctx context.Context, req request) (map[string]any, bool, error) {
	switch req.Cmd {
	case "pubsub-start":
		var args struct {
			Router string `json:"router"`
		}
		if err := json.Unmarshal(req.Raw, &args); err != nil {
			return nil, true, err
		}
		return nil, true, n.startRouter(args.Router, req.Topic)
	case "pubsub-score":
		p, err := peer.Decode(req.Peer)
		if err != nil {
			return nil, true, err
		}
		mesh.mu.Lock()
		rejected := 0
		for _, c := range mesh.rejected {
			rejected += c
		}
		mesh.mu.Unlock()
		routerMu.Lock()
		defer routerMu.Unlock()
		if routerChoice != "meshsub11-scored" {
			return map[string]any{"scored": false, "score": 0, "rejected": rejected}, true, nil
		}
		s, ok := scores[p]
		return map[string]any{"scored": true, "known": ok, "score": s, "rejected": rejected,
			"ageMillis": time.Since(scoresAt).Milliseconds()}, true, nil
	case "pubsub-wait-mesh":
		p, err := peer.Decode(req.Peer)
		if err != nil {
			return nil, true, err
		}
		return nil, true, mesh.waitIn(ctx, p, req.Topic)
	}
	return nil, false, nil
}

func (n *node) startRouter(router, topic string) error {
	n.psMu.Lock()
	defer n.psMu.Unlock()
	if n.ps != nil {
		return fmt.Errorf("pubsub already started")
	}
	routerMu.Lock()
	routerChoice = router
	routerTopic = topic
	routerMu.Unlock()
	return n.startPubSubLocked()
}

// newRouter builds the router pubsub-start chose; floodsub (ev-node's) when none was chosen.
func (n *node) newRouter() (*pubsub.PubSub, error) {
	routerMu.Lock()
	choice, topic := routerChoice, routerTopic
	routerMu.Unlock()
	common := []pubsub.Option{
		pubsub.WithMessageSignaturePolicy(pubsub.StrictSign),
		pubsub.WithMaxMessageSize(evnodeMaxMessageSize),
	}
	if choice != "" {
		common = append(common, pubsub.WithRawTracer(mesh))
	}
	switch choice {
	case "", "floodsub":
		return pubsub.NewFloodSub(n.ctx, n.host, common...)
	case "gossipsub":
		return pubsub.NewGossipSub(n.ctx, n.host, common...)
	case "meshsub11-scored":
		if topic == "" {
			return nil, fmt.Errorf("meshsub11-scored needs the scored topic")
		}
		score := &pubsub.PeerScoreParams{
			Topics:                      map[string]*pubsub.TopicScoreParams{topic: &goheaderp2p.GossibSubScore},
			AppSpecificScore:            func(peer.ID) float64 { return 0 },
			IPColocationFactorWeight:    -100,
			IPColocationFactorThreshold: 10,
			BehaviourPenaltyWeight:      -10,
			BehaviourPenaltyThreshold:   6,
			BehaviourPenaltyDecay:       pubsub.ScoreParameterDecay(10 * time.Minute),
			DecayInterval:               pubsub.DefaultDecayInterval,
			DecayToZero:                 pubsub.DefaultDecayToZero,
			RetainScore:                 6 * time.Hour,
		}
		thresholds := &pubsub.PeerScoreThresholds{
			GossipThreshold:             -1000,
			PublishThreshold:            -2000,
			GraylistThreshold:           -8000,
			AcceptPXThreshold:           1000,
			OpportunisticGraftThreshold: 5,
		}
		inspect := func(m map[peer.ID]float64) {
			routerMu.Lock()
			defer routerMu.Unlock()
			scores = m
			scoresAt = time.Now()
		}
		opts := append(common,
			pubsub.WithGossipSubProtocols([]protocol.ID{pubsub.GossipSubID_v11}, pubsub.GossipSubDefaultFeatures),
			pubsub.WithPeerScore(score, thresholds),
			pubsub.WithPeerScoreInspect(pubsub.PeerScoreInspectFn(inspect), 100*time.Millisecond))
		return pubsub.NewGossipSub(n.ctx, n.host, opts...)
	default:
		return nil, fmt.Errorf("unknown router %q (gossipsub, floodsub, meshsub11-scored)", choice)
	}
}
