package logs_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/logs"
)

// fakeClock is a clock that tests move by hand; safe for concurrent use.
type fakeClock struct{ ms atomic.Int64 }

func newFakeClock(t time.Time) *fakeClock {
	c := &fakeClock{}
	c.ms.Store(t.UnixMilli())
	return c
}

func (c *fakeClock) Now() time.Time          { return time.UnixMilli(c.ms.Load()) }
func (c *fakeClock) Advance(d time.Duration) { c.ms.Add(d.Milliseconds()) }

// MustStoreWith opens a store with cfg on a fresh engine and closes it at
// the end of the test.
func MustStoreWith(tb testing.TB, cfg logs.Config) *logs.Store {
	tb.Helper()
	cfg.Engine = MustEngine(tb, tb.TempDir())
	s := logs.NewStore(cfg)
	if err := s.Open(context.Background()); err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

func retentionOf(tb testing.TB, s *logs.Store, group string) int {
	tb.Helper()
	groups, _, err := s.DescribeLogGroups(context.Background(), group, "", 0)
	if err != nil || len(groups) == 0 || groups[0].Name != group {
		tb.Fatalf("DescribeLogGroups(%s): got %v %v", group, groups, err)
	}
	return groups[0].RetentionInDays
}

// waitMessages polls until FilterLogEvents of q returns exactly want.
func waitMessages(tb testing.TB, s *logs.Store, q eddy.LogQuery, want []string) {
	tb.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		got := messages(filterAll(tb, s, q))
		if slices.Equal(got, want) {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%s: got %v, want %v", q.Group, got, want)
		}
		time.Sleep(10 * time.Millisecond) // polling interval
	}
}

func TestRetentionPolicy(t *testing.T) {
	s := fixture(t)
	ctx := context.Background()
	if got := retentionOf(t, s, groupA); got != 0 {
		t.Fatalf("got retention %d, want none", got)
	}
	for _, days := range eddy.RetentionDays {
		if err := s.PutRetentionPolicy(ctx, groupA, days); err != nil {
			t.Fatalf("PutRetentionPolicy(%d): %v", days, err)
		}
		if got := retentionOf(t, s, groupA); got != days {
			t.Fatalf("got retention %d, want %d", got, days)
		}
	}
	if got := retentionOf(t, s, groupB); got != 0 {
		t.Fatalf("%s: got retention %d, want none", groupB, got)
	}
	for _, days := range []int{0, -1, 2, 4, 366, 3654} {
		err := s.PutRetentionPolicy(ctx, groupA, days)
		wantCode(t, err, eddy.EVALIDATE, "InvalidParameterException")
		if !strings.Contains(eddy.ErrorMessage(err), "[1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]") {
			t.Fatalf("got message %q, want the valid values listed", eddy.ErrorMessage(err))
		}
	}
	if err := s.DeleteRetentionPolicy(ctx, groupA); err != nil {
		t.Fatal(err)
	}
	if got := retentionOf(t, s, groupA); got != 0 {
		t.Fatalf("after delete: got retention %d, want none", got)
	}
	// Deleting twice is fine, as in CloudWatch Logs.
	if err := s.DeleteRetentionPolicy(ctx, groupA); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.PutRetentionPolicy(ctx, "/none", 1), eddy.ENOTFOUND, "ResourceNotFoundException")
	wantCode(t, s.DeleteRetentionPolicy(ctx, "/none"), eddy.ENOTFOUND, "ResourceNotFoundException")
	wantCode(t, s.PutRetentionPolicy(ctx, "bad name", 1), eddy.EVALIDATE, "InvalidParameterException")

	// The policy survives writes that create the group's streams.
	if err := s.PutRetentionPolicy(ctx, groupA, 7); err != nil {
		t.Fatal(err)
	}
	MustWrite(t, s, groupA, "new stream", eddy.LogEvent{Message: "x"})
	if got := retentionOf(t, s, groupA); got != 7 {
		t.Fatalf("after a write: got retention %d, want 7", got)
	}
}

func TestRetentionIsEnforced(t *testing.T) {
	clock := newFakeClock(time.Now())
	s := MustStoreWith(t, logs.Config{Now: clock.Now, RetentionInterval: 20 * time.Millisecond})
	ctx := context.Background()
	now := clock.Now().UnixMilli()
	old := now - 3*24*time.Hour.Milliseconds()

	// Expired events in several messages, then recent ones.
	for i := range 5 {
		MustWrite(t, s, "g", "s1", eddy.LogEvent{Timestamp: old + int64(i), Message: fmt.Sprint("old ", i)})
	}
	MustWrite(t, s, "g", "s2", eddy.LogEvent{Timestamp: old, Message: "old s2"})
	MustWrite(t, s, "g", "s1", eddy.LogEvent{Timestamp: now, Message: "new 1"})
	MustWrite(t, s, "g", "s1", eddy.LogEvent{Timestamp: old + 10, Message: "late old"})
	MustWrite(t, s, "g", "s2", eddy.LogEvent{Timestamp: now + 1, Message: "new 2"})
	// A group without a policy keeps its old events.
	MustWrite(t, s, "keep", "s1", eddy.LogEvent{Timestamp: old, Message: "kept"})
	waitCount(t, s, eddy.LogQuery{Group: "g"}, 9)
	waitCount(t, s, eddy.LogQuery{Group: "keep"}, 1)

	if err := s.PutRetentionPolicy(ctx, "g", 1); err != nil {
		t.Fatal(err)
	}
	// The job purges each stream up to its first message with a recent
	// event: the old event written after it stays until it is at the head.
	waitMessages(t, s, eddy.LogQuery{Group: "g"}, []string{"new 1", "late old", "new 2"})
	waitMessages(t, s, eddy.LogQuery{Group: "keep"}, []string{"kept"})
	streams, _, err := s.DescribeLogStreams(ctx, &eddy.LogStreamQuery{Group: "g"})
	if err != nil || len(streams) != 2 || streams[0].FirstEventTimestamp != now || streams[1].FirstEventTimestamp != now+1 {
		t.Fatalf("got streams %+v %v, want s1 and s2 starting at %d and %d", streams, err, now, now+1)
	}

	// Two days later the recent events have expired too; the streams stay.
	clock.Advance(2 * 24 * time.Hour)
	waitMessages(t, s, eddy.LogQuery{Group: "g"}, nil)
	streams, _, err = s.DescribeLogStreams(ctx, &eddy.LogStreamQuery{Group: "g"})
	if err != nil || len(streams) != 2 || streams[0].LastEventTimestamp != 0 {
		t.Fatalf("got streams %+v %v, want two empty streams", streams, err)
	}

	waitMessages(t, s, eddy.LogQuery{Group: "keep"}, []string{"kept"})
}

func TestEnforceRetentionLongBacklog(t *testing.T) {
	// No background job during the test: EnforceRetention runs by hand.
	s := MustStoreWith(t, logs.Config{RetentionInterval: time.Hour})
	ctx := context.Background()
	old := time.Now().Add(-48 * time.Hour).UnixMilli()
	const n = 5000 // more than one purge step
	for i := range n {
		MustWrite(t, s, "g", "s", eddy.LogEvent{Timestamp: old + int64(i), Message: "old"})
	}
	MustWrite(t, s, "g", "s", eddy.LogEvent{Timestamp: time.Now().UnixMilli(), Message: "new"})
	waitCount(t, s, eddy.LogQuery{Group: "g"}, n+1)
	if err := s.PutRetentionPolicy(ctx, "g", 1); err != nil {
		t.Fatal(err)
	}
	if err := s.EnforceRetention(ctx); err != nil {
		t.Fatal(err)
	}
	if got := messages(filterAll(t, s, eddy.LogQuery{Group: "g"})); !slices.Equal(got, []string{"new"}) {
		t.Fatalf("got %d events, want only the new one", len(got))
	}

	// Without a policy, nothing expires.
	if err := s.DeleteRetentionPolicy(ctx, "g"); err != nil {
		t.Fatal(err)
	}
	MustWrite(t, s, "g", "s", eddy.LogEvent{Timestamp: old, Message: "older"})
	waitCount(t, s, eddy.LogQuery{Group: "g"}, 2)
	if err := s.EnforceRetention(ctx); err != nil {
		t.Fatal(err)
	}
	if got := messages(filterAll(t, s, eddy.LogQuery{Group: "g"})); !slices.Equal(got, []string{"new", "older"}) {
		t.Fatalf("without a policy: got %v, want both events", got)
	}
}

func TestDescribeLogStreamsByLastEventTime(t *testing.T) {
	s := MustStore(t, MustEngine(t, t.TempDir()))
	ctx := context.Background()
	MustWrite(t, s, "g", "a", eddy.LogEvent{Timestamp: base + 5000, Message: "a"})
	MustWrite(t, s, "g", "b", eddy.LogEvent{Timestamp: base + 1000, Message: "b"})
	MustWrite(t, s, "g", "c", eddy.LogEvent{Timestamp: base + 2000, Message: "c"}, eddy.LogEvent{Timestamp: base + 9000, Message: "c"})
	MustWrite(t, s, "g", "d", eddy.LogEvent{Timestamp: base + 1000, Message: "d"})
	if err := s.CreateLogStream(ctx, "g", "empty"); err != nil {
		t.Fatal(err)
	}
	waitCount(t, s, eddy.LogQuery{Group: "g"}, 5)

	list := func(q eddy.LogStreamQuery) []string {
		t.Helper()
		var names []string
		for pages := 0; ; pages++ {
			if pages > 10 {
				t.Fatal("paging does not end")
			}
			page, next, err := s.DescribeLogStreams(ctx, &q)
			if err != nil {
				t.Fatal(err)
			}
			for _, st := range page {
				names = append(names, st.Name)
			}
			if next == "" {
				return names
			}
			q.NextToken = next
		}
	}
	asc := []string{"empty", "b", "d", "a", "c"}
	desc := []string{"c", "a", "d", "b", "empty"}
	for _, limit := range []int{0, 1, 2} {
		q := eddy.LogStreamQuery{Group: "g", OrderBy: eddy.OrderByLastEventTime, Limit: limit}
		if got := list(q); !slices.Equal(got, asc) {
			t.Errorf("ascending, limit %d: got %v, want %v", limit, got, asc)
		}
		q.Descending = true
		if got := list(q); !slices.Equal(got, desc) {
			t.Errorf("descending, limit %d: got %v, want %v", limit, got, desc)
		}
	}
	page, _, err := s.DescribeLogStreams(ctx, &eddy.LogStreamQuery{Group: "g", OrderBy: eddy.OrderByLastEventTime, Descending: true, Limit: 1})
	if err != nil || len(page) != 1 || page[0].LastEventTimestamp != base+9000 || page[0].FirstEventTimestamp != base+2000 {
		t.Fatalf("got %+v %v, want c with events from %d to %d", page, err, base+2000, base+9000)
	}

	// A stream that gets a new event moves to the end.
	MustWrite(t, s, "g", "b", eddy.LogEvent{Timestamp: base + 20000, Message: "b again"})
	waitCount(t, s, eddy.LogQuery{Group: "g"}, 6)
	if got, want := list(eddy.LogStreamQuery{Group: "g", OrderBy: eddy.OrderByLastEventTime}), []string{"empty", "d", "a", "c", "b"}; !slices.Equal(got, want) {
		t.Fatalf("after a write: got %v, want %v", got, want)
	}

	_, _, err = s.DescribeLogStreams(ctx, &eddy.LogStreamQuery{Group: "g", OrderBy: eddy.OrderByLastEventTime, Prefix: "a"})
	wantCode(t, err, eddy.EINVALID, "InvalidParameterException")
	if m := eddy.ErrorMessage(err); m != "Cannot order by LastEventTime with a logStreamNamePrefix." {
		t.Errorf("got message %q", m)
	}
	_, _, err = s.DescribeLogStreams(ctx, &eddy.LogStreamQuery{Group: "g", OrderBy: "Size"})
	wantCode(t, err, eddy.EVALIDATE, "InvalidParameterException")
	// A token of one order does not continue the other.
	_, next, err := s.DescribeLogStreams(ctx, &eddy.LogStreamQuery{Group: "g", Limit: 1})
	if err != nil || next == "" {
		t.Fatalf("got token %q, %v", next, err)
	}
	_, _, err = s.DescribeLogStreams(ctx, &eddy.LogStreamQuery{Group: "g", OrderBy: eddy.OrderByLastEventTime, NextToken: next})
	wantCode(t, err, eddy.EINVALID, "InvalidParameterException")
	_, _, err = s.DescribeLogStreams(ctx, &eddy.LogStreamQuery{Group: "none", OrderBy: eddy.OrderByLastEventTime})
	wantCode(t, err, eddy.ENOTFOUND, "ResourceNotFoundException")
}

func TestDescribeManyStreamsByLastEventTime(t *testing.T) {
	s := MustStore(t, MustEngine(t, t.TempDir()))
	// More streams than one batched read covers, with more bytes in their
	// last messages than one read returns.
	const n = 300
	big := strings.Repeat("x", 20*1024)
	for i := range n {
		ts := base + int64((i*7)%n)*1000 // a permutation of the streams
		MustWrite(t, s, "g", fmt.Sprintf("s%03d", i), eddy.LogEvent{Timestamp: ts, Message: big})
	}
	waitCount(t, s, eddy.LogQuery{Group: "g"}, n)
	q := eddy.LogStreamQuery{Group: "g", OrderBy: eddy.OrderByLastEventTime, Descending: true}
	var got []eddy.LogStream
	for pages := 0; ; pages++ {
		if pages > n {
			t.Fatal("paging does not end")
		}
		page, next, err := s.DescribeLogStreams(context.Background(), &q)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, page...)
		if next == "" {
			break
		}
		q.NextToken = next
	}
	if len(got) != n {
		t.Fatalf("got %d streams, want %d", len(got), n)
	}
	for i, st := range got {
		if want := base + int64(n-1-i)*1000; st.LastEventTimestamp != want {
			t.Fatalf("stream %d (%s): got last event %d, want %d", i, st.Name, st.LastEventTimestamp, want)
		}
	}
}
