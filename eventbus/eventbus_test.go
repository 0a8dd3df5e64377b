package eventbus_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/engine"
	"github.com/eddyserverless/eddy/eventbus"
)

// fakeClock is a clock that moves only when told to.
type fakeClock struct {
	mu      sync.Mutex // guards now and waiters
	now     time.Time
	waiters []waiter
}

type waiter struct {
	at time.Time
	ch chan time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.waiters = append(c.waiters, waiter{c.now.Add(d), ch})
	return ch
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	kept := c.waiters[:0]
	for _, w := range c.waiters {
		if !w.at.After(c.now) {
			w.ch <- c.now
		} else {
			kept = append(kept, w)
		}
	}
	c.waiters = kept
}

// recorder is an invoker that records what it is asked to invoke.
type recorder struct {
	mu   sync.Mutex // guards reqs
	reqs []eddy.InvokeRequest
}

func (r *recorder) Invoke(ctx context.Context, req *eddy.InvokeRequest) (*eddy.InvokeResult, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reqs = append(r.reqs, *req)
	return &eddy.InvokeResult{StatusCode: 202}, nil
}

func (r *recorder) all() []eddy.InvokeRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]eddy.InvokeRequest(nil), r.reqs...)
}

func MustEngine(tb testing.TB) *engine.Engine {
	tb.Helper()
	e := engine.New(engine.Config{DataDir: tb.TempDir()})
	if err := e.Open(context.Background()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = e.Close() })
	return e
}

func MustService(tb testing.TB, e *engine.Engine, node string, clock eventbus.Clock, inv eddy.Invoker) *eventbus.Service {
	tb.Helper()
	s := eventbus.NewService(eventbus.Config{Engine: e, Invoker: inv, NodeID: node, Clock: clock, LeaseTTL: 5 * time.Second})
	if err := s.Open(context.Background()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

// poll waits until ok holds, failing the test after a deadline.
func poll(tb testing.TB, what string, ok func() bool) {
	tb.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// ticks counts the ticks each node fired.
type ticks struct {
	mu sync.Mutex // guards n
	n  map[*eventbus.Service]int
}

func (t *ticks) hook(s *eventbus.Service) {
	s.OnFired(func(string, time.Time) {
		t.mu.Lock()
		defer t.mu.Unlock()
		t.n[s]++
	})
}

func (t *ticks) of(s *eventbus.Service) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.n[s]
}

func TestScheduledRuleFiresOncePerTick(t *testing.T) {
	ctx := context.Background()
	e := MustEngine(t)
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := &fakeClock{now: start}
	rec := &recorder{}
	tk := &ticks{n: map[*eventbus.Service]int{}}
	nodes := []*eventbus.Service{MustService(t, e, "a", clock, rec), MustService(t, e, "b", clock, rec)}
	for _, s := range nodes {
		tk.hook(s)
	}
	out, err := nodes[0].PutRule(ctx, &eventbus.PutRuleInput{Name: "every-minute", ScheduleExpression: "rate(1 minute)"})
	if err != nil {
		t.Fatal(err)
	}
	fn := "arn:aws:lambda:us-east-1:000000000000:function:tick"
	if _, err := nodes[1].PutTargets(ctx, &eventbus.PutTargetsInput{Rule: "every-minute", Targets: []eventbus.Target{{Id: "t1", Arn: fn}}}); err != nil {
		t.Fatal(err)
	}
	settle := func(want int) {
		t.Helper()
		for _, s := range nodes {
			poll(t, "a node to fire and sleep", func() bool {
				if tk.of(s) > want {
					t.Fatalf("a node fired %d ticks, want %d", tk.of(s), want)
				}
				return tk.of(s) == want && !s.IdleAt().IsZero() && s.Timers() == 1
			})
		}
		poll(t, "deliveries", func() bool { return len(rec.all()) >= want })
		poll(t, "no delivery pending", func() bool {
			n, err := nodes[0].Undelivered(ctx)
			return err == nil && n == 0
		})
	}
	settle(0)
	const n = 30
	for i := 1; i <= n; i++ {
		clock.Advance(time.Minute)
		settle(i)
		if got := len(rec.all()); got != i {
			t.Fatalf("after tick %d: got %d invocations, want %d", i, got, i)
		}
	}
	// A node that restarts does not fire again the tick it fired before.
	_ = nodes[0].Close()
	nodes[0] = MustService(t, e, "a", clock, rec)
	tk.hook(nodes[0])
	tk.n[nodes[0]] = n
	settle(n)
	clock.Advance(time.Minute)
	settle(n + 1)
	reqs := rec.all()
	if len(reqs) != n+1 {
		t.Fatalf("got %d invocations, want %d", len(reqs), n+1)
	}
	seen := map[string]bool{}
	for i, req := range reqs {
		if seen[req.RequestID] {
			t.Fatalf("request id %s invoked twice", req.RequestID)
		}
		seen[req.RequestID] = true
		var ev eventbus.Event
		if err := json.Unmarshal(req.Payload, &ev); err != nil {
			t.Fatal(err)
		}
		want := start.Add(time.Duration(i+1) * time.Minute).Format("2006-01-02T15:04:05Z")
		if ev.Time != want || ev.DetailType != "Scheduled Event" || ev.Source != "aws.events" ||
			len(ev.Resources) != 1 || ev.Resources[0] != out.RuleArn || string(ev.Detail) != "{}" || req.Type != eddy.InvokeEvent || req.FunctionName != "tick" {
			t.Fatalf("invocation %d: got %+v %s, want a Scheduled Event at %s", i, ev, ev.Detail, want)
		}
	}
}

func TestScheduleFiresOncePerTickOnTwoNodes(t *testing.T) {
	ctx := context.Background()
	e := MustEngine(t)
	start := time.Date(2026, 1, 1, 0, 0, 30, 0, time.UTC)
	clock := &fakeClock{now: start}
	rec := &recorder{}
	tk := &ticks{n: map[*eventbus.Service]int{}}
	nodes := []*eventbus.Service{MustService(t, e, "a", clock, rec), MustService(t, e, "b", clock, rec)}
	for _, s := range nodes {
		tk.hook(s)
	}
	_, err := nodes[1].CreateSchedule(ctx, &eventbus.ScheduleInput{Name: "s", ScheduleExpression: "cron(*/2 * * * ? *)",
		FlexibleTimeWindow: &eventbus.FlexibleTimeWindow{Mode: "OFF"},
		Target:             &eventbus.SchedulerTarget{Arn: "arn:aws:lambda:us-east-1:000000000000:function:job", RoleArn: "arn:aws:iam::000000000000:role/r", Input: `{"n":1,"at":"<aws.scheduler.scheduled-time>"}`}})
	if err != nil {
		t.Fatal(err)
	}
	settle := func(want int) {
		t.Helper()
		for _, s := range nodes {
			poll(t, "a node to fire and sleep", func() bool {
				if tk.of(s) > want {
					t.Fatalf("a node fired %d ticks, want %d", tk.of(s), want)
				}
				return tk.of(s) == want && !s.IdleAt().IsZero() && s.Timers() == 1
			})
		}
		poll(t, "deliveries", func() bool { return len(rec.all()) >= want })
		poll(t, "no delivery pending", func() bool {
			n, err := nodes[0].Undelivered(ctx)
			return err == nil && n == 0
		})
	}
	settle(0)
	fired := 0
	for i := 1; i <= 40; i++ {
		clock.Advance(time.Minute)
		if clock.Now().Minute()%2 == 0 {
			fired++
		}
		settle(fired)
		if got := len(rec.all()); got != fired {
			t.Fatalf("after minute %d: got %d invocations, want %d", i, got, fired)
		}
	}
	for i, req := range rec.all() {
		want := fmt.Sprintf(`{"n":1,"at":"%s"}`, time.Date(2026, 1, 1, 0, 2*(i+1), 0, 0, time.UTC).Format("2006-01-02T15:04:05Z"))
		if string(req.Payload) != want || req.FunctionName != "job" || req.Type != eddy.InvokeEvent {
			t.Fatalf("got %+v (%s), want %s to job", req, req.Payload, want)
		}
	}
}

func TestEventsDeliveredOnceByTwoNodes(t *testing.T) {
	ctx := context.Background()
	e := MustEngine(t)
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	rec := &recorder{}
	nodes := []*eventbus.Service{MustService(t, e, "a", clock, rec), MustService(t, e, "b", clock, rec)}
	if _, err := nodes[0].PutRule(ctx, &eventbus.PutRuleInput{Name: "r", EventPattern: `{"source":["s"]}`}); err != nil {
		t.Fatal(err)
	}
	if _, err := nodes[1].PutTargets(ctx, &eventbus.PutTargetsInput{Rule: "r", Targets: []eventbus.Target{
		{Id: "whole", Arn: "arn:aws:lambda:us-east-1:000000000000:function:f"},
		{Id: "detail", Arn: "arn:aws:lambda:us-east-1:000000000000:function:f:live", InputPath: "$.detail"},
	}}); err != nil {
		t.Fatal(err)
	}
	const n = 50
	ids := map[string]bool{}
	for i := range n {
		src := "s"
		if i%5 == 0 {
			src = "other" // matches no rule
		}
		detail := fmt.Sprintf(`{"i":%d}`, i)
		out, err := nodes[i%2].PutEvents(ctx, &eventbus.PutEventsInput{Entries: []eventbus.PutEventsEntry{{Source: &src, DetailType: &src, Detail: &detail}}})
		if err != nil || out.FailedEntryCount != 0 {
			t.Fatalf("got %+v, %v", out, err)
		}
		if src == "s" {
			ids[out.Entries[0].EventId] = true
		}
	}
	want := 2 * len(ids)
	poll(t, "deliveries", func() bool { return len(rec.all()) >= want })
	poll(t, "no delivery pending", func() bool {
		n, err := nodes[0].Undelivered(ctx)
		return err == nil && n == 0
	})
	// A delivery repeated (the node was too slow to acknowledge it in
	// time) carries the same request id: the invoker runs it once.
	byID := map[string]eddy.InvokeRequest{}
	for _, req := range rec.all() {
		if prev, ok := byID[req.RequestID]; ok && string(prev.Payload) != string(req.Payload) {
			t.Fatalf("request id %s: got %s and %s", req.RequestID, prev.Payload, req.Payload)
		}
		byID[req.RequestID] = req
	}
	if len(byID) != want {
		t.Fatalf("got %d distinct invocations, want %d", len(byID), want)
	}
	for _, req := range byID {
		switch req.Qualifier {
		case "":
			var ev eventbus.Event
			if err := json.Unmarshal(req.Payload, &ev); err != nil || !ids[ev.ID] {
				t.Fatalf("got %s, want one of the matching events", req.Payload)
			}
			delete(ids, ev.ID)
		case "live":
			if !strings.HasPrefix(string(req.Payload), `{"i":`) {
				t.Fatalf("got %s, want the detail", req.Payload)
			}
		default:
			t.Fatalf("got qualifier %q", req.Qualifier)
		}
	}
	if len(ids) != 0 {
		t.Fatalf("events %v were not delivered", ids)
	}
}

func TestFlexibleTimeWindow(t *testing.T) {
	ctx := context.Background()
	e := MustEngine(t)
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := &fakeClock{now: start}
	rec := &recorder{}
	s := MustService(t, e, "a", clock, rec)
	tk := &ticks{n: map[*eventbus.Service]int{}}
	tk.hook(s)
	_, err := s.CreateSchedule(ctx, &eventbus.ScheduleInput{Name: "flex", ScheduleExpression: "rate(10 minutes)",
		FlexibleTimeWindow: &eventbus.FlexibleTimeWindow{Mode: "FLEXIBLE", MaximumWindowInMinutes: 5},
		Target:             &eventbus.SchedulerTarget{Arn: "arn:aws:lambda:us-east-1:000000000000:function:f", RoleArn: "arn:aws:iam::000000000000:role/r", Input: `"<aws.scheduler.scheduled-time>"`}})
	if err != nil {
		t.Fatal(err)
	}
	offsets := map[time.Duration]bool{}
	for i := 1; i <= 12; i++ {
		var tick, due time.Time
		poll(t, "the schedule's timer", func() bool {
			tick, due = s.NextFiring("default", "flex")
			return !tick.IsZero() && !s.IdleAt().IsZero()
		})
		if want := start.Add(time.Duration(i) * 10 * time.Minute); !tick.Equal(want) || due.Before(tick) || !due.Before(tick.Add(5*time.Minute)) {
			t.Fatalf("got tick %s due %s, want tick %s due within 5 minutes", tick, due, want)
		}
		offsets[due.Sub(tick)] = true
		if due.After(tick) {
			clock.Advance(due.Sub(clock.Now()) - time.Second)
			poll(t, "the loop to sleep", func() bool { return !s.IdleAt().IsZero() })
			if tk.of(s) != i-1 {
				t.Fatalf("tick %d fired before its time", i)
			}
		}
		clock.Advance(due.Sub(clock.Now()))
		poll(t, "the tick", func() bool { return tk.of(s) == i && len(rec.all()) == i })
		if got, want := string(rec.all()[i-1].Payload), `"`+tick.Format("2006-01-02T15:04:05Z")+`"`; got != want {
			t.Fatalf("got %s, want %s", got, want)
		}
	}
	if len(offsets) < 2 {
		t.Fatalf("got offsets %v, want ticks spread over the window", offsets)
	}
}

// Two nodes whose clocks disagree fire each tick when each reaches it:
// the tick reaches the targets once.
func TestScheduledRuleOnceWithSkewedClocks(t *testing.T) {
	ctx := context.Background()
	e := MustEngine(t)
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clocks := []*fakeClock{{now: start}, {now: start}}
	rec := &recorder{}
	tk := &ticks{n: map[*eventbus.Service]int{}}
	nodes := []*eventbus.Service{MustService(t, e, "a", clocks[0], rec), MustService(t, e, "b", clocks[1], rec)}
	for _, s := range nodes {
		tk.hook(s)
	}
	if _, err := nodes[0].PutRule(ctx, &eventbus.PutRuleInput{Name: "r", ScheduleExpression: "cron(* * * * ? *)"}); err != nil {
		t.Fatal(err)
	}
	if _, err := nodes[0].PutTargets(ctx, &eventbus.PutTargetsInput{Rule: "r", Targets: []eventbus.Target{{Id: "t", Arn: "arn:aws:lambda:us-east-1:000000000000:function:f"}}}); err != nil {
		t.Fatal(err)
	}
	for _, s := range nodes {
		poll(t, "the timers", func() bool { return s.Timers() == 1 && !s.IdleAt().IsZero() })
	}
	for i := 1; i <= 20; i++ {
		for n, s := range nodes {
			clocks[n].Advance(time.Minute)
			poll(t, "the tick", func() bool { return tk.of(s) == i && !s.IdleAt().IsZero() })
		}
		poll(t, "the delivery", func() bool { return len(rec.all()) >= i })
		poll(t, "no delivery pending", func() bool {
			n, err := nodes[0].Undelivered(ctx)
			return err == nil && n == 0
		})
		if got := len(rec.all()); got != i {
			t.Fatalf("after tick %d: got %d invocations, want %d", i, got, i)
		}
	}
}
