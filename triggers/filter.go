package triggers

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// This file is Lambda's event filtering pattern language, the one
// FilterCriteria patterns are written in (EventBridge's, without
// wildcard and cidr). A pattern is a JSON object that mirrors the event:
// an object value matches the event's object at that key, an array value
// lists the matchers of a field, any one of which must match. Every key
// must match (and); "$or" takes a list of patterns, one of which must
// match. The matchers:
//
//	"s", 5, true, null           the field equals the value (numbers compare numerically)
//	{"prefix": "s"}              a string starting with s; {"prefix": {"equals-ignore-case": "s"}} too
//	{"suffix": "s"}              a string ending with s; {"suffix": {"equals-ignore-case": "s"}} too
//	{"equals-ignore-case": "s"}  a string equal to s, ignoring case
//	{"anything-but": v}          present and not v: a value, a list of values, or a prefix,
//	                             suffix or equals-ignore-case matcher
//	{"numeric": [">", 0, "<=", 5]}  a number in range; also ["=", 5] or a single bound
//	{"exists": true|false}       the field is present (as a value, not an object) or not
//
// Where the event holds an array, a matcher matches if any element does.

// Pattern is a parsed event filtering pattern.
type Pattern struct {
	root *patternNode
}

// patternNode is the pattern of one object: its fields and its $or groups.
type patternNode struct {
	keys   []string // sorted, for a deterministic match order
	fields map[string]*patternField
	ors    [][]*patternNode
}

// patternField is either a nested object pattern or a list of matchers.
type patternField struct {
	sub      *patternNode
	matchers []matcher
}

type matchKind int

const (
	mExact matchKind = iota
	mPrefix
	mSuffix
	mIgnoreCase
	mAnythingBut
	mNumeric
	mExists
)

// matcher is one element of a field's list.
type matcher struct {
	kind matchKind
	// value is the exact value: a string, a float64, a bool or nil.
	value any
	// str is the string of prefix, suffix and equals-ignore-case;
	// fold makes prefix and suffix ignore case.
	str  string
	fold bool
	// not holds the values or the one string matcher anything-but
	// excludes.
	not []matcher
	// lo, hi bound a numeric range; loIncl, hiIncl say whether the bound
	// itself is in.
	lo, hi         float64
	loIncl, hiIncl bool
	exists         bool
}

// errPattern is the message of every invalid pattern, as Lambda gives it.
var errPattern = errors.New("invalid filter pattern definition")

// maxNumeric bounds the numbers a pattern may hold, as EventBridge does.
const maxNumeric = 5e9

// maxPatternDepth bounds the nesting of a pattern.
const maxPatternDepth = 64

// ParsePattern parses a filtering pattern.
func ParsePattern(s string) (*Pattern, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("%w: %v", errPattern, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: data after the pattern", errPattern)
	}
	obj, ok := v.(map[string]any)
	if !ok || len(obj) == 0 {
		return nil, fmt.Errorf("%w: a pattern is a non-empty JSON object", errPattern)
	}
	root, err := parseNode(obj, 0)
	if err != nil {
		return nil, err
	}
	return &Pattern{root: root}, nil
}

func parseNode(obj map[string]any, depth int) (*patternNode, error) {
	if depth > maxPatternDepth {
		return nil, fmt.Errorf("%w: nested too deeply", errPattern)
	}
	n := &patternNode{fields: map[string]*patternField{}}
	for k, v := range obj {
		if k == "$or" {
			alts, ok := v.([]any)
			if !ok || len(alts) < 2 {
				return nil, fmt.Errorf("%w: $or takes a list of at least two patterns", errPattern)
			}
			var group []*patternNode
			for _, a := range alts {
				ao, ok := a.(map[string]any)
				if !ok || len(ao) == 0 {
					return nil, fmt.Errorf("%w: $or takes a list of patterns", errPattern)
				}
				sub, err := parseNode(ao, depth+1)
				if err != nil {
					return nil, err
				}
				group = append(group, sub)
			}
			n.ors = append(n.ors, group)
			continue
		}
		switch v := v.(type) {
		case map[string]any:
			if len(v) == 0 {
				return nil, fmt.Errorf("%w: empty object at %q", errPattern, k)
			}
			sub, err := parseNode(v, depth+1)
			if err != nil {
				return nil, err
			}
			n.fields[k] = &patternField{sub: sub}
		case []any:
			if len(v) == 0 {
				return nil, fmt.Errorf("%w: empty list at %q", errPattern, k)
			}
			f := &patternField{}
			for _, e := range v {
				m, err := parseMatcher(e)
				if err != nil {
					return nil, fmt.Errorf("%w at %q", err, k)
				}
				f.matchers = append(f.matchers, m)
			}
			n.fields[k] = f
		default:
			return nil, fmt.Errorf("%w: the value of %q must be an object or a list", errPattern, k)
		}
		n.keys = append(n.keys, k)
	}
	sort.Strings(n.keys)
	return n, nil
}

// scalar converts a decoded JSON scalar to a matcher value.
func scalar(v any) (any, bool) {
	switch v := v.(type) {
	case nil, string, bool:
		return v, true
	case json.Number:
		f, err := strconv.ParseFloat(string(v), 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, false
		}
		return f, true
	}
	return nil, false
}

func parseMatcher(e any) (matcher, error) {
	obj, ok := e.(map[string]any)
	if !ok {
		v, ok := scalar(e)
		if !ok {
			return matcher{}, fmt.Errorf("%w: a list holds values or matchers", errPattern)
		}
		return matcher{kind: mExact, value: v}, nil
	}
	if len(obj) != 1 {
		return matcher{}, fmt.Errorf("%w: a matcher has exactly one key", errPattern)
	}
	for k, v := range obj {
		switch k {
		case "prefix", "suffix":
			kind := map[string]matchKind{"prefix": mPrefix, "suffix": mSuffix}[k]
			return stringMatcher(kind, v, true)
		case "equals-ignore-case":
			return stringMatcher(mIgnoreCase, v, false)
		case "exists":
			b, ok := v.(bool)
			if !ok {
				return matcher{}, fmt.Errorf("%w: exists takes true or false", errPattern)
			}
			return matcher{kind: mExists, exists: b}, nil
		case "numeric":
			return numericMatcher(v)
		case "anything-but":
			return anythingBut(v)
		}
		return matcher{}, fmt.Errorf("%w: unknown matcher %q", errPattern, k)
	}
	panic("unreachable")
}

// stringMatcher parses the operand of prefix, suffix or
// equals-ignore-case; fold allows {"equals-ignore-case": "s"} there.
func stringMatcher(kind matchKind, v any, fold bool) (matcher, error) {
	if s, ok := v.(string); ok {
		return matcher{kind: kind, str: s}, nil
	}
	if obj, ok := v.(map[string]any); ok && fold && len(obj) == 1 {
		if s, ok := obj["equals-ignore-case"].(string); ok {
			return matcher{kind: kind, str: s, fold: true}, nil
		}
	}
	return matcher{}, fmt.Errorf("%w: the operand must be a string", errPattern)
}

func numericMatcher(v any) (matcher, error) {
	list, ok := v.([]any)
	if !ok || (len(list) != 2 && len(list) != 4) {
		return matcher{}, fmt.Errorf("%w: numeric takes one or two comparisons", errPattern)
	}
	m := matcher{kind: mNumeric, lo: math.Inf(-1), hi: math.Inf(1), loIncl: true, hiIncl: true}
	var seenLo, seenHi bool
	for i := 0; i < len(list); i += 2 {
		op, ok := list[i].(string)
		num, isNum := list[i+1].(json.Number)
		if !ok || !isNum {
			return matcher{}, fmt.Errorf("%w: numeric takes operator and number pairs", errPattern)
		}
		f, err := strconv.ParseFloat(string(num), 64)
		if err != nil || math.Abs(f) > maxNumeric {
			return matcher{}, fmt.Errorf("%w: numeric values lie between -5e9 and 5e9", errPattern)
		}
		switch op {
		case "=":
			if len(list) != 2 {
				return matcher{}, fmt.Errorf("%w: = stands alone", errPattern)
			}
			m.lo, m.hi = f, f
			seenLo, seenHi = true, true
		case ">", ">=":
			if seenLo {
				return matcher{}, fmt.Errorf("%w: two lower bounds", errPattern)
			}
			m.lo, m.loIncl, seenLo = f, op == ">=", true
		case "<", "<=":
			if seenHi {
				return matcher{}, fmt.Errorf("%w: two upper bounds", errPattern)
			}
			m.hi, m.hiIncl, seenHi = f, op == "<=", true
		default:
			return matcher{}, fmt.Errorf("%w: unknown operator %q", errPattern, op)
		}
	}
	if m.lo > m.hi {
		return matcher{}, fmt.Errorf("%w: empty range", errPattern)
	}
	return m, nil
}

func anythingBut(v any) (matcher, error) {
	m := matcher{kind: mAnythingBut}
	switch v := v.(type) {
	case []any:
		if len(v) == 0 {
			return matcher{}, fmt.Errorf("%w: anything-but takes a non-empty list", errPattern)
		}
		for _, e := range v {
			s, ok := scalar(e)
			if !ok || s == nil {
				return matcher{}, fmt.Errorf("%w: anything-but lists strings or numbers", errPattern)
			}
			if _, isBool := s.(bool); isBool {
				return matcher{}, fmt.Errorf("%w: anything-but lists strings or numbers", errPattern)
			}
			m.not = append(m.not, matcher{kind: mExact, value: s})
		}
	case map[string]any:
		if len(v) != 1 {
			return matcher{}, fmt.Errorf("%w: anything-but takes one matcher", errPattern)
		}
		for k, op := range v {
			var inner matcher
			var err error
			switch k {
			case "prefix":
				inner, err = stringMatcher(mPrefix, op, false)
			case "suffix":
				inner, err = stringMatcher(mSuffix, op, false)
			case "equals-ignore-case":
				if list, ok := op.([]any); ok && len(list) > 0 {
					for _, e := range list {
						im, err := stringMatcher(mIgnoreCase, e, false)
						if err != nil {
							return matcher{}, err
						}
						m.not = append(m.not, im)
					}
					return m, nil
				}
				inner, err = stringMatcher(mIgnoreCase, op, false)
			default:
				err = fmt.Errorf("%w: anything-but does not take %q", errPattern, k)
			}
			if err != nil {
				return matcher{}, err
			}
			m.not = append(m.not, inner)
		}
	default:
		s, ok := scalar(v)
		if !ok || s == nil {
			return matcher{}, fmt.Errorf("%w: anything-but takes a string or a number", errPattern)
		}
		if _, isBool := s.(bool); isBool {
			return matcher{}, fmt.Errorf("%w: anything-but takes a string or a number", errPattern)
		}
		m.not = []matcher{{kind: mExact, value: s}}
	}
	return m, nil
}

// Match reports whether the event (JSON) matches the pattern. An event
// that is not a JSON object matches nothing.
func (p *Pattern) Match(event []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(event))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return false
	}
	return p.MatchValue(v)
}

// MatchValue is Match for an event already decoded (with UseNumber).
func (p *Pattern) MatchValue(event any) bool {
	obj, ok := event.(map[string]any)
	if !ok {
		return false
	}
	return p.root.match(obj)
}

func (n *patternNode) match(obj map[string]any) bool {
	for _, k := range n.keys {
		f := n.fields[k]
		v, present := obj[k]
		if f.sub != nil {
			if !matchSub(f.sub, v, present) {
				return false
			}
			continue
		}
		if !f.matchLeaf(v, present) {
			return false
		}
	}
	for _, group := range n.ors {
		held := false
		for _, alt := range group {
			if alt.match(obj) {
				held = true
				break
			}
		}
		if !held {
			return false
		}
	}
	return true
}

// matchSub matches a nested pattern: against the object, against any
// object of an array, or, for an absent field, against nothing (so that
// exists:false inside holds).
func matchSub(sub *patternNode, v any, present bool) bool {
	switch v := v.(type) {
	case map[string]any:
		return sub.match(v)
	case []any:
		for _, e := range v {
			if o, ok := e.(map[string]any); ok && sub.match(o) {
				return true
			}
		}
		return false
	}
	if !present {
		return sub.match(map[string]any{})
	}
	return false
}

// matchLeaf matches a field's list of matchers against its value.
func (f *patternField) matchLeaf(v any, present bool) bool {
	var values []any
	if present {
		if list, ok := v.([]any); ok {
			for _, e := range list {
				if s, ok := scalar(e); ok {
					values = append(values, s)
				}
			}
		} else if s, ok := scalar(v); ok {
			values = []any{s}
		}
	}
	for _, m := range f.matchers {
		if m.kind == mExists {
			if m.exists == (len(values) > 0) {
				return true
			}
			continue
		}
		for _, val := range values {
			if m.matches(val) {
				return true
			}
		}
	}
	return false
}

func (m matcher) matches(v any) bool {
	switch m.kind {
	case mExact:
		return v == m.value
	case mPrefix, mSuffix, mIgnoreCase:
		s, ok := v.(string)
		if !ok {
			return false
		}
		switch {
		case m.kind == mIgnoreCase:
			return strings.EqualFold(s, m.str)
		case m.kind == mPrefix && m.fold:
			return len(s) >= len(m.str) && strings.EqualFold(s[:len(m.str)], m.str)
		case m.kind == mPrefix:
			return strings.HasPrefix(s, m.str)
		case m.fold:
			return len(s) >= len(m.str) && strings.EqualFold(s[len(s)-len(m.str):], m.str)
		default:
			return strings.HasSuffix(s, m.str)
		}
	case mAnythingBut:
		if v == nil {
			return false
		}
		for _, n := range m.not {
			if n.matches(v) {
				return false
			}
		}
		return true
	case mNumeric:
		f, ok := v.(float64)
		if !ok {
			return false
		}
		if f < m.lo || (f == m.lo && !m.loIncl) {
			return false
		}
		return f < m.hi || (f == m.hi && m.hiIncl)
	}
	return false
}
