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

// DescribeLogStreams lists the streams of a group whose name starts with
// prefix, in name order (descending if asked), a page of at most limit
// (default and maximum 50) at a time. ENOTFOUND if the group does not exist.
func (s *Store) DescribeLogStreams(ctx context.Context, group, prefix, nextToken string, limit int, descending bool) ([]eddy.LogStream, string, error) {
	if err := s.ready(); err != nil {
		return nil, "", err
	}
	if err := validGroup(group); err != nil {
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
	if _, err := s.groupMeta(ctx, group); err != nil {
		return nil, "", err
	}
	entries, err := listEntries(ctx, s.streams, engine.EncodeKey(group)+".*")
	if err != nil {
		return nil, "", fmt.Errorf("logs: describe streams: %w", err)
	}
	var streams []eddy.LogStream
	for _, e := range entries {
		key := e.Key()
		name, ok := engine.DecodeKey(key[strings.IndexByte(key, '.')+1:])
		if !ok || !strings.HasPrefix(name, prefix) {
			continue
		}
		if nextToken != "" && (!descending && name <= after || descending && name >= after) {
			continue
		}
		var m streamMeta
		if err := json.Unmarshal(e.Value(), &m); err != nil {
			s.log.Warn("logs: bad stream metadata", "group", group, "stream", name, "error", err)
			continue
		}
		streams = append(streams, eddy.LogStream{Name: name, CreationTime: m.CreationTime})
	}
	slices.SortFunc(streams, func(a, b eddy.LogStream) int {
		if descending {
			return strings.Compare(b.Name, a.Name)
		}
		return strings.Compare(a.Name, b.Name)
	})
	var token string
	if len(streams) > limit {
		streams = streams[:limit]
		token = nameToken(streams[limit-1].Name)
	}
	for i := range streams {
		if err := s.eventTimes(ctx, group, &streams[i]); err != nil {
			return nil, "", err
		}
	}
	return streams, token, nil
}

// eventTimes fills in the first and last event timestamps and the last
// ingestion time of a stream from its first and last message.
func (s *Store) eventTimes(ctx context.Context, group string, ls *eddy.LogStream) error {
	subj := streamSubject(group, ls.Name)
	first, _, err := s.getBatch(ctx, getRequest{NextFor: subj, Batch: 1})
	if err != nil {
		return fmt.Errorf("logs: describe streams: %w", err)
	}
	if len(first) == 0 {
		return nil
	}
	last, err := s.lastMsg(ctx, subj, 0)
	if err != nil {
		return fmt.Errorf("logs: describe streams: %w", err)
	}
	if last == nil {
		last = &first[0]
	}
	ls.FirstEventTimestamp = headerInt(first[0].header.Get(hdrFirst))
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
