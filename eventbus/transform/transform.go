// Package transform computes what an EventBridge target receives: the whole
// event, the part of it an InputPath selects, or the text of an
// InputTransformer's InputTemplate with its <placeholders> filled in from
// the event. It also validates those settings as PutTargets does.
package transform

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// The predefined variables an InputTemplate may use without declaring them
// in InputPathsMap.
const (
	RuleARN       = "aws.events.rule-arn"
	RuleName      = "aws.events.rule-name"
	IngestionTime = "aws.events.event.ingestion-time"
	Event         = "aws.events.event"      // the event without its detail field, as JSON
	EventJSON     = "aws.events.event.json" // the whole event, as JSON
)

// Limits of PutTargets.
const (
	MaxPaths          = 100  // entries of InputPathsMap
	MaxPathLength     = 256  // an InputPath or an InputPathsMap value
	MaxKeyLength      = 256  // an InputPathsMap key
	MaxTemplateLength = 8192 // an InputTemplate
)

// Transformer is a target's InputTransformer.
type Transformer struct {
	// InputPathsMap names values of the event: name → JSON path.
	InputPathsMap map[string]string
	// InputTemplate is the text sent to the target, with <name> replaced
	// by the value of name.
	InputTemplate string
}

// Error is an invalid target input setting; Message is the message of the
// ValidationException PutTargets returns.
type Error struct {
	Message string
}

func (e *Error) Error() string { return e.Message }

func errorf(format string, args ...any) error {
	return &Error{Message: fmt.Sprintf(format, args...)}
}

// ValidateTarget checks a target's input settings as PutTargets does: at
// most one of Input, InputPath and InputTransformer, Input valid JSON, and
// a valid InputPath or InputTransformer. input and inputPath are nil when
// not set.
func ValidateTarget(targetID string, input, inputPath *string, t *Transformer) error {
	n := 0
	for _, set := range []bool{input != nil, inputPath != nil, t != nil} {
		if set {
			n++
		}
	}
	if n > 1 {
		return errorf("Only one of Input, InputPath, or InputTransformer must be provided for target %s.", targetID)
	}
	switch {
	case input != nil:
		if !json.Valid([]byte(*input)) {
			return errorf("Input for target %s is not a valid JSON text.", targetID)
		}
	case inputPath != nil:
		if len(*inputPath) > MaxPathLength {
			return errorf("InputPath for target %s must have length less than or equal to %d.", targetID, MaxPathLength)
		}
		if _, err := parsePath(*inputPath, true); err != nil {
			return errorf("InputPath for target %s is not a valid JSON path: %s.", targetID, *inputPath)
		}
	case t != nil:
		return t.Validate(targetID)
	}
	return nil
}

var keyPattern = regexp.MustCompile(`^[A-Za-z0-9_\-]+$`)

// placeholderPattern finds the <name> placeholders of a template.
var placeholderPattern = regexp.MustCompile(`<([A-Za-z0-9_.\-]+)>`)

func reservedName(name string) bool {
	switch name {
	case RuleARN, RuleName, IngestionTime, Event, EventJSON:
		return true
	}
	return false
}

// Validate checks t as PutTargets does for the target targetID.
func (t *Transformer) Validate(targetID string) error {
	if len(t.InputPathsMap) > MaxPaths {
		return errorf("InputPathsMap for target %s must have at most %d entries.", targetID, MaxPaths)
	}
	for key, path := range t.InputPathsMap {
		if len(key) > MaxKeyLength || !keyPattern.MatchString(key) {
			return errorf("InputPathsMap for target %s has an invalid key: %s.", targetID, key)
		}
		if strings.HasPrefix(strings.ToLower(key), "aws.") || reservedName(key) {
			return errorf("InputPathsMap for target %s has a reserved key: %s.", targetID, key)
		}
		if len(path) > MaxPathLength {
			return errorf("InputPathsMap for target %s: the path of %s must have length less than or equal to %d.", targetID, key, MaxPathLength)
		}
		if _, err := parsePath(path, false); err != nil {
			return errorf("InputPathsMap for target %s: %s is not a valid JSON path: %s.", targetID, key, path)
		}
	}
	if n := len(t.InputTemplate); n < 1 || n > MaxTemplateLength {
		return errorf("InputTemplate for target %s must have length between 1 and %d.", targetID, MaxTemplateLength)
	}
	jsonTemplate := isJSONTemplate(t.InputTemplate)
	var bad error
	scan(t.InputTemplate, func(name string, inString bool) string {
		if bad != nil {
			return ""
		}
		if _, ok := t.InputPathsMap[name]; ok && !reservedName(name) {
			return ""
		}
		switch name {
		case RuleARN, RuleName, IngestionTime:
		case Event, EventJSON:
			if !jsonTemplate || inString {
				bad = errorf("InputTemplate for target %s contains placeholder %s valid only for JSON template.", targetID, name)
			}
		default:
			bad = errorf("InputTemplate for target %s contains invalid placeholder %s.", targetID, name)
		}
		return ""
	})
	return bad
}

// isJSONTemplate reports whether a template is a JSON object or array, in
// which placeholders outside strings stand for JSON values.
func isJSONTemplate(s string) bool {
	s = strings.TrimSpace(s)
	return strings.HasPrefix(s, "{") || strings.HasPrefix(s, "[")
}

// scan calls fill for each placeholder of template, in order, telling it
// whether the placeholder is inside a double-quoted string, and returns
// the template with each placeholder replaced by what fill returned.
func scan(template string, fill func(name string, inString bool) string) string {
	var out strings.Builder
	inString := false
	for i := 0; i < len(template); {
		c := template[i]
		switch {
		case c == '\\' && inString && i+1 < len(template):
			out.WriteString(template[i : i+2])
			i += 2
			continue
		case c == '"':
			inString = !inString
		case c == '<':
			if m := placeholderPattern.FindStringSubmatchIndex(template[i:]); m != nil && m[0] == 0 {
				out.WriteString(fill(template[i+m[2]:i+m[3]], inString))
				i += m[1]
				continue
			}
		}
		out.WriteByte(c)
		i++
	}
	return out.String()
}

// Apply returns what a target receives for event: the event itself when
// neither inputPath nor t is set, the value inputPath selects (null when
// the event has none), or t's rendered template. reserved holds the values
// of RuleARN, RuleName and IngestionTime (the event's time when absent);
// Event and EventJSON come from the event unless reserved has them. A
// rendered template that is not valid JSON is delivered as a JSON string.
func Apply(event []byte, inputPath string, t *Transformer, reserved map[string]string) ([]byte, error) {
	if t == nil && inputPath == "" {
		return event, nil
	}
	ev, err := decode(event)
	if err != nil {
		return nil, fmt.Errorf("decode event: %w", err)
	}
	if t == nil {
		if inputPath == "$" {
			return event, nil
		}
		p, err := parsePath(inputPath, true)
		if err != nil {
			return nil, errorf("InputPath is not a valid JSON path: %s.", inputPath)
		}
		v, ok := p.eval(ev)
		if !ok {
			return []byte("null"), nil
		}
		return marshal(v), nil
	}
	text, err := Render(ev, event, t, reserved)
	if err != nil {
		return nil, err
	}
	if json.Valid([]byte(text)) {
		return []byte(text), nil
	}
	return marshal(text), nil
}

// Render fills in t's template for the decoded event ev (raw is its JSON
// text). Inside a double-quoted string a placeholder becomes the value's
// text (a string without quotes, other values as JSON), escaped for the
// string; outside strings it becomes the value as JSON when the template is
// a JSON object or array and the value's text otherwise. A path the event
// does not have gives an empty text, or null as a JSON value.
func Render(ev any, raw []byte, t *Transformer, reserved map[string]string) (string, error) {
	values := make(map[string]any, len(t.InputPathsMap))
	for name, path := range t.InputPathsMap {
		p, err := parsePath(path, false)
		if err != nil {
			return "", errorf("InputPathsMap: %s is not a valid JSON path: %s.", name, path)
		}
		if v, ok := p.eval(ev); ok {
			values[name] = v
		}
	}
	lookup := func(name string) (v any, rawJSON []byte, ok bool) {
		if s, ok := reserved[name]; ok {
			if name == Event || name == EventJSON {
				return nil, []byte(s), true
			}
			return s, nil, true
		}
		switch name {
		case RuleARN, RuleName:
			return "", nil, true
		case IngestionTime:
			obj, _ := ev.(map[string]any)
			s, _ := obj["time"].(string)
			return s, nil, true
		case EventJSON:
			return nil, bytes.TrimSpace(raw), true
		case Event:
			obj, _ := ev.(map[string]any)
			without := make(map[string]any, len(obj))
			for k, v := range obj {
				if k != "detail" {
					without[k] = v
				}
			}
			return nil, marshal(without), true
		}
		v, ok = values[name]
		if _, declared := t.InputPathsMap[name]; declared {
			return v, nil, ok
		}
		return nil, nil, false
	}
	jsonTemplate := isJSONTemplate(t.InputTemplate)
	out := scan(t.InputTemplate, func(name string, inString bool) string {
		v, rawJSON, ok := lookup(name)
		_, declared := t.InputPathsMap[name]
		if !ok && !declared {
			return "<" + name + ">" // not a variable: left as it is
		}
		var text string
		switch {
		case rawJSON != nil:
			text = string(rawJSON)
		case !ok:
			if jsonTemplate && !inString {
				return "null"
			}
			return ""
		case jsonTemplate && !inString:
			return string(marshal(v))
		default:
			if s, isString := v.(string); isString {
				text = s
			} else {
				text = string(marshal(v))
			}
		}
		if inString {
			q := marshal(text)
			return string(q[1 : len(q)-1])
		}
		return text
	})
	return out, nil
}

func decode(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("data after the JSON value")
	}
	return v, nil
}

// marshal encodes v as JSON without escaping <, > and &.
func marshal(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only decoded JSON and strings reach here.
		return []byte("null")
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// path is a parsed JSON path: $ followed by steps.
type path []step

// step is .name (or ['name']), [n], or a wildcard .* or [*].
type step struct {
	name     string
	index    int // -1 unless [n]
	wildcard bool
}

// parsePath parses the JSON paths EventBridge supports: $, then .name,
// [n], .* and [*]; brackets around names (['name']) only when brackets is
// true (InputPath; InputPathsMap takes dot notation).
func parsePath(s string, brackets bool) (path, error) {
	if !strings.HasPrefix(s, "$") {
		return nil, fmt.Errorf("a JSON path starts with $")
	}
	var p path
	for i := 1; i < len(s); {
		switch s[i] {
		case '.':
			i++
			if i < len(s) && s[i] == '*' {
				p = append(p, step{index: -1, wildcard: true})
				i++
				continue
			}
			j := i
			for j < len(s) && nameByte(s[j]) {
				j++
			}
			if j == i {
				return nil, fmt.Errorf("empty name at %d", i)
			}
			p = append(p, step{name: s[i:j], index: -1})
			i = j
		case '[':
			end := strings.IndexByte(s[i:], ']')
			if end < 0 {
				return nil, fmt.Errorf("unclosed [ at %d", i)
			}
			inner := s[i+1 : i+end]
			switch {
			case inner == "*":
				p = append(p, step{index: -1, wildcard: true})
			case len(inner) >= 2 && (inner[0] == '\'' || inner[0] == '"') && inner[len(inner)-1] == inner[0]:
				if !brackets || strings.ContainsAny(inner[1:len(inner)-1], `'"`) {
					return nil, fmt.Errorf("bracket notation at %d", i)
				}
				p = append(p, step{name: inner[1 : len(inner)-1], index: -1})
			default:
				n, err := strconv.Atoi(inner)
				if err != nil || n < 0 || strings.HasPrefix(inner, "+") {
					return nil, fmt.Errorf("bad index at %d", i)
				}
				p = append(p, step{index: n})
			}
			i += end + 1
		default:
			return nil, fmt.Errorf("unexpected %q at %d", s[i], i)
		}
	}
	return p, nil
}

// nameByte reports whether c may appear in a dotted name.
func nameByte(c byte) bool {
	switch c {
	case '.', '[', ']', '*', '\'', '"', ' ', '\t', '\n', '\r':
		return false
	}
	return c >= 0x20
}

// eval returns the value p selects in v. A path with a wildcard selects
// the array of all the values it reaches.
func (p path) eval(v any) (any, bool) {
	wild := false
	for _, s := range p {
		wild = wild || s.wildcard
	}
	cur := []any{v}
	for _, s := range p {
		var next []any
		for _, c := range cur {
			switch {
			case s.wildcard:
				switch c := c.(type) {
				case []any:
					next = append(next, c...)
				case map[string]any:
					keys := make([]string, 0, len(c))
					for k := range c {
						keys = append(keys, k)
					}
					sort.Strings(keys) // the decoded event has lost its order
					for _, k := range keys {
						next = append(next, c[k])
					}
				}
			case s.index >= 0:
				if arr, ok := c.([]any); ok && s.index < len(arr) {
					next = append(next, arr[s.index])
				}
			default:
				if obj, ok := c.(map[string]any); ok {
					if e, ok := obj[s.name]; ok {
						next = append(next, e)
					}
				}
			}
		}
		cur = next
	}
	if wild {
		if cur == nil {
			cur = []any{}
		}
		return cur, true
	}
	if len(cur) == 0 {
		return nil, false
	}
	return cur[0], true
}
