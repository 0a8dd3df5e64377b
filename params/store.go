package params

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/eddyserverless/eddy/engine"
	"github.com/nats-io/nats.go/jetstream"
)

// Storage. Every parameter of every region lives in one stream,
// EDDY_PARAMS, that keeps one message per subject:
//
//	prm.h.<region>.<name>             the parameter's head: its current
//	                                  state, with the latest version
//	prm.v.<region>.<name>.<gen>.<n>   the version whose number is n modulo
//	                                  100, with its value
//	prm.key                           the fingerprint of the SecureString key
//
// <region> and <name> are engine.EncodeKey of the region and of the
// parameter's key (its name with one leading slash); <gen> names one
// incarnation of the parameter, so that a parameter deleted and created
// again never meets the versions of the one before.
//
// Every write replaces the head with a compare-and-set: the new head
// expects the head it was made from (Nats-Expected-Last-Subject-Sequence),
// so a write that lost a race changes nothing and is tried again. The head
// holds the latest version in full; PutParameter first copies the version
// it supersedes into that version's slot (materialize), then writes the
// head with the new version, so that every version but the latest is in
// its slot, and the latest is in the head, whatever crashed when. A
// version takes the slot of the version 100 before it, which is the one
// SSM drops. Labels and tags rewrite the head alone; a delete leaves a head
// that says so (a tombstone) and purges the incarnation's versions.
//
// Reads go to the stream itself (the stream leader answers: the stream
// has no direct gets, which a replica could answer from behind), so that
// what one node wrote another reads at once. Listings use this node's
// index of the heads (index.go), brought up to the stream's last head
// first.

const (
	streamName = "EDDY_PARAMS"
	headPrefix = "prm.h."
	slotPrefix = "prm.v."
	keySubject = "prm.key"
	// maxVersions is how many versions of a parameter SSM keeps.
	maxVersions = 100
	// maxToken bounds an encoded subject token; a longer one (which no
	// valid name makes) becomes a digest.
	maxToken = 1800
)

// version is one version of a parameter.
type version struct {
	Version        int64  `json:"v"`
	Type           string `json:"t"`
	Value          string `json:"val,omitempty"`    // String and StringList
	Sealed         []byte `json:"sealed,omitempty"` // SecureString
	KeyID          string `json:"kid,omitempty"`
	Description    string `json:"desc,omitempty"`
	AllowedPattern string `json:"pat,omitempty"`
	Tier           string `json:"tier"`
	DataType       string `json:"dt"`
	Policies       string `json:"pol,omitempty"`
	Modified       int64  `json:"ts"` // unix milliseconds
	User           string `json:"user"`
}

// head is a parameter's current state.
type head struct {
	Region  string `json:"region"`
	Name    string `json:"name"` // as created
	Gen     string `json:"gen"`
	Deleted bool   `json:"deleted,omitempty"`
	// Oldest is the oldest version kept; Cur the latest.
	Oldest int64            `json:"oldest,omitempty"`
	Cur    version          `json:"cur"`
	Labels map[string]int64 `json:"labels,omitempty"`
	Tags   []Tag            `json:"tags,omitempty"`
}

func (h *head) key() string { return keyOf(h.Name) }

// labelsOf returns the labels of version v, sorted.
func (h *head) labelsOf(v int64) []string {
	out := []string{}
	for l, lv := range h.Labels {
		if lv == v {
			out = append(out, l)
		}
	}
	sortStrings(out)
	return out
}

// clone returns a copy of h that can be changed without changing h.
func (h *head) clone() *head {
	c := *h
	c.Labels = make(map[string]int64, len(h.Labels))
	for k, v := range h.Labels {
		c.Labels[k] = v
	}
	c.Tags = append([]Tag(nil), h.Tags...)
	return &c
}

func token(s string) string {
	t := engine.EncodeKey(s)
	if len(t) > maxToken {
		sum := sha256.Sum256([]byte(s))
		t = "x" + hex.EncodeToString(sum[:])
	}
	return t
}

func headSubject(region, key string) string {
	return headPrefix + token(region) + "." + token(key)
}

func slotSubject(region, key, gen string, v int64) string {
	return slotPrefix + token(region) + "." + token(key) + "." + gen + "." + strconv.FormatInt(v%maxVersions, 10)
}

func slotsOf(region, key, gen string) string {
	return slotPrefix + token(region) + "." + token(key) + "." + gen + ".>"
}

// errConflict is a compare-and-set that lost to another write.
var errConflict = errors.New("params: concurrent update")

// readHead returns the head of the parameter with key in region (nil if
// there has never been one) and its sequence (0 for none).
func (s *Service) readHead(ctx context.Context, region, key string) (*head, uint64, error) {
	m, err := s.stream.GetLastMsgForSubject(ctx, headSubject(region, key))
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("params: read %s: %w", key, err)
	}
	h := &head{}
	if err := json.Unmarshal(m.Data, h); err != nil {
		return nil, 0, fmt.Errorf("params: decode %s: %w", key, err)
	}
	return h, m.Sequence, nil
}

// current returns the parameter with key in region, or nil if there is
// none, with the sequence of its head (which a tombstone also has).
func (s *Service) current(ctx context.Context, region, key string) (*head, uint64, error) {
	h, seq, err := s.readHead(ctx, region, key)
	if err != nil || h == nil || h.Deleted {
		return nil, seq, err
	}
	return h, seq, nil
}

// readVersion returns version v of the incarnation gen, or nil if it is
// gone.
func (s *Service) readVersion(ctx context.Context, region, key, gen string, v int64) (*version, error) {
	m, err := s.stream.GetLastMsgForSubject(ctx, slotSubject(region, key, gen, v))
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("params: read %s version %d: %w", key, v, err)
	}
	ver := &version{}
	if err := json.Unmarshal(m.Data, ver); err != nil {
		return nil, fmt.Errorf("params: decode %s version %d: %w", key, v, err)
	}
	if ver.Version != v {
		return nil, nil
	}
	return ver, nil
}

// writeHead replaces the head on its subject if the subject's last
// message is still expect (0: none).
func (s *Service) writeHead(ctx context.Context, h *head, expect uint64) error {
	data, err := json.Marshal(h)
	if err != nil {
		return err
	}
	_, err = s.js.Publish(ctx, headSubject(h.Region, h.key()), data, jetstream.WithExpectLastSequencePerSubject(expect))
	return publishError(err)
}

// materialize makes sure that the slot of h's latest version holds it, as
// it must before a later version replaces it in the head: a version lives
// in the head until the next one is written, and in its slot after. It
// writes the slot only over an older version (compare-and-set on the
// slot), so that a writer holding a stale head cannot overwrite a newer
// version that took the slot since; errConflict tells it to read again.
func (s *Service) materialize(ctx context.Context, h *head) error {
	subj := slotSubject(h.Region, h.key(), h.Gen, h.Cur.Version)
	var expect uint64
	m, err := s.stream.GetLastMsgForSubject(ctx, subj)
	switch {
	case errors.Is(err, jetstream.ErrMsgNotFound):
	case err != nil:
		return fmt.Errorf("params: read %s version %d: %w", h.key(), h.Cur.Version, err)
	default:
		var r struct {
			Version int64 `json:"v"`
		}
		if err := json.Unmarshal(m.Data, &r); err != nil {
			return fmt.Errorf("params: decode %s version %d: %w", h.key(), h.Cur.Version, err)
		}
		switch {
		case r.Version == h.Cur.Version:
			return nil
		case r.Version > h.Cur.Version:
			return errConflict // the head read is stale
		}
		expect = m.Sequence
	}
	data, err := json.Marshal(&h.Cur)
	if err != nil {
		return err
	}
	_, err = s.js.Publish(ctx, subj, data, jetstream.WithExpectLastSequencePerSubject(expect))
	return publishError(err)
}

func publishError(err error) error {
	if err == nil {
		return nil
	}
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) && (apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence || apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant) {
		return errConflict
	}
	return fmt.Errorf("params: write: %w", err)
}

// purgeVersions removes the versions of an incarnation that is gone.
func (s *Service) purgeVersions(ctx context.Context, region, key, gen string) {
	if gen == "" {
		return
	}
	if err := s.stream.Purge(ctx, jetstream.WithPurgeSubject(slotsOf(region, key, gen))); err != nil {
		s.cfg.Logger.Warn("params: purge the versions of a deleted parameter", "region", region, "parameter", key, "err", err)
	}
}
