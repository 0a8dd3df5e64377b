package main

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
)

// manualClock is a clock that moves only when told to.
type manualClock struct {
	mu      sync.Mutex // guards now and waiters
	now     time.Time
	waiters []manualWaiter
}

type manualWaiter struct {
	at time.Time
	ch chan time.Time
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *manualClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.waiters = append(c.waiters, manualWaiter{c.now.Add(d), ch})
	return ch
}

// Set moves the clock to t, waking what waited until then.
func (c *manualClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
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

func TestEventsScheduledRuleInvokesFunction(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	clock := &manualClock{now: start}
	m := MustStartMain(t, Config{EventsClock: clock})
	c := MustEventBridge(t, m)
	fnArn, dir := MustRecorder(t, MustLambda(t, m), "ticks")
	rule, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("quarter"), ScheduleExpression: aws.String("cron(0/15 * * * ? *)")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("quarter"), Targets: []ebtypes.Target{{Id: aws.String("fn"), Arn: aws.String(fnArn)}}}); err != nil {
		t.Fatal(err)
	}
	// The firing loop learns of the rule through its watch; move the clock
	// past each tick until the function has seen two, a quarter apart.
	var recs [][]byte
	for i := 1; i <= 2; i++ {
		tick := start.Add(time.Duration(i) * 15 * time.Minute)
		waitFor(t, 30*time.Second, "the tick's event", func() bool {
			clock.Set(tick)
			recs = readRecordsNow(dir)
			return len(recs) >= i
		})
	}
	for i, data := range recs {
		ev := cloudWatchEvent(t, data)
		want := start.Add(time.Duration(i+1) * 15 * time.Minute)
		if ev.Version != "0" || ev.ID == "" || ev.DetailType != "Scheduled Event" || ev.Source != "aws.events" || ev.AccountID != "000000000000" ||
			!ev.Time.Equal(want) || ev.Region != "us-east-1" || len(ev.Resources) != 1 || ev.Resources[0] != aws.ToString(rule.RuleArn) || string(ev.Detail) != "{}" {
			t.Fatalf("event %d: got %+v (detail %s), want the Scheduled Event of %s", i, ev, ev.Detail, want)
		}
	}
}
