package logs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/engine"
)

// DefaultRetentionInterval is the default of Config.RetentionInterval.
const DefaultRetentionInterval = 5 * time.Minute

// day is a retention day in milliseconds.
const day = int64(24 * time.Hour / time.Millisecond)

// purgeEvery is how many expired messages of one stream are read before
// they are purged, so that a long backlog is deleted in bounded steps.
const purgeEvery = 4 * readBatch

// PutRetentionPolicy makes the events of a group expire after days, one of
// eddy.RetentionDays. The events are deleted by the retention job, within
// Config.RetentionInterval of their expiry.
func (s *Store) PutRetentionPolicy(ctx context.Context, group string, days int) error {
	if err := s.ready(); err != nil {
		return err
	}
	if err := validGroup(group); err != nil {
		return err
	}
	if !slices.Contains(eddy.RetentionDays, days) {
		vals := make([]string, len(eddy.RetentionDays))
		for i, d := range eddy.RetentionDays {
			vals[i] = strconv.Itoa(d)
		}
		return eddy.TypedErrorf(eddy.EVALIDATE, "InvalidParameterException",
			"1 validation error detected: Value '%d' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [%s]",
			days, strings.Join(vals, ", "))
	}
	return s.updateGroup(ctx, group, func(m *groupMeta) { m.RetentionInDays = days })
}

// DeleteRetentionPolicy makes the events of a group never expire.
func (s *Store) DeleteRetentionPolicy(ctx context.Context, group string) error {
	if err := s.ready(); err != nil {
		return err
	}
	if err := validGroup(group); err != nil {
		return err
	}
	return s.updateGroup(ctx, group, func(m *groupMeta) { m.RetentionInDays = 0 })
}

// updateGroup changes a group's metadata with compare-and-set, retrying
// when another writer got there first. ENOTFOUND if the group does not
// exist.
func (s *Store) updateGroup(ctx context.Context, group string, change func(*groupMeta)) error {
	key := engine.EncodeKey(group)
	for attempt := 0; ; attempt++ {
		e, err := s.groups.Get(ctx, key)
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			return errGroupNotFound()
		}
		if err != nil {
			return fmt.Errorf("logs: update group %q: %w", group, err)
		}
		var m groupMeta
		if err := json.Unmarshal(e.Value(), &m); err != nil {
			return fmt.Errorf("logs: group %q: %w", group, err)
		}
		change(&m)
		v, _ := json.Marshal(m) // a struct of integers always encodes
		_, err = s.groups.Update(ctx, key, v, e.Revision())
		if err == nil {
			return nil
		}
		if !errors.Is(err, jetstream.ErrKeyRevisionMismatch) || attempt == 10 {
			return fmt.Errorf("logs: update group %q: %w", group, err)
		}
	}
}

// EnforceRetention deletes the expired events of every group that has a
// retention policy, now. The store's retention job calls it every
// Config.RetentionInterval; it is exported for tools and tests that cannot
// wait.
//
// Events are deleted a message (one write) at a time, from the oldest of
// each stream up to the first message that holds an event within the
// retention period: like CloudWatch Logs, eddy may keep an expired event
// for a while, never delete one that has not expired. Only the messages of
// the groups with a policy are read; other groups cost nothing.
func (s *Store) EnforceRetention(ctx context.Context) error {
	if err := s.ready(); err != nil {
		return err
	}
	entries, err := listEntries(ctx, s.groups, ">")
	if err != nil {
		return fmt.Errorf("logs: enforce retention: %w", err)
	}
	now := s.now()
	var errs []error
	for _, e := range entries {
		var m groupMeta
		if json.Unmarshal(e.Value(), &m) != nil || m.RetentionInDays <= 0 {
			continue
		}
		group, ok := engine.DecodeKey(e.Key())
		if !ok {
			continue
		}
		if err := s.expireGroup(ctx, group, now-int64(m.RetentionInDays)*day); err != nil {
			errs = append(errs, err)
		}
		if ctx.Err() != nil {
			break
		}
	}
	return errors.Join(errs...)
}

// expireGroup deletes the events of group older than cutoff (Unix ms).
func (s *Store) expireGroup(ctx context.Context, group string, cutoff int64) error {
	// The subjects of the group that hold messages, from the stream's
	// subject index: no message is read.
	info, err := s.stream.Info(ctx, jetstream.WithSubjectFilter(groupSubject(group)))
	if err != nil {
		return fmt.Errorf("logs: expire %q: %w", group, err)
	}
	for subj := range info.State.Subjects {
		if err := s.expireSubject(ctx, subj, cutoff); err != nil {
			return fmt.Errorf("logs: expire %q: %w", group, err)
		}
	}
	return nil
}

// expireSubject purges the messages of one stream, oldest first, whose
// newest event is older than cutoff; it stops at the first message that
// holds a later event. Purging up to a sequence this scan has read (rather
// than the whole subject) cannot delete a message written meanwhile.
func (s *Store) expireSubject(ctx context.Context, subj string, cutoff int64) error {
	sc := &scanner{s: s, filter: subj, seq: 1}
	var expired uint64 // the last expired message read
	n := 0
	purge := func() error {
		if expired == 0 {
			return nil
		}
		err := s.stream.Purge(ctx, jetstream.WithPurgeSubject(subj), jetstream.WithPurgeSequence(expired+1))
		if err != nil {
			return fmt.Errorf("purge %s: %w", subj, err)
		}
		s.log.Debug("logs: expired events", "subject", subj, "messages", n)
		expired, n = 0, 0
		return nil
	}
	for {
		m, err := sc.next(ctx)
		if err != nil {
			return err
		}
		if m == nil {
			break
		}
		last, err := strconv.ParseInt(m.header.Get(hdrLast), 10, 64)
		if err != nil || last >= cutoff {
			break
		}
		expired = m.seq
		if n++; n == purgeEvery {
			if err := purge(); err != nil {
				return err
			}
		}
	}
	return purge()
}

// enforceRetention runs EnforceRetention every Config.RetentionInterval
// until ctx is done.
func (s *Store) enforceRetention(ctx context.Context) {
	defer s.wg.Done()
	t := time.NewTicker(s.cfg.RetentionInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := s.EnforceRetention(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("logs: enforce retention", "error", err)
		}
	}
}
