package logs_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/engine"
	"github.com/eddyserverless/eddy/logs"
)

// MustEngine opens an embedded engine on dir and closes it at the end of the test.
func MustEngine(tb testing.TB, dir string) *engine.Engine {
	tb.Helper()
	e := engine.New(engine.Config{DataDir: dir})
	if err := e.Open(context.Background()); err != nil {
		tb.Fatalf("open engine: %v", err)
	}
	tb.Cleanup(func() { _ = e.Close() })
	return e
}

// fixedNow is the clock of the stores of the tests.
var fixedNow = time.UnixMilli(1_700_000_000_000)

// MustStore opens a store on e and closes it at the end of the test.
func MustStore(tb testing.TB, e *engine.Engine) *logs.Store {
	tb.Helper()
	s := logs.NewStore(logs.Config{Engine: e, Now: func() time.Time { return fixedNow }})
	if err := s.Open(context.Background()); err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

// MustWrite writes events to a stream.
func MustWrite(tb testing.TB, s *logs.Store, group, stream string, events ...eddy.LogEvent) {
	tb.Helper()
	if err := s.WriteLogs(context.Background(), group, stream, events); err != nil {
		tb.Fatalf("WriteLogs(%s, %s): %v", group, stream, err)
	}
}

// filterAll pages through FilterLogEvents and returns every event.
func filterAll(tb testing.TB, s *logs.Store, q eddy.LogQuery) []eddy.LogEvent {
	tb.Helper()
	var all []eddy.LogEvent
	for pages := 0; ; pages++ {
		if pages > 100000 {
			tb.Fatalf("FilterLogEvents: too many pages")
		}
		evs, next, err := s.FilterLogEvents(context.Background(), &q)
		if err != nil {
			tb.Fatalf("FilterLogEvents(%+v): %v", q, err)
		}
		all = append(all, evs...)
		if next == "" {
			return all
		}
		q.NextToken = next
	}
}

// waitCount polls until FilterLogEvents of q returns want events.
func waitCount(tb testing.TB, s *logs.Store, q eddy.LogQuery, want int) []eddy.LogEvent {
	tb.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		evs := filterAll(tb, s, q)
		if len(evs) == want {
			return evs
		}
		if len(evs) > want || time.Now().After(deadline) {
			tb.Fatalf("FilterLogEvents(%s): got %d events, want %d", q.Group, len(evs), want)
		}
		time.Sleep(5 * time.Millisecond) // polling interval, not a wait for an outcome
	}
}

func messages(evs []eddy.LogEvent) []string {
	var out []string
	for _, ev := range evs {
		out = append(out, ev.Message)
	}
	return out
}

func wantCode(tb testing.TB, err error, code, typ string) {
	tb.Helper()
	e := eddy.AsError(err)
	if e == nil {
		tb.Fatalf("got error %v, want code %s", err, code)
	}
	if e.Code != code || (typ != "" && e.Type != typ) {
		tb.Fatalf("got code %s type %s (%s), want code %s type %s", e.Code, e.Type, e.Message, code, typ)
	}
}

const (
	groupA = "/aws/lambda/alpha"
	groupB = "/aws/lambda/beta"
)

// base is the timestamp of the first event of the fixture.
var base = time.Now().Add(-time.Hour).UnixMilli()

// fixture writes 10 events to groupA/s1 (0–9), 5 to groupA/s2 (10–14, in
// one call) and 3 to groupB/s1, and waits until they are readable.
func fixture(t *testing.T) *logs.Store {
	t.Helper()
	s := MustStore(t, MustEngine(t, t.TempDir()))
	for i := range 10 {
		MustWrite(t, s, groupA, "2024/01/01/[$LATEST]s1", eddy.LogEvent{Timestamp: base + int64(i)*1000, Message: fmt.Sprintf("a1 event %d", i)})
	}
	var evs []eddy.LogEvent
	for i := 10; i < 15; i++ {
		evs = append(evs, eddy.LogEvent{Timestamp: base + int64(i)*1000, Message: fmt.Sprintf("a2 event %d", i)})
	}
	MustWrite(t, s, groupA, "2024/01/01/[$LATEST]s2", evs...)
	for i := range 3 {
		MustWrite(t, s, groupB, "s1", eddy.LogEvent{Timestamp: base + int64(i)*1000, Message: fmt.Sprintf(`{"level":"INFO","n":%d}`, i)})
	}
	waitCount(t, s, eddy.LogQuery{Group: groupA}, 15)
	waitCount(t, s, eddy.LogQuery{Group: groupB}, 3)
	return s
}

func TestDescribeLogGroups(t *testing.T) {
	s := fixture(t)
	ctx := context.Background()
	if err := s.CreateLogGroup(ctx, "other"); err != nil {
		t.Fatal(err)
	}
	groups, next, err := s.DescribeLogGroups(ctx, "", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, g := range groups {
		names = append(names, g.Name)
		if g.CreationTime != fixedNow.UnixMilli() {
			t.Errorf("group %s: got creation time %d, want %d", g.Name, g.CreationTime, fixedNow.UnixMilli())
		}
	}
	if want := []string{groupA, groupB, "other"}; !slices.Equal(names, want) || next != "" {
		t.Fatalf("got %v %q, want %v and no token", names, next, want)
	}

	groups, _, err = s.DescribeLogGroups(ctx, "/aws/lambda/", "", 0)
	if err != nil || len(groups) != 2 {
		t.Fatalf("prefix: got %v %v, want 2 groups", groups, err)
	}

	// Paging one at a time.
	names = nil
	token := ""
	for {
		groups, next, err := s.DescribeLogGroups(ctx, "", token, 1)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range groups {
			names = append(names, g.Name)
		}
		if next == "" {
			break
		}
		token = next
	}
	if want := []string{groupA, groupB, "other"}; !slices.Equal(names, want) {
		t.Fatalf("paged: got %v, want %v", names, want)
	}

	_, _, err = s.DescribeLogGroups(ctx, "", "not a token", 0)
	wantCode(t, err, eddy.EINVALID, "InvalidParameterException")
	_, _, err = s.DescribeLogGroups(ctx, "", "", 51)
	wantCode(t, err, eddy.EVALIDATE, "InvalidParameterException")
}

func TestDescribeLogStreams(t *testing.T) {
	s := fixture(t)
	ctx := context.Background()
	if err := s.CreateLogStream(ctx, groupA, "empty"); err != nil {
		t.Fatal(err)
	}
	streams, next, err := s.DescribeLogStreams(ctx, &eddy.LogStreamQuery{Group: groupA})
	if err != nil {
		t.Fatal(err)
	}
	if len(streams) != 3 || next != "" {
		t.Fatalf("got %d streams, token %q, want 3 and none", len(streams), next)
	}
	s1, s2, empty := streams[0], streams[1], streams[2]
	if s1.Name != "2024/01/01/[$LATEST]s1" || s2.Name != "2024/01/01/[$LATEST]s2" || empty.Name != "empty" {
		t.Fatalf("got names %s %s %s", s1.Name, s2.Name, empty.Name)
	}
	if s1.FirstEventTimestamp != base || s1.LastEventTimestamp != base+9000 {
		t.Errorf("s1: got first %d last %d, want %d %d", s1.FirstEventTimestamp, s1.LastEventTimestamp, base, base+9000)
	}
	if s2.FirstEventTimestamp != base+10000 || s2.LastEventTimestamp != base+14000 {
		t.Errorf("s2: got first %d last %d, want %d %d", s2.FirstEventTimestamp, s2.LastEventTimestamp, base+10000, base+14000)
	}
	if s1.LastIngestionTime != fixedNow.UnixMilli() || s1.CreationTime != fixedNow.UnixMilli() {
		t.Errorf("s1: got ingestion %d creation %d, want %d", s1.LastIngestionTime, s1.CreationTime, fixedNow.UnixMilli())
	}
	if empty.FirstEventTimestamp != 0 || empty.LastEventTimestamp != 0 || empty.LastIngestionTime != 0 {
		t.Errorf("empty: got %+v, want no event times", empty)
	}

	// Descending, paged.
	var names []string
	token := ""
	for {
		page, next, err := s.DescribeLogStreams(ctx, &eddy.LogStreamQuery{Group: groupA, NextToken: token, Limit: 1, Descending: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) != 1 && next != "" {
			t.Fatalf("got a page of %d with a token", len(page))
		}
		for _, st := range page {
			names = append(names, st.Name)
		}
		if next == "" {
			break
		}
		token = next
	}
	if want := []string{"empty", "2024/01/01/[$LATEST]s2", "2024/01/01/[$LATEST]s1"}; !slices.Equal(names, want) {
		t.Fatalf("descending: got %v, want %v", names, want)
	}

	page, _, err := s.DescribeLogStreams(ctx, &eddy.LogStreamQuery{Group: groupA, Prefix: "2024/"})
	if err != nil || len(page) != 2 {
		t.Fatalf("prefix: got %v %v, want 2 streams", page, err)
	}

	_, _, err = s.DescribeLogStreams(ctx, &eddy.LogStreamQuery{Group: "/aws/lambda/none"})
	wantCode(t, err, eddy.ENOTFOUND, "ResourceNotFoundException")
}

func TestGetLogEvents(t *testing.T) {
	s := fixture(t)
	ctx := context.Background()
	stream := "2024/01/01/[$LATEST]s1"
	var want []string
	for i := range 10 {
		want = append(want, fmt.Sprintf("a1 event %d", i))
	}

	// From the head, 3 at a time, until the forward token repeats (as the
	// aws CLI pages).
	q := eddy.LogQuery{Group: groupA, Streams: []string{stream}, FromHead: true, Limit: 3}
	var got []string
	seen := map[string]bool{}
	for calls := 0; ; calls++ {
		if calls > 20 {
			t.Fatal("forward paging does not end")
		}
		evs, fwd, bwd, err := s.GetLogEvents(ctx, &q)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(fwd, "f/") || !strings.HasPrefix(bwd, "b/") {
			t.Fatalf("got tokens %q %q", fwd, bwd)
		}
		for _, ev := range evs {
			if seen[ev.EventID] || len(ev.EventID) != 56 {
				t.Fatalf("bad or repeated event id %q", ev.EventID)
			}
			seen[ev.EventID] = true
			if ev.IngestionTime != fixedNow.UnixMilli() {
				t.Fatalf("got ingestion time %d", ev.IngestionTime)
			}
		}
		got = append(got, messages(evs)...)
		if fwd == q.NextToken {
			if len(evs) != 0 {
				t.Fatalf("got %d events with a repeated token", len(evs))
			}
			break
		}
		q.NextToken = fwd
	}
	if !slices.Equal(got, want) {
		t.Fatalf("forward: got %v, want %v", got, want)
	}

	// The newest 4 by default, then backward to the start.
	q = eddy.LogQuery{Group: groupA, Streams: []string{stream}, Limit: 4}
	evs, fwd, bwd, err := s.GetLogEvents(ctx, &q)
	if err != nil {
		t.Fatal(err)
	}
	if g := messages(evs); !slices.Equal(g, want[6:]) {
		t.Fatalf("newest: got %v, want %v", g, want[6:])
	}
	// Nothing after the newest; the token stays.
	q.NextToken = fwd
	after, fwd2, _, err := s.GetLogEvents(ctx, &q)
	if err != nil || len(after) != 0 || fwd2 != fwd {
		t.Fatalf("after newest: got %d events, token %q (was %q), err %v", len(after), fwd2, fwd, err)
	}
	got = messages(evs)
	for calls := 0; ; calls++ {
		if calls > 20 {
			t.Fatal("backward paging does not end")
		}
		q.NextToken = bwd
		evs, _, next, err := s.GetLogEvents(ctx, &q)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) == 0 {
			break
		}
		got = append(messages(evs), got...)
		bwd = next
	}
	if !slices.Equal(got, want) {
		t.Fatalf("backward: got %v, want %v", got, want)
	}

	// Default limit, time range [base+2s, base+5s).
	q = eddy.LogQuery{Group: groupA, Streams: []string{stream}, StartTime: base + 2000, EndTime: base + 5000}
	evs, _, _, err = s.GetLogEvents(ctx, &q)
	if err != nil {
		t.Fatal(err)
	}
	if g := messages(evs); !slices.Equal(g, want[2:5]) {
		t.Fatalf("time range: got %v, want %v", g, want[2:5])
	}
	q = eddy.LogQuery{Group: groupA, Streams: []string{stream}, StartTime: base + 7000, FromHead: true}
	evs, _, _, err = s.GetLogEvents(ctx, &q)
	if err != nil {
		t.Fatal(err)
	}
	if g := messages(evs); !slices.Equal(g, want[7:]) {
		t.Fatalf("from head, start time: got %v, want %v", g, want[7:])
	}

	// A forward read that starts at the end waits there: new events show
	// up with the same token.
	q = eddy.LogQuery{Group: groupA, Streams: []string{stream}}
	_, fwd, _, err = s.GetLogEvents(ctx, &q)
	if err != nil {
		t.Fatal(err)
	}
	MustWrite(t, s, groupA, stream, eddy.LogEvent{Timestamp: base + 20000, Message: "late"})
	q.NextToken = fwd
	deadline := time.Now().Add(10 * time.Second)
	for {
		evs, _, _, err := s.GetLogEvents(ctx, &q)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) == 1 && evs[0].Message == "late" {
			break
		}
		if len(evs) != 0 || time.Now().After(deadline) {
			t.Fatalf("tail: got %v, want the late event", messages(evs))
		}
		time.Sleep(5 * time.Millisecond)
	}

	_, _, _, err = s.GetLogEvents(ctx, &eddy.LogQuery{Group: groupA, Streams: []string{"none"}})
	wantCode(t, err, eddy.ENOTFOUND, "ResourceNotFoundException")
	if m := eddy.ErrorMessage(err); m != "The specified log stream does not exist." {
		t.Errorf("got message %q", m)
	}
	_, _, _, err = s.GetLogEvents(ctx, &eddy.LogQuery{Group: "none", Streams: []string{"none"}})
	if m := eddy.ErrorMessage(err); m != "The specified log group does not exist." {
		t.Errorf("got message %q", m)
	}
	_, _, _, err = s.GetLogEvents(ctx, &eddy.LogQuery{Group: groupA, Streams: []string{stream}, NextToken: "f/123"})
	wantCode(t, err, eddy.EINVALID, "InvalidParameterException")
}

func TestGetLogEventsEmptyStream(t *testing.T) {
	s := MustStore(t, MustEngine(t, t.TempDir()))
	ctx := context.Background()
	if err := s.CreateLogGroup(ctx, "g"); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateLogStream(ctx, "g", "s"); err != nil {
		t.Fatal(err)
	}
	for _, fromHead := range []bool{false, true} {
		q := eddy.LogQuery{Group: "g", Streams: []string{"s"}, FromHead: fromHead}
		evs, fwd, _, err := s.GetLogEvents(ctx, &q)
		if err != nil || len(evs) != 0 {
			t.Fatalf("fromHead %v: got %v %v, want no events", fromHead, evs, err)
		}
		q.NextToken = fwd
		_, fwd2, _, err := s.GetLogEvents(ctx, &q)
		if err != nil || fwd2 != fwd {
			t.Fatalf("fromHead %v: got token %q, want %q (%v)", fromHead, fwd2, fwd, err)
		}
	}
}

func TestFilterLogEvents(t *testing.T) {
	s := fixture(t)
	ctx := context.Background()

	all := filterAll(t, s, eddy.LogQuery{Group: groupA})
	if len(all) != 15 {
		t.Fatalf("got %d events, want 15", len(all))
	}
	for i, ev := range all {
		wantStream := "2024/01/01/[$LATEST]s1"
		if i >= 10 {
			wantStream = "2024/01/01/[$LATEST]s2"
		}
		if ev.StreamName != wantStream || ev.Timestamp != base+int64(i)*1000 {
			t.Fatalf("event %d: got %s %d, want %s %d", i, ev.StreamName, ev.Timestamp, wantStream, base+int64(i)*1000)
		}
	}

	// Paging two at a time gives the same events.
	paged := filterAll(t, s, eddy.LogQuery{Group: groupA, Limit: 2})
	if !slices.EqualFunc(paged, all, func(a, b eddy.LogEvent) bool { return a.EventID == b.EventID }) {
		t.Fatalf("paged: got %v, want %v", messages(paged), messages(all))
	}

	tests := []struct {
		name string
		q    eddy.LogQuery
		want int
	}{
		{"one stream", eddy.LogQuery{Streams: []string{"2024/01/01/[$LATEST]s2"}}, 5},
		{"two streams", eddy.LogQuery{Streams: []string{"2024/01/01/[$LATEST]s2", "2024/01/01/[$LATEST]s1"}}, 15},
		{"unknown stream", eddy.LogQuery{Streams: []string{"nope"}}, 0},
		{"prefix", eddy.LogQuery{StreamPrefix: "2024/01/01/[$LATEST]s1"}, 10},
		{"prefix none", eddy.LogQuery{StreamPrefix: "2025"}, 0},
		{"start time", eddy.LogQuery{StartTime: base + 12000}, 3},
		{"end time", eddy.LogQuery{EndTime: base + 2000}, 2},
		{"time range", eddy.LogQuery{StartTime: base + 9000, EndTime: base + 11000}, 2},
		{"pattern", eddy.LogQuery{Pattern: "a2"}, 5},
		{"pattern and prefix", eddy.LogQuery{Pattern: `?"event 1" ?"event 2"`, StreamPrefix: "2024/01/01/[$LATEST]s1"}, 2},
		{"exclusion", eddy.LogQuery{Pattern: "event -a1"}, 5},
		{"limit", eddy.LogQuery{Limit: 4}, 15},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := tt.q
			q.Group = groupA
			if got := filterAll(t, s, q); len(got) != tt.want {
				t.Fatalf("got %d events %v, want %d", len(got), messages(got), tt.want)
			}
		})
	}

	// JSON patterns on the other group.
	got := filterAll(t, s, eddy.LogQuery{Group: groupB, Pattern: `{ $.n >= 1 && $.level = "INFO" }`})
	if len(got) != 2 || got[0].StreamName != "s1" {
		t.Fatalf("json: got %v, want 2 events of s1", messages(got))
	}

	_, _, err := s.FilterLogEvents(ctx, &eddy.LogQuery{Group: groupA, Pattern: `{ $.n >`})
	wantCode(t, err, eddy.EINVALID, "InvalidParameterException")
	_, _, err = s.FilterLogEvents(ctx, &eddy.LogQuery{Group: "/aws/lambda/none"})
	wantCode(t, err, eddy.ENOTFOUND, "ResourceNotFoundException")
	_, _, err = s.FilterLogEvents(ctx, &eddy.LogQuery{Group: groupA, NextToken: "!!"})
	wantCode(t, err, eddy.EINVALID, "InvalidParameterException")
	_, _, err = s.FilterLogEvents(ctx, &eddy.LogQuery{Group: groupA, Limit: 10001})
	wantCode(t, err, eddy.EVALIDATE, "InvalidParameterException")
}

func TestCreateConflictAndNotFound(t *testing.T) {
	s := MustStore(t, MustEngine(t, t.TempDir()))
	ctx := context.Background()
	if err := s.CreateLogGroup(ctx, "g"); err != nil {
		t.Fatal(err)
	}
	err := s.CreateLogGroup(ctx, "g")
	wantCode(t, err, eddy.ECONFLICT, "ResourceAlreadyExistsException")
	if m := eddy.ErrorMessage(err); m != "The specified log group already exists" {
		t.Errorf("got message %q", m)
	}
	if err := s.CreateLogStream(ctx, "g", "s"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.CreateLogStream(ctx, "g", "s"), eddy.ECONFLICT, "ResourceAlreadyExistsException")
	err = s.CreateLogStream(ctx, "none", "s")
	wantCode(t, err, eddy.ENOTFOUND, "ResourceNotFoundException")
	if m := eddy.ErrorMessage(err); m != "The specified log group does not exist." {
		t.Errorf("got message %q", m)
	}
	wantCode(t, s.DeleteLogGroup(ctx, "none"), eddy.ENOTFOUND, "ResourceNotFoundException")
	wantCode(t, s.CreateLogGroup(ctx, "bad name"), eddy.EVALIDATE, "InvalidParameterException")
	wantCode(t, s.CreateLogStream(ctx, "g", "a:b"), eddy.EVALIDATE, "InvalidParameterException")
	wantCode(t, s.WriteLogs(ctx, "", "s", nil), eddy.EVALIDATE, "InvalidParameterException")

	// WriteLogs creates what is missing, and the store remembers it.
	MustWrite(t, s, "g", "s", eddy.LogEvent{Message: "no timestamp"})
	MustWrite(t, s, "new", "s", eddy.LogEvent{Message: "x"})
	got := waitCount(t, s, eddy.LogQuery{Group: "g"}, 1)
	if got[0].Timestamp != fixedNow.UnixMilli() {
		t.Errorf("got timestamp %d, want the ingestion time %d", got[0].Timestamp, fixedNow.UnixMilli())
	}
	waitCount(t, s, eddy.LogQuery{Group: "new"}, 1)
}

func TestDeleteLogGroup(t *testing.T) {
	s := fixture(t)
	ctx := context.Background()
	if err := s.DeleteLogGroup(ctx, groupA); err != nil {
		t.Fatal(err)
	}
	groups, _, err := s.DescribeLogGroups(ctx, "", "", 0)
	if err != nil || len(groups) != 1 || groups[0].Name != groupB {
		t.Fatalf("got %v %v, want only %s", groups, err, groupB)
	}
	_, _, err = s.FilterLogEvents(ctx, &eddy.LogQuery{Group: groupA})
	wantCode(t, err, eddy.ENOTFOUND, "ResourceNotFoundException")
	_, _, _, err = s.GetLogEvents(ctx, &eddy.LogQuery{Group: groupA, Streams: []string{"2024/01/01/[$LATEST]s1"}})
	wantCode(t, err, eddy.ENOTFOUND, "ResourceNotFoundException")
	wantCode(t, s.DeleteLogGroup(ctx, groupA), eddy.ENOTFOUND, "ResourceNotFoundException")
	waitCount(t, s, eddy.LogQuery{Group: groupB}, 3)

	// Writing again creates a fresh group without the old streams or events.
	MustWrite(t, s, groupA, "fresh", eddy.LogEvent{Timestamp: base, Message: "again"})
	got := waitCount(t, s, eddy.LogQuery{Group: groupA}, 1)
	if got[0].Message != "again" {
		t.Fatalf("got %v", messages(got))
	}
	streams, _, err := s.DescribeLogStreams(ctx, &eddy.LogStreamQuery{Group: groupA})
	if err != nil || len(streams) != 1 || streams[0].Name != "fresh" {
		t.Fatalf("got %v %v, want only the fresh stream", streams, err)
	}
}

func TestPersistence(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	e := engine.New(engine.Config{DataDir: dir})
	if err := e.Open(ctx); err != nil {
		t.Fatal(err)
	}
	s := logs.NewStore(logs.Config{Engine: e})
	if err := s.Open(ctx); err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		MustWrite(t, s, "g", fmt.Sprintf("s%d", i%3), eddy.LogEvent{Timestamp: base + int64(i), Message: fmt.Sprint(i)})
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := s.WriteLogs(ctx, "g", "s0", []eddy.LogEvent{{Message: "closed"}}); err == nil {
		t.Fatal("WriteLogs after Close: got no error")
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}

	s = MustStore(t, MustEngine(t, dir))
	got := filterAll(t, s, eddy.LogQuery{Group: "g"})
	if len(got) != 100 {
		t.Fatalf("after reopening: got %d events, want 100", len(got))
	}
	for i, ev := range got {
		if ev.Message != fmt.Sprint(i) {
			t.Fatalf("event %d: got %q", i, ev.Message)
		}
	}
	streams, _, err := s.DescribeLogStreams(ctx, &eddy.LogStreamQuery{Group: "g"})
	if err != nil || len(streams) != 3 {
		t.Fatalf("got %v %v, want 3 streams", streams, err)
	}
}

func TestWriteManyEvents(t *testing.T) {
	s := MustStore(t, MustEngine(t, t.TempDir()))
	const calls, big = 5000, 20000
	start := time.Now()
	for i := range calls {
		MustWrite(t, s, "g", "small", eddy.LogEvent{Timestamp: base + int64(i), Message: fmt.Sprintf("line %d of a function's output", i)})
	}
	var evs []eddy.LogEvent
	for i := range big {
		evs = append(evs, eddy.LogEvent{Timestamp: base + int64(i), Message: strings.Repeat("x", 100) + fmt.Sprint(i)})
	}
	MustWrite(t, s, "g", "big", evs...)
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("writing took %v", d)
	}
	t.Logf("%d WriteLogs calls and one of %d events took %v", calls, big, time.Since(start))

	got := waitCount(t, s, eddy.LogQuery{Group: "g", Streams: []string{"small"}}, calls)
	for i, ev := range got {
		if want := fmt.Sprintf("line %d of a function's output", i); ev.Message != want {
			t.Fatalf("event %d: got %q, want %q", i, ev.Message, want)
		}
	}
	got = waitCount(t, s, eddy.LogQuery{Group: "g", StreamPrefix: "bi"}, big)
	if got[big-1].Message != strings.Repeat("x", 100)+fmt.Sprint(big-1) {
		t.Fatalf("last event: got %q", got[big-1].Message)
	}

	// The newest 10,000 of the big stream.
	newest, _, _, err := s.GetLogEvents(context.Background(), &eddy.LogQuery{Group: "g", Streams: []string{"big"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(newest) == 0 || newest[len(newest)-1].Message != got[big-1].Message {
		t.Fatalf("newest: got %d events", len(newest))
	}
	// Responses stay under 1 MiB, so fewer than 10,000 events of ~130 bytes.
	if n := len(newest); n > 10000 || n*126 > 1<<20 {
		t.Fatalf("newest: got %d events", n)
	}
	if first := newest[0].Message; first != got[big-len(newest)].Message {
		t.Fatalf("newest: first is %q, want %q", first, got[big-len(newest)].Message)
	}
}

func TestLargeEvents(t *testing.T) {
	s := MustStore(t, MustEngine(t, t.TempDir()))
	huge := strings.Repeat("é", 200*1024) // 400 KiB
	var evs []eddy.LogEvent
	for i := range 8 {
		evs = append(evs, eddy.LogEvent{Timestamp: base + int64(i), Message: fmt.Sprint(i) + huge})
	}
	evs = append(evs, eddy.LogEvent{Timestamp: base + 8, Message: strings.Repeat("\x01", 300*1024)})
	MustWrite(t, s, "g", "s", evs...)
	var got []eddy.LogEvent
	deadline := time.Now().Add(20 * time.Second)
	for {
		got = nil
		q := eddy.LogQuery{Group: "g", Streams: []string{"s"}, FromHead: true}
		for {
			page, fwd, _, err := s.GetLogEvents(context.Background(), &q)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, page...)
			if fwd == q.NextToken {
				break
			}
			q.NextToken = fwd
		}
		if len(got) == len(evs) || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if len(got) != len(evs) {
		t.Fatalf("got %d events, want %d", len(got), len(evs))
	}
	for i, ev := range got {
		if n := len(ev.Message); n > 256*1024-26 || n < 100*1024 {
			t.Errorf("event %d: got %d bytes", i, n)
		}
		if i < 8 && !strings.HasPrefix(ev.Message, fmt.Sprint(i)+"é") {
			t.Errorf("event %d: got prefix %q", i, ev.Message[:4])
		}
	}
}

func TestInterleavedStreams(t *testing.T) {
	s := MustStore(t, MustEngine(t, t.TempDir()))
	ctx := context.Background()
	// Two writers, so that the streams interleave, with more messages in
	// all than one FilterLogEvents call reads.
	const n = 5100
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for _, stream := range []string{"one", "two"} {
		wg.Go(func() {
			for i := range n {
				ev := eddy.LogEvent{Timestamp: base + int64(i), Message: fmt.Sprintf("%s %d", stream, i)}
				if err := s.WriteLogs(ctx, "g", stream, []eddy.LogEvent{ev}); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	MustWrite(t, s, "other", "one", eddy.LogEvent{Timestamp: base, Message: "other"})
	forward := waitCount(t, s, eddy.LogQuery{Group: "g", Streams: []string{"one"}}, n)

	// Backward in pages of 50 from the newest gives the same events.
	q := eddy.LogQuery{Group: "g", Streams: []string{"one"}, Limit: 50}
	var got []eddy.LogEvent
	for calls := 0; ; calls++ {
		if calls > n {
			t.Fatal("backward paging does not end")
		}
		evs, _, bwd, err := s.GetLogEvents(ctx, &q)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) == 0 {
			break
		}
		got = append(slices.Clone(evs), got...)
		q.NextToken = bwd
	}
	if !slices.EqualFunc(got, forward, func(a, b eddy.LogEvent) bool { return a.EventID == b.EventID && a.Message == b.Message }) {
		t.Fatalf("backward: got %d events, want %d", len(got), len(forward))
	}

	// A pattern that matches nothing pages through the group with bounded
	// work per call, then ends.
	pq := eddy.LogQuery{Group: "g", Pattern: "nothing"}
	pages := 0
	for {
		evs, next, err := s.FilterLogEvents(ctx, &pq)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 0 {
			t.Fatalf("got %d events, want none", len(evs))
		}
		pages++
		if next == "" {
			break
		}
		pq.NextToken = next
	}
	if pages < 2 {
		t.Fatalf("got %d pages, want at least 2", pages)
	}

	// The last event of each stream, by pattern.
	last := filterAll(t, s, eddy.LogQuery{Group: "g", Pattern: fmt.Sprintf(`"%d"`, n-1)})
	if len(last) != 2 || last[0].StreamName == last[1].StreamName {
		t.Fatalf("got %v", last)
	}
}

func TestDeleteOnAnotherNode(t *testing.T) {
	e := MustEngine(t, t.TempDir())
	a, b := MustStore(t, e), MustStore(t, e)
	ctx := context.Background()
	MustWrite(t, a, "g", "s", eddy.LogEvent{Timestamp: base, Message: "before"})
	waitCount(t, b, eddy.LogQuery{Group: "g"}, 1)
	if err := b.DeleteLogGroup(ctx, "g"); err != nil {
		t.Fatal(err)
	}
	// a learns of the delete and creates the group again on its next write.
	deadline := time.Now().Add(10 * time.Second)
	for {
		MustWrite(t, a, "g", "s", eddy.LogEvent{Timestamp: base, Message: "after"})
		groups, _, err := b.DescribeLogGroups(ctx, "g", "", 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(groups) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the group was not created again")
		}
		time.Sleep(5 * time.Millisecond)
	}
	streams, _, err := b.DescribeLogStreams(ctx, &eddy.LogStreamQuery{Group: "g"})
	if err != nil || len(streams) != 1 {
		t.Fatalf("got %v %v, want the stream s", streams, err)
	}
}

func TestFutureEvents(t *testing.T) {
	e := MustEngine(t, t.TempDir())
	s := MustStore(t, e)
	ctx := context.Background()
	now := time.Now().UnixMilli()
	hour := time.Hour.Milliseconds()
	MustWrite(t, s, "g", "s", eddy.LogEvent{Timestamp: now, Message: "now"})
	MustWrite(t, s, "g", "s", eddy.LogEvent{Timestamp: now + 90*60*1000, Message: "in 90 minutes"})
	MustWrite(t, s, "g", "s", eddy.LogEvent{Timestamp: now + 5*hour, Message: "capped at 2 hours"})
	waitCount(t, s, eddy.LogQuery{Group: "g"}, 3)

	// Reads from a time in the future find the future events, though they
	// were stored long before that time.
	got := messages(filterAll(t, s, eddy.LogQuery{Group: "g", StartTime: now + hour}))
	if want := []string{"in 90 minutes", "capped at 2 hours"}; !slices.Equal(got, want) {
		t.Fatalf("FilterLogEvents from in an hour: got %v, want %v", got, want)
	}
	evs, _, _, err := s.GetLogEvents(ctx, &eddy.LogQuery{Group: "g", Streams: []string{"s"}, StartTime: now + hour, FromHead: true})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := messages(evs), []string{"in 90 minutes", "capped at 2 hours"}; !slices.Equal(got, want) {
		t.Fatalf("GetLogEvents from in an hour: got %v, want %v", got, want)
	}
	if evs[1].Timestamp > time.Now().Add(2*time.Hour).UnixMilli() {
		t.Fatalf("got timestamp %d, want at most 2 hours ahead", evs[1].Timestamp)
	}
	got = messages(filterAll(t, s, eddy.LogQuery{Group: "g", StartTime: now}))
	if len(got) != 3 {
		t.Fatalf("FilterLogEvents from now: got %v, want all 3", got)
	}

	// Another store (node) knows of them too.
	other := MustStore(t, e)
	got = messages(filterAll(t, other, eddy.LogQuery{Group: "g", StartTime: now + hour}))
	if len(got) != 2 {
		t.Fatalf("other node: got %v, want the 2 future events", got)
	}
}
