package functions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/eddyserverless/eddy"
	"github.com/nats-io/nats.go/jetstream"
)

// versionKey is the key of a published version; the number is zero-padded
// so that keys sort as numbers do.
func versionKey(region, name string, n int) string {
	return functionKey(region, name) + "." + subVersion + fmt.Sprintf("%012d", n)
}

// versionNumber parses a qualifier that names a published version: digits
// only, in their canonical form ("7", not "07").
func versionNumber(q string) (int, bool) {
	if q == "" || len(q) > 12 || strings.Trim(q, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.Atoi(q)
	if err != nil || n < 1 || strconv.Itoa(n) != q {
		return 0, false
	}
	return n, true
}

// isDigits reports whether q is a non-empty string of ASCII digits.
func isDigits(q string) bool {
	return q != "" && strings.Trim(q, "0123456789") == ""
}

func qualifiedNotFound(region, account, name, qualifier string) error {
	return eddy.TypedErrorf(eddy.ENOTFOUND, "ResourceNotFoundException",
		"Function not found: %s:%s", eddy.FunctionARN(region, account, name), qualifier)
}

// version returns published version n, or ENOTFOUND.
func (s *Service) version(ctx context.Context, region, name string, n int) (*versionRecord, error) {
	v, _, err := s.record(ctx, versionKey(region, name, n))
	if err != nil {
		return nil, err
	}
	rec, ok := v.(*versionRecord)
	if !ok {
		return nil, qualifiedNotFound(region, s.Account, name, strconv.Itoa(n))
	}
	return rec, nil
}

// target returns the function record a version qualifier ("$LATEST" or a
// number) names.
func (s *Service) target(ctx context.Context, region, name, qualifier string) (*eddy.Function, error) {
	if qualifier == "" || qualifier == eddy.LatestVersion {
		rec, _, err := s.lookup(ctx, region, name)
		if err != nil {
			return nil, err
		}
		return &rec.Function, nil
	}
	n, ok := versionNumber(qualifier)
	if !ok {
		return nil, qualifiedNotFound(region, s.Account, name, qualifier)
	}
	rec, err := s.version(ctx, region, name, n)
	if err != nil {
		return nil, err
	}
	return &rec.Function, nil
}

// resolve returns the function record a qualifier names and, for an alias,
// the alias. The records are the cache's own: callers must not modify them.
func (s *Service) resolve(ctx context.Context, region, name, qualifier string) (*eddy.Function, *eddy.Alias, error) {
	latest, _, err := s.lookup(ctx, region, name)
	if err != nil {
		if qualifier != "" && eddy.ErrorCode(err) == eddy.ENOTFOUND {
			return nil, nil, qualifiedNotFound(region, s.Account, name, qualifier)
		}
		return nil, nil, err
	}
	switch {
	case qualifier == "" || qualifier == eddy.LatestVersion:
		return &latest.Function, nil, nil
	case isDigits(qualifier):
		fn, err := s.target(ctx, region, name, qualifier)
		return fn, nil, err
	}
	a, err := s.alias(ctx, region, name, qualifier)
	if eddy.ErrorCode(err) == eddy.ENOTFOUND {
		return nil, nil, qualifiedNotFound(region, s.Account, name, qualifier)
	}
	if err != nil {
		return nil, nil, err
	}
	fn, err := s.target(ctx, region, name, a.FunctionVersion)
	if err != nil {
		return nil, nil, err
	}
	return fn, a, nil
}

// GetFunctionVersion returns the function at a qualifier: $LATEST, a
// published version, or the primary version of an alias.
func (s *Service) GetFunctionVersion(ctx context.Context, region, name, qualifier string) (*eddy.Function, error) {
	fn, _, err := s.resolve(ctx, region, name, qualifier)
	if err != nil {
		return nil, err
	}
	return clone(fn), nil
}

// ResolveInvoke returns the version an invocation at qualifier runs. For an
// alias with a routing configuration the additional version is chosen with
// its weight's probability.
func (s *Service) ResolveInvoke(ctx context.Context, region, name, qualifier string) (*eddy.Function, error) {
	fn, a, err := s.resolve(ctx, region, name, qualifier)
	if err != nil {
		return nil, err
	}
	if a != nil {
		for v, w := range a.AdditionalVersionWeights {
			if rand.Float64() >= w {
				continue
			}
			if other, err := s.target(ctx, region, name, v); err == nil {
				fn = other
			}
		}
	}
	return clone(fn), nil
}

// PublishVersion publishes $LATEST as the next version, or returns the last
// version if nothing changed since it was published.
//
// Version numbers are allocated across nodes by creating the version's key,
// which only one writer can do; $LATEST then records the number and gets a
// new RevisionID, as Lambda gives it one on publishing.
func (s *Service) PublishVersion(ctx context.Context, region, name string, in *eddy.PublishVersionInput) (*eddy.Function, error) {
	if len(in.Description) > 256 {
		return nil, eddy.ValidationError(in.Description, "description", "Member must have length less than or equal to 256")
	}
	for attempt := 0; attempt < 20; attempt++ {
		cur, _, err := s.lookup(ctx, region, name)
		if err != nil {
			return nil, err
		}
		if in.RevisionID != "" && in.RevisionID != cur.RevisionID {
			return nil, preconditionFailed()
		}
		if in.CodeSha256 != "" && in.CodeSha256 != cur.CodeSha256 {
			return nil, invalid("CodeSHA256 (%s) is different from current CodeSHA256 in $LATEST (%s). Please try again with the CodeSHA256 in $LATEST.",
				in.CodeSha256, cur.CodeSha256)
		}
		if cur.LastVersion > 0 && cur.PublishedRevision == cur.RevisionID {
			v, err := s.version(ctx, region, name, cur.LastVersion)
			if err == nil {
				return clone(&v.Function), nil
			}
			if eddy.ErrorCode(err) != eddy.ENOTFOUND {
				return nil, err
			}
			// That version was deleted: publish a new one.
		}
		n := s.nextVersion(region, name, cur.LastVersion)
		v := &versionRecord{Function: *clone(&cur.Function), FromRevision: cur.RevisionID}
		v.Version = strconv.Itoa(n)
		v.RevisionID = eddy.NewID()
		v.LastModified = s.Now().UTC()
		v.Tags = nil // tags belong to the function, not to a version
		if in.Description != "" {
			v.Description = in.Description
		}
		data, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("publish version: %w", err)
		}
		key := versionKey(region, name, n)
		rev, err := s.kv.Create(ctx, key, data)
		if errors.Is(err, jetstream.ErrKeyExists) {
			// Another node published number n first. If it published the
			// same revision of $LATEST, that is our version too.
			other, _, gerr := s.reload(ctx, key)
			if gerr != nil {
				return nil, gerr
			}
			if o, ok := other.(*versionRecord); ok && o.FromRevision == cur.RevisionID {
				return clone(&o.Function), nil
			}
			if _, _, gerr := s.reload(ctx, functionKey(region, name)); gerr != nil {
				return nil, gerr
			}
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("publish version: %w", err)
		}
		s.remember(key, v, rev)
		if err := s.recordPublished(ctx, region, name, n, cur.RevisionID); err != nil {
			return nil, err
		}
		return clone(&v.Function), nil
	}
	return nil, eddy.TypedErrorf(eddy.ECONFLICT, "ResourceConflictException",
		"An update is in progress for resource: %s", eddy.FunctionARN(region, s.Account, name))
}

// nextVersion returns the number the next version of a function gets: one
// above both $LATEST's counter and any version the cache knows.
func (s *Service) nextVersion(region, name string, counter int) int {
	n := counter
	for _, c := range s.cachedItems(functionKey(region, name), subVersion) {
		if v, ok := c.val.(*versionRecord); ok {
			if m, ok := versionNumber(v.Version); ok && m > n {
				n = m
			}
		}
	}
	return n + 1
}

// recordPublished notes on $LATEST that version n was published from the
// revision from. If $LATEST changed meanwhile, only the counter moves.
func (s *Service) recordPublished(ctx context.Context, region, name string, n int, from string) error {
	_, err := s.updateLatest(ctx, region, name, "", func(rec *latestRecord) error {
		if n > rec.LastVersion {
			rec.LastVersion = n
		}
		if rec.RevisionID == from {
			rec.RevisionID = eddy.NewID()
			rec.PublishedRevision = rec.RevisionID
		}
		return nil
	})
	return err
}

// versions returns the function's published versions in order.
func (s *Service) versions(region, name string) []*versionRecord {
	var out []*versionRecord
	for _, c := range s.cachedItems(functionKey(region, name), subVersion) {
		if v, ok := c.val.(*versionRecord); ok {
			out = append(out, v)
		}
	}
	return out
}

// ListVersionsByFunction returns $LATEST and then the published versions in
// order. The marker is the Version of the last item of the previous page.
func (s *Service) ListVersionsByFunction(ctx context.Context, region, name, marker string, max int) ([]*eddy.Function, string, error) {
	if max <= 0 {
		max = 50
	}
	latest, _, err := s.lookup(ctx, region, name)
	if err != nil {
		return nil, "", err
	}
	after := -1 // versions after this number; -1 includes $LATEST
	switch {
	case marker == "":
	case marker == eddy.LatestVersion:
		after = 0
	default:
		n, ok := versionNumber(marker)
		if !ok {
			return nil, "", invalid("Invalid marker: %s", marker)
		}
		after = n
	}
	all := []*eddy.Function{&latest.Function}
	for _, v := range s.versions(region, name) {
		all = append(all, &v.Function)
	}
	var out []*eddy.Function
	for _, fn := range all {
		n, _ := versionNumber(fn.Version) // 0 for $LATEST
		if n <= after {
			continue
		}
		if len(out) == max {
			return out, out[len(out)-1].Version, nil
		}
		out = append(out, clone(fn))
	}
	return out, "", nil
}

// DeleteFunctionVersion deletes one published version with its settings.
// Lambda refuses $LATEST, aliases, and versions an alias routes to; a
// version that does not exist is not an error.
func (s *Service) DeleteFunctionVersion(ctx context.Context, region, name, qualifier string) error {
	if qualifier == eddy.LatestVersion {
		return invalid("$LATEST version cannot be deleted without deleting the function.")
	}
	if !isDigits(qualifier) {
		return invalid("Deletion of aliases is not currently supported.")
	}
	if _, _, err := s.lookup(ctx, region, name); err != nil {
		return err
	}
	n, ok := versionNumber(qualifier)
	if !ok {
		return nil
	}
	var using []string
	for _, a := range s.aliases(region, name) {
		if a.FunctionVersion == qualifier {
			using = append(using, a.Name)
			continue
		}
		if _, ok := a.AdditionalVersionWeights[qualifier]; ok {
			using = append(using, a.Name)
		}
	}
	if len(using) > 0 {
		return eddy.TypedErrorf(eddy.ECONFLICT, "ResourceConflictException",
			"Unable to delete version because the following aliases reference it: [%s]", strings.Join(using, ", "))
	}
	if _, err := s.version(ctx, region, name, n); eddy.ErrorCode(err) == eddy.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	if err := s.deleteSettings(ctx, region, name, qualifier); err != nil {
		return err
	}
	return s.deleteKey(ctx, versionKey(region, name, n))
}
