package logs

import (
	"encoding/json"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/eddyserverless/eddy"
)

// maxPatternLength is the longest filter pattern CloudWatch Logs accepts.
const maxPatternLength = 1024

// Pattern is a compiled CloudWatch Logs filter pattern. The zero Pattern and
// a nil *Pattern match every event.
//
// Three syntaxes are understood, as CloudWatch Logs defines them:
//
//   - text: space-separated terms that must all appear (case-sensitive),
//     "quoted phrases", ?term (at least one of the ?-terms must appear),
//     -term (must not appear) and %regular expression%;
//   - JSON: { $.a.b[0] = "value" }, with = != < > <= >=, string wildcards
//     ("Upd*"), %regex% values, IS NULL, NOT EXISTS, IS TRUE, IS FALSE,
//     && and || with parentheses;
//   - space-delimited: [ip, user, ..., status = 4*, bytes > 1000], fields
//     split on spaces with "quoted" and [bracketed] text kept together.
type Pattern struct {
	m matcher
}

// ParsePattern compiles a filter pattern. An empty pattern matches every
// event. An invalid pattern is an EINVALID InvalidParameterException.
func ParsePattern(s string) (*Pattern, error) {
	if len(s) > maxPatternLength || !utf8.ValidString(s) {
		return nil, errInvalidPattern()
	}
	s = strings.TrimSpace(s)
	var (
		m   matcher
		err error
	)
	switch {
	case s == "":
		return &Pattern{}, nil
	case s[0] == '{':
		m, err = parseJSONPattern(s)
	case s[0] == '[':
		m, err = parseSpacePattern(s)
	default:
		m, err = parseTextPattern(s)
	}
	if err != nil {
		return nil, err
	}
	return &Pattern{m: m}, nil
}

// Match reports whether message matches the pattern.
func (p *Pattern) Match(message string) bool {
	if p == nil || p.m == nil {
		return true
	}
	return p.m.match(&subject{msg: message})
}

func errInvalidPattern() error {
	return eddy.TypedErrorf(eddy.EINVALID, "InvalidParameterException", "Invalid filter pattern")
}

// subject is one event being matched; its JSON document and its fields are
// computed at most once, on first use.
type subject struct {
	msg string

	jsonDone bool
	jsonOK   bool
	doc      any

	fieldsDone bool
	fields     []string
}

func (s *subject) json() (any, bool) {
	if !s.jsonDone {
		s.jsonDone = true
		d := json.NewDecoder(strings.NewReader(s.msg))
		d.UseNumber()
		if err := d.Decode(&s.doc); err == nil {
			// Only one JSON value, optionally surrounded by white space.
			if _, err := d.Token(); err == io.EOF {
				s.jsonOK = true
			}
		}
	}
	return s.doc, s.jsonOK
}

func (s *subject) spaceFields() []string {
	if !s.fieldsDone {
		s.fieldsDone = true
		s.fields = splitFields(s.msg)
	}
	return s.fields
}

type matcher interface {
	match(s *subject) bool
}

// ---- text patterns ----

type term interface {
	in(msg string) bool
}

type literal string

func (l literal) in(msg string) bool { return strings.Contains(msg, string(l)) }

type regexTerm struct{ re *regexp.Regexp }

func (r regexTerm) in(msg string) bool { return r.re.MatchString(msg) }

type textMatcher struct {
	all, any, none []term
}

func (t *textMatcher) match(s *subject) bool {
	for _, x := range t.all {
		if !x.in(s.msg) {
			return false
		}
	}
	for _, x := range t.none {
		if x.in(s.msg) {
			return false
		}
	}
	if len(t.any) == 0 {
		return true
	}
	for _, x := range t.any {
		if x.in(s.msg) {
			return true
		}
	}
	return false
}

func parseTextPattern(s string) (matcher, error) {
	t := &textMatcher{}
	i := 0
	for {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if i == len(s) {
			break
		}
		kind := byte(0)
		if (s[i] == '?' || s[i] == '-') && i+1 < len(s) && !isSpace(s[i+1]) {
			kind = s[i]
			i++
		}
		var (
			x   term
			err error
		)
		x, i, err = parseTerm(s, i)
		if err != nil {
			return nil, err
		}
		switch kind {
		case '?':
			t.any = append(t.any, x)
		case '-':
			t.none = append(t.none, x)
		default:
			t.all = append(t.all, x)
		}
	}
	return t, nil
}

// parseTerm reads one term of a text pattern starting at s[i] and returns it
// with the index after it.
func parseTerm(s string, i int) (term, int, error) {
	switch s[i] {
	case '"':
		str, n, err := scanQuoted(s, i)
		if err != nil {
			return nil, 0, err
		}
		if str == "" {
			return nil, 0, errInvalidPattern()
		}
		return literal(str), n, nil
	case '%':
		re, n, err := scanRegex(s, i)
		if err != nil {
			return nil, 0, err
		}
		return regexTerm{re}, n, nil
	}
	j := i
	for j < len(s) && !isSpace(s[j]) {
		if s[j] == '"' {
			return nil, 0, errInvalidPattern()
		}
		j++
	}
	return literal(s[i:j]), j, nil
}

// scanQuoted reads a double-quoted string starting at s[i] (the quote); a
// backslash escapes the next character.
func scanQuoted(s string, i int) (string, int, error) {
	var b strings.Builder
	for j := i + 1; j < len(s); j++ {
		switch c := s[j]; c {
		case '\\':
			if j+1 == len(s) {
				return "", 0, errInvalidPattern()
			}
			j++
			b.WriteByte(s[j])
		case '"':
			return b.String(), j + 1, nil
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, errInvalidPattern()
}

// scanRegex reads a %regular expression% starting at s[i]; \% stands for a
// literal percent sign inside it.
func scanRegex(s string, i int) (*regexp.Regexp, int, error) {
	var b strings.Builder
	for j := i + 1; j < len(s); j++ {
		switch c := s[j]; c {
		case '\\':
			if j+1 < len(s) && s[j+1] == '%' {
				b.WriteByte('%')
				j++
				continue
			}
			b.WriteByte(c)
		case '%':
			if b.Len() == 0 {
				return nil, 0, errInvalidPattern()
			}
			re, err := regexp.Compile(b.String())
			if err != nil {
				return nil, 0, errInvalidPattern()
			}
			return re, j + 1, nil
		default:
			b.WriteByte(c)
		}
	}
	return nil, 0, errInvalidPattern()
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// ---- tokens of JSON and space-delimited patterns ----

type tokKind int

const (
	tEOF tokKind = iota
	tLBrace
	tRBrace
	tLParen
	tRParen
	tLBrack
	tRBrack
	tComma
	tAnd
	tOr
	tOp       // = != < > <= >=
	tSelector // $.a.b[0]
	tString   // "quoted"
	tRegex    // %re%
	tWord     // a bare word: a number, a name, an unquoted value, ...
)

type token struct {
	kind tokKind
	text string         // operator, string contents or word
	path []pathSegment  // tSelector
	re   *regexp.Regexp // tRegex
}

// pathSegment is one step of a JSON selector: a member name or, when name
// is empty, an array index.
type pathSegment struct {
	name  string
	index int
}

func lex(s string) ([]token, error) {
	var toks []token
	i := 0
	for {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if i == len(s) {
			return append(toks, token{kind: tEOF}), nil
		}
		c := s[i]
		switch c {
		case '{':
			toks = append(toks, token{kind: tLBrace})
			i++
		case '}':
			toks = append(toks, token{kind: tRBrace})
			i++
		case '(':
			toks = append(toks, token{kind: tLParen})
			i++
		case ')':
			toks = append(toks, token{kind: tRParen})
			i++
		case '[':
			toks = append(toks, token{kind: tLBrack})
			i++
		case ']':
			toks = append(toks, token{kind: tRBrack})
			i++
		case ',':
			toks = append(toks, token{kind: tComma})
			i++
		case '&', '|':
			if i+1 == len(s) || s[i+1] != c {
				return nil, errInvalidPattern()
			}
			k := tAnd
			if c == '|' {
				k = tOr
			}
			toks = append(toks, token{kind: k})
			i += 2
		case '=':
			toks = append(toks, token{kind: tOp, text: "="})
			i++
		case '!', '<', '>':
			op := string(c)
			i++
			if i < len(s) && s[i] == '=' {
				op += "="
				i++
			}
			if op == "!" {
				return nil, errInvalidPattern()
			}
			toks = append(toks, token{kind: tOp, text: op})
		case '"':
			str, n, err := scanQuoted(s, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{kind: tString, text: str})
			i = n
		case '%':
			re, n, err := scanRegex(s, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{kind: tRegex, re: re})
			i = n
		case '$':
			path, n, err := scanSelector(s, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{kind: tSelector, path: path})
			i = n
		default:
			j := i
			for j < len(s) && isWordByte(s[j]) {
				j++
			}
			if j == i {
				return nil, errInvalidPattern()
			}
			toks = append(toks, token{kind: tWord, text: s[i:j]})
			i = j
		}
	}
}

func isWordByte(c byte) bool {
	if isSpace(c) {
		return false
	}
	switch c {
	case '{', '}', '(', ')', '[', ']', ',', '&', '|', '=', '!', '<', '>', '"', '%', '$':
		return false
	}
	return true
}

func isNameByte(c byte) bool {
	return c == '_' || c == '-' || c == '@' || c == ':' ||
		'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c >= 0x80
}

// scanSelector reads $.a.b[0].c starting at s[i] (the dollar sign).
func scanSelector(s string, i int) ([]pathSegment, int, error) {
	var path []pathSegment
	j := i + 1
	for j < len(s) {
		switch s[j] {
		case '.':
			k := j + 1
			for k < len(s) && isNameByte(s[k]) {
				k++
			}
			if k == j+1 {
				return nil, 0, errInvalidPattern()
			}
			path = append(path, pathSegment{name: s[j+1 : k]})
			j = k
		case '[':
			k := j + 1
			for k < len(s) && '0' <= s[k] && s[k] <= '9' {
				k++
			}
			if k == j+1 || k == len(s) || s[k] != ']' || k-j > 10 {
				return nil, 0, errInvalidPattern()
			}
			n, err := strconv.Atoi(s[j+1 : k])
			if err != nil {
				return nil, 0, errInvalidPattern()
			}
			path = append(path, pathSegment{index: n})
			j = k + 1
		default:
			if len(path) == 0 {
				return nil, 0, errInvalidPattern()
			}
			return path, j, nil
		}
	}
	if len(path) == 0 {
		return nil, 0, errInvalidPattern()
	}
	return path, j, nil
}

type parser struct {
	toks []token
	pos  int
}

func (p *parser) peek() token { return p.toks[p.pos] }

func (p *parser) next() token {
	t := p.toks[p.pos]
	if t.kind != tEOF {
		p.pos++
	}
	return t
}

func (p *parser) expect(k tokKind) error {
	if p.next().kind != k {
		return errInvalidPattern()
	}
	return nil
}

// ---- values compared by JSON and space-delimited patterns ----

// value is the right-hand side of a comparison.
type value struct {
	num   float64
	isNum bool
	str   string // the text, with * as a wildcard unless quoted without one
	glob  bool
	re    *regexp.Regexp
}

func parseValue(t token) (value, error) {
	switch t.kind {
	case tRegex:
		return value{re: t.re}, nil
	case tString:
		return value{str: t.text, glob: strings.Contains(t.text, "*")}, nil
	case tWord:
		if f, err := strconv.ParseFloat(t.text, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			return value{num: f, isNum: true, str: t.text}, nil
		}
		return value{str: t.text, glob: strings.Contains(t.text, "*")}, nil
	}
	return value{}, errInvalidPattern()
}

func checkOp(op string, v value) error {
	switch op {
	case "=", "!=":
		return nil
	default: // < > <= >=
		if !v.isNum {
			return errInvalidPattern()
		}
		return nil
	}
}

// compareText compares the text form of a field with v.
func compareText(op string, text string, isNum bool, num float64, v value) bool {
	var eq bool
	switch {
	case v.re != nil:
		eq = v.re.MatchString(text)
	case v.isNum:
		if !isNum {
			f, err := strconv.ParseFloat(text, 64)
			if err != nil {
				return op == "!="
			}
			num = f
		}
		switch op {
		case "<":
			return num < v.num
		case ">":
			return num > v.num
		case "<=":
			return num <= v.num
		case ">=":
			return num >= v.num
		}
		eq = num == v.num
	case v.glob:
		eq = globMatch(v.str, text)
	default:
		eq = text == v.str
	}
	switch op {
	case "=":
		return eq
	case "!=":
		return !eq
	}
	return false
}

// globMatch reports whether s matches pattern, where * matches any run of
// characters.
func globMatch(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, p := range parts[1 : len(parts)-1] {
		k := strings.Index(s, p)
		if k < 0 {
			return false
		}
		s = s[k+len(p):]
	}
	return len(s) >= len(last) && strings.HasSuffix(s, last)
}

// ---- JSON patterns ----

type orMatcher []matcher

func (o orMatcher) match(s *subject) bool {
	for _, m := range o {
		if m.match(s) {
			return true
		}
	}
	return false
}

type andMatcher []matcher

func (a andMatcher) match(s *subject) bool {
	for _, m := range a {
		if !m.match(s) {
			return false
		}
	}
	return true
}

type jsonCheck int

const (
	checkCompare jsonCheck = iota
	checkNull
	checkNotExists
	checkTrue
	checkFalse
)

type jsonCond struct {
	path  []pathSegment
	check jsonCheck
	op    string
	v     value
}

func (c *jsonCond) match(s *subject) bool {
	doc, ok := s.json()
	if !ok {
		return false
	}
	x, found := lookup(doc, c.path)
	switch c.check {
	case checkNotExists:
		return !found
	case checkNull:
		return found && x == nil
	case checkTrue:
		b, ok := x.(bool)
		return found && ok && b
	case checkFalse:
		b, ok := x.(bool)
		return found && ok && !b
	}
	if !found {
		return false
	}
	switch x := x.(type) {
	case string:
		return compareText(c.op, x, false, 0, c.v)
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return false
		}
		return compareText(c.op, x.String(), true, f, c.v)
	case bool:
		if c.v.isNum {
			return false
		}
		return compareText(c.op, strconv.FormatBool(x), false, 0, c.v)
	}
	// null, objects and arrays compare with nothing.
	return false
}

func lookup(doc any, path []pathSegment) (any, bool) {
	x := doc
	for _, seg := range path {
		if seg.name != "" {
			m, ok := x.(map[string]any)
			if !ok {
				return nil, false
			}
			if x, ok = m[seg.name]; !ok {
				return nil, false
			}
			continue
		}
		a, ok := x.([]any)
		if !ok || seg.index >= len(a) {
			return nil, false
		}
		x = a[seg.index]
	}
	return x, true
}

func parseJSONPattern(s string) (matcher, error) {
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	if err := p.expect(tLBrace); err != nil {
		return nil, err
	}
	m, err := p.jsonOr(0)
	if err != nil {
		return nil, err
	}
	if err := p.expect(tRBrace); err != nil {
		return nil, err
	}
	if err := p.expect(tEOF); err != nil {
		return nil, err
	}
	return m, nil
}

// maxDepth bounds the nesting of parentheses.
const maxDepth = 64

func (p *parser) jsonOr(depth int) (matcher, error) {
	var or orMatcher
	for {
		m, err := p.jsonAnd(depth)
		if err != nil {
			return nil, err
		}
		or = append(or, m)
		if p.peek().kind != tOr {
			break
		}
		p.next()
	}
	if len(or) == 1 {
		return or[0], nil
	}
	return or, nil
}

func (p *parser) jsonAnd(depth int) (matcher, error) {
	var and andMatcher
	for {
		m, err := p.jsonUnary(depth)
		if err != nil {
			return nil, err
		}
		and = append(and, m)
		if p.peek().kind != tAnd {
			break
		}
		p.next()
	}
	if len(and) == 1 {
		return and[0], nil
	}
	return and, nil
}

func (p *parser) jsonUnary(depth int) (matcher, error) {
	t := p.next()
	switch t.kind {
	case tLParen:
		if depth >= maxDepth {
			return nil, errInvalidPattern()
		}
		m, err := p.jsonOr(depth + 1)
		if err != nil {
			return nil, err
		}
		if err := p.expect(tRParen); err != nil {
			return nil, err
		}
		return m, nil
	case tSelector:
		return p.jsonCondition(t.path)
	}
	return nil, errInvalidPattern()
}

func (p *parser) jsonCondition(path []pathSegment) (matcher, error) {
	t := p.next()
	switch {
	case t.kind == tOp:
		v, err := parseValue(p.next())
		if err != nil {
			return nil, err
		}
		if err := checkOp(t.text, v); err != nil {
			return nil, err
		}
		return &jsonCond{path: path, op: t.text, v: v}, nil
	case t.kind == tWord && strings.EqualFold(t.text, "IS"):
		w := p.next()
		if w.kind != tWord {
			return nil, errInvalidPattern()
		}
		switch strings.ToUpper(w.text) {
		case "NULL":
			return &jsonCond{path: path, check: checkNull}, nil
		case "TRUE":
			return &jsonCond{path: path, check: checkTrue}, nil
		case "FALSE":
			return &jsonCond{path: path, check: checkFalse}, nil
		}
	case t.kind == tWord && strings.EqualFold(t.text, "NOT"):
		w := p.next()
		if w.kind == tWord && strings.EqualFold(w.text, "EXISTS") {
			return &jsonCond{path: path, check: checkNotExists}, nil
		}
	}
	return nil, errInvalidPattern()
}

// ---- space-delimited patterns ----

// spaceItem is one field of a space-delimited pattern: "..." (any number of
// fields) or a named field with an optional condition on it.
type spaceItem struct {
	ellipsis bool
	cond     spaceExpr // nil: any value
}

type spaceExpr interface {
	eval(field string) bool
}

type spaceOr []spaceExpr

func (o spaceOr) eval(f string) bool {
	for _, e := range o {
		if e.eval(f) {
			return true
		}
	}
	return false
}

type spaceAnd []spaceExpr

func (a spaceAnd) eval(f string) bool {
	for _, e := range a {
		if !e.eval(f) {
			return false
		}
	}
	return true
}

type spaceCmp struct {
	op string
	v  value
}

func (c spaceCmp) eval(f string) bool { return compareText(c.op, f, false, 0, c.v) }

type spaceMatcher struct {
	items []spaceItem
}

func (m *spaceMatcher) match(s *subject) bool {
	fields := s.spaceFields()
	// ok[i][j]: items[i:] match fields[j:]. Computed backwards.
	n, k := len(m.items), len(fields)
	next := make([]bool, k+1)
	cur := make([]bool, k+1)
	next[k] = true // no items left matches no fields left
	for i := n - 1; i >= 0; i-- {
		it := m.items[i]
		for j := k; j >= 0; j-- {
			switch {
			case it.ellipsis:
				cur[j] = next[j] || (j < k && cur[j+1])
			case j == k:
				cur[j] = false
			default:
				cur[j] = next[j+1] && (it.cond == nil || it.cond.eval(fields[j]))
			}
		}
		next, cur = cur, next
	}
	return next[0]
}

// splitFields splits a log line into the fields of a space-delimited pattern:
// runs of non-space characters, with "quoted" and [bracketed] text kept
// together and its delimiters removed.
func splitFields(s string) []string {
	var fields []string
	i := 0
	for {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if i == len(s) {
			return fields
		}
		var end byte
		switch s[i] {
		case '"':
			end = '"'
		case '[':
			end = ']'
		}
		if end != 0 {
			if k := strings.IndexByte(s[i+1:], end); k >= 0 {
				fields = append(fields, s[i+1:i+1+k])
				i += k + 2
				continue
			}
		}
		j := i
		for j < len(s) && !isSpace(s[j]) {
			j++
		}
		fields = append(fields, s[i:j])
		i = j
	}
}

func parseSpacePattern(s string) (matcher, error) {
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	if err := p.expect(tLBrack); err != nil {
		return nil, err
	}
	m := &spaceMatcher{}
	names := map[string]bool{}
	for {
		t := p.next()
		if t.kind != tWord {
			return nil, errInvalidPattern()
		}
		if t.text == "..." {
			m.items = append(m.items, spaceItem{ellipsis: true})
		} else {
			if !validFieldName(t.text) || names[t.text] {
				return nil, errInvalidPattern()
			}
			names[t.text] = true
			var it spaceItem
			if p.peek().kind == tOp {
				cond, err := p.spaceCondition(t.text)
				if err != nil {
					return nil, err
				}
				it.cond = cond
			}
			m.items = append(m.items, it)
		}
		switch p.next().kind {
		case tComma:
			continue
		case tRBrack:
			if err := p.expect(tEOF); err != nil {
				return nil, err
			}
			return m, nil
		default:
			return nil, errInvalidPattern()
		}
	}
}

func validFieldName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' && i > 0) {
			return false
		}
	}
	return s != ""
}

// spaceCondition parses "op value" after the field name, then any further
// "&& name op value" or "|| name op value" parts, which must name the same
// field (&& binds tighter than ||).
func (p *parser) spaceCondition(name string) (spaceExpr, error) {
	var or spaceOr
	var and spaceAnd
	for {
		op := p.next()
		if op.kind != tOp {
			return nil, errInvalidPattern()
		}
		v, err := parseValue(p.next())
		if err != nil {
			return nil, err
		}
		if err := checkOp(op.text, v); err != nil {
			return nil, err
		}
		and = append(and, spaceCmp{op: op.text, v: v})
		switch p.peek().kind {
		case tAnd:
		case tOr:
			or = append(or, and)
			and = nil
		default:
			or = append(or, and)
			return or, nil
		}
		p.next()
		if t := p.next(); t.kind != tWord || t.text != name {
			return nil, errInvalidPattern()
		}
	}
}
