package logs

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/engine"
)

// maxDescribeLimit is the largest and default page of DescribeLogGroups and
// DescribeLogStreams.
const maxDescribeLimit = 50

// DescribeLogGroups lists the groups whose name starts with prefix, sorted
// by name, a page of at most limit (default and maximum 50) at a time.
func (s *Store) DescribeLogGroups(ctx context.Context, prefix, nextToken string, limit int) ([]eddy.LogGroup, string, error) {
	if err := s.ready(); err != nil {
		return nil, "", err
	}
	limit, err := describeLimit(limit)
	if err != nil {
		return nil, "", err
	}
	after, err := parseNameToken(nextToken)
	if err != nil {
		return nil, "", err
	}
	entries, err := listEntries(ctx, s.groups, ">")
	if err != nil {
		return nil, "", fmt.Errorf("logs: describe groups: %w", err)
	}
	var groups []eddy.LogGroup
	for _, e := range entries {
		name, ok := engine.DecodeKey(e.Key())
		if !ok || !strings.HasPrefix(name, prefix) || (nextToken != "" && name <= after) {
			continue
		}
		var m groupMeta
		if err := json.Unmarshal(e.Value(), &m); err != nil {
			s.log.Warn("logs: bad group metadata", "group", name, "error", err)
			continue
		}
		groups = append(groups, eddy.LogGroup{Name: name, CreationTime: m.CreationTime, RetentionInDays: m.RetentionInDays})
	}
	slices.SortFunc(groups, func(a, b eddy.LogGroup) int { return strings.Compare(a.Name, b.Name) })
	var token string
	if len(groups) > limit {
		groups = groups[:limit]
		token = nameToken(groups[limit-1].Name)
	}
	return groups, token, nil
}

// DescribeLogStreams lists the streams of q.Group, a page of at most
// q.Limit (default and maximum 50) at a time: those whose name starts with
// q.Prefix in name order, or all of them in the order of their last event's
// timestamp (streams without events first), ascending unless q.Descending.
// ENOTFOUND if the group does not exist; InvalidParameterException for
// another order, or for a prefix with the order by event time, as in
// CloudWatch Logs.
func (s *Store) DescribeLogStreams(ctx context.Context, q *eddy.LogStreamQuery) ([]eddy.LogStream, string, error) {
	if err := s.ready(); err != nil {
		return nil, "", err
	}
	if err := validGroup(q.Group); err != nil {
		return nil, "", err
	}
	byTime := false
	switch q.OrderBy {
	case "", eddy.OrderByLogStreamName:
	case eddy.OrderByLastEventTime:
		byTime = true
		if q.Prefix != "" {
			return nil, "", eddy.TypedErrorf(eddy.EINVALID, "InvalidParameterException",
				"Cannot order by LastEventTime with a logStreamNamePrefix.")
		}
	default:
		return nil, "", eddy.TypedErrorf(eddy.EVALIDATE, "InvalidParameterException",
			"1 validation error detected: Value '%s' at 'orderBy' failed to satisfy constraint: Member must satisfy enum value set: [LogStreamName, LastEventTime]", truncate(q.OrderBy, 64))
	}
	limit, err := describeLimit(q.Limit)
	if err != nil {
		return nil, "", err
	}
	var after streamPos
	if q.NextToken != "" {
		if after, err = parseStreamToken(q.NextToken, byTime); err != nil {
			return nil, "", err
		}
	}
	if _, err := s.groupMeta(ctx, q.Group); err != nil {
		return nil, "", err
	}
	entries, err := listEntries(ctx, s.streams, engine.EncodeKey(q.Group)+".*")
	if err != nil {
		return nil, "", fmt.Errorf("logs: describe streams: %w", err)
	}
	var streams []eddy.LogStream
	for _, e := range entries {
		key := e.Key()
		name, ok := engine.DecodeKey(key[strings.IndexByte(key, '.')+1:])
		if !ok || !strings.HasPrefix(name, q.Prefix) {
			continue
		}
		var m streamMeta
		if err := json.Unmarshal(e.Value(), &m); err != nil {
			s.log.Warn("logs: bad stream metadata", "group", q.Group, "stream", name, "error", err)
			continue
		}
		streams = append(streams, eddy.LogStream{Name: name, CreationTime: m.CreationTime})
	}
	// The last messages of the streams: of every stream when they decide
	// the order, else of the page only.
	var lasts map[string]*storedMsg
	if byTime {
		if lasts, err = s.lastMsgs(ctx, q.Group, streams); err != nil {
			return nil, "", fmt.Errorf("logs: describe streams: %w", err)
		}
		for i := range streams {
			if m := lasts[streamSubject(q.Group, streams[i].Name)]; m != nil {
				streams[i].LastEventTimestamp = headerInt(m.header.Get(hdrLast))
			}
		}
	}
	posOf := func(ls *eddy.LogStream) streamPos {
		if byTime {
			return streamPos{time: ls.LastEventTimestamp, name: ls.Name}
		}
		return streamPos{name: ls.Name}
	}
	cmp := func(a, b eddy.LogStream) int { return posOf(&a).compare(posOf(&b)) }
	if q.Descending {
		cmp = func(a, b eddy.LogStream) int { return posOf(&b).compare(posOf(&a)) }
	}
	slices.SortFunc(streams, cmp)
	if q.NextToken != "" {
		// The page starts after the token's stream, wherever that stream
		// is now.
		i := 0
		for i < len(streams) {
			c := posOf(&streams[i]).compare(after)
			if !q.Descending && c > 0 || q.Descending && c < 0 {
				break
			}
			i++
		}
		streams = streams[i:]
	}
	var token string
	if len(streams) > limit {
		streams = streams[:limit]
		token = posOf(&streams[limit-1]).token(byTime)
	}
	if !byTime {
		if lasts, err = s.lastMsgs(ctx, q.Group, streams); err != nil {
			return nil, "", fmt.Errorf("logs: describe streams: %w", err)
		}
	}
	for i := range streams {
		if err := s.eventTimes(ctx, q.Group, &streams[i], lasts[streamSubject(q.Group, streams[i].Name)]); err != nil {
			return nil, "", err
		}
	}
	return streams, token, nil
}

// streamPos is the place of a stream in a DescribeLogStreams order.
type streamPos struct {
	time int64 // the last event's timestamp, when ordered by it
	name string
}

func (p streamPos) compare(o streamPos) int {
	if p.time != o.time {
		if p.time < o.time {
			return -1
		}
		return 1
	}
	return strings.Compare(p.name, o.name)
}

// token is the NextToken of a page that ends at p.
func (p streamPos) token(byTime bool) string {
	if byTime {
		return base64.RawURLEncoding.EncodeToString([]byte("t/" + strconv.FormatInt(p.time, 10) + "/" + p.name))
	}
	return nameToken(p.name)
}

// parseStreamToken parses a DescribeLogStreams token of the order asked
// for; a token of the other order is invalid.
func parseStreamToken(token string, byTime bool) (streamPos, error) {
	if !byTime {
		name, err := parseNameToken(token)
		return streamPos{name: name}, err
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	rest, ok := strings.CutPrefix(string(b), "t/")
	if err != nil || !ok {
		return streamPos{}, errBadToken()
	}
	ts, name, ok := strings.Cut(rest, "/")
	t, err := strconv.ParseInt(ts, 10, 64)
	if !ok || err != nil {
		return streamPos{}, errBadToken()
	}
	return streamPos{time: t, name: name}, nil
}

// multiLastChunk is how many subjects one multi-last direct get asks for,
// well under the server's limit of 1024 results and the 1 MiB request.
const multiLastChunk = 256

// lastMsgs returns the last message of each of the streams of group that
// has any, by subject, a batched direct get per multiLastChunk streams.
func (s *Store) lastMsgs(ctx context.Context, group string, streams []eddy.LogStream) (map[string]*storedMsg, error) {
	out := make(map[string]*storedMsg, len(streams))
	for len(streams) > 0 {
		n := min(len(streams), multiLastChunk)
		subjects := make([]string, n)
		for i := range n {
			subjects[i] = streamSubject(group, streams[i].Name)
		}
		streams = streams[n:]
		// The server stops at readBytes; ask again for the rest.
		for len(subjects) > 0 {
			msgs, pending, err := s.getBatch(ctx, getRequest{MultiLastFor: subjects, Batch: len(subjects), MaxBytes: readBytes})
			if err != nil {
				return nil, err
			}
			for i := range msgs {
				out[msgs[i].subject] = &msgs[i]
			}
			if pending == 0 || len(msgs) == 0 {
				break
			}
			subjects = slices.DeleteFunc(subjects, func(subj string) bool { return out[subj] != nil })
		}
	}
	return out, nil
}

// eventTimes fills in the first and last event timestamps and the last
// ingestion time of a stream from its first and last message; last is nil
// for a stream without events.
func (s *Store) eventTimes(ctx context.Context, group string, ls *eddy.LogStream, last *storedMsg) error {
	if last == nil {
		return nil
	}
	first, _, err := s.getBatch(ctx, getRequest{NextFor: streamSubject(group, ls.Name), Batch: 1})
	if err != nil {
		return fmt.Errorf("logs: describe streams: %w", err)
	}
	f := last
	if len(first) > 0 {
		f = &first[0]
	}
	ls.FirstEventTimestamp = headerInt(f.header.Get(hdrFirst))
	ls.LastEventTimestamp = headerInt(last.header.Get(hdrLast))
	ls.LastIngestionTime = headerInt(last.header.Get(hdrIngestion))
	return nil
}

func headerInt(v string) int64 {
	n, _ := strconv.ParseInt(v, 10, 64)
	return n
}

// DeleteLogGroup deletes a group, its streams and their events. ENOTFOUND if
// the group does not exist.
func (s *Store) DeleteLogGroup(ctx context.Context, group string) error {
	if err := s.ready(); err != nil {
		return err
	}
	if err := validGroup(group); err != nil {
		return err
	}
	if _, err := s.groupMeta(ctx, group); err != nil {
		return err
	}
	s.forget(group)
	// The group's metadata goes last, so that a failed delete can be
	// repeated.
	if err := s.stream.Purge(ctx, jetstream.WithPurgeSubject(groupSubject(group))); err != nil {
		return fmt.Errorf("logs: delete group %q: purge events: %w", group, err)
	}
	entries, err := listEntries(ctx, s.streams, engine.EncodeKey(group)+".*")
	if err != nil {
		return fmt.Errorf("logs: delete group %q: %w", group, err)
	}
	for _, e := range entries {
		if err := s.streams.Delete(ctx, e.Key()); err != nil {
			return fmt.Errorf("logs: delete group %q: delete stream: %w", group, err)
		}
	}
	if err := s.groups.Delete(ctx, engine.EncodeKey(group)); err != nil {
		return fmt.Errorf("logs: delete group %q: %w", group, err)
	}
	s.forget(group)
	return nil
}

// listEntries returns the current entries of the keys of kv that match
// filter, in no particular order.
func listEntries(ctx context.Context, kv jetstream.KeyValue, filter string) ([]jetstream.KeyValueEntry, error) {
	w, err := kv.Watch(ctx, filter, jetstream.IgnoreDeletes())
	if err != nil {
		return nil, err
	}
	defer func() { _ = w.Stop() }()
	var entries []jetstream.KeyValueEntry
	for {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case e, ok := <-w.Updates():
			if !ok {
				return nil, fmt.Errorf("watch %s: closed", filter)
			}
			if e == nil {
				return entries, nil
			}
			entries = append(entries, e)
		}
	}
}

func describeLimit(limit int) (int, error) {
	switch {
	case limit == 0:
		return maxDescribeLimit, nil
	case limit < 0 || limit > maxDescribeLimit:
		return 0, eddy.TypedErrorf(eddy.EVALIDATE, "InvalidParameterException",
			"1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value between 1 and %d", limit, maxDescribeLimit)
	}
	return limit, nil
}

// nameToken is the NextToken of a describe page that ends at name.
func nameToken(name string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("n/" + name))
}

func parseNameToken(token string) (string, error) {
	if token == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || !strings.HasPrefix(string(b), "n/") {
		return "", errBadToken()
	}
	return string(b[2:]), nil
}

func errBadToken() error {
	return eddy.TypedErrorf(eddy.EINVALID, "InvalidParameterException", "The specified nextToken is invalid.")
}
