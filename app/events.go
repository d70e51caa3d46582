package app

import (
	"sync"

	"github.com/stillroom/stillroom/core"
)

// broker fans asset changes out to in-process subscribers (upload waits and
// the assetUpdated subscription). Slow subscribers miss events rather than
// block processing.
type broker struct {
	mu   sync.Mutex
	subs map[chan *core.Asset]map[string]bool // nil set = every asset
}

func newBroker() *broker {
	return &broker{subs: map[chan *core.Asset]map[string]bool{}}
}

// subscribe returns a channel of changes to the given assets (all when ids
// is empty) and a function that ends the subscription.
func (b *broker) subscribe(ids []string) (<-chan *core.Asset, func()) {
	ch := make(chan *core.Asset, 16)
	var set map[string]bool
	if len(ids) > 0 {
		set = map[string]bool{}
		for _, id := range ids {
			set[id] = true
		}
	}
	b.mu.Lock()
	b.subs[ch] = set
	b.mu.Unlock()
	return ch, func() {
		b.mu.Lock()
		delete(b.subs, ch)
		b.mu.Unlock()
	}
}

func (b *broker) publish(a *core.Asset) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for ch, set := range b.subs {
		if set != nil && !set[a.ID] {
			continue
		}
		cp := *a
		select {
		case ch <- &cp:
		default:
		}
	}
}
