// Package pattern compiles and matches EventBridge event patterns.
//
// A pattern is a JSON object whose fields mirror an event's. A field whose
// value is an object matches the event's field of that name with the
// nested pattern; a field whose value is an array lists the filters of a
// leaf, any one of which may match: exact strings, numbers (compared as
// numbers), booleans and null, and the objects prefix, suffix,
// equals-ignore-case, wildcard, anything-but, numeric, exists and cidr.
// "$or" lists alternative patterns for the object it is in. When an
// event's value is an array, the pattern matches when it matches any
// element; the fields of one nested pattern must all match within the same
// element.
package pattern

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
)

// MaxLength is the length limit of PutRule's EventPattern. (AWS's default
// quota is 2048 characters, raised to at most 4096 on request.)
const MaxLength = 4096

// Exception names, for Error.Exception.
const (
	InvalidEventPattern = "InvalidEventPatternException"
	Validation          = "ValidationException"
)

// Error is a pattern that does not compile: the AWS exception and its
// message.
type Error struct {
	Exception string // InvalidEventPattern or Validation
	Message   string
}

func (e *Error) Error() string { return e.Message }

func invalid(format string, args ...any) error {
	return &Error{Exception: InvalidEventPattern, Message: "Event pattern is not valid. Reason: " + fmt.Sprintf(format, args...)}
}

// Pattern is a compiled event pattern.
type Pattern struct {
	root *node
}

// node is a nested pattern: every field and every $or group must match.
type node struct {
	fields []*fieldPattern
	ors    [][]*node
}

// fieldPattern is one field of a nested pattern: either a nested pattern or
// the filters of a leaf.
type fieldPattern struct {
	name    string
	sub     *node
	filters []filter
}

// filter is one element of a leaf's array. vals are the event's scalar
// values at the leaf (array elements flattened); none when the field is
// absent.
type filter interface {
	match(vals []any) bool
}

// Compile parses an event pattern (a JSON object). Its error is an *Error
// whose Message is that of EventBridge's InvalidEventPatternException
// ("Event pattern is not valid. Reason: …"), or a ValidationException for
// a pattern longer than MaxLength.
func Compile(src string) (*Pattern, error) {
	if len(src) > MaxLength {
		return nil, &Error{Exception: Validation, Message: fmt.Sprintf("1 validation error detected: Value at 'eventPattern' failed to satisfy constraint: Member must have length less than or equal to %d", MaxLength)}
	}
	return compile(src, false)
}

// CompileFilter parses a pattern of Lambda's event filtering (an event
// source mapping's FilterCriteria): EventBridge's language without the
// wildcard and cidr matchers, which Lambda does not accept.
func CompileFilter(src string) (*Pattern, error) {
	if len(src) > MaxLength {
		return nil, &Error{Exception: Validation, Message: fmt.Sprintf("1 validation error detected: Value at 'filterCriteria.filters.member.pattern' failed to satisfy constraint: Member must have length less than or equal to %d", MaxLength)}
	}
	return compile(src, true)
}

func compile(src string, filter bool) (*Pattern, error) {
	p := &parser{dec: json.NewDecoder(strings.NewReader(src)), filter: filter}
	p.dec.UseNumber()
	root, err := p.pattern()
	if err != nil {
		return nil, err
	}
	return &Pattern{root: root}, nil
}

// maxNumeric bounds the operands of numeric matching, as EventBridge does.
const maxNumeric = 5e9

type parser struct {
	dec *json.Decoder
	// filter restricts the language to Lambda's event filtering dialect.
	filter bool
}

func (p *parser) token() (json.Token, error) {
	t, err := p.dec.Token()
	if err != nil {
		return nil, invalid("Invalid JSON")
	}
	return t, nil
}

func (p *parser) pattern() (*node, error) {
	t, err := p.dec.Token()
	if err != nil && err != io.EOF {
		return nil, invalid("Invalid JSON")
	}
	if t != json.Delim('{') {
		return nil, invalid("Filter is not an object")
	}
	n, err := p.object(false)
	if err != nil {
		return nil, err
	}
	if _, err := p.dec.Token(); err != io.EOF {
		return nil, invalid("Invalid JSON")
	}
	return n, nil
}

// reservedInOr are the names a field inside $or may not have.
var reservedInOr = map[string]bool{
	"exact": true, "equals-ignore-case": true, "prefix": true, "suffix": true, "anything-but": true,
	"exists": true, "wildcard": true, "numeric": true, "cidr": true,
	"=": true, "<": true, "<=": true, ">": true, ">=": true,
	"regex": true, "not-wildcard": true, "not-equals-ignore-case": true,
}

// object parses the rest of an object whose '{' has been read.
func (p *parser) object(inOr bool) (*node, error) {
	n := &node{}
	for {
		t, err := p.token()
		if err != nil {
			return nil, err
		}
		if t == json.Delim('}') {
			break
		}
		name, _ := t.(string)
		if name == "$or" {
			alts, err := p.or(inOr)
			if err != nil {
				return nil, err
			}
			n.ors = append(n.ors, alts)
			continue
		}
		if inOr && reservedInOr[name] {
			return nil, invalid("%s is Ruler reserved fieldName which cannot be used inside $or.", name)
		}
		t, err = p.token()
		if err != nil {
			return nil, err
		}
		f := &fieldPattern{name: name}
		switch t {
		case json.Delim('{'):
			if f.sub, err = p.object(inOr); err != nil {
				return nil, err
			}
		case json.Delim('['):
			if f.filters, err = p.leaf(); err != nil {
				return nil, err
			}
		default:
			return nil, invalid("%q must be an object or an array", name)
		}
		n.set(f)
	}
	if len(n.fields) == 0 && len(n.ors) == 0 {
		return nil, invalid("Empty objects are not allowed")
	}
	return n, nil
}

// set adds f to n; a later field of the same name replaces an earlier one.
func (n *node) set(f *fieldPattern) {
	for i, g := range n.fields {
		if g.name == f.name {
			n.fields[i] = f
			return
		}
	}
	n.fields = append(n.fields, f)
}

func (p *parser) or(inOr bool) ([]*node, error) {
	t, err := p.token()
	if err != nil {
		return nil, err
	}
	if t != json.Delim('[') {
		return nil, invalid("It must be an Array followed with $or.")
	}
	var alts []*node
	for {
		t, err := p.token()
		if err != nil {
			return nil, err
		}
		if t == json.Delim(']') {
			break
		}
		if t != json.Delim('{') {
			return nil, invalid("Only JSON object is allowed in array of $or relationship.")
		}
		n, err := p.object(true)
		if err != nil {
			return nil, err
		}
		alts = append(alts, n)
	}
	if len(alts) < 2 {
		return nil, invalid("There must have at least 2 Objects in $or relationship.")
	}
	return alts, nil
}

// leaf parses the rest of a leaf's array whose '[' has been read.
func (p *parser) leaf() ([]filter, error) {
	var fs []filter
	for {
		t, err := p.token()
		if err != nil {
			return nil, err
		}
		switch v := t.(type) {
		case json.Delim:
			switch v {
			case ']':
				if len(fs) == 0 {
					return nil, invalid("Empty arrays are not allowed")
				}
				return fs, nil
			case '{':
				f, err := p.matchExpression()
				if err != nil {
					return nil, err
				}
				fs = append(fs, f)
			default:
				return nil, invalid("Match value must be String, number, true, false, or null")
			}
		case string:
			fs = append(fs, newExactString(v))
		case json.Number:
			if f, err := strconv.ParseFloat(string(v), 64); err != nil || math.IsInf(f, 0) {
				return nil, invalid("Match value must be String, number, true, false, or null")
			}
			fs = append(fs, newExactNumber(v))
		case bool:
			fs = append(fs, exactBool(v))
		case nil:
			fs = append(fs, exactNull{})
		}
	}
}

// endObject reads the '}' that must close a match expression.
func (p *parser) endObject(msg string) error {
	t, err := p.token()
	if err != nil {
		return err
	}
	if t != json.Delim('}') {
		return invalid("%s", msg)
	}
	return nil
}

const oneKey = "Only one key allowed in match expression"

// stringOperand reads the string operand of a match expression.
func (p *parser) stringOperand(msg string) (string, error) {
	t, err := p.token()
	if err != nil {
		return "", err
	}
	s, ok := t.(string)
	if !ok {
		return "", invalid("%s", msg)
	}
	return s, nil
}

// matchExpression parses the rest of a filter object whose '{' has been
// read.
func (p *parser) matchExpression() (filter, error) {
	t, err := p.token()
	if err != nil {
		return nil, err
	}
	if t == json.Delim('}') {
		return nil, invalid("Match expression name not found")
	}
	name := t.(string)
	if p.filter && (name == "wildcard" || name == "cidr") {
		return nil, invalid("Unrecognized match type %s", name)
	}
	switch name {
	case "exact", "equals-ignore-case", "wildcard":
		s, err := p.stringOperand(name + " match pattern must be a string")
		if err != nil {
			return nil, err
		}
		var f filter
		switch name {
		case "exact":
			f = newExactString(s)
		case "equals-ignore-case":
			f = equalsIgnoreCase(s)
		case "wildcard":
			w, err := newWildcard(s)
			if err != nil {
				return nil, err
			}
			f = w
		}
		return f, p.endObject(oneKey)
	case "prefix", "suffix":
		t, err := p.token()
		if err != nil {
			return nil, err
		}
		if t == json.Delim('{') {
			return p.affixIgnoreCase(name)
		}
		s, ok := t.(string)
		if !ok {
			return nil, invalid("%s match pattern must be a string", name)
		}
		f := affix{s: s, suffix: name == "suffix"}
		return f, p.endObject(oneKey)
	case "numeric":
		t, err := p.token()
		if err != nil {
			return nil, err
		}
		if t != json.Delim('[') {
			return nil, invalid("Value of numeric must be an array.")
		}
		f, err := p.numeric()
		if err != nil {
			return nil, err
		}
		return f, p.endObject("Too many elements in numeric expression")
	case "anything-but":
		return p.anythingBut()
	case "exists":
		t, err := p.token()
		if err != nil {
			return nil, err
		}
		b, ok := t.(bool)
		if !ok {
			return nil, invalid("exists match pattern must be either true or false.")
		}
		return exists(b), p.endObject(oneKey)
	case "cidr":
		s, err := p.stringOperand("prefix match pattern must be a string")
		if err != nil {
			return nil, err
		}
		c, err := newCIDR(s)
		if err != nil {
			return nil, err
		}
		return c, p.endObject(oneKey)
	}
	return nil, invalid("Unrecognized match type %s", name)
}

// affixIgnoreCase parses {"prefix": {"equals-ignore-case": "x"}} (or
// suffix) after the inner '{'.
func (p *parser) affixIgnoreCase(kind string) (filter, error) {
	title := strings.ToUpper(kind[:1]) + kind[1:]
	t, err := p.token()
	if err != nil {
		return nil, err
	}
	if t == json.Delim('}') {
		return nil, invalid("%s expression name not found", title)
	}
	if op := t.(string); op != "equals-ignore-case" {
		return nil, invalid("Unsupported %s pattern: %s", kind, op)
	}
	s, err := p.stringOperand("equals-ignore-case match pattern must be a string")
	if err != nil {
		return nil, err
	}
	if err := p.endObject(oneKey); err != nil {
		return nil, err
	}
	return affix{s: strings.ToLower(s), suffix: kind == "suffix", fold: true}, p.endObject(oneKey)
}

func (p *parser) numeric() (filter, error) {
	t, err := p.token()
	if err != nil {
		return nil, err
	}
	op, ok := t.(string)
	if !ok {
		return nil, invalid("Invalid member in numeric match: %v", t)
	}
	val := func(op string) (float64, error) {
		name := op
		if op == "=" {
			name = "equals"
		}
		t, err := p.token()
		if err != nil {
			return 0, err
		}
		n, ok := t.(json.Number)
		if !ok {
			return 0, invalid("Value of %s must be numeric", name)
		}
		f, err := strconv.ParseFloat(string(n), 64)
		if err != nil || math.IsInf(f, 0) {
			return 0, invalid("Value of %s must be numeric", name)
		}
		if f < -maxNumeric || f > maxNumeric {
			return 0, invalid("Value must be between -5.0E9 and 5.0E9, inclusive")
		}
		return f, nil
	}
	end := func() error {
		t, err := p.token()
		if err != nil {
			return err
		}
		if t != json.Delim(']') {
			return invalid("Too many elements in numeric expression")
		}
		return nil
	}
	r := numericRange{lo: math.Inf(-1), hi: math.Inf(1)}
	switch op {
	case "=":
		v, err := val(op)
		if err != nil {
			return nil, err
		}
		r.lo, r.hi = v, v
		return r, end()
	case "<", "<=":
		v, err := val(op)
		if err != nil {
			return nil, err
		}
		r.hi, r.openHi = v, op == "<"
		return r, end()
	case ">", ">=":
		v, err := val(op)
		if err != nil {
			return nil, err
		}
		r.lo, r.openLo = v, op == ">"
	default:
		return nil, invalid("Unrecognized numeric range operator: %s", op)
	}
	t, err = p.token()
	if err != nil {
		return nil, err
	}
	if t == json.Delim(']') {
		return r, nil
	}
	op2, ok := t.(string)
	if !ok {
		return nil, invalid("Bad value in numeric range: %v", t)
	}
	if op2 != "<" && op2 != "<=" {
		return nil, invalid("Bad numeric range operator: %s", op2)
	}
	v, err := val(op2)
	if err != nil {
		return nil, err
	}
	r.hi, r.openHi = v, op2 == "<"
	if r.lo >= r.hi {
		return nil, invalid("Bottom must be less than top")
	}
	t, err = p.token()
	if err != nil {
		return nil, err
	}
	if t != json.Delim(']') {
		return nil, invalid("Too many terms in numeric range expression")
	}
	return r, nil
}

func (p *parser) anythingBut() (filter, error) {
	t, err := p.token()
	if err != nil {
		return nil, err
	}
	kind := ""
	if t == json.Delim('{') {
		t, err = p.token()
		if err != nil {
			return nil, err
		}
		if t == json.Delim('}') {
			return nil, invalid("Anything-But expression name not found")
		}
		kind = t.(string)
		switch kind {
		case "equals-ignore-case", "prefix", "suffix", "wildcard":
		default:
			return nil, invalid("Unsupported anything-but pattern: %s", kind)
		}
		if t, err = p.token(); err != nil {
			return nil, err
		}
	}
	var values []json.Token
	switch v := t.(type) {
	case string, json.Number:
		values = append(values, v)
	case json.Delim:
		if v != '[' {
			return nil, invalid("Value of anything-but must be an array or single string/number value.")
		}
		for {
			t, err := p.token()
			if err != nil {
				return nil, err
			}
			if t == json.Delim(']') {
				break
			}
			if d, ok := t.(json.Delim); ok && (d == '[' || d == '{') {
				// The value is skipped by the error below either way.
				values = append(values, nil)
				break
			}
			values = append(values, t)
		}
	default:
		return nil, invalid("Value of anything-but must be an array or single string/number value.")
	}
	f, err := newAnythingBut(kind, values)
	if err != nil {
		return nil, err
	}
	if err := p.endObject("Too many elements in numeric expression"); err != nil {
		return nil, err
	}
	if kind != "" {
		return f, p.endObject("Too many elements in numeric expression")
	}
	return f, nil
}

func newAnythingBut(kind string, values []json.Token) (filter, error) {
	ab := anythingBut{}
	switch kind {
	case "":
		var hasNumber, hasString bool
		for _, v := range values {
			switch v := v.(type) {
			case string:
				hasString = true
				ab.not = append(ab.not, newExactString(v))
			case json.Number:
				hasNumber = true
				ab.not = append(ab.not, newExactNumber(v))
			default:
				return nil, invalid("Inside anything but list, start|null|boolean is not supported.")
			}
		}
		if hasNumber == hasString {
			return nil, invalid("Inside anything but list, either all values are number or string, mixed type is not supported")
		}
		return ab, nil
	}
	for _, v := range values {
		s, ok := v.(string)
		if !ok {
			switch kind {
			case "equals-ignore-case":
				return nil, invalid("Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.")
			case "wildcard":
				return nil, invalid("wildcard match pattern must be a string")
			}
			return nil, invalid("prefix/suffix match pattern must be a string")
		}
		switch kind {
		case "equals-ignore-case":
			ab.not = append(ab.not, equalsIgnoreCase(s))
		case "prefix", "suffix":
			if s == "" {
				return nil, invalid("Null prefix/suffix not allowed")
			}
			ab.not = append(ab.not, affix{s: s, suffix: kind == "suffix"})
		case "wildcard":
			w, err := newWildcard(s)
			if err != nil {
				return nil, err
			}
			ab.not = append(ab.not, w)
		}
	}
	if len(ab.not) == 0 {
		return nil, invalid("Empty arrays are not allowed")
	}
	return ab, nil
}

// Match reports whether event, a JSON object, matches p. An event that is
// not a JSON object matches nothing.
func (p *Pattern) Match(event []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(event))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return false
	}
	if _, err := dec.Token(); err != io.EOF {
		return false
	}
	return p.MatchValue(v)
}

// MatchValue is Match for an event already decoded by encoding/json (with
// or without UseNumber).
func (p *Pattern) MatchValue(event any) bool {
	if _, ok := event.(map[string]any); !ok {
		return false
	}
	return p.root.match(event)
}

// absent stands for a field the event does not have.
type absentValue struct{}

var absent any = absentValue{}

// match reports whether n matches the event's value v at its path.
func (n *node) match(v any) bool {
	if arr, ok := v.([]any); ok && len(arr) > 0 {
		for _, e := range arr {
			if n.match(e) {
				return true
			}
		}
		return false
	}
	obj, _ := v.(map[string]any)
	for _, f := range n.fields {
		fv, ok := obj[f.name]
		if !ok {
			fv = absent
		}
		if f.sub != nil {
			if !f.sub.match(fv) {
				return false
			}
			continue
		}
		vals := leafValues(fv, nil)
		matched := false
		for _, flt := range f.filters {
			if flt.match(vals) {
				matched = true
				break
			}
		}
		if !matched {
			return false
		}
	}
	for _, alts := range n.ors {
		matched := false
		for _, alt := range alts {
			if alt.match(v) {
				matched = true
				break
			}
		}
		if !matched {
			return false
		}
	}
	return true
}

// leafValues appends the scalar values of v to out: v itself, or the
// scalars among an array's elements. Objects are not leaves.
func leafValues(v any, out []any) []any {
	switch v := v.(type) {
	case absentValue, map[string]any:
		return out
	case []any:
		for _, e := range v {
			out = leafValues(e, out)
		}
		return out
	}
	return append(out, v)
}

// anyValue reports whether ok holds for some value.
func anyValue(vals []any, ok func(any) bool) bool {
	for _, v := range vals {
		if ok(v) {
			return true
		}
	}
	return false
}

// number returns the value of a JSON number (json.Number or float64).
func number(v any) (float64, string, bool) {
	switch v := v.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(string(v), 64)
		return f, string(v), err == nil || errors.Is(err, strconv.ErrRange)
	case float64:
		return v, "", true
	}
	return 0, "", false
}

// scalar is a filter that tests one value at a time.
type scalar interface {
	filter
	test(v any) bool
}

type exactString struct {
	s  string
	ip netip.Addr // valid when s is an IP address literal
}

func newExactString(s string) exactString {
	e := exactString{s: s}
	if ipLiteral(s) {
		if a, err := netip.ParseAddr(s); err == nil {
			e.ip = a.Unmap()
		}
	}
	return e
}

func (e exactString) test(v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	if s == e.s {
		return true
	}
	if e.ip.IsValid() && ipLiteral(s) {
		a, err := netip.ParseAddr(s)
		return err == nil && a.Unmap() == e.ip
	}
	return false
}
func (e exactString) match(vals []any) bool { return anyValue(vals, e.test) }

type exactNumber struct {
	f    float64
	text string
}

func newExactNumber(n json.Number) exactNumber {
	f, _, _ := number(n)
	return exactNumber{f: f, text: string(n)}
}

func (e exactNumber) test(v any) bool {
	f, text, ok := number(v)
	return ok && (f == e.f || text == e.text)
}
func (e exactNumber) match(vals []any) bool { return anyValue(vals, e.test) }

type exactBool bool

func (e exactBool) test(v any) bool       { b, ok := v.(bool); return ok && b == bool(e) }
func (e exactBool) match(vals []any) bool { return anyValue(vals, e.test) }

type exactNull struct{}

func (exactNull) test(v any) bool         { return v == nil }
func (e exactNull) match(vals []any) bool { return anyValue(vals, e.test) }

type equalsIgnoreCase string

func (e equalsIgnoreCase) test(v any) bool {
	s, ok := v.(string)
	return ok && strings.EqualFold(s, string(e))
}
func (e equalsIgnoreCase) match(vals []any) bool { return anyValue(vals, e.test) }

// affix is prefix or suffix matching, optionally ignoring case (s is then
// lower case).
type affix struct {
	s            string
	suffix, fold bool
}

func (a affix) test(v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	if a.fold {
		s = strings.ToLower(s)
	}
	if a.suffix {
		return strings.HasSuffix(s, a.s)
	}
	return strings.HasPrefix(s, a.s)
}
func (a affix) match(vals []any) bool { return anyValue(vals, a.test) }

type numericRange struct {
	lo, hi         float64
	openLo, openHi bool
}

func (r numericRange) test(v any) bool {
	f, _, ok := number(v)
	if !ok {
		return false
	}
	if f < r.lo || (r.openLo && f == r.lo) {
		return false
	}
	if f > r.hi || (r.openHi && f == r.hi) {
		return false
	}
	return true
}
func (r numericRange) match(vals []any) bool { return anyValue(vals, r.test) }

type exists bool

func (e exists) match(vals []any) bool { return (len(vals) > 0) == bool(e) }

// anythingBut matches a value that exists and that none of not matches.
type anythingBut struct {
	not []scalar
}

func (a anythingBut) test(v any) bool {
	for _, s := range a.not {
		if s.test(v) {
			return false
		}
	}
	return true
}
func (a anythingBut) match(vals []any) bool { return anyValue(vals, a.test) }

// wildcard matches a string against a pattern in which * stands for any
// run of characters; \* and \\ are a literal * and \.
type wildcard struct {
	parts []string // the literal text between the stars
}

func newWildcard(s string) (wildcard, error) {
	var w wildcard
	var cur strings.Builder
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '*':
			if i+1 < len(s) && s[i+1] == '*' {
				return w, invalid("Consecutive wildcard characters at pos %d", i)
			}
			w.parts = append(w.parts, cur.String())
			cur.Reset()
		case '\\':
			if i+1 < len(s) && (s[i+1] == '*' || s[i+1] == '\\') {
				cur.WriteByte(s[i+1])
				i++
				continue
			}
			return w, invalid("Invalid escape character at pos %d", i)
		default:
			cur.WriteByte(s[i])
		}
	}
	w.parts = append(w.parts, cur.String())
	return w, nil
}

func (w wildcard) test(v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	first, last := w.parts[0], w.parts[len(w.parts)-1]
	if len(w.parts) == 1 {
		return s == first
	}
	if !strings.HasPrefix(s, first) {
		return false
	}
	s = s[len(first):]
	for _, mid := range w.parts[1 : len(w.parts)-1] {
		i := strings.Index(s, mid)
		if i < 0 {
			return false
		}
		s = s[i+len(mid):]
	}
	return strings.HasSuffix(s, last)
}
func (w wildcard) match(vals []any) bool { return anyValue(vals, w.test) }

var (
	ipv4Literal = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$`)
	ipv6Literal = regexp.MustCompile(`^[0-9a-fA-F:]*:[0-9a-fA-F:]*$`)
)

// ipLiteral reports whether s has the shape of an IP address literal.
func ipLiteral(s string) bool { return ipv4Literal.MatchString(s) || ipv6Literal.MatchString(s) }

// cidr matches IP addresses from the pattern's address up to the last
// address of its network.
type cidr struct {
	lo, hi netip.Addr
}

func newCIDR(s string) (cidr, error) {
	ip, bitsText, ok := strings.Cut(s, "/")
	if !ok || strings.Contains(bitsText, "/") {
		return cidr{}, invalid("Malformed CIDR, one '/' required")
	}
	bits, err := strconv.Atoi(bitsText)
	if err != nil {
		return cidr{}, invalid("Malformed CIDR, mask bits must be an integer")
	}
	if bits < 0 {
		return cidr{}, invalid("Malformed CIDR, mask bits must not be negative")
	}
	if !ipLiteral(ip) {
		return cidr{}, invalid("Nonstandard IP address: %s", ip)
	}
	a, err := netip.ParseAddr(ip)
	if err != nil || a.Zone() != "" {
		return cidr{}, invalid("Invalid IP address: %s", ip)
	}
	a = a.Unmap()
	if a.Is4() && bits > 31 {
		return cidr{}, invalid("IPv4 mask bits must be < 32")
	}
	if a.Is6() && bits > 127 {
		return cidr{}, invalid("IPv6 mask bits must be < 128")
	}
	b := a.AsSlice()
	for i := range b {
		hostBits := (i+1)*8 - bits // host bits in byte i, when between 1 and 8
		switch {
		case hostBits >= 8:
			b[i] = 0xff
		case hostBits > 0:
			b[i] |= byte(1<<hostBits - 1)
		}
	}
	hi, _ := netip.AddrFromSlice(b)
	return cidr{lo: a, hi: hi}, nil
}

func (c cidr) test(v any) bool {
	s, ok := v.(string)
	if !ok || !ipLiteral(s) {
		return false
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return false
	}
	a = a.Unmap()
	return a.BitLen() == c.lo.BitLen() && a.Compare(c.lo) >= 0 && a.Compare(c.hi) <= 0
}
func (c cidr) match(vals []any) bool { return anyValue(vals, c.test) }
