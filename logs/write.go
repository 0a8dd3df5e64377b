package logs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/engine"
)

const (
	// maxEventBytes is the largest event message kept, as in CloudWatch
	// Logs: 256 KiB including 26 bytes of per-event overhead. Longer
	// messages are truncated.
	maxEventBytes = 256*1024 - eventOverhead
	eventOverhead = 26
	// batchBytes is the size a message grows to before events go to the
	// next one; a single event may make it larger, up to maxMessageBytes.
	batchBytes = 256 * 1024
	// maxMessageBytes bounds the JSON of one event, well under the 1 MiB
	// default maximum payload of NATS. Only messages full of characters that
	// JSON escapes (control characters) need more than maxEventBytes.
	maxMessageBytes = 768 * 1024
	// maxAhead is how far in the future an event timestamp may be. Reads
	// that start at a time rely on it (see seekSlack); CloudWatch Logs
	// rejects later events, eddy moves them back to this bound.
	maxAhead = 2 * time.Hour
	// nearAhead is how far in the future an event timestamp may be without
	// being recorded in its group's FutureUntil. The events of functions
	// are never ahead; reads from a time after FutureUntil rely on this
	// bound instead of maxAhead, so that polling the newest events (as
	// `aws logs tail --follow` does) reads minutes of messages, not hours.
	nearAhead = time.Minute
)

// Headers of an event message.
const (
	hdrIngestion = "Eddy-Ingestion-Time"
	hdrFirst     = "Eddy-First-Timestamp"
	hdrLast      = "Eddy-Last-Timestamp"
)

// groupMeta is the value of a group in GroupBucket.
type groupMeta struct {
	CreationTime int64 `json:"creationTime"`
	// RetentionInDays is 0 for events that never expire.
	RetentionInDays int `json:"retentionInDays,omitempty"`
	// FutureUntil is the latest timestamp (Unix ms) of the events that
	// were more than nearAhead ahead of the wall clock when written; 0 if
	// there were none.
	FutureUntil int64 `json:"futureUntil,omitempty"`
}

// streamMeta is the value of a stream in StreamBucket.
type streamMeta struct {
	CreationTime int64 `json:"creationTime"`
}

// wireEvent is an event as stored in a message.
type wireEvent struct {
	Timestamp int64  `json:"timestamp"`
	Message   string `json:"message"`
}

// WriteLogs appends events to the stream of the group, creating both if they
// do not exist. It does not wait for the events to be stored: failures are
// logged. If the server falls behind by maxPendingAcks messages, it waits up
// to two seconds for room and then fails with ETHROTTLED. Events without a
// timestamp get the ingestion time; messages over 256 KiB are truncated.
func (s *Store) WriteLogs(ctx context.Context, group, stream string, events []eddy.LogEvent) error {
	if err := s.ready(); err != nil {
		return err
	}
	if err := validGroup(group); err != nil {
		return err
	}
	if err := validStream(stream); err != nil {
		return err
	}
	if err := s.ensure(ctx, group, stream); err != nil {
		return err
	}
	if len(events) == 0 {
		return nil
	}
	ingestion := s.now()
	// Reads by time assume no event is later than maxAhead after the time
	// the server stores it, nor later than nearAhead unless its group
	// records it; the server's clock is the wall clock, not Now.
	wall := time.Now()
	latest := wall.Add(maxAhead).UnixMilli()
	var newest int64
	for _, ev := range events {
		newest = max(newest, min(ev.Timestamp, latest))
	}
	if newest > wall.Add(nearAhead).UnixMilli() {
		if err := s.noteFuture(ctx, group, newest); err != nil {
			return err
		}
	}
	subject := streamSubject(group, stream)

	s.closeMu.RLock()
	defer s.closeMu.RUnlock()
	if s.closed {
		return eddy.Errorf(eddy.EUNAVAIL, "The log store is closed.")
	}
	var (
		buf         bytes.Buffer
		first, last int64
		n           int
	)
	flush := func() error {
		if n == 0 {
			return nil
		}
		buf.WriteByte(']')
		msg := nats.NewMsg(subject)
		msg.Data = bytes.Clone(buf.Bytes())
		msg.Header.Set(hdrIngestion, strconv.FormatInt(ingestion, 10))
		msg.Header.Set(hdrFirst, strconv.FormatInt(first, 10))
		msg.Header.Set(hdrLast, strconv.FormatInt(last, 10))
		f, err := s.pub.PublishMsgAsync(msg, jetstream.WithStallWait(stallWait))
		if errors.Is(err, jetstream.ErrTooManyStalledMsgs) {
			return eddy.Errorf(eddy.ETHROTTLED, "Log writes are backing up: %d await storage.", s.pub.PublishAsyncPending())
		}
		if err != nil {
			return fmt.Errorf("logs: write %s: %w", subject, err)
		}
		s.acks <- f
		buf.Reset()
		n = 0
		return nil
	}
	for _, ev := range events {
		ts := ev.Timestamp
		if ts == 0 {
			ts = ingestion
		}
		ts = min(ts, latest)
		enc := encodeEvent(ts, ev.Message)
		if n > 0 && buf.Len()+1+len(enc)+1 > batchBytes {
			if err := flush(); err != nil {
				return err
			}
		}
		if n == 0 {
			buf.WriteByte('[')
			first, last = ts, ts
		} else {
			buf.WriteByte(',')
			first, last = min(first, ts), max(last, ts)
		}
		buf.Write(enc)
		n++
	}
	return flush()
}

// encodeEvent returns the JSON of one event, its message truncated to
// maxEventBytes and, if its JSON is still over maxMessageBytes, further.
func encodeEvent(ts int64, msg string) []byte {
	msg = truncate(msg, maxEventBytes)
	for {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		// A struct of a string and an int64 always encodes.
		_ = enc.Encode(wireEvent{Timestamp: ts, Message: msg})
		out := bytes.TrimSuffix(b.Bytes(), []byte("\n"))
		if len(out) <= maxMessageBytes {
			return out
		}
		// Shrink in proportion; the loop settles it where escapes are
		// unevenly spread.
		n := int(int64(len(msg)) * (maxMessageBytes - 64) / int64(len(out)))
		msg = truncate(msg, min(n, len(msg)-1))
	}
}

// truncate cuts s to at most n bytes without splitting a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	n = max(n, 0)
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// ensure creates the group and stream metadata unless this node knows they
// exist.
func (s *Store) ensure(ctx context.Context, group, stream string) error {
	s.mu.Lock()
	streams, ok := s.known[group]
	done := ok && streams[stream]
	s.mu.Unlock()
	if done {
		return nil
	}
	now := s.now()
	if !ok {
		if _, err := s.createGroup(ctx, group, now); err != nil {
			return err
		}
	}
	if _, err := s.createStream(ctx, group, stream, now); err != nil {
		return err
	}
	s.mu.Lock()
	if s.known[group] == nil {
		s.known[group] = map[string]bool{}
	}
	s.known[group][stream] = true
	s.mu.Unlock()
	return nil
}

// noteFuture records, before they are written, that the group has events
// up to ts that are ahead of the wall clock by more than nearAhead.
func (s *Store) noteFuture(ctx context.Context, group string, ts int64) error {
	s.mu.Lock()
	done := s.future[group] >= ts
	s.mu.Unlock()
	if done {
		return nil
	}
	err := s.updateGroup(ctx, group, func(m *groupMeta) { m.FutureUntil = max(m.FutureUntil, ts) })
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.future[group] = max(s.future[group], ts)
	s.mu.Unlock()
	return nil
}

// createGroup creates the group's metadata; created is false if it exists.
func (s *Store) createGroup(ctx context.Context, group string, now int64) (created bool, err error) {
	v, _ := json.Marshal(groupMeta{CreationTime: now})
	if _, err := s.groups.Create(ctx, engine.EncodeKey(group), v); err != nil {
		if errors.Is(err, jetstream.ErrKeyExists) {
			return false, nil
		}
		return false, fmt.Errorf("logs: create group %q: %w", group, err)
	}
	return true, nil
}

// createStream creates the stream's metadata; created is false if it exists.
func (s *Store) createStream(ctx context.Context, group, stream string, now int64) (created bool, err error) {
	v, _ := json.Marshal(streamMeta{CreationTime: now})
	if _, err := s.streams.Create(ctx, streamKey(group, stream), v); err != nil {
		if errors.Is(err, jetstream.ErrKeyExists) {
			return false, nil
		}
		return false, fmt.Errorf("logs: create stream %q in %q: %w", stream, group, err)
	}
	return true, nil
}

// CreateLogGroup creates a group; ECONFLICT if it exists.
func (s *Store) CreateLogGroup(ctx context.Context, group string) error {
	if err := s.ready(); err != nil {
		return err
	}
	if err := validGroup(group); err != nil {
		return err
	}
	created, err := s.createGroup(ctx, group, s.now())
	if err != nil {
		return err
	}
	if !created {
		return eddy.TypedErrorf(eddy.ECONFLICT, "ResourceAlreadyExistsException", "The specified log group already exists")
	}
	return nil
}

// CreateLogStream creates a stream in an existing group; ECONFLICT if it
// exists, ENOTFOUND if the group does not.
func (s *Store) CreateLogStream(ctx context.Context, group, stream string) error {
	if err := s.ready(); err != nil {
		return err
	}
	if err := validGroup(group); err != nil {
		return err
	}
	if err := validStream(stream); err != nil {
		return err
	}
	if _, err := s.groupMeta(ctx, group); err != nil {
		return err
	}
	created, err := s.createStream(ctx, group, stream, s.now())
	if err != nil {
		return err
	}
	if !created {
		return eddy.TypedErrorf(eddy.ECONFLICT, "ResourceAlreadyExistsException", "The specified log stream already exists")
	}
	return nil
}

// groupMeta reads a group's metadata; ENOTFOUND if there is none.
func (s *Store) groupMeta(ctx context.Context, group string) (groupMeta, error) {
	var m groupMeta
	e, err := s.groups.Get(ctx, engine.EncodeKey(group))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return m, errGroupNotFound()
	}
	if err != nil {
		return m, fmt.Errorf("logs: get group %q: %w", group, err)
	}
	if err := json.Unmarshal(e.Value(), &m); err != nil {
		return m, fmt.Errorf("logs: group %q: %w", group, err)
	}
	return m, nil
}

// checkStream returns ENOTFOUND, for the stream or its group, unless the
// stream exists.
func (s *Store) checkStream(ctx context.Context, group, stream string) error {
	_, err := s.streams.Get(ctx, streamKey(group, stream))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		if _, err := s.groupMeta(ctx, group); err != nil {
			return err
		}
		return errStreamNotFound()
	}
	if err != nil {
		return fmt.Errorf("logs: get stream %q in %q: %w", stream, group, err)
	}
	return nil
}

func errGroupNotFound() error {
	return eddy.TypedErrorf(eddy.ENOTFOUND, "ResourceNotFoundException", "The specified log group does not exist.")
}

func errStreamNotFound() error {
	return eddy.TypedErrorf(eddy.ENOTFOUND, "ResourceNotFoundException", "The specified log stream does not exist.")
}

// validGroup checks a group name against CloudWatch Logs' constraints.
func validGroup(name string) error {
	if len(name) < 1 || len(name) > 512 {
		return invalidParam("logGroupName", name, "Member must have length between 1 and 512")
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c == '.' || c == '-' || c == '_' || c == '/' || c == '#' ||
			'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return invalidParam("logGroupName", name, `Member must satisfy regular expression pattern: [\.\-_/#A-Za-z0-9]+`)
		}
	}
	return nil
}

// validStream checks a stream name against CloudWatch Logs' constraints.
func validStream(name string) error {
	if len(name) < 1 || len(name) > 512 {
		return invalidParam("logStreamName", name, "Member must have length between 1 and 512")
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c == ':' || c == '*' {
			return invalidParam("logStreamName", name, `Member must satisfy regular expression pattern: [^:*]*`)
		}
	}
	return nil
}

func invalidParam(member, v, constraint string) error {
	if len(v) > 64 {
		v = truncate(v, 64) + "..."
	}
	return eddy.TypedErrorf(eddy.EVALIDATE, "InvalidParameterException",
		"1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: %s", v, member, constraint)
}
