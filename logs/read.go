package logs

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/engine"
)

const (
	// maxEventsLimit is the largest and default Limit of GetLogEvents and
	// FilterLogEvents.
	maxEventsLimit = 10000
	// maxResponseBytes caps the events of one response, as CloudWatch Logs
	// does (1 MB, counting 26 bytes per event).
	maxResponseBytes = 1 << 20
	// maxScanMessages bounds the messages one call reads. A call that
	// reaches it returns what it found with a token to continue.
	maxScanMessages = 10000
	// readBatch and readBytes size one batched direct get.
	readBatch = 1024
	readBytes = 4 << 20
	// maxWindow bounds the sequences one backward read step covers.
	maxWindow = 4096
	// seekSlack is how long before a query's StartTime reading starts, in
	// the server's storage time: an event is stored at most maxAhead
	// before its timestamp, plus clock skew between eddy and the server.
	seekSlack = maxAhead + clockSkew
	// nearSlack replaces seekSlack when no event at or after StartTime was
	// written more than nearAhead ahead of the clock (see FutureUntil).
	nearSlack = nearAhead + clockSkew
	clockSkew = 5 * time.Minute
	// maxFilterStreams is the most logStreamNames FilterLogEvents takes.
	maxFilterStreams = 100
	// requestTimeout bounds a read when ctx has no deadline.
	requestTimeout = 10 * time.Second
)

// Headers of direct get responses.
const (
	statusHdr     = "Status"
	descrHdr      = "Description"
	numPendingHdr = "Nats-Num-Pending"
)

// storedMsg is a message of the events stream as a direct get returns it.
type storedMsg struct {
	subject string
	seq     uint64
	header  nats.Header
	data    []byte
}

// getRequest is the direct get request of the JetStream API.
type getRequest struct {
	Seq          uint64     `json:"seq,omitempty"`
	NextFor      string     `json:"next_by_subj,omitempty"`
	Batch        int        `json:"batch,omitempty"`
	MaxBytes     int        `json:"max_bytes,omitempty"`
	StartTime    *time.Time `json:"start_time,omitempty"`
	MultiLastFor []string   `json:"multi_last,omitempty"`
	UpToSeq      uint64     `json:"up_to_seq,omitempty"`
}

// getBatch sends a batched direct get (req.Batch > 0 or req.MultiLastFor
// set) and returns the messages and how many more match after them.
func (s *Store) getBatch(ctx context.Context, req getRequest) ([]storedMsg, uint64, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, requestTimeout)
		defer cancel()
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, 0, err
	}
	nc := s.cfg.Engine.Conn
	inbox := nats.NewInbox()
	// The server sends at most req.Batch messages and a status; a channel
	// that holds them all is cheaper than a SubscribeSync buffer.
	ch := make(chan *nats.Msg, max(req.Batch, 1)+1)
	sub, err := nc.ChanSubscribe(inbox, ch)
	if err != nil {
		return nil, 0, fmt.Errorf("direct get: %w", err)
	}
	defer func() { _ = sub.Unsubscribe() }()
	if err := nc.PublishRequest("$JS.API.DIRECT.GET."+StreamName, inbox, body); err != nil {
		return nil, 0, fmt.Errorf("direct get: %w", err)
	}
	var msgs []storedMsg
	for {
		var m *nats.Msg
		select {
		case m = <-ch:
		case <-ctx.Done():
			return nil, 0, fmt.Errorf("direct get: %w", ctx.Err())
		}
		if len(m.Data) == 0 {
			if status := m.Header.Get(statusHdr); status != "" {
				switch status {
				case "204": // end of batch
					pending, _ := strconv.ParseUint(m.Header.Get(numPendingHdr), 10, 64)
					return msgs, pending, nil
				case "404":
					return msgs, 0, nil
				default:
					return nil, 0, fmt.Errorf("direct get: status %s %s", status, m.Header.Get(descrHdr))
				}
			}
		}
		seq, err := strconv.ParseUint(m.Header.Get(nats.JSSequence), 10, 64)
		if err != nil {
			return nil, 0, fmt.Errorf("direct get: bad sequence %q", m.Header.Get(nats.JSSequence))
		}
		msgs = append(msgs, storedMsg{subject: m.Header.Get(nats.JSSubject), seq: seq, header: m.Header, data: m.Data})
	}
}

// lastMsg returns the last message on subj at or before upTo (0: the end
// of the stream), or nil.
func (s *Store) lastMsg(ctx context.Context, subj string, upTo uint64) (*storedMsg, error) {
	msgs, _, err := s.getBatch(ctx, getRequest{MultiLastFor: []string{subj}, UpToSeq: upTo, Batch: 1})
	if err != nil || len(msgs) == 0 {
		return nil, err
	}
	return &msgs[0], nil
}

// scanner reads the messages on a subject filter in sequence order.
type scanner struct {
	s      *Store
	filter string
	seq    uint64     // the next sequence to read
	start  *time.Time // if set, the first read starts at this storage time
	until  uint64     // if not 0, the first sequence not to read
	buf    []storedMsg
	eof    bool
}

// next returns the next message, or nil at the end.
func (sc *scanner) next(ctx context.Context) (*storedMsg, error) {
	if len(sc.buf) == 0 {
		if sc.eof || sc.until != 0 && sc.seq >= sc.until {
			return nil, nil
		}
		req := getRequest{NextFor: sc.filter, Batch: readBatch, MaxBytes: readBytes}
		if sc.start != nil {
			req.StartTime, sc.start = sc.start, nil
		} else {
			req.Seq = sc.seq
		}
		if sc.until != 0 && sc.until-sc.seq < readBatch && req.StartTime == nil {
			req.Batch = int(sc.until - sc.seq)
		}
		msgs, pending, err := sc.s.getBatch(ctx, req)
		if err != nil {
			return nil, err
		}
		if len(msgs) == 0 || pending == 0 {
			sc.eof = true
		}
		if len(msgs) == 0 {
			return nil, nil
		}
		sc.buf = msgs
		sc.seq = msgs[len(msgs)-1].seq + 1
	}
	m := &sc.buf[0]
	if sc.until != 0 && m.seq >= sc.until {
		sc.buf, sc.eof = nil, true
		return nil, nil
	}
	sc.buf = sc.buf[1:]
	return m, nil
}

// decodeEvents returns the events of a message and its ingestion time.
func (s *Store) decodeEvents(m *storedMsg) ([]wireEvent, int64) {
	var evs []wireEvent
	if err := json.Unmarshal(m.data, &evs); err != nil {
		s.log.Warn("logs: skipping undecodable message", "seq", m.seq, "subject", m.subject, "error", err)
		return nil, 0
	}
	return evs, headerInt(m.header.Get(hdrIngestion))
}

// eventID is the id of the idx-th event of the message at seq: 56 decimal
// digits, like the ids of CloudWatch Logs, unique within the store.
func eventID(ts int64, seq uint64, idx int) string {
	return fmt.Sprintf("%020d%020d%016d", max(ts, 0), seq, idx)
}

func eventSize(ev *wireEvent) int { return len(ev.Message) + eventOverhead }

func inRange(q *eddy.LogQuery, ts int64) bool {
	return (q.StartTime == 0 || ts >= q.StartTime) && (q.EndTime == 0 || ts < q.EndTime)
}

func eventsLimit(limit int) (int, error) {
	switch {
	case limit == 0:
		return maxEventsLimit, nil
	case limit < 0 || limit > maxEventsLimit:
		return 0, eddy.TypedErrorf(eddy.EVALIDATE, "InvalidParameterException",
			"1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value between 1 and %d", limit, maxEventsLimit)
	}
	return limit, nil
}

// pos is a position between two events of a stream: before the idx-th event
// of the message at seq.
type pos struct {
	seq uint64
	idx int
}

// next is the position after the i-th of the n events of the message at seq.
func next(seq uint64, i, n int) pos {
	if i+1 >= n {
		return pos{seq + 1, 0}
	}
	return pos{seq, i + 1}
}

// eventToken is a GetLogEvents token: "f/" (forward) or "b/" (backward),
// then 56 digits (the sequence and index of a pos), then "/s", the shape of
// CloudWatch Logs' tokens.
func eventToken(dir byte, p pos) string {
	return fmt.Sprintf("%c/%040d%016d/s", dir, p.seq, p.idx)
}

func parseEventToken(t string) (byte, pos, error) {
	if len(t) != 2+56+2 || (t[0] != 'f' && t[0] != 'b') || t[1] != '/' || !strings.HasSuffix(t, "/s") {
		return 0, pos{}, errBadToken()
	}
	seq, err1 := strconv.ParseUint(t[2:42], 10, 64)
	idx, err2 := strconv.ParseUint(t[42:58], 10, 31)
	if err1 != nil || err2 != nil {
		return 0, pos{}, errBadToken()
	}
	return t[0], pos{seq: seq, idx: int(idx)}, nil
}

// GetLogEvents reads one stream, q.Streams[0]. Without a token it returns
// the oldest events if q.FromHead is set and the newest otherwise, in
// chronological order either way; a token continues in its own direction.
// Reading forward past the last event returns no events and the same
// forward token.
func (s *Store) GetLogEvents(ctx context.Context, q *eddy.LogQuery) ([]eddy.LogEvent, string, string, error) {
	if err := s.ready(); err != nil {
		return nil, "", "", err
	}
	if len(q.Streams) == 0 {
		return nil, "", "", eddy.TypedErrorf(eddy.EVALIDATE, "InvalidParameterException", "logStreamName is required.")
	}
	group, stream := q.Group, q.Streams[0]
	if err := validGroup(group); err != nil {
		return nil, "", "", err
	}
	if err := validStream(stream); err != nil {
		return nil, "", "", err
	}
	limit, err := eventsLimit(q.Limit)
	if err != nil {
		return nil, "", "", err
	}
	forward := q.FromHead
	var at pos
	if q.NextToken != "" {
		var dir byte
		if dir, at, err = parseEventToken(q.NextToken); err != nil {
			return nil, "", "", err
		}
		forward = dir == 'f'
	}
	if err := s.checkStream(ctx, group, stream); err != nil {
		return nil, "", "", err
	}
	subj := streamSubject(group, stream)
	if forward {
		var start *time.Time
		if q.NextToken == "" && q.StartTime > 0 {
			m, err := s.groupMeta(ctx, group)
			if err != nil {
				return nil, "", "", err
			}
			start = seekTime(q.StartTime, m.FutureUntil)
		}
		return s.readForward(ctx, q, subj, at, start, limit)
	}
	if q.NextToken == "" {
		last, err := s.lastMsg(ctx, subj, 0)
		if err != nil {
			return nil, "", "", fmt.Errorf("logs: get events: %w", err)
		}
		if last == nil {
			return nil, eventToken('f', pos{}), eventToken('b', pos{}), nil
		}
		at = pos{seq: last.seq + 1}
	}
	return s.readBackward(ctx, q, subj, at, limit)
}

// readForward returns the events of subj from at on, or from the storage
// time start if it is set.
func (s *Store) readForward(ctx context.Context, q *eddy.LogQuery, subj string, at pos, start *time.Time, limit int) ([]eddy.LogEvent, string, string, error) {
	sc := &scanner{s: s, filter: subj, seq: at.seq, start: start}
	var (
		out   []eddy.LogEvent
		size  int
		after = at // after the last event read
		first = at // before the first event returned
		full  bool
	)
	for scanned := 0; !full && scanned < maxScanMessages; scanned++ {
		m, err := sc.next(ctx)
		if err != nil {
			return nil, "", "", fmt.Errorf("logs: get events: %w", err)
		}
		if m == nil {
			break
		}
		evs, ingestion := s.decodeEvents(m)
		i := 0
		if m.seq == at.seq {
			i = at.idx
		}
		for ; i < len(evs); i++ {
			ev := &evs[i]
			if len(out) == limit || size+eventSize(ev) > maxResponseBytes {
				full = true
				break
			}
			after = next(m.seq, i, len(evs))
			if !inRange(q, ev.Timestamp) {
				continue
			}
			if len(out) == 0 {
				first = pos{m.seq, i}
			}
			size += eventSize(ev)
			out = append(out, eddy.LogEvent{Timestamp: ev.Timestamp, Message: ev.Message, IngestionTime: ingestion, EventID: eventID(ev.Timestamp, m.seq, i)})
		}
		if !full {
			after = pos{m.seq + 1, 0}
		}
	}
	return out, eventToken('f', after), eventToken('b', first), nil
}

// readBackward returns the newest events of subj before at, oldest first.
func (s *Store) readBackward(ctx context.Context, q *eddy.LogQuery, subj string, at pos, limit int) ([]eddy.LogEvent, string, string, error) {
	var (
		rev     []eddy.LogEvent // newest first
		size    int
		oldest  = at // before the oldest event read
		newest  = at // after the newest event returned
		full    bool
		scanned int
		window  = uint64(64)
	)
	// lo is the first sequence read so far: everything before it is unread.
	lo := at.seq
	if at.idx > 0 {
		lo++
	}
	for !full && scanned < maxScanMessages && lo > 1 {
		// Jump over the messages of other subjects.
		prev, err := s.lastMsg(ctx, subj, lo-1)
		if err == nil && prev == nil && scanned == 0 {
			// The server finds nothing up to a sequence past the end of
			// the stream, which a client's token may hold.
			if prev, err = s.lastMsg(ctx, subj, 0); prev != nil && prev.seq >= lo {
				prev = nil
			}
		}
		if err != nil {
			return nil, "", "", fmt.Errorf("logs: get events: %w", err)
		}
		if prev == nil {
			break
		}
		top := prev.seq + 1
		from := uint64(1)
		if top > window {
			from = top - window
		}
		var msgs []storedMsg
		sc := &scanner{s: s, filter: subj, seq: from, until: top}
		for {
			m, err := sc.next(ctx)
			if err != nil {
				return nil, "", "", fmt.Errorf("logs: get events: %w", err)
			}
			if m == nil {
				break
			}
			msgs = append(msgs, *m)
		}
		for k := len(msgs) - 1; k >= 0 && !full; k-- {
			m := &msgs[k]
			scanned++
			evs, ingestion := s.decodeEvents(m)
			end := len(evs)
			if m.seq == at.seq {
				end = min(end, at.idx)
			}
			for i := end - 1; i >= 0; i-- {
				ev := &evs[i]
				if len(rev) == limit || size+eventSize(ev) > maxResponseBytes {
					full = true
					break
				}
				oldest = pos{m.seq, i}
				if !inRange(q, ev.Timestamp) {
					continue
				}
				if len(rev) == 0 {
					newest = next(m.seq, i, len(evs))
				}
				size += eventSize(ev)
				rev = append(rev, eddy.LogEvent{Timestamp: ev.Timestamp, Message: ev.Message, IngestionTime: ingestion, EventID: eventID(ev.Timestamp, m.seq, i)})
			}
			if !full {
				oldest = pos{m.seq, 0}
			}
		}
		lo = from
		window = min(window*2, maxWindow)
	}
	out := make([]eddy.LogEvent, len(rev))
	for i, ev := range rev {
		out[len(rev)-1-i] = ev
	}
	return out, eventToken('f', newest), eventToken('b', oldest), nil
}

// seekTime is the storage time to start reading at for events from
// startTime on in a group with futureUntil, or nil to read from the start.
func seekTime(startTime, futureUntil int64) *time.Time {
	if startTime <= 0 {
		return nil
	}
	slack := nearSlack
	if startTime <= futureUntil {
		slack = seekSlack
	}
	t := time.UnixMilli(startTime).Add(-slack)
	if t.Before(time.Unix(0, 0)) {
		return nil
	}
	return &t
}

// filterToken is a FilterLogEvents token: the position to continue at.
func filterToken(p pos) string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "e/%d/%d", p.seq, p.idx))
}

func parseFilterToken(t string) (pos, error) {
	b, err := base64.RawURLEncoding.DecodeString(t)
	if err != nil {
		return pos{}, errBadToken()
	}
	parts := strings.Split(string(b), "/")
	if len(parts) != 3 || parts[0] != "e" {
		return pos{}, errBadToken()
	}
	seq, err1 := strconv.ParseUint(parts[1], 10, 64)
	idx, err2 := strconv.ParseUint(parts[2], 10, 31)
	if err1 != nil || err2 != nil {
		return pos{}, errBadToken()
	}
	return pos{seq: seq, idx: int(idx)}, nil
}

// FilterLogEvents reads the events of a group, or of the streams q names or
// whose names start with q.StreamPrefix, oldest first, that are in the time
// range of q and match q.Pattern. It reads only the messages of the group.
// A page may hold fewer than q.Limit events, even none, and still have a
// token: the read stops after a bounded amount of work.
func (s *Store) FilterLogEvents(ctx context.Context, q *eddy.LogQuery) ([]eddy.LogEvent, string, error) {
	if err := s.ready(); err != nil {
		return nil, "", err
	}
	if err := validGroup(q.Group); err != nil {
		return nil, "", err
	}
	if len(q.Streams) > 0 && q.StreamPrefix != "" {
		return nil, "", eddy.TypedErrorf(eddy.EINVALID, "InvalidParameterException",
			"You cannot specify both logStreamNames and logStreamNamePrefix.")
	}
	if len(q.Streams) > maxFilterStreams {
		return nil, "", eddy.TypedErrorf(eddy.EVALIDATE, "InvalidParameterException",
			"1 validation error detected: Value at 'logStreamNames' failed to satisfy constraint: Member must have length less than or equal to %d", maxFilterStreams)
	}
	for _, st := range q.Streams {
		if err := validStream(st); err != nil {
			return nil, "", err
		}
	}
	limit, err := eventsLimit(q.Limit)
	if err != nil {
		return nil, "", err
	}
	pattern, err := ParsePattern(q.Pattern)
	if err != nil {
		return nil, "", err
	}
	sc := &scanner{s: s, filter: groupSubject(q.Group)}
	var at pos
	if q.NextToken != "" {
		if at, err = parseFilterToken(q.NextToken); err != nil {
			return nil, "", err
		}
		sc.seq = at.seq
	}
	meta, err := s.groupMeta(ctx, q.Group)
	if err != nil {
		return nil, "", err
	}
	if q.NextToken == "" {
		sc.start = seekTime(q.StartTime, meta.FutureUntil)
	}
	// names maps the last subject token of the streams read to their name;
	// with q.Streams it holds exactly those streams.
	names := map[string]string{}
	for _, st := range q.Streams {
		names[engine.EncodeKey(st)] = st
	}
	if len(q.Streams) == 1 {
		sc.filter = streamSubject(q.Group, q.Streams[0])
	}
	streamOf := func(subject string) (string, bool) {
		tok := subject[strings.LastIndexByte(subject, '.')+1:]
		if name, ok := names[tok]; ok {
			return name, true
		}
		if len(q.Streams) > 0 {
			return "", false
		}
		name, ok := engine.DecodeKey(tok)
		if !ok {
			return "", false
		}
		names[tok] = name
		return name, true
	}
	var (
		out     []eddy.LogEvent
		size    int
		resume  *pos   // where the next page starts, if the page is full
		last    uint64 // the sequence of the last message read
		scanned int
	)
	for ; resume == nil && scanned < maxScanMessages; scanned++ {
		m, err := sc.next(ctx)
		if err != nil {
			return nil, "", fmt.Errorf("logs: filter events: %w", err)
		}
		if m == nil {
			break
		}
		last = m.seq
		stream, ok := streamOf(m.subject)
		if !ok || !strings.HasPrefix(stream, q.StreamPrefix) {
			continue
		}
		if ts := headerInt(m.header.Get(hdrLast)); q.StartTime != 0 && ts != 0 && ts < q.StartTime {
			continue // every event of the message is too old
		}
		evs, ingestion := s.decodeEvents(m)
		i := 0
		if m.seq == at.seq {
			i = at.idx
		}
		for ; i < len(evs); i++ {
			ev := &evs[i]
			if !inRange(q, ev.Timestamp) || !pattern.Match(ev.Message) {
				continue
			}
			if size+eventSize(ev) > maxResponseBytes {
				resume = &pos{m.seq, i}
				break
			}
			size += eventSize(ev)
			out = append(out, eddy.LogEvent{
				Timestamp: ev.Timestamp, Message: ev.Message, IngestionTime: ingestion,
				StreamName: stream, EventID: eventID(ev.Timestamp, m.seq, i),
			})
			if len(out) == limit {
				p := next(m.seq, i, len(evs))
				resume = &p
				break
			}
		}
	}
	switch {
	case resume != nil:
		return out, filterToken(*resume), nil
	case scanned == maxScanMessages && !sc.done():
		return out, filterToken(pos{seq: last + 1}), nil
	}
	return out, "", nil
}

// done reports whether the scanner has nothing more to read.
func (sc *scanner) done() bool { return sc.eof && len(sc.buf) == 0 }
