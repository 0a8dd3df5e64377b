package eventbus

import (
	"context"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/eddyserverless/eddy"
	"github.com/nats-io/nats.go/jetstream"
)

// Keys of the catalog: each name part is base32hex-encoded, since names
// may hold characters that keys may not.
var keyEnc = base32.HexEncoding.WithPadding(base32.NoPadding)

func enc(s string) string {
	if s == "" {
		return "-"
	}
	return keyEnc.EncodeToString([]byte(s))
}

func dec(s string) string {
	if s == "-" {
		return ""
	}
	b, _ := keyEnc.DecodeString(s)
	return string(b)
}

func busKey(name string) string          { return "bus." + enc(name) }
func ruleKey(bus, name string) string    { return "rule." + enc(bus) + "." + enc(name) }
func groupKey(name string) string        { return "group." + enc(name) }
func schedKey(group, name string) string { return "sched." + enc(group) + "." + enc(name) }

// DefaultBus is the bus every account has.
const DefaultBus = "default"

// busRecord is a stored event bus.
type busRecord struct {
	Name        string
	Description string `json:",omitempty"`
	Created     time.Time
	Modified    time.Time
	Tags        []Tag `json:",omitempty"`
}

// ruleRecord is a stored rule with its targets.
type ruleRecord struct {
	Name               string
	Bus                string
	EventPattern       string `json:",omitempty"`
	ScheduleExpression string `json:",omitempty"`
	State              string
	Description        string `json:",omitempty"`
	RoleArn            string `json:",omitempty"`
	Created            time.Time
	// Anchor is when the rule was created or last enabled: a rate()
	// schedule's ticks are Anchor plus whole periods.
	Anchor  time.Time
	Targets []Target `json:",omitempty"`
	Tags    []Tag    `json:",omitempty"`
}

func (s *Service) busArn(name string) string {
	return fmt.Sprintf("arn:aws:events:%s:%s:event-bus/%s", s.cfg.Region, s.cfg.Account, name)
}

func (s *Service) ruleArn(bus, name string) string {
	if bus == DefaultBus {
		return fmt.Sprintf("arn:aws:events:%s:%s:rule/%s", s.cfg.Region, s.cfg.Account, name)
	}
	return fmt.Sprintf("arn:aws:events:%s:%s:rule/%s/%s", s.cfg.Region, s.cfg.Account, bus, name)
}

func (r *ruleRecord) view(s *Service) Rule {
	return Rule{Name: r.Name, Arn: s.ruleArn(r.Bus, r.Name), EventPattern: r.EventPattern,
		ScheduleExpression: r.ScheduleExpression, State: r.State, Description: r.Description,
		RoleArn: r.RoleArn, EventBusName: r.Bus, CreatedBy: s.cfg.Account}
}

func notFound(format string, args ...any) error {
	return eddy.TypedErrorf(eddy.ENOTFOUND, "ResourceNotFoundException", format, args...)
}

func validation(format string, args ...any) error {
	return eddy.TypedErrorf(eddy.EVALIDATE, "ValidationException", format, args...)
}

// constraint is the message of a member that fails its model constraint.
func constraint(value, member, rule string) error {
	return validation("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: %s", value, member, rule)
}

var (
	ruleNameRE = regexp.MustCompile(`^[\.\-_A-Za-z0-9]+$`)
	busNameRE  = regexp.MustCompile(`^[/\.\-_A-Za-z0-9]+$`)
)

func checkRuleName(name, member string) error {
	switch {
	case name == "" || len(name) > 64:
		return constraint(name, member, "Member must have length less than or equal to 64 and greater than or equal to 1")
	case !ruleNameRE.MatchString(name):
		return constraint(name, member, `Member must satisfy regular expression pattern: [\.\-_A-Za-z0-9]+`)
	}
	return nil
}

func checkBusName(name, member string) error {
	switch {
	case name == "" || len(name) > 256:
		return constraint(name, member, "Member must have length less than or equal to 256 and greater than or equal to 1")
	case !busNameRE.MatchString(name):
		return constraint(name, member, `Member must satisfy regular expression pattern: [/\.\-_A-Za-z0-9]+`)
	}
	return nil
}

// busName is the bus a request's EventBusName names: a name or an ARN,
// and the default bus when empty.
func busName(s string) string {
	if s == "" {
		return DefaultBus
	}
	if strings.HasPrefix(s, "arn:") {
		if i := strings.Index(s, ":event-bus/"); i >= 0 {
			return s[i+len(":event-bus/"):]
		}
	}
	return s
}

// get reads and decodes one record; found is false when the key is absent.
func (s *Service) get(ctx context.Context, key string, v any) (rev uint64, found bool, err error) {
	ent, err := s.kv.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("eventbus: get %s: %w", key, err)
	}
	if err := json.Unmarshal(ent.Value(), v); err != nil {
		return 0, false, fmt.Errorf("eventbus: decode %s: %w", key, err)
	}
	return ent.Revision(), true, nil
}

// keys lists the keys under a prefix ("rule.X." …), sorted by name.
func (s *Service) keys(ctx context.Context, filter string) ([]string, error) {
	lister, err := s.kv.ListKeysFiltered(ctx, filter)
	if err != nil {
		if errors.Is(err, jetstream.ErrNoKeysFound) {
			return nil, nil
		}
		return nil, fmt.Errorf("eventbus: list %s: %w", filter, err)
	}
	var out []string
	for k := range lister.Keys() {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return lastName(out[i]) < lastName(out[j]) })
	return out, nil
}

func lastName(key string) string { return dec(key[strings.LastIndexByte(key, '.')+1:]) }

// update applies fn to a record under compare-and-set, retrying when
// another writer got there first.
func update[T any](ctx context.Context, s *Service, key string, missing func() error, fn func(*T) error) (*T, error) {
	for range 20 {
		var v T
		rev, found, err := s.get(ctx, key, &v)
		if err != nil {
			return nil, err
		}
		if !found {
			return nil, missing()
		}
		if err := fn(&v); err != nil {
			return nil, err
		}
		data, err := json.Marshal(&v)
		if err != nil {
			return nil, err
		}
		_, err = s.kv.Update(ctx, key, data, rev)
		if errors.Is(err, jetstream.ErrKeyRevisionMismatch) || errors.Is(err, jetstream.ErrKeyExists) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("eventbus: update %s: %w", key, err)
		}
		return &v, nil
	}
	return nil, eddy.TypedErrorf(eddy.ECONFLICT, "ConcurrentModificationException", "Another request modified the resource at the same time; retry.")
}

// page cuts a sorted list of names at a token and a limit.
func page(names []string, token string, limit, max int) (from, to int, next string) {
	if limit <= 0 || limit > max {
		limit = max
	}
	from = sort.SearchStrings(names, token)
	if token != "" && from < len(names) && names[from] == token {
		from++
	}
	to = min(from+limit, len(names))
	if to < len(names) {
		next = names[to-1]
	}
	return from, to, next
}
