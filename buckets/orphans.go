package buckets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// A process that stops in the middle of an upload leaves the chunks it
// wrote behind, referenced by no record and no part: orphans. After Open,
// one node (the holder of the lease "orphans") looks for them once: it
// lists the object store's chunk subjects, reads every bucket's stream and
// every upload's parts for the bodies they reference, and deletes the
// bodies that nothing references and that nobody wrote to for OrphanAge
// (a body being uploaded gets a chunk every moment and is referenced at
// once after its last). It reads everything, so it runs once per start.

const orphanLease = "orphans"

func (s *Service) collectOrphans(ctx context.Context) error {
	l, err := s.acquire(ctx, orphanLease)
	if err != nil || l == nil {
		return err
	}
	defer l.release()
	lctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go l.keep(lctx)

	info, err := s.objs.Info(ctx, jetstream.WithSubjectFilter(chunkPrefix+">"))
	if err != nil {
		return fmt.Errorf("buckets: chunk subjects: %w", err)
	}
	if len(info.State.Subjects) == 0 {
		return nil
	}
	used := map[string]bool{}
	// Parts first: a completion moves its parts' references from the
	// uploads into a bucket's stream, which is read after.
	lister, err := s.uploads.ListKeys(ctx)
	if err != nil && !errors.Is(err, jetstream.ErrNoKeysFound) {
		return fmt.Errorf("buckets: uploads: %w", err)
	}
	if lister != nil {
		for k := range lister.Keys() {
			if !strings.Contains(k, ".") {
				continue
			}
			ent, err := s.uploads.Get(ctx, k)
			if err != nil {
				continue
			}
			var pr partRec
			if json.Unmarshal(ent.Value(), &pr) == nil {
				used[pr.Body.Name] = true
			}
		}
	}
	s.mu.Lock()
	sts := make([]*bucketState, 0, len(s.buckets))
	for _, st := range s.buckets {
		sts = append(sts, st)
	}
	s.mu.Unlock()
	for _, st := range sts {
		if err := st.wait(ctx); err != nil {
			return err
		}
		err := scanStream(ctx, st.stream, func(_ string, _ uint64, data []byte) {
			if r, err := decodeRecord(data); err == nil {
				for _, b := range r.Body {
					used[b.Name] = true
				}
			}
		})
		if err != nil && !errors.Is(err, jetstream.ErrStreamNotFound) {
			return fmt.Errorf("buckets: references of %s: %w", st.metaName(), err)
		}
	}
	var n int
	for subj := range info.State.Subjects {
		name := strings.TrimPrefix(subj, chunkPrefix)
		if used[name] {
			continue
		}
		last, err := s.objs.GetLastMsgForSubject(ctx, subj)
		if err != nil || time.Since(last.Time) < s.cfg.OrphanAge {
			continue
		}
		if err := s.deleteBodies(ctx, []bodyRef{{Name: name}}); err == nil {
			n++
		}
	}
	if n > 0 {
		s.cfg.Logger.Info("buckets: orphan bodies deleted", "count", n)
	}
	return nil
}
