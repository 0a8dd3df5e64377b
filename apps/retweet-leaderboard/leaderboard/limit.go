package leaderboard

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
)

// Bounds of GET /leaderboard's limit.
const (
	DefaultLimit = 10
	MinLimit     = 3
	MaxLimit     = 100
)

// errLimit is the answer to a limit out of bounds or not a number.
var errLimit = errors.New("limit must be a whole number from 3 to 100")

// ParseLimit reads the limit query parameter: DefaultLimit if absent,
// else a decimal number of digits alone from MinLimit to MaxLimit.
func ParseLimit(value string, present bool) (int, error) {
	if !present {
		return DefaultLimit, nil
	}
	if value == "" || len(value) > 6 {
		return 0, errLimit
	}
	for _, c := range value {
		if c < '0' || c > '9' {
			return 0, errLimit
		}
	}
	n, err := strconv.Atoi(value)
	if err != nil || n < MinLimit || n > MaxLimit {
		return 0, errLimit
	}
	return n, nil
}

// queryParam returns a query parameter of a request. Payload format 2.0
// gives parameters as a map, a repeated one's values joined with commas;
// a request that has only the raw query string is read the same way.
func queryParam(params map[string]string, raw, name string) (string, bool) {
	if params != nil {
		v, ok := params[name]
		return v, ok
	}
	q, _ := url.ParseQuery(raw) // the pairs that parse; a bad pair is no parameter
	vs, ok := q[name]
	return strings.Join(vs, ","), ok
}
