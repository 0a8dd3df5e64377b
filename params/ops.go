package params

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/eddyserverless/eddy"
	"github.com/nats-io/nuid"
)

const (
	typeString     = "String"
	typeStringList = "StringList"
	typeSecure     = "SecureString"

	tierStandard    = "Standard"
	tierAdvanced    = "Advanced"
	tierIntelligent = "Intelligent-Tiering"

	dataTypeText  = "text"
	dataTypeImage = "aws:ec2:image"

	defaultKeyID     = "alias/aws/ssm"
	maxStandardValue = 4096
	maxAdvancedValue = 8192
	maxTagsPerParam  = 50
	maxPolicies      = 10
	// maxAttempts bounds the compare-and-set retries of one write.
	maxAttempts = 200
)

var keyIDPattern = regexp.MustCompile(`^([a-zA-Z0-9:/_-]+)$`)

// update runs the read, decide, compare-and-set loop for one parameter.
// decide gets the head as it is (nil if there has never been one; it may
// be a tombstone) and returns the head to write, nil for none; withVersion
// says that the new head's Cur is a new version, which supersedes the
// head's.
func (s *Service) update(ctx context.Context, region, key string, decide func(h *head) (nh *head, withVersion bool, err error)) error {
	for attempt := 0; attempt < maxAttempts; attempt++ {
		if attempt > 2 {
			d := time.Duration(rand.IntN(attempt*200)+50) * time.Microsecond
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(d):
			}
		}
		h, seq, err := s.readHead(ctx, region, key)
		if err != nil {
			return err
		}
		nh, withVersion, err := decide(h)
		if err != nil || nh == nil {
			return err
		}
		if withVersion && h != nil && !h.Deleted {
			err = s.materialize(ctx, h)
		}
		if err == nil {
			err = s.writeHead(ctx, nh, seq)
		}
		if !errors.Is(err, errConflict) {
			return err
		}
	}
	return apiError(errTooManyUpdates, "There are concurrent updates for a resource that supports one update at a time.")
}

// PutParameter creates a parameter or a new version of one.
func (s *Service) PutParameter(ctx context.Context, region string, in *PutParameterInput) (*PutParameterOutput, error) {
	region = s.region(region)
	var c constraints
	c.length(in.Name, "name", 1, maxNameLength, true)
	switch {
	case in.Value == nil:
		c.null("value")
	case *in.Value == "":
		c.add("''", "value", "Member must have length greater than or equal to 1")
	}
	c.length(in.Description, "description", 0, 1024, false)
	c.enum(in.Type, "type", typeSecure, typeStringList, typeString)
	c.length(in.KeyId, "keyId", 1, 256, false)
	if in.KeyId != nil && *in.KeyId != "" && !keyIDPattern.MatchString(*in.KeyId) {
		c.add(quote(*in.KeyId), "keyId", "Member must satisfy regular expression pattern: ^([a-zA-Z0-9:/_-]+)$")
	}
	c.length(in.AllowedPattern, "allowedPattern", 0, 1024, false)
	c.enum(in.Tier, "tier", tierStandard, tierAdvanced, tierIntelligent)
	c.length(in.Policies, "policies", 1, 4096, false)
	c.length(in.DataType, "dataType", 0, 128, false)
	if len(in.Tags) > 1000 {
		c.add("'[...]'", "tags", "Member must have length less than or equal to 1000")
	}
	checkTags(&c, in.Tags, "tags")
	if err := c.err(); err != nil {
		return nil, err
	}
	overwrite := in.Overwrite != nil && *in.Overwrite
	if overwrite && len(in.Tags) > 0 {
		return nil, validationf("Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.")
	}
	name := trimName(*in.Name)
	if err := checkNewName(name, partitionOf(region), region, s.cfg.Account); err != nil {
		return nil, err
	}
	if dt := deref(in.DataType); dt != "" && dt != dataTypeText && dt != dataTypeImage {
		return nil, validationf("The following data type is not supported: %s (Data type names are all lowercase.)", dt)
	}
	if in.Policies != nil {
		if _, err := parsePolicies(*in.Policies); err != nil {
			return nil, err
		}
	}
	if len(dedupeTags(in.Tags)) > maxTagsPerParam {
		return nil, validationf("A parameter can have at most %d tags.", maxTagsPerParam)
	}
	value := *in.Value
	key := keyOf(name)
	defer s.lock(region, key)()
	var out PutParameterOutput
	oldGen := ""
	err := s.update(ctx, region, key, func(h *head) (*head, bool, error) {
		exists := h != nil && !h.Deleted
		if exists && !overwrite {
			return nil, false, apiError(errAlreadyExists, "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.")
		}
		var prev version
		if exists {
			prev = h.Cur
		}
		typ := deref(in.Type)
		if typ == "" {
			typ = prev.Type
		}
		if typ == "" {
			return nil, false, validationf("A parameter type is required when you create a parameter.")
		}
		keyID := ""
		switch {
		case typ != typeSecure && in.KeyId != nil:
			return nil, false, validationf("KeyId is required for SecureString type parameter only.")
		case typ != typeSecure:
		case in.KeyId != nil:
			keyID = *in.KeyId
		case prev.Type == typeSecure && prev.KeyID != "":
			keyID = prev.KeyID
		default:
			keyID = defaultKeyID
		}
		desc := pick(in.Description, prev.Description)
		pattern := pick(in.AllowedPattern, prev.AllowedPattern)
		dataType := pick(in.DataType, prev.DataType)
		if dataType == "" {
			dataType = dataTypeText
		}
		policies := pick(in.Policies, prev.Policies)
		if pattern != "" {
			re, err := regexp.Compile(`^(?:` + pattern + `)$`)
			if err != nil {
				return nil, false, apiError(errInvalidPattern, "The request does not meet the regular expression requirement.")
			}
			if !re.MatchString(value) {
				return nil, false, apiError(errPatternMismatch, "Parameter value, cannot be validated against allowedPattern: %s", pattern)
			}
		}
		var prevTier string
		if exists {
			prevTier = prev.Tier
		}
		tier, err := chooseTier(in.Tier, prevTier, len(value), policies != "")
		if err != nil {
			return nil, false, err
		}
		var nh *head
		if exists {
			nh = h.clone()
			next := prev.Version + 1
			if next-nh.Oldest+1 > maxVersions {
				if ls := nh.labelsOf(nh.Oldest); len(ls) > 0 {
					return nil, false, apiError(errMaxVersions, "You attempted to create a new version of %s by calling the PutParameter API with the overwrite flag. Version %d, the oldest version, can't be deleted because it has a label associated with it. Move the label to another version of the parameter, and try again.", name, nh.Oldest)
				}
				nh.Oldest++
			}
		} else {
			if h != nil {
				oldGen = h.Gen
			}
			nh = &head{Region: region, Name: name, Gen: nuid.Next(), Oldest: 1, Labels: map[string]int64{}, Tags: dedupeTags(in.Tags)}
		}
		v := version{
			Version: prev.Version + 1, Type: typ, KeyID: keyID, Description: desc, AllowedPattern: pattern,
			Tier: tier, DataType: dataType, Policies: policies, Modified: s.cfg.Now().UnixMilli(), User: s.user(region),
		}
		if typ == typeSecure {
			seal, err := s.sealer()
			if err != nil {
				return nil, false, err
			}
			sealed, err := seal.seal(value, region, key, v.Version)
			if err != nil {
				return nil, false, err
			}
			v.Sealed = sealed
		} else {
			v.Value = value
		}
		nh.Cur = v
		out = PutParameterOutput{Version: v.Version, Tier: tier}
		return nh, true, nil
	})
	if err != nil {
		return nil, err
	}
	if oldGen != "" {
		s.purgeVersions(ctx, region, key, oldGen) // left by a delete that did not finish
	}
	return &out, nil
}

// chooseTier returns the tier of a new version: the one requested, the
// parameter's own if none is, Standard for a new parameter; for
// Intelligent-Tiering, Advanced if the value or policies need it. It
// refuses a downgrade and values the tier does not hold.
func chooseTier(req *string, prev string, size int, policies bool) (string, error) {
	tier := prev
	switch {
	case req == nil && prev == "":
		tier = tierStandard
	case req == nil:
	case *req == tierStandard:
		if prev == tierAdvanced {
			return "", validationf("This parameter uses the advanced-parameter tier. You can't downgrade a parameter from the advanced-parameter tier to the standard-parameter tier. If necessary, you can delete the advanced parameter and recreate it as a standard parameter.")
		}
		tier = tierStandard
	case *req == tierAdvanced:
		tier = tierAdvanced
	default: // Intelligent-Tiering
		tier = tierStandard
		if prev == tierAdvanced || size > maxStandardValue || policies {
			tier = tierAdvanced
		}
	}
	switch {
	case tier == tierStandard && size > maxStandardValue:
		return "", validationf("Standard tier parameters support a maximum parameter value of 4096 characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier. For more information, see https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html")
	case size > maxAdvancedValue:
		return "", validationf("Advanced tier parameters support a maximum parameter value of 8192 characters.")
	case tier == tierStandard && policies:
		return "", validationf("Standard tier parameters don't support parameter policies. To attach policies, use the advanced-parameter tier. For more information, see https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html")
	}
	return tier, nil
}

// policy is one parameter policy as PutParameter takes it.
type policy struct {
	Type       string          `json:"Type"`
	Version    string          `json:"Version"`
	Attributes json.RawMessage `json:"Attributes"`
}

// parsePolicies checks a Policies document: a JSON array of policies of
// the three types SSM knows. eddy records them; it does not act on them.
func parsePolicies(doc string) ([]ParameterInlinePolicy, error) {
	var raw []json.RawMessage
	if err := json.Unmarshal([]byte(doc), &raw); err != nil {
		return nil, apiError(errPolicyAttribute, "The policies must be a JSON array of parameter policies.")
	}
	if len(raw) > maxPolicies {
		return nil, apiError(errPoliciesLimit, "You specified more than the maximum number of allowed policies for the parameter. The maximum is 10.")
	}
	seen := map[string]bool{}
	out := make([]ParameterInlinePolicy, 0, len(raw))
	for _, r := range raw {
		var p policy
		if err := json.Unmarshal(r, &p); err != nil {
			return nil, apiError(errPolicyAttribute, "A policy attribute or its value is invalid.")
		}
		switch p.Type {
		case "Expiration", "ExpirationNotification", "NoChangeNotification":
		default:
			return nil, apiError(errPolicyType, "The policy type isn't supported. Parameter Store supports the following policy types: Expiration, ExpirationNotification, and NoChangeNotification.")
		}
		if seen[p.Type] {
			return nil, apiError(errIncompatible, "There is a conflict in the policies specified for this parameter. You can't, for example, specify two %s policies for a parameter.", p.Type)
		}
		seen[p.Type] = true
		out = append(out, ParameterInlinePolicy{PolicyText: string(r), PolicyType: p.Type, PolicyStatus: "Pending"})
	}
	return out, nil
}

func policiesOf(doc string) []ParameterInlinePolicy {
	if doc == "" {
		return []ParameterInlinePolicy{}
	}
	p, err := parsePolicies(doc)
	if err != nil {
		return []ParameterInlinePolicy{}
	}
	return p
}

func pick(v *string, old string) string {
	if v != nil {
		return *v
	}
	return old
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func dedupeTags(tags []Tag) []Tag {
	var out []Tag
	for _, t := range tags {
		out = setTag(out, t)
	}
	return out
}

func setTag(tags []Tag, t Tag) []Tag {
	for i := range tags {
		if tags[i].Key == t.Key {
			tags[i].Value = t.Value
			return tags
		}
	}
	return append(tags, t)
}

var tagPattern = regexp.MustCompile(`^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`)

// checkTags checks tags against the model's constraints.
func checkTags(c *constraints, tags []Tag, member string) {
	for i, t := range tags {
		m := member + "." + strconv.Itoa(i+1) + ".member."
		k, v := t.Key, t.Value
		c.length(&k, m+"key", 1, 128, true)
		if !tagPattern.MatchString(k) {
			c.add(quote(k), m+"key", `Member must satisfy regular expression pattern: ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`)
		}
		c.length(&v, m+"value", 0, 256, true)
		if !tagPattern.MatchString(v) {
			c.add(quote(v), m+"value", `Member must satisfy regular expression pattern: ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`)
		}
	}
}

// value returns the value of version v as a client sees it: a
// SecureString's plaintext if decrypt, its sealed form otherwise.
func (s *Service) value(region, key string, v *version, decrypt bool) (string, error) {
	if v.Type != typeSecure {
		return v.Value, nil
	}
	if !decrypt {
		return blob(v.Sealed), nil
	}
	seal, err := s.sealer()
	if err != nil {
		return "", err
	}
	plain, err := seal.open(v.Sealed, region, key, v.Version)
	if err != nil {
		s.cfg.Logger.Error("params: decrypt a SecureString", "region", region, "parameter", key, "version", v.Version, "err", err)
		return "", apiError(errInternal, "An internal error occurred.")
	}
	return plain, nil
}

func (s *Service) parameterOf(h *head, v *version, name, selector string, decrypt bool) (Parameter, error) {
	val, err := s.value(h.Region, h.key(), v, decrypt)
	if err != nil {
		return Parameter{}, err
	}
	if selector != "" {
		selector = ":" + selector
	}
	return Parameter{
		Name: name, Type: v.Type, Value: val, Version: v.Version, Selector: selector,
		LastModifiedDate: Time(time.UnixMilli(v.Modified)), ARN: s.arn(h.Region, h.Name), DataType: v.DataType,
	}, nil
}

// selectVersion returns the version of h a reference selects.
func (s *Service) selectVersion(ctx context.Context, h *head, r ref, given string) (*version, error) {
	want := h.Cur.Version
	switch {
	case r.Version != 0:
		want = r.Version
	case r.Label != "":
		lv, ok := h.Labels[r.Label]
		if !ok {
			return nil, notFound(given)
		}
		want = lv
	}
	if want == h.Cur.Version {
		return &h.Cur, nil
	}
	if want > h.Cur.Version || want < h.Oldest {
		return nil, versionNotFound(strconv.FormatInt(want, 10), r.Name)
	}
	v, err := s.readVersion(ctx, h.Region, h.key(), h.Gen, want)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, versionNotFound(strconv.FormatInt(want, 10), r.Name)
	}
	return v, nil
}

// resolve finds the parameter a reference names, and the version it
// selects.
func (s *Service) resolve(ctx context.Context, region, given string) (*head, *version, ref, error) {
	r, ok, err := parseRef(given, region, s.cfg.Account)
	if err != nil {
		return nil, nil, r, err
	}
	given = trimName(given)
	if !ok || r.Foreign {
		return nil, nil, r, notFound(given)
	}
	h, _, err := s.current(ctx, region, keyOf(r.Name))
	if err != nil {
		return nil, nil, r, err
	}
	if h == nil {
		return nil, nil, r, notFound(given)
	}
	v, err := s.selectVersion(ctx, h, r, given)
	return h, v, r, err
}

// displayName is the Name a read returns: the name as the request wrote
// it (with or without the leading slash of a top-level name), or the
// parameter's own for an ARN.
func displayName(h *head, r ref) string {
	if r.ARN {
		return h.Name
	}
	return r.Name
}

// GetParameter returns a parameter, or the version or label its name
// selects.
func (s *Service) GetParameter(ctx context.Context, region string, in *GetParameterInput) (*GetParameterOutput, error) {
	region = s.region(region)
	var c constraints
	c.length(in.Name, "name", 1, maxNameLength, true)
	if err := c.err(); err != nil {
		return nil, err
	}
	h, v, r, err := s.resolve(ctx, region, *in.Name)
	if err != nil {
		return nil, err
	}
	p, err := s.parameterOf(h, v, displayName(h, r), r.Selector, deref(in.WithDecryption))
	if err != nil {
		return nil, err
	}
	return &GetParameterOutput{Parameter: &p}, nil
}

// GetParameters returns up to ten parameters; the names it cannot find
// are InvalidParameters.
func (s *Service) GetParameters(ctx context.Context, region string, in *GetParametersInput) (*GetParametersOutput, error) {
	region = s.region(region)
	var c constraints
	switch {
	case in.Names == nil:
		c.null("names")
	case len(in.Names) == 0:
		c.add("'[]'", "names", "Member must have length greater than or equal to 1")
	case len(in.Names) > 10:
		c.add(list(in.Names), "names", "Member must have length less than or equal to 10")
	}
	for _, n := range in.Names {
		if len([]rune(n)) > maxNameLength || n == "" {
			c.add(list(in.Names), "names", "Member must satisfy constraint: [Member must have length less than or equal to 2048, Member must have length greater than or equal to 1]")
			break
		}
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	out := &GetParametersOutput{Parameters: []Parameter{}, InvalidParameters: []string{}}
	seen := map[string]bool{}
	for _, n := range in.Names {
		if seen[n] {
			continue
		}
		seen[n] = true
		h, v, r, err := s.resolve(ctx, region, n)
		if t := eddy.AsError(err); t != nil && (t.Type == errNotFound || t.Type == errVersionNotFound) {
			out.InvalidParameters = append(out.InvalidParameters, n)
			continue
		}
		if err != nil {
			return nil, err
		}
		p, err := s.parameterOf(h, v, displayName(h, r), r.Selector, deref(in.WithDecryption))
		if err != nil {
			return nil, err
		}
		out.Parameters = append(out.Parameters, p)
	}
	return out, nil
}

// GetParametersByPath returns the parameters under a path, one level or
// all, with their values.
func (s *Service) GetParametersByPath(ctx context.Context, region string, in *GetParametersByPathInput) (*GetParametersByPathOutput, error) {
	region = s.region(region)
	var c constraints
	c.length(in.Path, "path", 1, maxNameLength, true)
	c.intRange(in.MaxResults, "maxResults", 1, 10)
	checkStringFilters(&c, in.ParameterFilters)
	if err := c.err(); err != nil {
		return nil, err
	}
	prefix, err := checkPath(trimName(*in.Path))
	if err != nil {
		return nil, err
	}
	fs, err := parseStringFilters(in.ParameterFilters, true)
	if err != nil {
		return nil, err
	}
	after, err := decodeToken(in.NextToken, "p")
	if err != nil {
		return nil, err
	}
	max := 10
	if in.MaxResults != nil {
		max = *in.MaxResults
	}
	recursive := deref(in.Recursive)
	if err := s.sync(ctx); err != nil {
		return nil, err
	}
	type hit struct {
		h     *head
		want  int64
		label string
	}
	var hits []hit
	next := ""
	s.idx.scan(region, prefix, after, func(h *head) bool {
		k := h.key()
		if k <= after || !recursive && strings.Contains(k[len(prefix):], "/") {
			return true
		}
		want, label, ok := fs.match(h)
		if !ok {
			return true
		}
		if len(hits) == max {
			next = hits[len(hits)-1].h.key()
			return false
		}
		hits = append(hits, hit{h, want, label})
		return true
	})
	out := &GetParametersByPathOutput{Parameters: []Parameter{}}
	for _, x := range hits {
		v := &x.h.Cur
		if x.want != x.h.Cur.Version {
			if v, err = s.readVersion(ctx, region, x.h.key(), x.h.Gen, x.want); err != nil {
				return nil, err
			}
			if v == nil {
				continue // moved on meanwhile
			}
		}
		p, err := s.parameterOf(x.h, v, x.h.Name, "", deref(in.WithDecryption))
		if err != nil {
			return nil, err
		}
		out.Parameters = append(out.Parameters, p)
	}
	if next != "" {
		out.NextToken = encodeToken("p", next)
	}
	return out, nil
}

// DeleteParameter deletes a parameter and all its versions.
func (s *Service) DeleteParameter(ctx context.Context, region string, in *DeleteParameterInput) (*Empty, error) {
	region = s.region(region)
	var c constraints
	c.length(in.Name, "name", 1, maxNameLength, true)
	if err := c.err(); err != nil {
		return nil, err
	}
	name := trimName(*in.Name)
	if err := checkName(name); err != nil {
		return nil, err
	}
	if err := s.delete(ctx, region, name); err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

func (s *Service) delete(ctx context.Context, region, name string) error {
	key := keyOf(name)
	defer s.lock(region, key)()
	gen := ""
	err := s.update(ctx, region, key, func(h *head) (*head, bool, error) {
		if h == nil || h.Deleted {
			return nil, false, notFound(name)
		}
		gen = h.Gen
		return &head{Region: region, Name: h.Name, Gen: h.Gen, Deleted: true}, false, nil
	})
	if err != nil {
		return err
	}
	s.purgeVersions(ctx, region, key, gen)
	return nil
}

// DeleteParameters deletes up to ten parameters; the names it cannot find
// are InvalidParameters.
func (s *Service) DeleteParameters(ctx context.Context, region string, in *DeleteParametersInput) (*DeleteParametersOutput, error) {
	region = s.region(region)
	var c constraints
	switch {
	case in.Names == nil:
		c.null("names")
	case len(in.Names) == 0:
		c.add("'[]'", "names", "Member must have length greater than or equal to 1")
	case len(in.Names) > 10:
		c.add(list(in.Names), "names", "Member must have length less than or equal to 10")
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	out := &DeleteParametersOutput{DeletedParameters: []string{}, InvalidParameters: []string{}}
	seen := map[string]bool{}
	for _, n := range in.Names {
		if seen[n] {
			continue
		}
		seen[n] = true
		name := trimName(n)
		err := checkName(name)
		if err == nil {
			err = s.delete(ctx, region, name)
		}
		if t := eddy.AsError(err); t != nil && (t.Type == errNotFound || t.Type == errValidation) {
			out.InvalidParameters = append(out.InvalidParameters, n)
			continue
		}
		if err != nil {
			return nil, err
		}
		out.DeletedParameters = append(out.DeletedParameters, n)
	}
	return out, nil
}

// DescribeParameters lists parameters' metadata, without values.
func (s *Service) DescribeParameters(ctx context.Context, region string, in *DescribeParametersInput) (*DescribeParametersOutput, error) {
	region = s.region(region)
	var c constraints
	c.intRange(in.MaxResults, "maxResults", 1, 50)
	for i, f := range in.Filters {
		m := "filters." + strconv.Itoa(i+1) + ".member."
		if f.Key == nil {
			c.null(m + "key")
		} else {
			c.enum(f.Key, m+"key", "Name", "Type", "KeyId")
		}
		switch {
		case f.Values == nil:
			c.null(m + "values")
		case len(f.Values) == 0:
			c.add("'[]'", m+"values", "Member must have length greater than or equal to 1")
		case len(f.Values) > 50:
			c.add(list(f.Values), m+"values", "Member must have length less than or equal to 50")
		}
		for _, v := range f.Values {
			if v == "" || len([]rune(v)) > 1024 {
				c.add(list(f.Values), m+"values", "Member must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 1]")
				break
			}
		}
	}
	checkStringFilters(&c, in.ParameterFilters)
	if err := c.err(); err != nil {
		return nil, err
	}
	if len(in.Filters) > 0 && len(in.ParameterFilters) > 0 {
		return nil, validationf("You can use either Filters or ParameterFilters in a single request.")
	}
	fs, err := parseStringFilters(in.ParameterFilters, false)
	if err != nil {
		return nil, err
	}
	for _, f := range in.Filters {
		values := f.Values
		if *f.Key == "Name" {
			values = make([]string, len(f.Values))
			for i, v := range f.Values {
				values[i] = keyOf(strings.TrimLeft(v, "/"))
			}
		}
		fs = append(fs, stringFilter{key: *f.Key, option: legacyOption(*f.Key), values: values})
	}
	after, err := decodeToken(in.NextToken, "d")
	if err != nil {
		return nil, err
	}
	max := 10
	if in.MaxResults != nil {
		max = *in.MaxResults
	}
	out := &DescribeParametersOutput{Parameters: []ParameterMetadata{}}
	if deref(in.Shared) {
		return out, nil // no parameter is shared with this account
	}
	if err := s.sync(ctx); err != nil {
		return nil, err
	}
	next := ""
	s.idx.scan(region, "/", after, func(h *head) bool {
		if h.key() <= after {
			return true
		}
		if _, _, ok := fs.match(h); !ok {
			return true
		}
		if len(out.Parameters) == max {
			next = keyOf(out.Parameters[len(out.Parameters)-1].Name)
			return false
		}
		out.Parameters = append(out.Parameters, s.metadataOf(h))
		return true
	})
	if next != "" {
		out.NextToken = encodeToken("d", next)
	}
	return out, nil
}

func legacyOption(key string) string {
	if key == "Name" {
		return "BeginsWith"
	}
	return "Equals"
}

func (s *Service) metadataOf(h *head) ParameterMetadata {
	v := &h.Cur
	return ParameterMetadata{
		Name: h.Name, ARN: s.arn(h.Region, h.Name), Type: v.Type, KeyId: v.KeyID,
		LastModifiedDate: Time(time.UnixMilli(v.Modified)), LastModifiedUser: v.User,
		Description: v.Description, AllowedPattern: v.AllowedPattern, Version: v.Version,
		Tier: v.Tier, Policies: policiesOf(v.Policies), DataType: v.DataType,
	}
}

// GetParameterHistory returns every version kept of a parameter, oldest
// first, with its values and labels.
func (s *Service) GetParameterHistory(ctx context.Context, region string, in *GetParameterHistoryInput) (*GetParameterHistoryOutput, error) {
	region = s.region(region)
	var c constraints
	c.length(in.Name, "name", 1, maxNameLength, true)
	c.intRange(in.MaxResults, "maxResults", 1, 50)
	if err := c.err(); err != nil {
		return nil, err
	}
	given := trimName(*in.Name)
	r, ok, err := parseRef(given, region, s.cfg.Account)
	if err != nil {
		return nil, err
	}
	if !ok || r.Foreign || r.Selector != "" {
		return nil, notFound(given)
	}
	h, _, err := s.current(ctx, region, keyOf(r.Name))
	if err != nil {
		return nil, err
	}
	if h == nil {
		return nil, notFound(given)
	}
	from := h.Oldest
	if in.NextToken != nil {
		t, err := decodeToken(in.NextToken, "h")
		if err != nil {
			return nil, err
		}
		n, perr := strconv.ParseInt(t, 10, 64)
		if perr != nil || n < 1 {
			return nil, apiError(errInvalidToken, "The specified token isn't valid.")
		}
		if n > from {
			from = n
		}
	}
	max := 50
	if in.MaxResults != nil {
		max = *in.MaxResults
	}
	out := &GetParameterHistoryOutput{Parameters: []ParameterHistory{}}
	v := from
	for ; v <= h.Cur.Version && len(out.Parameters) < max; v++ {
		ver := &h.Cur
		if v != h.Cur.Version {
			if ver, err = s.readVersion(ctx, region, h.key(), h.Gen, v); err != nil {
				return nil, err
			}
			if ver == nil {
				continue // dropped meanwhile
			}
		}
		val, err := s.value(region, h.key(), ver, deref(in.WithDecryption))
		if err != nil {
			return nil, err
		}
		out.Parameters = append(out.Parameters, ParameterHistory{
			Name: h.Name, Type: ver.Type, KeyId: ver.KeyID, LastModifiedDate: Time(time.UnixMilli(ver.Modified)),
			LastModifiedUser: ver.User, Description: ver.Description, Value: val, AllowedPattern: ver.AllowedPattern,
			Version: ver.Version, Labels: h.labelsOf(ver.Version), Tier: ver.Tier, Policies: policiesOf(ver.Policies),
			DataType: ver.DataType,
		})
	}
	if v <= h.Cur.Version {
		out.NextToken = encodeToken("h", strconv.FormatInt(v, 10))
	}
	return out, nil
}

// checkLabels checks a request's Labels against the model's constraints.
func checkLabels(c *constraints, labels []string) {
	switch {
	case labels == nil:
		c.null("labels")
	case len(labels) == 0:
		c.add("'[]'", "labels", "Member must have length greater than or equal to 1")
	case len(labels) > 10:
		c.add(list(labels), "labels", "Member must have length less than or equal to 10")
	}
	for _, l := range labels {
		if l == "" || len([]rune(l)) > maxLabelLen {
			c.add(list(labels), "labels", "Member must satisfy constraint: [Member must have length less than or equal to 100, Member must have length greater than or equal to 1]")
			return
		}
	}
}

// LabelParameterVersion attaches labels to a version (the latest if none
// is given), moving each from the version that had it.
func (s *Service) LabelParameterVersion(ctx context.Context, region string, in *LabelParameterVersionInput) (*LabelParameterVersionOutput, error) {
	region = s.region(region)
	var c constraints
	c.length(in.Name, "name", 1, maxNameLength, true)
	checkLabels(&c, in.Labels)
	if err := c.err(); err != nil {
		return nil, err
	}
	name := trimName(*in.Name)
	if err := checkName(name); err != nil {
		return nil, err
	}
	key := keyOf(name)
	defer s.lock(region, key)()
	out := &LabelParameterVersionOutput{InvalidLabels: []string{}}
	err := s.update(ctx, region, key, func(h *head) (*head, bool, error) {
		out.InvalidLabels = []string{}
		if h == nil || h.Deleted {
			return nil, false, notFound(name)
		}
		v := h.Cur.Version
		if in.ParameterVersion != nil {
			v = *in.ParameterVersion
		}
		if v < h.Oldest || v > h.Cur.Version {
			return nil, false, versionNotFound(strconv.FormatInt(v, 10), name)
		}
		out.ParameterVersion = v
		nh := h.clone()
		changed := false
		for _, l := range in.Labels {
			if !validLabel(l) {
				out.InvalidLabels = append(out.InvalidLabels, l)
				continue
			}
			if old, ok := nh.Labels[l]; !ok || old != v {
				nh.Labels[l] = v
				changed = true
			}
		}
		if len(nh.labelsOf(v)) > 10 {
			return nil, false, apiError(errLabelLimit, "A parameter version can have maximum 10 labels. Move one or more labels to another version and try again.")
		}
		if !changed {
			return nil, false, nil
		}
		return nh, false, nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UnlabelParameterVersion removes labels from a version.
func (s *Service) UnlabelParameterVersion(ctx context.Context, region string, in *UnlabelParameterVersionInput) (*UnlabelParameterVersionOutput, error) {
	region = s.region(region)
	var c constraints
	c.length(in.Name, "name", 1, maxNameLength, true)
	if in.ParameterVersion == nil {
		c.null("parameterVersion")
	}
	checkLabels(&c, in.Labels)
	if err := c.err(); err != nil {
		return nil, err
	}
	name := trimName(*in.Name)
	if err := checkName(name); err != nil {
		return nil, err
	}
	key := keyOf(name)
	defer s.lock(region, key)()
	out := &UnlabelParameterVersionOutput{}
	err := s.update(ctx, region, key, func(h *head) (*head, bool, error) {
		out.RemovedLabels, out.InvalidLabels = []string{}, []string{}
		if h == nil || h.Deleted {
			return nil, false, notFound(name)
		}
		v := *in.ParameterVersion
		if v < h.Oldest || v > h.Cur.Version {
			return nil, false, versionNotFound(strconv.FormatInt(v, 10), name)
		}
		nh := h.clone()
		for _, l := range in.Labels {
			if lv, ok := nh.Labels[l]; ok && lv == v {
				delete(nh.Labels, l)
				out.RemovedLabels = append(out.RemovedLabels, l)
			} else {
				out.InvalidLabels = append(out.InvalidLabels, l)
			}
		}
		if len(out.RemovedLabels) == 0 {
			return nil, false, nil
		}
		return nh, false, nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

var resourceTypes = []string{"Document", "ManagedInstance", "MaintenanceWindow", "Parameter", "PatchBaseline", "OpsItem", "OpsMetadata", "Automation", "Association"}

// taggedParameter resolves the resource of a tagging request to a
// parameter's key.
func (s *Service) taggedParameter(region string, typ, id *string) (string, error) {
	if deref(typ) != "Parameter" {
		for _, t := range resourceTypes {
			if deref(typ) == t {
				return "", apiError(errResourceID, "eddy has no %s resources; only parameters can be tagged.", t)
			}
		}
		return "", apiError(errResourceType, "The resource type isn't valid.")
	}
	r, ok, err := parseRef(deref(id), region, s.cfg.Account)
	if err != nil || !ok || r.Foreign || r.Selector != "" {
		return "", apiError(errResourceID, "The resource ID isn't valid. Verify that you entered the correct ID and try again.")
	}
	return keyOf(r.Name), nil
}

func checkTagRequest(c *constraints, typ, id *string) {
	if typ == nil {
		c.null("resourceType")
	}
	if id == nil {
		c.null("resourceId")
	}
}

// AddTagsToResource adds tags to a parameter or changes their values.
func (s *Service) AddTagsToResource(ctx context.Context, region string, in *AddTagsToResourceInput) (*Empty, error) {
	region = s.region(region)
	var c constraints
	checkTagRequest(&c, in.ResourceType, in.ResourceId)
	if in.Tags == nil {
		c.null("tags")
	} else if len(in.Tags) > 1000 {
		c.add("'[...]'", "tags", "Member must have length less than or equal to 1000")
	}
	checkTags(&c, in.Tags, "tags")
	if err := c.err(); err != nil {
		return nil, err
	}
	key, err := s.taggedParameter(region, in.ResourceType, in.ResourceId)
	if err != nil {
		return nil, err
	}
	defer s.lock(region, key)()
	err = s.update(ctx, region, key, func(h *head) (*head, bool, error) {
		if h == nil || h.Deleted {
			return nil, false, apiError(errResourceID, "The resource ID isn't valid. Verify that you entered the correct ID and try again.")
		}
		nh := h.clone()
		for _, t := range in.Tags {
			nh.Tags = setTag(nh.Tags, t)
		}
		if len(nh.Tags) > maxTagsPerParam {
			return nil, false, apiError(errTooManyTags, "A parameter can have at most %d tags.", maxTagsPerParam)
		}
		return nh, false, nil
	})
	if err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

// RemoveTagsFromResource removes tags from a parameter.
func (s *Service) RemoveTagsFromResource(ctx context.Context, region string, in *RemoveTagsFromResourceInput) (*Empty, error) {
	region = s.region(region)
	var c constraints
	checkTagRequest(&c, in.ResourceType, in.ResourceId)
	if in.TagKeys == nil {
		c.null("tagKeys")
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	key, err := s.taggedParameter(region, in.ResourceType, in.ResourceId)
	if err != nil {
		return nil, err
	}
	defer s.lock(region, key)()
	err = s.update(ctx, region, key, func(h *head) (*head, bool, error) {
		if h == nil || h.Deleted {
			return nil, false, apiError(errResourceID, "The resource ID isn't valid. Verify that you entered the correct ID and try again.")
		}
		nh := h.clone()
		kept := nh.Tags[:0]
		for _, t := range nh.Tags {
			drop := false
			for _, k := range in.TagKeys {
				drop = drop || t.Key == k
			}
			if !drop {
				kept = append(kept, t)
			}
		}
		if len(kept) == len(h.Tags) {
			return nil, false, nil
		}
		nh.Tags = kept
		return nh, false, nil
	})
	if err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

// ListTagsForResource returns a parameter's tags.
func (s *Service) ListTagsForResource(ctx context.Context, region string, in *ListTagsForResourceInput) (*ListTagsForResourceOutput, error) {
	region = s.region(region)
	var c constraints
	checkTagRequest(&c, in.ResourceType, in.ResourceId)
	if err := c.err(); err != nil {
		return nil, err
	}
	key, err := s.taggedParameter(region, in.ResourceType, in.ResourceId)
	if err != nil {
		return nil, err
	}
	h, _, err := s.current(ctx, region, key)
	if err != nil {
		return nil, err
	}
	if h == nil {
		return nil, apiError(errResourceID, "The resource ID isn't valid. Verify that you entered the correct ID and try again.")
	}
	tags := append([]Tag{}, h.Tags...)
	return &ListTagsForResourceOutput{TagList: tags}, nil
}

// Tokens are opaque to clients: base64 of the kind of listing and where
// the next page begins.
func encodeToken(kind, after string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("eddy1:" + kind + ":" + after))
}

func decodeToken(t *string, kind string) (string, error) {
	if t == nil || *t == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(*t)
	after, ok := strings.CutPrefix(string(b), "eddy1:"+kind+":")
	if err != nil || !ok {
		return "", apiError(errInvalidToken, "The specified token isn't valid.")
	}
	return after, nil
}
