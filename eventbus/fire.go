package eventbus

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"strings"
	"time"

	"github.com/eddyserverless/eddy/eventbus/schedule"
	"github.com/nats-io/nats.go/jetstream"
)

// timer is a schedule this node fires: a scheduled rule or a Scheduler
// schedule that is enabled.
type timer struct {
	kind  string // "rule" or "schedule"
	arn   string
	sig   string // what the ticks depend on; a change recomputes them
	sched anchorRate
	end   time.Time     // no tick after it (zero: none)
	flex  time.Duration // a flexible time window: each tick fires at a point in it
	next  time.Time     // the next tick, zero when there is none
}

// due is when the next tick fires: the tick itself, or a point of its
// flexible window chosen from the tick, the same on every node.
func (t *timer) due() time.Time {
	if t.flex <= 0 || t.next.IsZero() {
		return t.next
	}
	sum := sha256.Sum256([]byte(t.arn + "@" + t.next.Format(time.RFC3339Nano)))
	off := time.Duration(binary.BigEndian.Uint64(sum[:8]) % uint64(t.flex/time.Second))
	return t.next.Add(off * time.Second)
}

// firstTick is the first tick of a schedule after now. A rate()'s ticks
// are anchor plus whole periods.
func firstTick(sc schedule.Schedule, expr string, anchor, now time.Time) time.Time {
	if strings.HasPrefix(expr, "rate(") && !anchor.IsZero() {
		p := sc.Next(anchor).Sub(anchor)
		if p <= 0 {
			return time.Time{}
		}
		if now.Before(anchor) {
			return anchor.Add(p)
		}
		k := now.Sub(anchor)/p + 1
		return anchor.Add(k * p)
	}
	return sc.Next(now)
}

// apply follows the catalog: it keeps the timers of this node in step
// with the enabled scheduled rules and schedules.
func (s *Service) apply(ent jetstream.KeyValueEntry) {
	key := ent.Key()
	if !strings.HasPrefix(key, "rule.") && !strings.HasPrefix(key, "sched.") {
		return
	}
	t := s.timerOf(ent)
	s.mu.Lock()
	old := s.timers[key]
	switch {
	case t == nil:
		delete(s.timers, key)
	case old != nil && old.sig == t.sig:
		old.end, old.flex = t.end, t.flex
	default:
		now := s.cfg.Clock.Now()
		t.next = t.nextAfter(now)
		s.timers[key] = t
	}
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// timerOf builds the timer of a catalog entry; nil when nothing fires.
func (s *Service) timerOf(ent jetstream.KeyValueEntry) *timer {
	if ent.Operation() != jetstream.KeyValuePut {
		return nil
	}
	if strings.HasPrefix(ent.Key(), "rule.") {
		var r ruleRecord
		if json.Unmarshal(ent.Value(), &r) != nil || r.ScheduleExpression == "" || r.State != "ENABLED" {
			return nil
		}
		sc, err := schedule.Parse(r.ScheduleExpression)
		if err != nil {
			return nil
		}
		return &timer{kind: "rule", arn: s.ruleArn(r.Bus, r.Name),
			sig:   r.ScheduleExpression + "|" + r.Anchor.Format(time.RFC3339Nano),
			sched: anchorRate{sc, r.ScheduleExpression, r.Anchor}}
	}
	var sr scheduleRecord
	if json.Unmarshal(ent.Value(), &sr) != nil || sr.State != "ENABLED" {
		return nil
	}
	sc, _, err := parseScheduleExpr(sr.ScheduleExpression, sr.ScheduleExpressionTimezone)
	if err != nil {
		return nil
	}
	anchor := sr.Modified
	if !sr.StartDate.IsZero() {
		anchor = sr.StartDate
	}
	t := &timer{kind: "schedule", arn: s.scheduleArn(sr.Group, sr.Name),
		sig: strings.Join([]string{sr.ScheduleExpression, sr.ScheduleExpressionTimezone,
			sr.StartDate.Format(time.RFC3339), anchor.Format(time.RFC3339Nano)}, "|"),
		sched: anchorRate{sc, sr.ScheduleExpression, anchor}, end: sr.EndDate}
	if sr.FlexibleTimeWindow.Mode == "FLEXIBLE" {
		t.flex = time.Duration(sr.FlexibleTimeWindow.MaximumWindowInMinutes) * time.Minute
	}
	return t
}

// anchorRate is a schedule whose first tick after a time is computed
// from its anchor.
type anchorRate struct {
	schedule.Schedule
	expr   string
	anchor time.Time
}

func (t *timer) nextAfter(now time.Time) time.Time {
	a := t.sched
	n := firstTick(a.Schedule, a.expr, a.anchor, now)
	if strings.HasPrefix(a.expr, "rate(") || strings.HasPrefix(a.expr, "cron(") {
		// Neither fires before its start date.
		for !n.IsZero() && n.Before(a.anchor) {
			n = a.Schedule.Next(n)
		}
	}
	if !t.end.IsZero() && n.After(t.end) {
		return time.Time{}
	}
	return n
}

// tick is a tick due to fire.
type tick struct {
	key  string
	kind string
	arn  string
	at   time.Time
}

// fireLoop fires the ticks of the timers as they fall due, until the
// service closes.
func (s *Service) fireLoop() {
	for {
		now := s.cfg.Clock.Now()
		var due []tick
		var wait time.Duration = -1
		s.mu.Lock()
		for key, t := range s.timers {
			// Of several ticks due at once (the node was paused), only the
			// last fires: a schedule does not catch up.
			var last time.Time
			for !t.next.IsZero() && !t.due().After(now) {
				last = t.next
				t.next = t.nextAfter(t.next)
			}
			if !last.IsZero() {
				due = append(due, tick{key: key, kind: t.kind, arn: t.arn, at: last})
			}
			if !t.next.IsZero() {
				if d := t.due().Sub(now); wait < 0 || d < wait {
					wait = d
				}
			}
		}
		s.mu.Unlock()
		for _, tk := range due {
			s.fire(tk)
		}
		if len(due) > 0 {
			continue
		}
		var after <-chan time.Time
		if wait >= 0 {
			after = s.cfg.Clock.After(wait)
		}
		s.mu.Lock()
		s.idleAt = now
		s.mu.Unlock()
		select {
		case <-s.ctx.Done():
			return
		case <-s.wake:
		case <-after:
		}
		s.mu.Lock()
		s.idleAt = time.Time{}
		s.mu.Unlock()
	}
}

// fire publishes one tick; the message id makes a tick another node (or
// this one, before a restart) fired already a no-op.
func (s *Service) fire(tk tick) {
	env := &envelope{Kind: tk.kind, Key: tk.key, Tick: tk.at.UTC()}
	if tk.kind == "rule" {
		ev := Event{Version: "0", ID: deliveryID(tk.arn, tk.at.UTC().Format(time.RFC3339Nano)), DetailType: "Scheduled Event",
			Source: "aws.events", Account: s.cfg.Account, Time: tk.at.UTC().Format(timeFormat), Region: s.cfg.Region,
			Resources: []string{tk.arn}, Detail: json.RawMessage("{}")}
		env.Event, _ = json.Marshal(&ev)
	}
	msgID := tk.arn + "@" + tk.at.UTC().Format(time.RFC3339Nano)
	var err error
	for range 5 {
		if err = s.publish(s.ctx, env, msgID); err == nil || s.ctx.Err() != nil {
			break
		}
		select {
		case <-s.ctx.Done():
		case <-time.After(200 * time.Millisecond):
		}
	}
	if err != nil {
		s.cfg.Logger.Warn("eventbus: tick not fired", "schedule", tk.arn, "tick", tk.at, "err", err)
	}
	s.mu.Lock()
	f := s.fired
	s.mu.Unlock()
	if f != nil {
		f(tk.key, tk.at)
	}
}
