package resources

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/eddyserverless/eddy"
)

// invalid returns the error CloudFormation reports for a property value
// that does not match its schema, naming the property by its path.
func invalid(path, format string, args ...any) *eddy.Error {
	return eddy.TypedErrorf(eddy.EVALIDATE, "ValidationError",
		"Property validation failure: [%s at {%s}]", fmt.Sprintf(format, args...), path)
}

// props reads resolved template properties, recording the first value of
// a wrong type; later reads return zero values. Paths name properties as
// CloudFormation does: /Code/S3Bucket, /KeySchema/0/KeyType.
type props struct {
	path string
	m    map[string]any
	err  *error
}

func newProps(m map[string]any) props {
	var err error
	return props{m: m, err: &err}
}

// failed records err if none is recorded yet.
func (p props) fail(name, format string, args ...any) {
	if *p.err == nil {
		*p.err = invalid(p.path+"/"+name, format, args...)
	}
}

// Err returns the first error recorded.
func (p props) Err() error { return *p.err }

func (p props) has(name string) bool {
	v, ok := p.m[name]
	return ok && v != nil
}

// only fails for any property not in names.
func (p props) only(names ...string) {
	var bad []string
	for k := range p.m {
		found := false
		for _, n := range names {
			if k == n {
				found = true
				break
			}
		}
		if !found {
			bad = append(bad, k)
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		p.fail(bad[0], "Encountered unsupported property %s", bad[0])
	}
}

// require fails for each of names not given.
func (p props) require(names ...string) {
	for _, n := range names {
		if !p.has(n) {
			p.fail(n, "Required property %s is missing", n)
		}
	}
}

func (p props) str(name string) string {
	v, ok := p.m[name]
	if !ok || v == nil {
		return ""
	}
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case int:
		return strconv.Itoa(v)
	case bool:
		return strconv.FormatBool(v)
	}
	p.fail(name, "Value does not match type {String}")
	return ""
}

// integer returns the property as an int, nil if not given. Numbers may
// be written as strings, as CloudFormation allows.
func (p props) integer(name string) *int {
	v, ok := p.m[name]
	if !ok || v == nil {
		return nil
	}
	var f float64
	switch v := v.(type) {
	case json.Number:
		var err error
		if f, err = v.Float64(); err != nil {
			p.fail(name, "Value does not match type {Integer}")
			return nil
		}
	case float64:
		f = v
	case int:
		f = float64(v)
	case string:
		var err error
		if f, err = strconv.ParseFloat(strings.TrimSpace(v), 64); err != nil {
			p.fail(name, "Value does not match type {Integer}")
			return nil
		}
	default:
		p.fail(name, "Value does not match type {Integer}")
		return nil
	}
	if f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		p.fail(name, "Value does not match type {Integer}")
		return nil
	}
	n := int(f)
	return &n
}

// boolean returns the property as a bool, nil if not given; "true" and
// "false" strings are accepted.
func (p props) boolean(name string) *bool {
	v, ok := p.m[name]
	if !ok || v == nil {
		return nil
	}
	var b bool
	switch v := v.(type) {
	case bool:
		b = v
	case string:
		switch strings.ToLower(v) {
		case "true":
			b = true
		case "false":
		default:
			p.fail(name, "Value does not match type {Boolean}")
			return nil
		}
	default:
		p.fail(name, "Value does not match type {Boolean}")
		return nil
	}
	return &b
}

func (p props) sub(name string) props {
	q := props{path: p.path + "/" + name, err: p.err}
	v, ok := p.m[name]
	if !ok || v == nil {
		return q
	}
	m, ok := v.(map[string]any)
	if !ok {
		p.fail(name, "Value does not match type {Object}")
		return q
	}
	q.m = m
	return q
}

func (p props) list(name string) []any {
	v, ok := p.m[name]
	if !ok || v == nil {
		return nil
	}
	l, ok := v.([]any)
	if !ok {
		p.fail(name, "Value does not match type {Array}")
	}
	return l
}

// objects returns a list of objects.
func (p props) objects(name string) []props {
	var out []props
	for i, v := range p.list(name) {
		q := props{path: fmt.Sprintf("%s/%s/%d", p.path, name, i), err: p.err}
		m, ok := v.(map[string]any)
		if !ok {
			p.fail(fmt.Sprintf("%s/%d", name, i), "Value does not match type {Object}")
			return nil
		}
		q.m = m
		out = append(out, q)
	}
	return out
}

// strs returns a list of strings.
func (p props) strs(name string) []string {
	l := p.list(name)
	if l == nil {
		return nil
	}
	out := make([]string, 0, len(l))
	for i, v := range l {
		q := props{path: p.path + "/" + name, m: map[string]any{strconv.Itoa(i): v}, err: p.err}
		out = append(out, q.str(strconv.Itoa(i)))
	}
	return out
}

// strMap returns an object of strings (Environment.Variables).
func (p props) strMap(name string) map[string]string {
	q := p.sub(name)
	if q.m == nil {
		return nil
	}
	out := make(map[string]string, len(q.m))
	for k := range q.m {
		out[k] = q.str(k)
	}
	return out
}

// tags returns a Tags list of {Key, Value} as a map.
func (p props) tags(name string) map[string]string {
	var out map[string]string
	for _, t := range p.objects(name) {
		t.only("Key", "Value")
		t.require("Key", "Value")
		if out == nil {
			out = map[string]string{}
		}
		out[t.str("Key")] = t.str("Value")
	}
	return out
}

// json returns the property as JSON text: a string as it is, anything
// else (a policy document written as YAML) marshalled.
func (p props) json(name string) string {
	v, ok := p.m[name]
	if !ok || v == nil {
		return ""
	}
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		p.fail(name, "Value does not match type {Json}")
		return ""
	}
	return string(b)
}

// changed reports whether any of names differs between the old and new
// properties.
func changed(old, cur map[string]any, names ...string) bool {
	for _, n := range names {
		a, _ := json.Marshal(old[n])
		b, _ := json.Marshal(cur[n])
		if string(a) != string(b) {
			return true
		}
	}
	return false
}

// number returns the property as a float64, 0 if not given.
func (p props) number(name string) float64 {
	v, ok := p.m[name]
	if !ok || v == nil {
		return 0
	}
	var s string
	switch v := v.(type) {
	case float64:
		return v
	case int:
		return float64(v)
	case json.Number:
		s = v.String()
	case string:
		s = v
	default:
		p.fail(name, "Value does not match type {Number}")
		return 0
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		p.fail(name, "Value does not match type {Number}")
	}
	return f
}
