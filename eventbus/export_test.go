package eventbus

import (
	"context"
	"time"
)

// OnFired sets a hook called after each tick this service fires.
func (s *Service) OnFired(f func(key string, tick time.Time)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fired = f
}

// IdleAt is when the firing loop last went to sleep; zero while awake.
func (s *Service) IdleAt() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.idleAt
}

// Timers is how many schedules this node fires.
func (s *Service) Timers() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, t := range s.timers {
		if !t.next.IsZero() {
			n++
		}
	}
	return n
}

// Undelivered is how many messages of the stream wait for delivery or
// its acknowledgement.
func (s *Service) Undelivered(ctx context.Context) (uint64, error) {
	c, err := s.stream.Consumer(ctx, "deliver")
	if err != nil {
		return 0, err
	}
	info, err := c.Info(ctx)
	if err != nil {
		return 0, err
	}
	return info.NumPending + uint64(info.NumAckPending), nil
}

// NextFiring is the next tick of the schedule under a catalog key and
// when it fires (later within a flexible time window).
func (s *Service) NextFiring(group, name string) (tick, due time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.timers[schedKey(group, name)]
	if t == nil {
		return time.Time{}, time.Time{}
	}
	return t.next, t.due()
}
