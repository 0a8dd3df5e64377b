package functions

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/engine"
)

// Account concurrency, as Lambda's default quota has it: reservations must
// leave at least minUnreserved executions to the functions without one.
const (
	accountConcurrency = 1000
	minUnreserved      = 100
)

func concurrencyKey(region, name string) string {
	return functionKey(region, name) + "." + subConcurrency
}

func eventConfigKey(region, name, qualifier string) string {
	return functionKey(region, name) + "." + subEventConfig + engine.EncodeKey(qualifier)
}

func provisionedKey(region, name, qualifier string) string {
	return functionKey(region, name) + "." + subProvisioned + engine.EncodeKey(qualifier)
}

// setting returns a function's record under sub, or a nil value. For a
// function in the cache the cache alone answers, so that the invoke path,
// which asks on every invocation, costs no bucket read.
func (s *Service) setting(ctx context.Context, region, name, sub string) (any, uint64, error) {
	fk := functionKey(region, name)
	if _, ok := s.cachedItem(fk, ""); ok {
		if c, ok := s.cachedItem(fk, sub); ok {
			return c.val, c.rev, nil
		}
		return nil, 0, nil
	}
	if _, _, err := s.lookup(ctx, region, name); err != nil {
		return nil, 0, err
	}
	return s.record(ctx, fk+"."+sub)
}

// put writes a record and caches it.
func (s *Service) put(ctx context.Context, key string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	rev, err := s.kv.Put(ctx, key, data)
	if err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	s.remember(key, v, rev)
	return nil
}

// deleteSettings deletes the settings of one qualifier of a function.
func (s *Service) deleteSettings(ctx context.Context, region, name, qualifier string) error {
	for _, key := range []string{eventConfigKey(region, name, qualifier), provisionedKey(region, name, qualifier), policyKey(region, name, qualifier)} {
		v, _, err := s.record(ctx, key)
		if err != nil {
			return err
		}
		if v != nil {
			if err := s.deleteKey(ctx, key); err != nil {
				return err
			}
		}
	}
	return nil
}

// reservations sums the reserved concurrency of the region's functions
// other than name, and reports which functions have a reservation.
func (s *Service) reservations(region, name string) (int, map[string]bool) {
	prefix := region + "."
	total, reserved := 0, map[string]bool{}
	s.mu.RLock()
	defer s.mu.RUnlock()
	for fk, items := range s.funcs {
		if !strings.HasPrefix(fk, prefix) {
			continue
		}
		if c, ok := items[subConcurrency].val.(*concurrencyRecord); ok {
			reserved[fk] = true
			if fk != prefix+name {
				total += c.Reserved
			}
		}
	}
	return total, reserved
}

// PutFunctionConcurrency sets a function's reserved concurrency.
func (s *Service) PutFunctionConcurrency(ctx context.Context, region, name string, reserved int) error {
	if reserved < 0 {
		return eddy.ValidationError(fmt.Sprint(reserved), "reservedConcurrentExecutions", "Member must have value greater than or equal to 0")
	}
	if err := s.exists(ctx, region, name); err != nil {
		return err
	}
	if others, _ := s.reservations(region, name); accountConcurrency-others-reserved < minUnreserved {
		return invalid("Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [%d].", minUnreserved)
	}
	return s.put(ctx, concurrencyKey(region, name), &concurrencyRecord{Reserved: reserved})
}

// GetFunctionConcurrency returns a function's reserved concurrency, or nil.
// It is served from the cache.
func (s *Service) GetFunctionConcurrency(ctx context.Context, region, name string) (*int, error) {
	v, _, err := s.setting(ctx, region, name, subConcurrency)
	if err != nil {
		return nil, err
	}
	c, ok := v.(*concurrencyRecord)
	if !ok {
		return nil, nil
	}
	n := c.Reserved
	return &n, nil
}

// DeleteFunctionConcurrency removes a function's reserved concurrency.
func (s *Service) DeleteFunctionConcurrency(ctx context.Context, region, name string) error {
	v, _, err := s.setting(ctx, region, name, subConcurrency)
	if err != nil || v == nil {
		return err
	}
	return s.deleteKey(ctx, concurrencyKey(region, name))
}

// qualifierExists checks that a qualifier names $LATEST, a published
// version or an alias of an existing function.
func (s *Service) qualifierExists(ctx context.Context, region, name, qualifier string) error {
	_, _, err := s.resolve(ctx, region, name, qualifier)
	return err
}

// destinationPattern is the DestinationArn pattern of Lambda's model.
var destinationPattern = regexp.MustCompile(`^($|kafka://([^.]([a-zA-Z0-9\-_.]{0,248}))|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1})?:(\d{12})?:(.*))$`)

const destinationPatternText = `$|kafka://([^.]([a-zA-Z0-9\-_.]{0,248}))|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1})?:(\d{12})?:(.*)`

// validateDestinations checks the destinations of an event invoke config:
// each must be an ARN of a function (other than this one, and existing), a
// queue, a topic or an event bus; a bucket is allowed on failure only.
func (s *Service) validateDestinations(ctx context.Context, region, name, onSuccess, onFailure string) error {
	for _, d := range []struct{ arn, member string }{{onSuccess, "onSuccess"}, {onFailure, "onFailure"}} {
		if len(d.arn) > 350 {
			return eddy.ValidationError(d.arn, "destinationConfig."+d.member+".destination", "Member must have length less than or equal to 350")
		}
		if !destinationPattern.MatchString(d.arn) {
			return eddy.ValidationError(d.arn, "destinationConfig."+d.member+".destination", "Member must satisfy regular expression pattern: "+destinationPatternText)
		}
	}
	supported := func(arn string, onFailure bool) (bool, error) {
		parts := strings.SplitN(arn, ":", 7)
		if len(parts) < 6 || parts[0] != "arn" {
			return false, nil
		}
		switch parts[2] {
		case "sqs", "sns", "events":
			return true, nil
		case "s3":
			return onFailure, nil
		case "lambda":
			ref, err := eddy.ParseFunctionRef(arn, "destination")
			if err != nil || ref.Account != s.Account {
				return false, invalid("The destination ARN %s is invalid.", arn)
			}
			if ref.Name == name && ref.Region == region {
				return false, invalid("You can't specify the function as a destination for itself.")
			}
			if _, _, err := s.resolve(ctx, ref.Region, ref.Name, ref.Qualifier); eddy.ErrorCode(err) == eddy.ENOTFOUND {
				return false, invalid("The destination ARN %s is invalid.", arn)
			} else if err != nil {
				return false, err
			}
			return true, nil
		}
		return false, nil
	}
	ok := true
	if onSuccess != "" {
		good, err := supported(onSuccess, false)
		if err != nil {
			return err
		}
		ok = ok && good
	}
	if onFailure != "" {
		good, err := supported(onFailure, true)
		if err != nil {
			return err
		}
		ok = ok && good
	}
	if !ok {
		part := func(kind, arn string) string {
			if arn == "" {
				return "null"
			}
			return kind + "(destination=" + arn + ")"
		}
		return invalid("The provided destination config DestinationConfig(onSuccess=%s, onFailure=%s) is invalid.",
			part("OnSuccess", onSuccess), part("OnFailure", onFailure))
	}
	return nil
}

func noEventConfig(region, account, name, qualifier string) error {
	return eddy.TypedErrorf(eddy.ENOTFOUND, "ResourceNotFoundException",
		"The function %s:%s doesn't have an EventInvokeConfig", eddy.FunctionARN(region, account, name), qualifier)
}

func noFunction() error {
	return eddy.TypedErrorf(eddy.ENOTFOUND, "ResourceNotFoundException", "The function doesn't exist.")
}

func cloneEventConfig(c *eddy.EventInvokeConfig) *eddy.EventInvokeConfig {
	out := *c
	if c.MaximumRetryAttempts != nil {
		n := *c.MaximumRetryAttempts
		out.MaximumRetryAttempts = &n
	}
	if c.MaximumEventAgeInSeconds != nil {
		n := *c.MaximumEventAgeInSeconds
		out.MaximumEventAgeInSeconds = &n
	}
	return &out
}

// PutEventInvokeConfig stores the asynchronous invocation settings of a
// function, version or alias: with merge the fields cfg sets replace those
// stored (UpdateFunctionEventInvokeConfig, which needs a stored config),
// without it cfg replaces the stored config as a whole.
func (s *Service) PutEventInvokeConfig(ctx context.Context, region string, cfg *eddy.EventInvokeConfig, merge bool) (*eddy.EventInvokeConfig, error) {
	c := cloneEventConfig(cfg)
	c.Region, c.Account = region, s.Account
	if c.Qualifier == "" {
		c.Qualifier = eddy.LatestVersion
	}
	if n := c.MaximumRetryAttempts; n != nil && *n < 0 {
		return nil, eddy.ValidationError(fmt.Sprint(*n), "maximumRetryAttempts", "Member must have value greater than or equal to 0")
	}
	if n := c.MaximumRetryAttempts; n != nil && *n > 2 {
		return nil, eddy.ValidationError(fmt.Sprint(*n), "maximumRetryAttempts", "Member must have value less than or equal to 2")
	}
	if n := c.MaximumEventAgeInSeconds; n != nil && *n < 60 {
		return nil, eddy.ValidationError(fmt.Sprint(*n), "maximumEventAgeInSeconds", "Member must have value greater than or equal to 60")
	}
	if n := c.MaximumEventAgeInSeconds; n != nil && *n > 21600 {
		return nil, eddy.ValidationError(fmt.Sprint(*n), "maximumEventAgeInSeconds", "Member must have value less than or equal to 21600")
	}
	if c.MaximumRetryAttempts == nil && c.MaximumEventAgeInSeconds == nil && c.OnSuccess == "" && c.OnFailure == "" {
		return nil, invalid("You must specify at least one of error handling or destination setting.")
	}
	if err := s.qualifierExists(ctx, region, c.FunctionName, c.Qualifier); eddy.ErrorCode(err) == eddy.ENOTFOUND {
		return nil, noFunction()
	} else if err != nil {
		return nil, err
	}
	if err := s.validateDestinations(ctx, region, c.FunctionName, c.OnSuccess, c.OnFailure); err != nil {
		return nil, err
	}
	key := eventConfigKey(region, c.FunctionName, c.Qualifier)
	for attempt := 0; ; attempt++ {
		out := cloneEventConfig(c)
		var rev uint64
		if merge {
			v, r, err := s.setting(ctx, region, c.FunctionName, subEventConfig+engine.EncodeKey(c.Qualifier))
			if err != nil {
				return nil, err
			}
			cur, ok := v.(*eddy.EventInvokeConfig)
			if !ok {
				return nil, noEventConfig(region, s.Account, c.FunctionName, c.Qualifier)
			}
			rev = r
			out = cloneEventConfig(cur)
			if c.MaximumRetryAttempts != nil {
				out.MaximumRetryAttempts = c.MaximumRetryAttempts
			}
			if c.MaximumEventAgeInSeconds != nil {
				out.MaximumEventAgeInSeconds = c.MaximumEventAgeInSeconds
			}
			if c.OnSuccess != "" {
				out.OnSuccess = c.OnSuccess
			}
			if c.OnFailure != "" {
				out.OnFailure = c.OnFailure
			}
		}
		out.LastModified = s.Now().UTC()
		if !merge {
			if err := s.put(ctx, key, out); err != nil {
				return nil, err
			}
			return cloneEventConfig(out), nil
		}
		stale, err := s.casWrite(ctx, key, out, rev, "update event invoke config", attempt)
		switch {
		case err != nil:
			return nil, err
		case !stale:
			return cloneEventConfig(out), nil
		case attempt >= maxCASAttempts:
			return nil, updateConflict(eddy.FunctionARN(region, s.Account, c.FunctionName))
		}
	}
}

// GetEventInvokeConfig returns the asynchronous invocation settings of a
// function, version or alias. The settings are read from the bucket, not
// the cache: an asynchronous attempt on one node must follow a change just
// made on another.
func (s *Service) GetEventInvokeConfig(ctx context.Context, region, name, qualifier string) (*eddy.EventInvokeConfig, error) {
	if qualifier == "" {
		qualifier = eddy.LatestVersion
	}
	if _, _, err := s.lookup(ctx, region, name); err != nil {
		if eddy.ErrorCode(err) == eddy.ENOTFOUND {
			return nil, noEventConfig(region, s.Account, name, qualifier)
		}
		return nil, err
	}
	v, _, err := s.reload(ctx, eventConfigKey(region, name, qualifier))
	if err != nil {
		return nil, err
	}
	c, ok := v.(*eddy.EventInvokeConfig)
	if !ok {
		return nil, noEventConfig(region, s.Account, name, qualifier)
	}
	return cloneEventConfig(c), nil
}

// ListEventInvokeConfigs lists a function's event invoke configs in
// qualifier order after marker (a qualifier).
func (s *Service) ListEventInvokeConfigs(ctx context.Context, region, name, marker string, max int) ([]*eddy.EventInvokeConfig, string, error) {
	if max <= 0 {
		max = 50
	}
	if err := s.exists(ctx, region, name); eddy.ErrorCode(err) == eddy.ENOTFOUND {
		return nil, "", noFunction()
	} else if err != nil {
		return nil, "", err
	}
	var out []*eddy.EventInvokeConfig
	for _, c := range s.cachedItems(functionKey(region, name), subEventConfig) {
		cfg, ok := c.val.(*eddy.EventInvokeConfig)
		if !ok || (marker != "" && cfg.Qualifier <= marker) {
			continue
		}
		if len(out) == max {
			return out, out[len(out)-1].Qualifier, nil
		}
		out = append(out, cloneEventConfig(cfg))
	}
	return out, "", nil
}

// DeleteEventInvokeConfig deletes the asynchronous invocation settings of a
// function, version or alias.
func (s *Service) DeleteEventInvokeConfig(ctx context.Context, region, name, qualifier string) error {
	if qualifier == "" {
		qualifier = eddy.LatestVersion
	}
	if _, err := s.GetEventInvokeConfig(ctx, region, name, qualifier); err != nil {
		return err
	}
	return s.deleteKey(ctx, eventConfigKey(region, name, qualifier))
}

func noProvisionedConfig() error {
	return eddy.TypedErrorf(eddy.ENOTFOUND, "ProvisionedConcurrencyConfigNotFoundException",
		"No Provisioned Concurrency Config found for this function")
}

func cloneProvisioned(c *eddy.ProvisionedConcurrencyConfig) *eddy.ProvisionedConcurrencyConfig {
	out := *c
	return &out
}

// provisionedTarget checks the qualifier of a provisioned concurrency
// config: a published version or an alias of one, never $LATEST. It returns
// the alias the qualifier names, if it names one.
func (s *Service) provisionedTarget(ctx context.Context, region, name, qualifier string, put bool) (*eddy.Alias, error) {
	unpublished := func() error {
		if put {
			return invalid("Provisioned Concurrency Configs cannot be applied to unpublished function versions.")
		}
		return invalid("The function resource provided must be an alias or a published version.")
	}
	switch {
	case qualifier == "":
		return nil, eddy.ValidationError("null", "qualifier", "Member must not be null")
	case qualifier == eddy.LatestVersion:
		return nil, unpublished()
	case isDigits(qualifier):
		_, _, err := s.resolve(ctx, region, name, qualifier)
		return nil, err
	}
	if _, _, err := s.lookup(ctx, region, name); err != nil {
		return nil, err
	}
	a, err := s.alias(ctx, region, name, qualifier)
	if err != nil {
		return nil, err
	}
	if a.FunctionVersion == eddy.LatestVersion {
		return nil, unpublished()
	}
	return a, nil
}

// provisioned returns a function's provisioned concurrency configs from
// the cache, in qualifier order.
func (s *Service) provisioned(region, name string) []*eddy.ProvisionedConcurrencyConfig {
	var out []*eddy.ProvisionedConcurrencyConfig
	for _, c := range s.cachedItems(functionKey(region, name), subProvisioned) {
		if p, ok := c.val.(*eddy.ProvisionedConcurrencyConfig); ok {
			out = append(out, p)
		}
	}
	return out
}

// PutProvisionedConcurrency stores a provisioned concurrency config of a
// version or alias.
func (s *Service) PutProvisionedConcurrency(ctx context.Context, region string, cfg *eddy.ProvisionedConcurrencyConfig) (*eddy.ProvisionedConcurrencyConfig, error) {
	c := cloneProvisioned(cfg)
	c.Region, c.Account = region, s.Account
	if c.Requested < 1 {
		return nil, eddy.ValidationError(fmt.Sprint(c.Requested), "provisionedConcurrentExecutions", "Member must have value greater than or equal to 1")
	}
	a, err := s.provisionedTarget(ctx, region, c.FunctionName, c.Qualifier, true)
	if err != nil {
		return nil, err
	}
	others := 0
	byQualifier := map[string]bool{}
	for _, p := range s.provisioned(region, c.FunctionName) {
		byQualifier[p.Qualifier] = true
		if p.Qualifier != c.Qualifier {
			others += p.Requested
		}
	}
	if a != nil && byQualifier[a.FunctionVersion] {
		return nil, eddy.TypedErrorf(eddy.ECONFLICT, "ResourceConflictException",
			"Alias can't be used for Provisioned Concurrency configuration on an already Provisioned version")
	}
	if a == nil {
		for _, other := range s.aliases(region, c.FunctionName) {
			if other.FunctionVersion == c.Qualifier && byQualifier[other.Name] {
				return nil, eddy.TypedErrorf(eddy.ECONFLICT, "ResourceConflictException",
					"Version is pointed by a Provisioned Concurrency alias")
			}
		}
	}
	reserved, err := s.GetFunctionConcurrency(ctx, region, c.FunctionName)
	if err != nil {
		return nil, err
	}
	if reserved != nil && *reserved < others+c.Requested {
		return nil, invalid("Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for function")
	}
	if c.Requested > accountConcurrency {
		return nil, invalid("Specified ConcurrentExecutions for function is greater than account's unreserved concurrency [%d].", accountConcurrency)
	}
	if reserved == nil {
		// Without a reservation, provisioned instances come out of the
		// account's unreserved concurrency.
		used, withReservation := s.reservations(region, "")
		for _, all := range s.allProvisioned() {
			fk := functionKey(all.Region, all.FunctionName)
			if all.Region == region && !withReservation[fk] && !(all.FunctionName == c.FunctionName && all.Qualifier == c.Qualifier) {
				used += all.Requested
			}
		}
		if accountConcurrency-used-c.Requested < minUnreserved {
			return nil, invalid("Specified ConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [%d].", minUnreserved)
		}
	}
	c.LastModified = s.Now().UTC()
	if err := s.put(ctx, provisionedKey(region, c.FunctionName, c.Qualifier), c); err != nil {
		return nil, err
	}
	return cloneProvisioned(c), nil
}

// GetProvisionedConcurrency returns the provisioned concurrency config of
// a version or alias.
func (s *Service) GetProvisionedConcurrency(ctx context.Context, region, name, qualifier string) (*eddy.ProvisionedConcurrencyConfig, error) {
	if _, err := s.provisionedTarget(ctx, region, name, qualifier, false); err != nil {
		return nil, err
	}
	v, _, err := s.setting(ctx, region, name, subProvisioned+engine.EncodeKey(qualifier))
	if err != nil {
		return nil, err
	}
	p, ok := v.(*eddy.ProvisionedConcurrencyConfig)
	if !ok {
		return nil, noProvisionedConfig()
	}
	return cloneProvisioned(p), nil
}

// DeleteProvisionedConcurrency deletes the provisioned concurrency config
// of a version or alias; deleting one that does not exist is not an error.
func (s *Service) DeleteProvisionedConcurrency(ctx context.Context, region, name, qualifier string) error {
	if _, err := s.provisionedTarget(ctx, region, name, qualifier, false); err != nil {
		return err
	}
	v, _, err := s.setting(ctx, region, name, subProvisioned+engine.EncodeKey(qualifier))
	if err != nil || v == nil {
		return err
	}
	return s.deleteKey(ctx, provisionedKey(region, name, qualifier))
}

// ListProvisionedConcurrency lists a function's provisioned concurrency
// configs in qualifier order after marker (a qualifier).
func (s *Service) ListProvisionedConcurrency(ctx context.Context, region, name, marker string, max int) ([]*eddy.ProvisionedConcurrencyConfig, string, error) {
	if max <= 0 {
		max = 50
	}
	if err := s.exists(ctx, region, name); err != nil {
		return nil, "", err
	}
	var out []*eddy.ProvisionedConcurrencyConfig
	for _, p := range s.provisioned(region, name) {
		if marker != "" && p.Qualifier <= marker {
			continue
		}
		if len(out) == max {
			return out, out[len(out)-1].Qualifier, nil
		}
		out = append(out, cloneProvisioned(p))
	}
	return out, "", nil
}

// allProvisioned returns every provisioned concurrency config in the cache.
func (s *Service) allProvisioned() []*eddy.ProvisionedConcurrencyConfig {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []*eddy.ProvisionedConcurrencyConfig
	for _, items := range s.funcs {
		if c, ok := items[""]; !ok || c.val == nil {
			continue
		}
		for sub, c := range items {
			if p, ok := c.val.(*eddy.ProvisionedConcurrencyConfig); ok && strings.HasPrefix(sub, subProvisioned) {
				out = append(out, p)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Region != b.Region {
			return a.Region < b.Region
		}
		if a.FunctionName != b.FunctionName {
			return a.FunctionName < b.FunctionName
		}
		return a.Qualifier < b.Qualifier
	})
	return out
}

// AllProvisionedConcurrency lists every provisioned concurrency config of
// every function, for the runtime to keep instances warm.
func (s *Service) AllProvisionedConcurrency(ctx context.Context) ([]*eddy.ProvisionedConcurrencyConfig, error) {
	all := s.allProvisioned()
	out := make([]*eddy.ProvisionedConcurrencyConfig, 0, len(all))
	for _, p := range all {
		out = append(out, cloneProvisioned(p))
	}
	return out, nil
}
