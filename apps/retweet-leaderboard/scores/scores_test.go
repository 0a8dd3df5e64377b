package scores_test

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/eddyserverless/eddy/apps/retweet-leaderboard/scores"
)

func e(u string, r, f int64) scores.Entry {
	return scores.Entry{Username: u, RetweetCount: r, FavoriteCount: f}
}

// ranked is in rank order: retweets, then favorites, then usernames.
var ranked = []scores.Entry{
	e("max", math.MaxInt64, 0),
	e("big", 1_000_000_000, 5),
	e("ten", 10, 0),
	e("a", 9, 100),
	e("ab", 9, 100),
	e("abc", 9, 100),
	e("b", 9, 100),
	e("Z", 9, 99),
	e("é", 9, 99), // after every ASCII name
	e("tie_a", 2, 2),
	e("tie_b", 2, 2),
	e("tie_c", 2, 2),
	e("one", 1, 0),
}

func TestSort(t *testing.T) {
	for _, seed := range []int{0, 1, 2, 3} {
		got := slices.Clone(ranked)
		// A few different starting orders: reversed, rotated.
		slices.Reverse(got)
		got = append(got[seed:], got[:seed]...)
		scores.Sort(got)
		if !slices.Equal(got, ranked) {
			t.Fatalf("got %v, want %v", got, ranked)
		}
	}
}

// TestKeyOrder checks that the score keys, read from the greatest down,
// are in rank order: what the leaderboard's Query of the index relies on.
func TestKeyOrder(t *testing.T) {
	for i := 1; i < len(ranked); i++ {
		a, b := ranked[i-1], ranked[i]
		if ka, kb := scores.Key(a), scores.Key(b); ka <= kb {
			t.Errorf("Key(%v) = %q, want it greater than Key(%v) = %q", a, ka, b, kb)
		}
	}
	if got, want := scores.Key(e("ab", 12, 3)), "0000000000000000012#0000000000000000003#9e9dff"; got != want {
		t.Errorf("Key = %q, want %q", got, want)
	}
	// Negative counts (bad input) count as zero.
	if scores.Key(e("x", -5, -1)) != scores.Key(e("x", 0, 0)) {
		t.Error("negative counts are not zero in the key")
	}
}

func TestBetter(t *testing.T) {
	for _, c := range []struct {
		r, f, br, bf int64
		want         bool
	}{
		{5, 0, 4, 100, true},  // more retweets
		{5, 3, 5, 2, true},    // as many retweets, more favorites
		{5, 2, 5, 2, false},   // equal: the first stays
		{5, 1, 5, 2, false},   // fewer favorites
		{4, 100, 5, 0, false}, // fewer retweets
	} {
		if got := scores.Better(c.r, c.f, c.br, c.bf); got != c.want {
			t.Errorf("Better(%d, %d, %d, %d) = %v, want %v", c.r, c.f, c.br, c.bf, got, c.want)
		}
	}
}

// FuzzKey checks that comparing two keys always agrees with Compare.
func FuzzKey(f *testing.F) {
	f.Add("ab", int64(9), int64(1), "abc", int64(9), int64(1))
	f.Add("a", int64(10), int64(0), "b", int64(9), int64(99))
	f.Add("", int64(0), int64(0), "z", int64(0), int64(0))
	f.Fuzz(func(t *testing.T, u1 string, r1, f1 int64, u2 string, r2, f2 int64) {
		if strings.ContainsRune(u1, 0) || strings.ContainsRune(u2, 0) {
			return // the processor never stores one
		}
		a, b := e(u1, max(r1, 0), max(f1, 0)), e(u2, max(r2, 0), max(f2, 0))
		want := scores.Compare(a, b)
		got := -strings.Compare(scores.Key(a), scores.Key(b))
		if got != want {
			t.Fatalf("keys %q, %q compare %d, want %d (Compare)", scores.Key(a), scores.Key(b), got, want)
		}
	})
}
