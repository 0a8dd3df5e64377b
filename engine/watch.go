package engine

import (
	"context"
	"fmt"
	"sync"

	"github.com/nats-io/nats.go/jetstream"
)

// WatchAll calls apply with every entry of kv, then keeps calling it with
// every change until ctx ends. It returns once the current entries are
// applied, so that a cache built by apply is complete; the goroutine that
// follows the changes is counted in wg.
func WatchAll(ctx context.Context, kv jetstream.KeyValue, wg *sync.WaitGroup, apply func(jetstream.KeyValueEntry)) error {
	w, err := kv.WatchAll(ctx)
	if err != nil {
		return fmt.Errorf("engine: watch %s: %w", kv.Bucket(), err)
	}
	// The first nil entry marks the end of the initial values.
	for ent := range w.Updates() {
		if ent == nil {
			break
		}
		apply(ent)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer func() { _ = w.Stop() }()
		for {
			select {
			case <-ctx.Done():
				return
			case ent, ok := <-w.Updates():
				if !ok {
					return
				}
				if ent != nil {
					apply(ent)
				}
			}
		}
	}()
	return nil
}
