package engine

import (
	"context"
	"fmt"
	"sync"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nuid"
)

// replyMux routes the replies of many concurrent multi-reply requests
// through one wildcard subscription, as nats.go does for single-reply
// requests: subscribing and unsubscribing an inbox per request costs more
// than a small request itself.
type replyMux struct {
	once   sync.Once
	err    error
	prefix string
	sub    *nats.Subscription

	mu      sync.Mutex // guards waiting
	waiting map[string]chan *nats.Msg
}

func (r *replyMux) start(nc *nats.Conn) error {
	r.once.Do(func() {
		r.prefix = nc.NewInbox() + "."
		r.waiting = map[string]chan *nats.Msg{}
		r.sub, r.err = nc.Subscribe(r.prefix+"*", func(m *nats.Msg) {
			token := m.Subject[len(r.prefix):]
			r.mu.Lock()
			ch := r.waiting[token]
			r.mu.Unlock()
			if ch == nil {
				return // the request gave up
			}
			select {
			case ch <- m:
			default:
				// More replies than the request said it expects; it will
				// time out rather than block every other request.
			}
		})
		if r.err == nil {
			r.err = r.sub.SetPendingLimits(-1, -1)
		}
	})
	return r.err
}

// RequestMany publishes body to subject and calls fn with each reply until
// fn returns done or an error, or ctx ends. maxReplies bounds how many
// replies the request can produce (they are buffered while fn runs).
func (e *Engine) RequestMany(ctx context.Context, subject string, body []byte, maxReplies int, fn func(*nats.Msg) (done bool, err error)) error {
	if err := e.replies.start(e.Conn); err != nil {
		return fmt.Errorf("engine: reply subscription: %w", err)
	}
	r := &e.replies
	token := nuid.Next()
	ch := make(chan *nats.Msg, maxReplies)
	r.mu.Lock()
	r.waiting[token] = ch
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		delete(r.waiting, token)
		r.mu.Unlock()
	}()
	if err := e.Conn.PublishRequest(subject, r.prefix+token, body); err != nil {
		return err
	}
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case m := <-ch:
			done, err := fn(m)
			if err != nil || done {
				return err
			}
		}
	}
}
