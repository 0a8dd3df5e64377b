package buckets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"strings"
	"time"

	"github.com/eddyserverless/eddy/engine"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// record is one message of a bucket's stream: a version of a key (its
// metadata, tags and where its body is) or a tombstone, with what the
// change's notification needs.
type record struct {
	Object
	Del   bool              `json:"del,omitempty"`
	Body  []bodyRef         `json:"body,omitempty"`
	Tags  map[string]string `json:"tagset,omitempty"`
	Event string            `json:"ev,omitempty"` // "" for a change that notifies nobody (tags)
	ReqID string            `json:"rid,omitempty"`
	IP    string            `json:"ip,omitempty"`
}

func decodeRecord(data []byte) (*record, error) {
	r := &record{}
	if err := json.Unmarshal(data, r); err != nil {
		return nil, err
	}
	return r, nil
}

// sequencer formats a stream sequence as a change's sequencer.
func sequencer(seq uint64) string { return fmt.Sprintf("%016X", seq) }

func (st *bucketState) subject(key string) string { return st.subj + engine.EncodeKey(key) }

// current returns a key's latest record and its sequence; nil and the
// sequence of the tombstone (or 0) when the key has no object.
func (st *bucketState) current(ctx context.Context, key string) (*record, uint64, error) {
	subject := st.subject(key)
	var epoch uint64
	if c := st.records; c != nil {
		if r, seq, ok := c.get(subject); ok {
			if r != nil {
				r.Bucket, r.Key, r.Sequencer = st.getMeta().Name, key, sequencer(seq)
			}
			return r, seq, nil
		}
		epoch = c.begin()
	}
	m, err := st.stream.GetLastMsgForSubject(ctx, subject)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		if st.records != nil {
			st.records.readDone(epoch, subject, nil, 0)
		}
		return nil, 0, nil
	}
	if gone(err) {
		return nil, 0, noSuchBucket()
	}
	if err != nil {
		return nil, 0, fmt.Errorf("buckets: read %s: %w", key, err)
	}
	r, err := decodeRecord(m.Data)
	if err != nil {
		return nil, 0, fmt.Errorf("buckets: record of %s: %w", key, err)
	}
	if r.Del {
		r = nil
	}
	if st.records != nil {
		st.records.readDone(epoch, subject, r, m.Sequence)
	}
	if r != nil {
		r.Bucket, r.Key, r.Sequencer = st.getMeta().Name, key, sequencer(m.Sequence)
	}
	return r, m.Sequence, nil
}

// gone reports whether err says that a bucket's stream is gone: the
// bucket was deleted on another node a moment ago.
func gone(err error) bool {
	return errors.Is(err, jetstream.ErrStreamNotFound) || errors.Is(err, jetstream.ErrNoStreamResponse) || errors.Is(err, nats.ErrNoResponders)
}

// errConflict is a conditional publish that lost to another write.
var errConflict = errors.New("buckets: concurrent write")

// publish appends rec as key's newest change; with expect set, only if
// the key's last change is still that sequence.
func (st *bucketState) publish(ctx context.Context, key string, rec *record, expect *uint64) (uint64, error) {
	data, err := json.Marshal(rec)
	if err != nil {
		return 0, err
	}
	var opts []jetstream.PublishOpt
	if expect != nil {
		opts = append(opts, jetstream.WithExpectLastSequencePerSubject(*expect))
	}
	subject := st.subject(key)
	ack, err := st.s.publish(ctx, &nats.Msg{Subject: subject, Data: data}, opts...)
	if err != nil {
		if st.records != nil {
			// It lost a race, or may have been stored without an answer.
			st.records.drop(subject)
		}
		var apiErr *jetstream.APIError
		if errors.As(err, &apiErr) && (apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence || apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant) {
			return 0, errConflict
		}
		if gone(err) {
			return 0, noSuchBucket()
		}
		return 0, fmt.Errorf("buckets: write %s: %w", key, err)
	}
	if st.records != nil {
		cached := rec
		if rec.Del {
			cached = nil
		}
		st.records.wrote(subject, cached, ack.Sequence)
	}
	return ack.Sequence, nil
}

// commit publishes rec for key under the conditional-write headers, and
// returns the object as stored.
func (st *bucketState) commit(ctx context.Context, key string, rec *record, ifMatch, ifNoneMatch string) (*Object, error) {
	for attempt := 0; ; attempt++ {
		var expect *uint64
		if ifMatch != "" || ifNoneMatch != "" {
			cur, seq, err := st.current(ctx, key)
			if err != nil {
				return nil, err
			}
			if ifNoneMatch != "" && cur != nil && (ifNoneMatch == "*" || etagMatch(ifNoneMatch, cur.ETag)) {
				return nil, preconditionFailed()
			}
			if ifMatch != "" && (cur == nil || !etagMatch(ifMatch, cur.ETag)) {
				if cur == nil {
					return nil, noSuchKey()
				}
				return nil, preconditionFailed()
			}
			expect = &seq
		}
		seq, err := st.publish(ctx, key, rec, expect)
		if errors.Is(err, errConflict) {
			if attempt < 5 {
				continue
			}
			return nil, preconditionFailed()
		}
		if err != nil {
			return nil, err
		}
		o := rec.Object
		o.Bucket, o.Key, o.Sequencer = st.getMeta().Name, key, sequencer(seq)
		return &o, nil
	}
}

func (s *Service) now() time.Time { return s.cfg.Now().UTC().Truncate(time.Millisecond) }

// PutObject stores an object. Its body is written whole before the
// object's record is published, so a partly written object is never seen.
func (s *Service) PutObject(ctx context.Context, in *PutObjectInput) (*Object, error) {
	st, err := s.bucket(ctx, in.Bucket)
	if err != nil {
		return nil, err
	}
	if err := validKey(in.Key); err != nil {
		return nil, err
	}
	tags, err := ParseTagging(in.Tagging)
	if err != nil {
		return nil, err
	}
	w, err := s.writeBody(ctx, in.Body, in.Size, s.cfg.MaxObjectSize, in.ChecksumAlgorithm)
	if err != nil {
		return nil, err
	}
	if err := w.verify(in.ContentMD5, in.ChecksumAlgorithm, in.Checksum); err != nil {
		s.deleteBodies(context.WithoutCancel(ctx), []bodyRef{w.ref})
		return nil, err
	}
	ev := in.Event
	if ev == "" {
		ev = "Put"
	}
	rec := s.newRecord(ctx, w.ref.Size, w.etag(), in.Headers, tags, "ObjectCreated:"+ev, []bodyRef{w.ref})
	if w.checksum != "" {
		rec.Checksum = &Checksum{Algorithm: strings.ToUpper(in.ChecksumAlgorithm), Value: w.checksum, Type: "FULL_OBJECT"}
	}
	o, err := st.commit(ctx, in.Key, rec, in.IfMatch, in.IfNoneMatch)
	if err != nil {
		s.deleteBodies(context.WithoutCancel(ctx), []bodyRef{w.ref})
		return nil, err
	}
	return o, nil
}

func (s *Service) newRecord(ctx context.Context, size int64, etag string, h Headers, tags map[string]string, event string, body []bodyRef) *record {
	if h.StorageClass == "" {
		h.StorageClass = "STANDARD"
	}
	rid, ip := RequestOf(ctx)
	rec := &record{Object: Object{Size: size, ETag: etag, LastModified: s.now(), Headers: h, TagCount: len(tags)},
		Body: body, Event: event, ReqID: rid, IP: ip}
	if len(tags) > 0 {
		rec.Tags = tags
	}
	return rec
}

// GetObject returns an object's metadata and, unless Head, its body (a
// range or a part of it).
func (s *Service) GetObject(ctx context.Context, in *GetObjectInput) (*GetObjectOutput, error) {
	for attempt := 0; ; attempt++ {
		out, err := s.getObject(ctx, in)
		if err == nil && out.Body != nil {
			// A body within one chunk is read now, so that an object
			// overwritten (and its old body collected) between reading its
			// record and its body is served in its new version rather than
			// failing after the response's headers.
			br := out.Body.(*bodyReader)
			if br.single() {
				data, ferr := br.fetchOne()
				if ferr != nil && attempt < 3 {
					// The cached record may be the one whose body was
					// collected: read the next attempt's from the stream.
					s.forgetRecord(ctx, in.Bucket, in.Key)
					continue
				}
				br.cur, br.err = data, ferr
				if ferr == nil {
					br.err = io.EOF
				}
			}
		}
		return out, err
	}
}

// forgetRecord drops a key's cached record.
func (s *Service) forgetRecord(ctx context.Context, bucket, key string) {
	if st, err := s.bucket(ctx, bucket); err == nil && st.records != nil {
		st.records.drop(st.subject(key))
	}
}

func (s *Service) getObject(ctx context.Context, in *GetObjectInput) (*GetObjectOutput, error) {
	st, err := s.bucket(ctx, in.Bucket)
	if err != nil {
		return nil, err
	}
	if err := validKey(in.Key); err != nil {
		return nil, noSuchKey()
	}
	rec, _, err := st.current(ctx, in.Key)
	if err != nil {
		return nil, err
	}
	if rec == nil {
		return nil, noSuchKey()
	}
	if err := checkRead(&in.Conditions, &rec.Object); err != nil {
		return nil, err
	}
	out := &GetObjectOutput{Object: rec.Object, Start: 0, End: rec.Size - 1}
	switch {
	case in.PartNumber != 0:
		if in.PartNumber < 1 || in.PartNumber > 10000 {
			return nil, invalidPartNumber()
		}
		if rec.Parts == 0 {
			if in.PartNumber != 1 {
				return nil, partNotSatisfiable()
			}
			break
		}
		if in.PartNumber > rec.Parts || len(rec.PartSizes) < rec.Parts {
			return nil, partNotSatisfiable()
		}
		var start int64
		for _, n := range rec.PartSizes[:in.PartNumber-1] {
			start += n
		}
		out.Start, out.End, out.Ranged = start, start+rec.PartSizes[in.PartNumber-1]-1, true
	case in.Range != "":
		a, b, ok, err := ParseRange(in.Range, rec.Size)
		if err != nil {
			return nil, err
		}
		if ok {
			out.Start, out.End, out.Ranged = a, b, true
		}
	}
	if !in.Head {
		out.Body = s.openBody(ctx, rec.Body, out.Start, out.End)
	}
	return out, nil
}

// DeleteObject writes a tombstone for key; deleting a missing key
// succeeds and changes nothing.
func (s *Service) DeleteObject(ctx context.Context, bucket, key string) error {
	st, err := s.bucket(ctx, bucket)
	if err != nil {
		return err
	}
	if validKey(key) != nil {
		return nil
	}
	return st.delete(ctx, key)
}

func (st *bucketState) delete(ctx context.Context, key string) error {
	for attempt := 0; ; attempt++ {
		cur, seq, err := st.current(ctx, key)
		if err != nil {
			return err
		}
		if cur == nil {
			return nil
		}
		rid, ip := RequestOf(ctx)
		tomb := &record{Object: Object{LastModified: st.s.now()}, Del: true, Event: "ObjectRemoved:Delete", ReqID: rid, IP: ip}
		// Under a CAS, so that deleting a key twice at once writes one
		// tombstone and notifies once.
		_, err = st.publish(ctx, key, tomb, &seq)
		if errors.Is(err, errConflict) && attempt < 10 {
			continue
		}
		return err
	}
}

// DeleteObjects deletes keys one by one.
func (s *Service) DeleteObjects(ctx context.Context, in *DeleteObjectsInput) ([]DeleteResult, error) {
	st, err := s.bucket(ctx, in.Bucket)
	if err != nil {
		return nil, err
	}
	out := make([]DeleteResult, 0, len(in.Keys))
	for _, k := range in.Keys {
		r := DeleteResult{Key: k}
		if validKey(k) == nil {
			if err := st.delete(ctx, k); err != nil {
				r.Code, r.Message = "InternalError", "We encountered an internal error. Please try again."
				s.cfg.Logger.Error("buckets: delete", "bucket", in.Bucket, "key", k, "err", err)
			}
		}
		if r.Code != "" || !in.Quiet {
			out = append(out, r)
		}
	}
	return out, nil
}

// ListObjects lists a page of keys. It first waits until this node's
// index has every change acknowledged before the call, on any node.
func (s *Service) ListObjects(ctx context.Context, in *ListInput) (*ListOutput, error) {
	st, err := s.bucket(ctx, in.Bucket)
	if err != nil {
		return nil, err
	}
	if in.MaxKeys < 0 {
		return nil, invalidArgument("Argument maxKeys must be an integer between 0 and 2147483647")
	}
	if err := st.sync(ctx); err != nil {
		return nil, err
	}
	return st.idx.list(in, in.Bucket), nil
}

// CopyObject copies an object (a new body, streamed).
func (s *Service) CopyObject(ctx context.Context, in *CopyObjectInput) (*Object, error) {
	dst, err := s.bucket(ctx, in.Bucket)
	if err != nil {
		return nil, err
	}
	if err := validKey(in.Key); err != nil {
		return nil, err
	}
	src, rec, err := s.copySource(ctx, in)
	if err != nil {
		return nil, err
	}
	replace := strings.EqualFold(in.MetadataDirective, "REPLACE")
	if in.MetadataDirective != "" && !replace && !strings.EqualFold(in.MetadataDirective, "COPY") {
		return nil, invalidArgument("Unknown metadata directive.")
	}
	retag := strings.EqualFold(in.TaggingDirective, "REPLACE")
	if in.TaggingDirective != "" && !retag && !strings.EqualFold(in.TaggingDirective, "COPY") {
		return nil, invalidArgument("Unknown tagging directive.")
	}
	if src == dst && in.SourceKey == in.Key && !replace &&
		(in.StorageClass == "" || in.StorageClass == rec.StorageClass) && in.WebsiteRedirect == "" && in.ChecksumAlgorithm == "" {
		return nil, invalidRequest("This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.")
	}
	h := rec.Headers
	if replace {
		h = in.Headers
	} else {
		if in.StorageClass != "" {
			h.StorageClass = in.StorageClass
		}
		if in.WebsiteRedirect != "" {
			h.WebsiteRedirect = in.WebsiteRedirect
		}
	}
	tags := rec.Tags
	if retag {
		if tags, err = ParseTagging(in.Tagging); err != nil {
			return nil, err
		}
	}
	alg := in.ChecksumAlgorithm
	if alg == "" && rec.Checksum != nil {
		alg = rec.Checksum.Algorithm
	}
	body := s.openBody(ctx, rec.Body, 0, rec.Size-1)
	w, err := s.writeBody(ctx, body, rec.Size, 5<<40, alg)
	_ = body.Close()
	if err != nil {
		return nil, err
	}
	nrec := s.newRecord(ctx, w.ref.Size, w.etag(), h, tags, "ObjectCreated:Copy", []bodyRef{w.ref})
	if rec.Parts == 0 {
		nrec.ETag = rec.ETag
	}
	if w.checksum != "" {
		nrec.Checksum = &Checksum{Algorithm: strings.ToUpper(alg), Value: w.checksum, Type: "FULL_OBJECT"}
	}
	o, err := dst.commit(ctx, in.Key, nrec, "", "")
	if err != nil {
		s.deleteBodies(context.WithoutCancel(ctx), []bodyRef{w.ref})
		return nil, err
	}
	return o, nil
}

// copySource reads a copy's source and checks its conditions.
func (s *Service) copySource(ctx context.Context, in *CopyObjectInput) (*bucketState, *record, error) {
	src, err := s.bucket(ctx, in.SourceBucket)
	if err != nil {
		return nil, nil, err
	}
	if validKey(in.SourceKey) != nil {
		return nil, nil, noSuchKey()
	}
	rec, _, err := src.current(ctx, in.SourceKey)
	if err != nil {
		return nil, nil, err
	}
	if rec == nil {
		return nil, nil, noSuchKey()
	}
	if err := checkCopySource(&in.Source, &rec.Object); err != nil {
		return nil, nil, err
	}
	return src, rec, nil
}

// GetObjectTagging returns an object's tags.
func (s *Service) GetObjectTagging(ctx context.Context, bucket, key string) (map[string]string, error) {
	st, err := s.bucket(ctx, bucket)
	if err != nil {
		return nil, err
	}
	if validKey(key) != nil {
		return nil, noSuchKey()
	}
	rec, _, err := st.current(ctx, key)
	if err != nil {
		return nil, err
	}
	if rec == nil {
		return nil, noSuchKey()
	}
	out := map[string]string{}
	maps.Copy(out, rec.Tags)
	return out, nil
}

// PutObjectTagging replaces an object's tags: a new record of the same
// version, which notifies nobody.
func (s *Service) PutObjectTagging(ctx context.Context, bucket, key string, tags map[string]string) error {
	if err := CheckTags(tags); err != nil {
		return err
	}
	st, err := s.bucket(ctx, bucket)
	if err != nil {
		return err
	}
	if validKey(key) != nil {
		return noSuchKey()
	}
	for attempt := 0; ; attempt++ {
		rec, seq, err := st.current(ctx, key)
		if err != nil {
			return err
		}
		if rec == nil {
			return noSuchKey()
		}
		rec.Tags, rec.TagCount, rec.Event = nil, len(tags), ""
		if len(tags) > 0 {
			rec.Tags = tags
		}
		_, err = st.publish(ctx, key, rec, &seq)
		if errors.Is(err, errConflict) && attempt < 10 {
			continue
		}
		return err
	}
}

// DeleteObjectTagging removes an object's tags.
func (s *Service) DeleteObjectTagging(ctx context.Context, bucket, key string) error {
	return s.PutObjectTagging(ctx, bucket, key, nil)
}
