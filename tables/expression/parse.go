package expression

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/tables/attrs"
)

// Limits DynamoDB places on expressions.
const (
	MaxExpressionSize = 4096 // bytes in one expression string
	MaxPathDepth      = 32   // elements of one document path
	MaxInOperands     = 100  // operands of IN
	maxNesting        = 100  // parentheses and NOT; guards recursion
)

// Expression kinds, as they appear in DynamoDB's messages
// ("Invalid ConditionExpression: …").
const (
	KindCondition  = "ConditionExpression"
	KindFilter     = "FilterExpression"
	KindKey        = "KeyConditionExpression"
	KindUpdate     = "UpdateExpression"
	KindProjection = "ProjectionExpression"
)

func validationError(format string, args ...any) error {
	return eddy.TypedErrorf(eddy.EVALIDATE, "ValidationException", format, args...)
}

// PathElem is one element of a document path: an attribute or map key
// name, or a list index.
type PathElem struct {
	Name    string
	Index   int
	IsIndex bool
}

// Path is a document path with expression attribute names resolved. The
// first element is always a name.
type Path []PathElem

// String returns the path in expression syntax (a.b[2]); names are written
// as they are, without escaping.
func (p Path) String() string {
	var b strings.Builder
	for i, e := range p {
		if e.IsIndex {
			fmt.Fprintf(&b, "[%d]", e.Index)
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(e.Name)
	}
	return b.String()
}

// messageForm returns the path as DynamoDB writes it in messages: [a, b, [2]].
func (p Path) messageForm() string {
	parts := make([]string, len(p))
	for i, e := range p {
		if e.IsIndex {
			parts[i] = fmt.Sprintf("[%d]", e.Index)
		} else {
			parts[i] = e.Name
		}
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// Get returns the value at p in item, and false if there is none.
func (p Path) Get(item attrs.Item) (attrs.Value, bool) {
	if len(p) == 0 {
		return attrs.Value{}, false
	}
	v, ok := item[p[0].Name]
	if !ok {
		return attrs.Value{}, false
	}
	for _, e := range p[1:] {
		switch {
		case e.IsIndex && v.Kind == attrs.L && e.Index < len(v.L):
			v = v.L[e.Index]
		case !e.IsIndex && v.Kind == attrs.M:
			if v, ok = v.M[e.Name]; !ok {
				return attrs.Value{}, false
			}
		default:
			return attrs.Value{}, false
		}
	}
	return v, true
}

// Refs is the set of expression attribute names and values one parsed
// expression uses.
type Refs struct {
	Names  map[string]bool
	Values map[string]bool
}

// parser is the state shared by every kind of expression.
type parser struct {
	kind   string
	src    string
	toks   []token
	i      int
	names  map[string]string
	values map[string]attrs.Value
	refs   Refs
	depth  int
}

func newParser(kind, src string, names map[string]string, values map[string]attrs.Value) (*parser, error) {
	p := &parser{kind: kind, src: src, names: names, values: values,
		refs: Refs{Names: map[string]bool{}, Values: map[string]bool{}}}
	if strings.TrimSpace(src) == "" {
		return nil, p.errorf("The expression can not be empty;")
	}
	if len(src) > MaxExpressionSize {
		return nil, p.errorf("Expression size has exceeded the maximum allowed size; expression size: %d", len(src))
	}
	p.toks = lex(src)
	return p, nil
}

func (p *parser) errorf(format string, args ...any) error {
	return validationError("Invalid "+p.kind+": "+format, args...)
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) peekAt(k int) token {
	if p.i+k < len(p.toks) {
		return p.toks[p.i+k]
	}
	return p.toks[len(p.toks)-1]
}
func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

// isKeyword reports whether t is the keyword kw (in any case).
func isKeyword(t token, kw string) bool { return t.kind == tIdent && strings.EqualFold(t.text, kw) }

// syntaxError reports the token at the current position, with the text from
// the previous token to it as DynamoDB's "near".
func (p *parser) syntaxError() error {
	t := p.peek()
	text := t.text
	if t.kind == tEOF {
		text = "<EOF>"
	}
	start := t.pos
	if p.i > 0 {
		start = p.toks[p.i-1].pos
	}
	return p.errorf("Syntax error; token: %q, near: %q", text, p.src[start:t.end()])
}

func (p *parser) expect(k tokKind) (token, error) {
	if p.peek().kind != k {
		return token{}, p.syntaxError()
	}
	return p.next(), nil
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > maxNesting {
		return p.errorf("The expression has too many nested levels; maximum: %d", maxNesting)
	}
	return nil
}

func (p *parser) leave() { p.depth-- }

// nameRef resolves #name.
func (p *parser) nameRef(t token) (string, error) {
	n, ok := p.names[t.text]
	if !ok {
		return "", p.errorf("An expression attribute name used in the document path is not defined; attribute name: %s", t.text)
	}
	p.refs.Names[t.text] = true
	return n, nil
}

// valueRef resolves :value.
func (p *parser) valueRef(t token) (attrs.Value, error) {
	v, ok := p.values[t.text]
	if !ok {
		return attrs.Value{}, p.errorf("An expression attribute value used in expression is not defined; attribute value: %s", t.text)
	}
	p.refs.Values[t.text] = true
	return v, nil
}

// atPath reports whether the next token starts a document path.
func (p *parser) atPath() bool {
	t := p.peek()
	return t.kind == tName || t.kind == tIdent
}

// path parses a document path: name ( '.' name | '[' digits ']' )*.
func (p *parser) path() (Path, error) {
	var path Path
	first := true
	for {
		t := p.peek()
		switch {
		case first || t.kind == tDot:
			if !first {
				p.next()
			}
			t = p.peek()
			switch t.kind {
			case tName:
				n, err := p.nameRef(t)
				if err != nil {
					return nil, err
				}
				path = append(path, PathElem{Name: n})
			case tIdent:
				if IsReserved(t.text) {
					return nil, p.errorf("Attribute name is a reserved keyword; reserved keyword: %s", t.text)
				}
				path = append(path, PathElem{Name: t.text})
			default:
				return nil, p.syntaxError()
			}
			p.next()
			first = false
		case t.kind == tLBrack:
			p.next()
			n, err := p.expect(tNumber)
			if err != nil {
				return nil, err
			}
			idx, err := strconv.Atoi(n.text)
			if err != nil || idx > 1<<30 {
				return nil, p.errorf("List index is too large; index: %s", n.text)
			}
			if _, err := p.expect(tRBrack); err != nil {
				return nil, err
			}
			path = append(path, PathElem{Index: idx, IsIndex: true})
		default:
			if len(path) > MaxPathDepth {
				return nil, p.errorf("The document path has too many nesting levels; nesting levels: %d", len(path))
			}
			return path, nil
		}
	}
}

// overlapCheck returns DynamoDB's error if any two paths overlap (one is a
// prefix of the other) or conflict (one indexes a list where the other names
// a map key).
func (p *parser) overlapCheck(paths []Path) error {
	for i := range paths {
		for j := i + 1; j < len(paths); j++ {
			a, b := paths[i], paths[j]
			n := min(len(a), len(b))
			k := 0
			for k < n && a[k] == b[k] {
				k++
			}
			switch {
			case k == n:
				return p.errorf("Two document paths overlap with each other; must remove or rewrite one of these paths; path one: %s, path two: %s", a.messageForm(), b.messageForm())
			case a[k].IsIndex != b[k].IsIndex:
				return p.errorf("Two document paths conflict with each other; must remove or rewrite one of these paths; path one: %s, path two: %s", a.messageForm(), b.messageForm())
			}
		}
	}
	return nil
}

// longTypeName is the type name DynamoDB uses in update messages.
func longTypeName(k attrs.Kind) string {
	switch k {
	case attrs.S:
		return "STRING"
	case attrs.N:
		return "NUMBER"
	case attrs.B:
		return "BINARY"
	case attrs.SS:
		return "STRING_SET"
	case attrs.NS:
		return "NUMBER_SET"
	case attrs.BS:
		return "BINARY_SET"
	case attrs.M:
		return "MAP"
	case attrs.L:
		return "LIST"
	case attrs.NULL:
		return "NULL"
	case attrs.BOOL:
		return "BOOLEAN"
	}
	return k.String()
}

// CheckUnused returns DynamoDB's ValidationException if names or values
// holds a key that none of the expressions of one request used. Pass the
// Refs of every expression of the request. Values are checked first, as
// DynamoDB does.
func CheckUnused(names map[string]string, values map[string]attrs.Value, used ...Refs) error {
	unused := func(keys []string, isUsed func(Refs) map[string]bool) []string {
		var out []string
		for _, k := range keys {
			found := false
			for _, r := range used {
				if isUsed(r)[k] {
					found = true
					break
				}
			}
			if !found {
				out = append(out, k)
			}
		}
		slices.Sort(out)
		return out
	}
	var vk, nk []string
	for k := range values {
		vk = append(vk, k)
	}
	for k := range names {
		nk = append(nk, k)
	}
	if u := unused(vk, func(r Refs) map[string]bool { return r.Values }); len(u) > 0 {
		return validationError("Value provided in ExpressionAttributeValues unused in expressions: keys: {%s}", strings.Join(u, ", "))
	}
	if u := unused(nk, func(r Refs) map[string]bool { return r.Names }); len(u) > 0 {
		return validationError("Value provided in ExpressionAttributeNames unused in expressions: keys: {%s}", strings.Join(u, ", "))
	}
	return nil
}

// CheckParams validates ExpressionAttributeNames and ExpressionAttributeValues
// themselves, as DynamoDB does before parsing any expression: a map that is
// present must not be empty, and keys must be #word and :word.
func CheckParams(names map[string]string, values map[string]attrs.Value) error {
	if names != nil && len(names) == 0 {
		return validationError("ExpressionAttributeNames must not be empty")
	}
	if values != nil && len(values) == 0 {
		return validationError("ExpressionAttributeValues must not be empty")
	}
	valid := func(k string, prefix byte) bool {
		if len(k) < 2 || k[0] != prefix {
			return false
		}
		for i := 1; i < len(k); i++ {
			if !isWord(k[i]) {
				return false
			}
		}
		return true
	}
	for _, k := range sortedKeys(names) {
		if !valid(k, '#') {
			return validationError("ExpressionAttributeNames contains invalid key: Syntax error; key: %q", k)
		}
	}
	for _, k := range sortedKeys(values) {
		if !valid(k, ':') {
			return validationError("ExpressionAttributeValues contains invalid key: Syntax error; key: %q", k)
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
