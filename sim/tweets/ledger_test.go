package tweets_test

import (
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/eddyserverless/eddy/sim/tweets"
)

func TestLeaderboard(t *testing.T) {
	e := MustSim(t, tweets.Config{Seed: 51, Users: 6, Rate: 1, Hashtags: []string{"#eddy", "#go"}}, 3*time.Minute)
	if got := e.sim.Leaderboard("#eddy", 0); len(got) != 0 || e.sim.Served() != 0 {
		t.Fatalf("before any search: got %v and %d served", got, e.sim.Served())
	}
	want := e.sim.Expected("#eddy", 0)
	if len(want) < 3 {
		t.Fatalf("expected leaderboard too small to test: %v", want)
	}
	if !sort.SliceIsSorted(want, func(i, j int) bool {
		a, b := want[i], want[j]
		if a.RetweetCount != b.RetweetCount {
			return a.RetweetCount > b.RetweetCount
		}
		if a.FavoriteCount != b.FavoriteCount {
			return a.FavoriteCount > b.FavoriteCount
		}
		return a.Username < b.Username
	}) {
		t.Fatalf("expected leaderboard not sorted: %v", want)
	}

	// Everything served now: the served data implies the expected board.
	all := e.all(t, "#eddy", 100)
	if got := e.sim.Leaderboard("#eddy", 0); !reflect.DeepEqual(got, want) {
		t.Fatalf("leaderboard: got %v, want %v", got, want)
	}
	if got := e.sim.Leaderboard("#eddy", 2); !reflect.DeepEqual(got, want[:2]) {
		t.Fatalf("leaderboard limit 2: got %v, want %v", got, want[:2])
	}
	if e.sim.Served() != len(all) || e.sim.ServedTimes(all[0].ID) != 1 || e.sim.ServedTimes(12345) != 0 {
		t.Fatalf("served %d of %d, first %d times", e.sim.Served(), len(all), e.sim.ServedTimes(all[0].ID))
	}

	// Later the stream implies larger counts; the served data does not
	// until searched again.
	e.clock.Advance(30 * time.Minute)
	later := e.sim.Expected("#eddy", 0)
	if reflect.DeepEqual(later, want) {
		t.Fatal("expected leaderboard did not change in 30 minutes")
	}
	if got := e.sim.Leaderboard("#eddy", 0); !reflect.DeepEqual(got, want) {
		t.Fatalf("leaderboard changed without a search: got %v, want %v", got, want)
	}
	e.all(t, "#eddy", 100)
	if got := e.sim.Leaderboard("#eddy", 0); !reflect.DeepEqual(got, later) {
		t.Fatalf("leaderboard after a new search: got %v, want %v", got, later)
	}
	if e.sim.ServedTimes(all[0].ID) != 2 {
		t.Fatalf("served times: got %d, want 2", e.sim.ServedTimes(all[0].ID))
	}

	// A page of one hashtag serves only part of the board.
	f := MustSim(t, tweets.Config{Seed: 51, Users: 6, Rate: 1, Hashtags: []string{"#eddy", "#go"}}, 3*time.Minute)
	f.search(t, url.Values{"q": {"#eddy"}, "count": {"3"}})
	if got := f.sim.Leaderboard("#eddy", 0); len(got) > 3 {
		t.Fatalf("leaderboard from 3 tweets: got %v", got)
	}
}

func TestLargeStreamIsCheap(t *testing.T) {
	// Six days at 1,000 tweets a second: half a billion tweets.
	e := MustSim(t, tweets.Config{Seed: 61, Rate: 1000}, 6*24*time.Hour)
	began := time.Now()
	r := e.search(t, url.Values{"q": {"#eddy"}, "count": {"100"}})
	page := e.search(t, url.Values{"q": {"#eddy"}, "count": {"100"}, "max_id": {"1"}})
	older := e.search(t, url.Values{"q": {"#eddy"}, "count": {"100"}, "max_id": {strconv.FormatInt(r.Statuses[99].ID-1_000_000_000_000, 10)}})
	if len(r.Statuses) != 100 || len(page.Statuses) != 0 || len(older.Statuses) != 100 {
		t.Fatalf("pages: got %d, %d and %d tweets", len(r.Statuses), len(page.Statuses), len(older.Statuses))
	}
	if d := time.Since(began); d > 5*time.Second {
		t.Fatalf("three pages took %v", d)
	}
}

// BenchmarkSearchPage measures a page of 100 tweets near the head of a
// stream of a week at 1,000 tweets a second.
func BenchmarkSearchPage(b *testing.B) {
	e := MustSim(b, tweets.Config{Seed: 62, Rate: 1000}, 7*24*time.Hour)
	r := e.search(b, url.Values{"q": {"#eddy"}, "count": {"100"}})
	maxID := strconv.FormatInt(r.Statuses[50].ID, 10)
	for b.Loop() {
		e.search(b, url.Values{"q": {"#eddy"}, "count": {"100"}, "max_id": {maxID}})
	}
}
