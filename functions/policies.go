package functions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/engine"
	"github.com/nats-io/nats.go/jetstream"
)

// Resource-based policies are stored, one record per qualifier, and
// returned; nothing in eddy enforces them (eddy does no authorization).
//
// Lambda gives the function version or alias a new RevisionId when its
// policy changes and checks a policy's RevisionId against that. eddy leaves
// versions and aliases alone and gives the policy a RevisionID of its own,
// which GetPolicy returns and AddPermission and RemovePermission check;
// before the first statement the version's or alias's RevisionID is what a
// RevisionId must match.

// policyKey returns the key of the policy at qualifier ("" is $LATEST).
func policyKey(region, name, qualifier string) string {
	return functionKey(region, name) + "." + subPolicy + engine.EncodeKey(policyQualifier(qualifier))
}

func policyQualifier(qualifier string) string {
	if qualifier == "" {
		return eddy.LatestVersion
	}
	return qualifier
}

func clonePolicy(p *eddy.Policy) *eddy.Policy {
	c := *p
	c.Statements = slices.Clone(p.Statements)
	return &c
}

// policy returns the policy at qualifier, or nil, and its record revision,
// after checking that the qualifier exists. want is the RevisionID a
// caller's RevisionId must match if there is no policy yet.
func (s *Service) policy(ctx context.Context, region, name, qualifier string) (cur *eddy.Policy, rev uint64, want string, err error) {
	fn, alias, err := s.resolve(ctx, region, name, qualifier)
	if err != nil {
		return nil, 0, "", err
	}
	want = fn.RevisionID
	if alias != nil {
		want = alias.RevisionID
	}
	v, rev, err := s.record(ctx, policyKey(region, name, qualifier))
	if err != nil {
		return nil, 0, "", err
	}
	cur, _ = v.(*eddy.Policy)
	if cur != nil {
		want = cur.RevisionID
	}
	return cur, rev, want, nil
}

// AddPermission adds a statement to the policy at qualifier.
func (s *Service) AddPermission(ctx context.Context, region, name, qualifier string, p *eddy.Permission, revisionID string) (*eddy.Policy, error) {
	qualifier = policyQualifier(qualifier)
	key := policyKey(region, name, qualifier)
	for attempt := 0; ; attempt++ {
		cur, rev, want, err := s.policy(ctx, region, name, qualifier)
		if err != nil {
			return nil, err
		}
		if revisionID != "" && revisionID != want {
			return nil, preconditionFailed()
		}
		pol := &eddy.Policy{FunctionName: name, Qualifier: qualifier, Region: region, Account: s.Account}
		if cur != nil {
			if slices.ContainsFunc(cur.Statements, func(st eddy.Permission) bool { return st.StatementID == p.StatementID }) {
				return nil, eddy.TypedErrorf(eddy.ECONFLICT, "ResourceConflictException",
					"The statement id (%s) provided already exists. Please provide a new statement id, or remove the existing statement.", p.StatementID)
			}
			pol = clonePolicy(cur)
		}
		pol.Statements = append(pol.Statements, *p)
		pol.RevisionID = eddy.NewID()
		stale, err := s.writePolicy(ctx, key, pol, cur != nil, rev, attempt)
		switch {
		case err != nil:
			return nil, err
		case !stale:
			return clonePolicy(pol), nil
		case attempt >= maxCASAttempts:
			return nil, updateConflict(eddy.FunctionARN(region, s.Account, name))
		}
	}
}

// RemovePermission removes a statement from the policy at qualifier.
func (s *Service) RemovePermission(ctx context.Context, region, name, qualifier, statementID, revisionID string) error {
	qualifier = policyQualifier(qualifier)
	key := policyKey(region, name, qualifier)
	for attempt := 0; ; attempt++ {
		cur, rev, _, err := s.policy(ctx, region, name, qualifier)
		if err != nil {
			return err
		}
		if cur == nil {
			return eddy.TypedErrorf(eddy.ENOTFOUND, "ResourceNotFoundException", "No policy is associated with the given resource.")
		}
		i := slices.IndexFunc(cur.Statements, func(st eddy.Permission) bool { return st.StatementID == statementID })
		if i < 0 {
			return eddy.TypedErrorf(eddy.ENOTFOUND, "ResourceNotFoundException", "Statement %s is not found in resource policy.", statementID)
		}
		if revisionID != "" && revisionID != cur.RevisionID {
			return preconditionFailed()
		}
		var stale bool
		if len(cur.Statements) == 1 {
			stale, err = s.deletePolicy(ctx, key, rev, attempt)
		} else {
			pol := clonePolicy(cur)
			pol.Statements = slices.Delete(pol.Statements, i, i+1)
			pol.RevisionID = eddy.NewID()
			stale, err = s.writePolicy(ctx, key, pol, true, rev, attempt)
		}
		switch {
		case err != nil:
			return err
		case !stale:
			return nil
		case attempt >= maxCASAttempts:
			return updateConflict(eddy.FunctionARN(region, s.Account, name))
		}
	}
}

// GetPolicy returns the policy at qualifier.
func (s *Service) GetPolicy(ctx context.Context, region, name, qualifier string) (*eddy.Policy, error) {
	cur, _, _, err := s.policy(ctx, region, name, policyQualifier(qualifier))
	if err != nil {
		return nil, err
	}
	if cur == nil {
		return nil, eddy.TypedErrorf(eddy.ENOTFOUND, "ResourceNotFoundException", "The resource you requested does not exist.")
	}
	return clonePolicy(cur), nil
}

// writePolicy writes a policy under a compare-and-set: over revision rev
// if exists, else only if there is none. stale reports a lost race.
func (s *Service) writePolicy(ctx context.Context, key string, pol *eddy.Policy, exists bool, rev uint64, attempt int) (bool, error) {
	if exists {
		return s.casWrite(ctx, key, pol, rev, "put policy", attempt)
	}
	data, err := json.Marshal(pol)
	if err != nil {
		return false, fmt.Errorf("put policy: %w", err)
	}
	newRev, err := s.kv.Create(ctx, key, data)
	if errors.Is(err, jetstream.ErrKeyExists) {
		return true, s.lostRace(ctx, key, attempt)
	}
	if err != nil {
		return false, fmt.Errorf("put policy: %w", err)
	}
	s.remember(key, pol, newRev)
	return false, nil
}

// deletePolicy deletes a policy if its record is still at revision rev.
func (s *Service) deletePolicy(ctx context.Context, key string, rev uint64, attempt int) (bool, error) {
	err := s.kv.Delete(ctx, key, jetstream.LastRevision(rev))
	if errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
		return true, s.lostRace(ctx, key, attempt)
	}
	if err != nil {
		return false, fmt.Errorf("delete policy: %w", err)
	}
	s.forget(key)
	return false, nil
}
