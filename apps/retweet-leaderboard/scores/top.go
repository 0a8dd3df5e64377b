package scores

import "slices"

// The top item holds the first TopSize players, so that the leaderboard
// is one read however many players there are: an item of the scores
// table under the username TopKey (no screen name holds a '#'), without
// the index's attributes, whose AttrEntries is the players as JSON and
// whose AttrVersion counts its writes (each conditional on the last).
const (
	TopKey      = "#top"
	AttrEntries = "entries"
	AttrVersion = "version"
	TopSize     = 100
)

// Merge returns top with the players of add merged in: a player already
// there keeps the better of the two scores, a new one joins, and the
// result is sorted and cut to n. It reports whether anything changed.
// Scores only grow, so a player cut from the first n never belongs there
// again unless a better score of theirs is merged.
func Merge(top, add []Entry, n int) ([]Entry, bool) {
	out := slices.Clone(top)
	changed := false
	for _, e := range add {
		i := slices.IndexFunc(out, func(x Entry) bool { return x.Username == e.Username })
		switch {
		case i < 0:
			out = append(out, e)
			changed = true
		case Better(e.RetweetCount, e.FavoriteCount, out[i].RetweetCount, out[i].FavoriteCount):
			out[i] = e
			changed = true
		}
	}
	Sort(out)
	if len(out) > n {
		out = out[:n]
	}
	if changed && slices.Equal(out, top) {
		changed = false // what joined was cut again
	}
	return out, changed
}
