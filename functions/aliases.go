package functions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"regexp"
	"sort"
	"strconv"

	"github.com/eddyserverless/eddy"
	"github.com/nats-io/nats.go/jetstream"
)

var (
	aliasNamePattern    = regexp.MustCompile(`^[a-zA-Z0-9-_]+$`)
	aliasVersionPattern = regexp.MustCompile(`^(\$LATEST(\.PUBLISHED)?|[0-9]+)$`)
)

// The constraints of the model, as validation errors quote them.
const (
	aliasNameConstraint    = `Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)`
	aliasVersionConstraint = `Member must satisfy regular expression pattern: (\$LATEST(\.PUBLISHED)?|[0-9]+)`
)

// validateAliasName checks an alias name against Lambda's model: 1–128
// letters, digits, hyphens and underscores, and not a number (which would
// name a version).
func validateAliasName(name string) error {
	switch {
	case name == "":
		return eddy.ValidationError("null", "name", "Member must not be null")
	case len(name) > 128:
		return eddy.ValidationError(name, "name", "Member must have length less than or equal to 128")
	case !aliasNamePattern.MatchString(name) || isDigits(name):
		return eddy.ValidationError(name, "name", aliasNameConstraint)
	}
	return nil
}

func aliasKey(region, function, alias string) string {
	return functionKey(region, function) + "." + subAlias + alias
}

func aliasNotFound(region, account, function, alias string) error {
	return eddy.TypedErrorf(eddy.ENOTFOUND, "ResourceNotFoundException",
		"Cannot find alias arn: %s:%s", eddy.FunctionARN(region, account, function), alias)
}

// alias returns an alias of an existing function; ENOTFOUND if there is none.
func (s *Service) alias(ctx context.Context, region, function, name string) (*eddy.Alias, error) {
	a, _, err := s.aliasAt(ctx, region, function, name)
	return a, err
}

// aliasAt returns an alias and its bucket revision.
func (s *Service) aliasAt(ctx context.Context, region, function, name string) (*eddy.Alias, uint64, error) {
	if validateAliasName(name) != nil {
		return nil, 0, aliasNotFound(region, s.Account, function, name)
	}
	v, rev, err := s.record(ctx, aliasKey(region, function, name))
	if err != nil {
		return nil, 0, err
	}
	a, ok := v.(*eddy.Alias)
	if !ok {
		return nil, 0, aliasNotFound(region, s.Account, function, name)
	}
	return a, rev, nil
}

// aliases returns a function's aliases in name order, from the cache.
func (s *Service) aliases(region, function string) []*eddy.Alias {
	var out []*eddy.Alias
	for _, c := range s.cachedItems(functionKey(region, function), subAlias) {
		if a, ok := c.val.(*eddy.Alias); ok {
			out = append(out, a)
		}
	}
	return out
}

func cloneAlias(a *eddy.Alias) *eddy.Alias {
	c := *a
	c.AdditionalVersionWeights = maps.Clone(a.AdditionalVersionWeights)
	return &c
}

// validateAlias checks what an alias points to: the primary version exists
// ($LATEST is allowed), and a routing configuration follows Lambda's rules
// for weighted aliases — one additional version, weight 0–1, both versions
// published and different, with the same execution role and dead-letter
// configuration.
func (s *Service) validateAlias(ctx context.Context, region string, a *eddy.Alias) error {
	if len(a.Description) > 256 {
		return eddy.ValidationError(a.Description, "description", "Member must have length less than or equal to 256")
	}
	if a.FunctionVersion == "" {
		return eddy.ValidationError("null", "functionVersion", "Member must not be null")
	}
	if len(a.FunctionVersion) > 1024 || !aliasVersionPattern.MatchString(a.FunctionVersion) {
		return eddy.ValidationError(a.FunctionVersion, "functionVersion", aliasVersionConstraint)
	}
	primary, err := s.target(ctx, region, a.FunctionName, a.FunctionVersion)
	if err != nil {
		return err
	}
	weights := a.AdditionalVersionWeights
	if len(weights) == 0 {
		return nil
	}
	if len(weights) > 1 {
		return invalid("Number of items in AdditionalVersionWeights cannot be greater than 1")
	}
	for v, w := range weights {
		if math.IsNaN(w) || w < 0 || w > 1 {
			return eddy.ValidationError(fmt.Sprintf("{%s=%s}", v, strconv.FormatFloat(w, 'f', -1, 64)), "routingConfig.additionalVersionWeights",
				"Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0, Member must not be null]")
		}
		if v == a.FunctionVersion {
			return invalid("Invalid function version %s. Function version %s is already included in routing configuration.", v, v)
		}
		if a.FunctionVersion == eddy.LatestVersion {
			return invalid("$LATEST is not supported for an alias pointing to more than 1 version")
		}
		if len(v) > 1024 || !isDigits(v) {
			return eddy.ValidationError(fmt.Sprintf("{%s=%s}", v, strconv.FormatFloat(w, 'f', -1, 64)), "routingConfig.additionalVersionWeights",
				"Map keys must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [0-9]+, Member must not be null]")
		}
		other, err := s.target(ctx, region, a.FunctionName, v)
		if err != nil {
			return err
		}
		if other.Role != primary.Role {
			return invalid("Both versions of an alias must have the same execution role: version %s has %s, version %s has %s.",
				primary.Version, primary.Role, other.Version, other.Role)
		}
		if other.DeadLetterTarget != primary.DeadLetterTarget {
			return invalid("Both versions of an alias must have the same dead-letter queue configuration.")
		}
	}
	return nil
}

// CreateAlias creates an alias of an existing function.
func (s *Service) CreateAlias(ctx context.Context, region string, in *eddy.Alias) (*eddy.Alias, error) {
	a := cloneAlias(in)
	a.Region, a.Account = region, s.Account
	if err := validateAliasName(a.Name); err != nil {
		return nil, err
	}
	if _, _, err := s.lookup(ctx, region, a.FunctionName); err != nil {
		return nil, err
	}
	if err := s.validateAlias(ctx, region, a); err != nil {
		return nil, err
	}
	if len(a.AdditionalVersionWeights) == 0 {
		a.AdditionalVersionWeights = nil
	}
	a.RevisionID = eddy.NewID()
	data, err := json.Marshal(a)
	if err != nil {
		return nil, fmt.Errorf("create alias: %w", err)
	}
	key := aliasKey(region, a.FunctionName, a.Name)
	rev, err := s.kv.Create(ctx, key, data)
	if errors.Is(err, jetstream.ErrKeyExists) {
		return nil, eddy.TypedErrorf(eddy.ECONFLICT, "ResourceConflictException", "Alias already exists: %s", a.ARN())
	}
	if err != nil {
		return nil, fmt.Errorf("create alias: %w", err)
	}
	s.remember(key, a, rev)
	return cloneAlias(a), nil
}

// GetAlias returns an alias.
func (s *Service) GetAlias(ctx context.Context, region, function, name string) (*eddy.Alias, error) {
	if err := validateAliasName(name); err != nil {
		return nil, err
	}
	if _, _, err := s.lookup(ctx, region, function); err != nil {
		return nil, err
	}
	a, err := s.alias(ctx, region, function, name)
	if err != nil {
		return nil, err
	}
	return cloneAlias(a), nil
}

// UpdateAlias changes the fields set in upd, under a compare-and-set.
func (s *Service) UpdateAlias(ctx context.Context, region, function, name string, upd *eddy.AliasUpdate) (*eddy.Alias, error) {
	if err := validateAliasName(name); err != nil {
		return nil, err
	}
	if _, _, err := s.lookup(ctx, region, function); err != nil {
		return nil, err
	}
	key := aliasKey(region, function, name)
	for attempt := 0; ; attempt++ {
		cur, rev, err := s.aliasAt(ctx, region, function, name)
		if err != nil {
			return nil, err
		}
		if upd.RevisionID != "" && upd.RevisionID != cur.RevisionID {
			return nil, preconditionFailed()
		}
		a := cloneAlias(cur)
		setIf(&a.FunctionVersion, upd.FunctionVersion)
		setIf(&a.Description, upd.Description)
		if upd.AdditionalVersionWeights != nil {
			a.AdditionalVersionWeights = maps.Clone(*upd.AdditionalVersionWeights)
		}
		if err := s.validateAlias(ctx, region, a); err != nil {
			return nil, err
		}
		if len(a.AdditionalVersionWeights) == 0 {
			a.AdditionalVersionWeights = nil
		}
		a.RevisionID = eddy.NewID()
		stale, err := s.casWrite(ctx, key, a, rev, "update alias", attempt)
		switch {
		case err != nil:
			return nil, err
		case !stale:
			return cloneAlias(a), nil
		case attempt >= maxCASAttempts:
			return nil, updateConflict(a.ARN())
		}
	}
}

// DeleteAlias deletes an alias with its settings. Deleting an alias that
// does not exist is not an error, as in Lambda (whose DeleteAlias has no
// not-found error).
func (s *Service) DeleteAlias(ctx context.Context, region, function, name string) error {
	if err := validateAliasName(name); err != nil {
		return err
	}
	if _, _, err := s.lookup(ctx, region, function); err != nil {
		return err
	}
	if _, err := s.alias(ctx, region, function, name); eddy.ErrorCode(err) == eddy.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	if err := s.deleteSettings(ctx, region, function, name); err != nil {
		return err
	}
	return s.deleteKey(ctx, aliasKey(region, function, name))
}

// ListAliases lists a function's aliases in name order after marker (an
// alias name); version, when set, keeps the aliases that route to it.
func (s *Service) ListAliases(ctx context.Context, region, function, version, marker string, max int) ([]*eddy.Alias, string, error) {
	if max <= 0 {
		max = 50
	}
	if _, _, err := s.lookup(ctx, region, function); err != nil {
		return nil, "", err
	}
	all := s.aliases(region, function)
	start := sort.Search(len(all), func(i int) bool { return all[i].Name > marker })
	var out []*eddy.Alias
	for _, a := range all[start:] {
		if version != "" && a.FunctionVersion != version {
			if _, ok := a.AdditionalVersionWeights[version]; !ok {
				continue
			}
		}
		if len(out) == max {
			return out, out[len(out)-1].Name, nil
		}
		out = append(out, cloneAlias(a))
	}
	return out, "", nil
}
