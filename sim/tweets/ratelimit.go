package tweets

import (
	"net/http"
	"strconv"
	"time"
)

// rateWindow is the length of Twitter's rate limit windows.
const rateWindow = 15 * time.Minute

// window counts the requests of one rate limit window.
type window struct {
	start time.Time
	used  int
}

// rateHeaders counts a request against the window of key and sets the
// x-rate-limit headers Twitter sends with every answer: the limit, what is
// left of it and when the window ends, in Unix seconds. The simulator does
// not refuse requests past the limit; Fail(n, FailRateLimit) does.
func (s *Sim) rateHeaders(w http.ResponseWriter, key string, limit int) {
	now := s.clock()
	s.mu.Lock()
	win := s.windows[key]
	if win == nil || !now.Before(win.start.Add(rateWindow)) || now.Before(win.start) {
		win = &window{start: now}
		s.windows[key] = win
	}
	win.used++
	remaining, reset := max(limit-win.used, 0), win.start.Add(rateWindow).Unix()
	s.mu.Unlock()
	h := w.Header()
	h.Set("x-rate-limit-limit", strconv.Itoa(limit))
	h.Set("x-rate-limit-remaining", strconv.Itoa(remaining))
	h.Set("x-rate-limit-reset", strconv.FormatInt(reset, 10))
}
