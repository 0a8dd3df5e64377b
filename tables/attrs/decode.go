package attrs

import (
	"bytes"
	"encoding/base64"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

// Decoding DynamoDB's JSON wire format.
//
// Two paths share the scanning code below. The fast path reads the input
// once, building values as it goes; it handles the input eddy and the SDKs
// send in practice (every object has distinct member names, every
// AttributeValue has one non-null member, every value is valid) and gives
// up, without an error, on anything else. The general path then starts over
// and handles every input: it checks the syntax of the whole input as
// encoding/json does, lets the last of several members with the same name
// win (as encoding/json does for a map), treats null members as absent, and
// reports the error DynamoDB reports. It visits the members of an object in
// document order, leaving out those a later member of the same name
// replaces, so where several members are in error the first one counts.

// maxNesting is the deepest nesting of objects and arrays the syntax check
// accepts, as in encoding/json.
const maxNesting = 10000

const msgPayload = "Unexpected value type in payload"

// DecodeItem decodes and validates an item (a JSON object of
// AttributeValues) as (*Item).UnmarshalJSON does, without going through
// encoding/json: it checks the syntax of data itself. JSON null gives an
// empty item. Errors are eddy errors of type ValidationException or
// SerializationException.
func DecodeItem(data []byte) (Item, error) {
	d := getDecoder(data)
	it, ok := d.item()
	ok = ok && d.end()
	putDecoder(d)
	if ok {
		return it, nil
	}
	return decodeItemSlow(data)
}

// decodeValue decodes and validates one AttributeValue from data.
func decodeValue(data []byte) (Value, error) {
	d := getDecoder(data)
	v, ok := d.value(1)
	ok = ok && d.end()
	putDecoder(d)
	if ok {
		return v, nil
	}
	return decodeValueSlow(data)
}

// decoders holds decoders with their scratch stacks, which every decode
// would otherwise grow anew.
var decoders = sync.Pool{New: func() any { return new(decoder) }}

func getDecoder(data []byte) *decoder {
	d := decoders.Get().(*decoder)
	d.data, d.pos = data, 0
	return d
}

// putDecoder returns d to the pool; its stacks are empty (each level pops
// what it pushed and clears it).
func putDecoder(d *decoder) {
	d.data = nil
	decoders.Put(d)
}

// plain marks the bytes a JSON string may hold as themselves with no
// further check: printable ASCII other than '"' and '\\'.
var plain = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// string flags reported by scanString.
const (
	strEscaped  = 1 << iota // holds a backslash escape
	strNonASCII             // holds a byte >= 0x80
)

// scanString checks the JSON string starting with the quote at data[i] and
// returns the index just past its closing quote.
func scanString(data []byte, i int) (end int, flags int, ok bool) {
	i++
	for {
		for i < len(data) && plain[data[i]] {
			i++
		}
		if i >= len(data) {
			return 0, 0, false
		}
		switch c := data[i]; {
		case c == '"':
			return i + 1, flags, true
		case c == '\\':
			flags |= strEscaped
			if i+1 >= len(data) {
				return 0, 0, false
			}
			switch data[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if hex4(data, i+2) < 0 {
					return 0, 0, false
				}
				i += 6
			default:
				return 0, 0, false
			}
		case c < ' ':
			return 0, 0, false
		default:
			flags |= strNonASCII
			i++
		}
	}
}

// hex4 returns the value of the four hex digits at data[i:], or -1.
func hex4(data []byte, i int) rune {
	if i+4 > len(data) {
		return -1
	}
	var r rune
	for _, c := range data[i : i+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}

// unquote returns the text of the string body s (without quotes), already
// checked by scanString, as encoding/json decodes it.
func unquote(s []byte, flags int) []byte {
	if flags == 0 || flags == strNonASCII && utf8.Valid(s) {
		return s
	}
	return unquoteSlow(s, make([]byte, 0, len(s)+utf8.UTFMax))
}

// unquoteSlow appends the text of the string body s to b. Like encoding/json
// it decodes escapes, combines UTF-16 surrogate pairs, and replaces a lone
// surrogate and each byte of invalid UTF-8 with U+FFFD.
func unquoteSlow(s, b []byte) []byte {
	for r := 0; r < len(s); {
		c := s[r]
		switch {
		case c == '\\':
			switch s[r+1] {
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				rr := hex4(s, r+2)
				r += 6
				if utf16.IsSurrogate(rr) {
					var rr1 rune = -1
					if r+1 < len(s) && s[r] == '\\' && s[r+1] == 'u' {
						rr1 = hex4(s, r+2)
					}
					if dec := utf16.DecodeRune(rr, rr1); dec != utf8.RuneError {
						r += 6
						b = utf8.AppendRune(b, dec)
						continue
					}
					rr = utf8.RuneError
				}
				b = utf8.AppendRune(b, rr)
				continue
			default: // '"', '\\', '/'
				b = append(b, s[r+1])
			}
			r += 2
		case c < utf8.RuneSelf:
			b = append(b, c)
			r++
		default:
			rr, size := utf8.DecodeRune(s[r:])
			b = utf8.AppendRune(b, rr)
			r += size
		}
	}
	return b
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func skipSpace(data []byte, i int) int {
	for i < len(data) && isSpace(data[i]) {
		i++
	}
	return i
}

// skipValue checks the JSON value starting at data[i] (after optional white
// space) and returns the index just past it. depth is the number of objects
// and arrays enclosing it.
func skipValue(data []byte, i, depth int) (int, bool) {
	i = skipSpace(data, i)
	if i >= len(data) {
		return 0, false
	}
	switch c := data[i]; {
	case c == '{' || c == '[':
		if depth+1 > maxNesting {
			return 0, false
		}
		closing := byte('}')
		if c == '[' {
			closing = ']'
		}
		i = skipSpace(data, i+1)
		if i < len(data) && data[i] == closing {
			return i + 1, true
		}
		for {
			var ok bool
			if c == '{' {
				if i >= len(data) || data[i] != '"' {
					return 0, false
				}
				if i, _, ok = scanString(data, i); !ok {
					return 0, false
				}
				if i = skipSpace(data, i); i >= len(data) || data[i] != ':' {
					return 0, false
				}
				i++
			}
			if i, ok = skipValue(data, i, depth+1); !ok {
				return 0, false
			}
			i = skipSpace(data, i)
			switch {
			case i >= len(data):
				return 0, false
			case data[i] == closing:
				return i + 1, true
			case data[i] != ',':
				return 0, false
			}
			i = skipSpace(data, i+1)
		}
	case c == '"':
		end, _, ok := scanString(data, i)
		return end, ok
	case c == 't':
		return literal(data, i, "true")
	case c == 'f':
		return literal(data, i, "false")
	case c == 'n':
		return literal(data, i, "null")
	case c == '-' || '0' <= c && c <= '9':
		return skipNumber(data, i)
	}
	return 0, false
}

func literal(data []byte, i int, lit string) (int, bool) {
	if len(data)-i >= len(lit) && string(data[i:i+len(lit)]) == lit {
		return i + len(lit), true
	}
	return 0, false
}

// skipNumber checks the JSON number at data[i]: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func skipNumber(data []byte, i int) (int, bool) {
	digits := func(i int) (int, bool) {
		j := i
		for j < len(data) && '0' <= data[j] && data[j] <= '9' {
			j++
		}
		return j, j > i
	}
	if data[i] == '-' {
		i++
	}
	switch {
	case i >= len(data):
		return 0, false
	case data[i] == '0':
		i++
	default:
		var ok bool
		if i, ok = digits(i); !ok {
			return 0, false
		}
	}
	if i < len(data) && data[i] == '.' {
		var ok bool
		if i, ok = digits(i + 1); !ok {
			return 0, false
		}
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		var ok bool
		if i, ok = digits(i); !ok {
			return 0, false
		}
	}
	return i, true
}

// validJSON reports whether data is one JSON value, with optional white
// space around it, as encoding/json's syntax check decides.
func validJSON(data []byte) bool {
	end, ok := skipValue(data, 0, 0)
	return ok && skipSpace(data, end) == len(data)
}

// kindOfKey returns the Kind named by the member name s, and Invalid if
// there is none.
func kindOfKey(s []byte) Kind {
	switch len(s) {
	case 1:
		switch s[0] {
		case 'S':
			return S
		case 'N':
			return N
		case 'B':
			return B
		case 'M':
			return M
		case 'L':
			return L
		}
	case 2:
		switch string(s) {
		case "SS":
			return SS
		case "NS":
			return NS
		case "BS":
			return BS
		}
	case 4:
		switch string(s) {
		case "NULL":
			return NULL
		case "BOOL":
			return BOOL
		}
	}
	return Invalid
}

// member is one decoded member of an object.
type member struct {
	key string
	val Value
}

// decoder is the fast path. Its methods return false when the input is not
// the plain case they handle; the general path then decides.
type decoder struct {
	data []byte
	pos  int
	// Scratch stacks shared by the nested objects, lists and sets being
	// decoded: each pushes its elements, copies them into a slice or map
	// of the exact size, and pops them.
	members []member
	values  []Value
	strs    []string
}

// end reports whether only white space is left.
func (d *decoder) end() bool {
	return skipSpace(d.data, d.pos) == len(d.data)
}

// next skips white space and returns the next byte, or 0 at the end.
func (d *decoder) next() byte {
	d.pos = skipSpace(d.data, d.pos)
	if d.pos < len(d.data) {
		return d.data[d.pos]
	}
	return 0
}

// consume skips white space and the byte c, and reports whether c was next.
func (d *decoder) consume(c byte) bool {
	if d.next() != c {
		return false
	}
	d.pos++
	return true
}

// rawString reads a string and returns its body, undecoded, and its flags.
func (d *decoder) rawString() ([]byte, int, bool) {
	if d.next() != '"' {
		return nil, 0, false
	}
	start := d.pos
	end, flags, ok := scanString(d.data, start)
	if !ok {
		return nil, 0, false
	}
	d.pos = end
	return d.data[start+1 : end-1], flags, true
}

// bytes reads a string and returns its text, which may alias the input.
func (d *decoder) bytes() ([]byte, bool) {
	s, flags, ok := d.rawString()
	if !ok {
		return nil, false
	}
	return unquote(s, flags), true
}

func (d *decoder) str() (string, bool) {
	s, ok := d.bytes()
	return string(s), ok
}

func (d *decoder) number() (Number, bool) {
	s, ok := d.bytes()
	if !ok {
		return Number{}, false
	}
	n, err := ParseNumber(string(s))
	return n, err == nil
}

func (d *decoder) binary() ([]byte, bool) {
	s, ok := d.bytes()
	if !ok {
		return nil, false
	}
	b := make([]byte, base64.StdEncoding.DecodedLen(len(s)))
	n, err := base64.StdEncoding.Decode(b, s)
	return b[:n], err == nil
}

// literal reads the literal lit.
func (d *decoder) literal(lit string) bool {
	d.next()
	end, ok := literal(d.data, d.pos, lit)
	d.pos = end
	return ok
}

// elements reads the rest of an array whose '[' has been read and which is
// not empty, calling elem for each element.
func (d *decoder) elements(elem func() bool) bool {
	for {
		if !elem() {
			return false
		}
		switch d.next() {
		case ',':
			d.pos++
		case ']':
			d.pos++
			return true
		default:
			return false
		}
	}
}

// item reads an item.
func (d *decoder) item() (Item, bool) {
	m, ok := d.object(1)
	return Item(m), ok
}

// object reads an object whose member values are AttributeValues at the
// given depth. Two members with the same name make it give up.
func (d *decoder) object(depth int) (map[string]Value, bool) {
	if !d.consume('{') {
		return nil, false
	}
	base := len(d.members)
	defer d.popMembers(base)
	if d.next() == '}' {
		d.pos++
		return map[string]Value{}, true
	}
	for {
		key, ok := d.str()
		if !ok || !d.consume(':') {
			return nil, false
		}
		v, ok := d.value(depth)
		if !ok {
			return nil, false
		}
		d.members = append(d.members, member{key, v})
		c := d.next()
		d.pos++
		if c == '}' {
			break
		}
		if c != ',' {
			return nil, false
		}
	}
	ms := d.members[base:]
	m := make(map[string]Value, len(ms))
	for _, e := range ms {
		m[e.key] = e.val
	}
	return m, len(m) == len(ms)
}

func (d *decoder) popMembers(base int) {
	clear(d.members[base:])
	d.members = d.members[:base]
}

// value reads one AttributeValue at the given depth.
func (d *decoder) value(depth int) (Value, bool) {
	if depth > MaxDepth+1 || !d.consume('{') {
		return Value{}, false
	}
	key, flags, ok := d.rawString()
	if !ok || flags != 0 || !d.consume(':') {
		return Value{}, false
	}
	kind := kindOfKey(key)
	v := Value{Kind: kind}
	switch kind {
	case S:
		v.S, ok = d.str()
	case N:
		v.N, ok = d.number()
	case B:
		v.B, ok = d.binary()
	case SS, NS, BS:
		v, ok = d.set(kind)
	case M:
		v.M, ok = d.object(depth + 1)
	case L:
		v.L, ok = d.list(depth + 1)
	case NULL:
		ok = d.literal("true")
	case BOOL:
		switch d.next() {
		case 't':
			ok, v.Bool = d.literal("true"), true
		case 'f':
			ok = d.literal("false")
		default:
			ok = false
		}
	default:
		return Value{}, false
	}
	if !ok || !d.consume('}') {
		return Value{}, false
	}
	return v, true
}

// list reads the elements of an L value.
func (d *decoder) list(depth int) ([]Value, bool) {
	if !d.consume('[') {
		return nil, false
	}
	if d.next() == ']' {
		d.pos++
		return []Value{}, true
	}
	base := len(d.values)
	defer func() {
		clear(d.values[base:])
		d.values = d.values[:base]
	}()
	ok := d.elements(func() bool {
		v, ok := d.value(depth)
		d.values = append(d.values, v)
		return ok
	})
	if !ok {
		return nil, false
	}
	return append([]Value(nil), d.values[base:]...), true
}

// set reads the elements of a set value; an empty set or duplicates make
// it give up.
func (d *decoder) set(kind Kind) (Value, bool) {
	base := len(d.strs)
	defer func() {
		clear(d.strs[base:])
		d.strs = d.strs[:base]
	}()
	if !d.consume('[') || d.next() == ']' {
		return Value{}, false
	}
	v := Value{Kind: kind}
	ok := d.elements(func() bool {
		switch kind {
		case SS:
			s, ok := d.str()
			d.strs = append(d.strs, s)
			return ok
		case NS:
			n, ok := d.number()
			v.NS = append(v.NS, n)
			return ok
		default:
			b, ok := d.binary()
			v.BS = append(v.BS, b)
			return ok
		}
	})
	if !ok {
		return Value{}, false
	}
	if kind == SS {
		v.SS = append([]string(nil), d.strs[base:]...)
	}
	return v, !hasDuplicates(v)
}

// hasDuplicates reports whether a set value holds two equal elements.
func hasDuplicates(v Value) bool {
	n := v.SetLen()
	if n <= 16 {
		for i := 1; i < n; i++ {
			for j := range i {
				switch v.Kind {
				case SS:
					if v.SS[i] == v.SS[j] {
						return true
					}
				case NS:
					if v.NS[i] == v.NS[j] {
						return true
					}
				case BS:
					if bytes.Equal(v.BS[i], v.BS[j]) {
						return true
					}
				}
			}
		}
		return false
	}
	seen := make(map[string]bool, n)
	for i := range n {
		var key string
		switch v.Kind {
		case SS:
			key = v.SS[i]
		case NS:
			key = v.NS[i].String()
		case BS:
			key = string(v.BS[i])
		}
		if seen[key] {
			return true
		}
		seen[key] = true
	}
	return false
}

// The general path. It checks the syntax of the whole input first, and
// then works on spans of valid JSON.

func decodeItemSlow(data []byte) (Item, error) {
	if !validJSON(data) {
		return nil, serializationError(msgPayload)
	}
	data = bytes.TrimSpace(data)
	if string(data) == "null" {
		return Item{}, nil
	}
	ms, ok := objectSpans(data)
	if !ok {
		return nil, serializationError(msgPayload)
	}
	out := make(Item, len(ms))
	for _, m := range ms {
		v, err := valueSpan(m.val, 1)
		if err != nil {
			return nil, err
		}
		out[m.key] = v
	}
	return out, nil
}

func decodeValueSlow(data []byte) (Value, error) {
	if !validJSON(data) {
		return Value{}, serializationError(msgPayload)
	}
	return valueSpan(bytes.TrimSpace(data), 1)
}

// span is a member of an object as a span of the input.
type span struct {
	key string
	val []byte
}

// objectSpans returns the members of the object s, without those a later
// member of the same name replaces, or false if s is not an object.
func objectSpans(s []byte) ([]span, bool) {
	if s[0] != '{' {
		return nil, false
	}
	var ms []span
	i := skipSpace(s, 1)
	for s[i] != '}' {
		end, flags, _ := scanString(s, i)
		key := string(unquote(s[i+1:end-1], flags))
		i = skipSpace(s, end) + 1 // ':'
		start := skipSpace(s, i)
		i, _ = skipValue(s, start, 0)
		ms = append(ms, span{key, s[start:i]})
		if i = skipSpace(s, i); s[i] == ',' {
			i = skipSpace(s, i+1)
		}
	}
	last := make(map[string]int, len(ms))
	for i, m := range ms {
		last[m.key] = i
	}
	if len(last) == len(ms) {
		return ms, true
	}
	kept := ms[:0]
	for i, m := range ms {
		if last[m.key] == i {
			kept = append(kept, m)
		}
	}
	return kept, true
}

// arraySpans returns the elements of the array s, or false if s is not an
// array.
func arraySpans(s []byte) ([][]byte, bool) {
	if s[0] != '[' {
		return nil, false
	}
	es := [][]byte{}
	i := skipSpace(s, 1)
	for s[i] != ']' {
		end, _ := skipValue(s, i, 0)
		es = append(es, s[i:end])
		if i = skipSpace(s, end); s[i] == ',' {
			i = skipSpace(s, i+1)
		}
	}
	return es, true
}

// stringSpan returns the text of the string s, or false if s is not a string.
func stringSpan(s []byte) (string, bool) {
	if s[0] != '"' {
		return "", false
	}
	_, flags, _ := scanString(s, 0)
	return string(unquote(s[1:len(s)-1], flags)), true
}

// valueSpan decodes the AttributeValue s, valid JSON, at the given depth.
func valueSpan(s []byte, depth int) (Value, error) {
	if depth > MaxDepth+1 {
		return Value{}, validationError(msgTooDeep)
	}
	ms, ok := objectSpans(s)
	if !ok {
		return Value{}, serializationError(msgPayload)
	}
	var key string
	var body []byte
	n := 0
	for _, m := range ms {
		if string(m.val) == "null" {
			continue // a null member is an absent member
		}
		if _, ok := KindOf(m.key); !ok {
			return Value{}, serializationError("Unexpected field %q in AttributeValue", m.key)
		}
		key, body = m.key, m.val
		n++
	}
	switch n {
	case 0:
		return Value{}, validationError(msgEmptyValue)
	case 1:
	default:
		return Value{}, validationError(msgManyTypes)
	}
	kind, _ := KindOf(key)
	wrongType := func() (Value, error) {
		return Value{}, serializationError("Unexpected value type for AttributeValue member %s", key)
	}
	switch kind {
	case S, N, B:
		s, ok := stringSpan(body)
		if !ok {
			return wrongType()
		}
		switch kind {
		case S:
			return Str(s), nil
		case N:
			num, err := ParseNumber(s)
			if err != nil {
				return Value{}, err
			}
			return Num(num), nil
		}
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return Value{}, base64Error(s)
		}
		return Bin(b), nil
	case SS, NS, BS:
		es, ok := arraySpans(body)
		if !ok {
			return wrongType()
		}
		ss := make([]string, len(es))
		for i, e := range es {
			if string(e) == "null" {
				continue // encoding/json leaves a string alone for null
			}
			if ss[i], ok = stringSpan(e); !ok {
				return wrongType()
			}
		}
		return decodeSet(kind, ss)
	case M:
		ms, ok := objectSpans(body)
		if !ok {
			return wrongType()
		}
		m := make(map[string]Value, len(ms))
		for _, e := range ms {
			v, err := valueSpan(e.val, depth+1)
			if err != nil {
				return Value{}, err
			}
			m[e.key] = v
		}
		return Map(m), nil
	case L:
		es, ok := arraySpans(body)
		if !ok {
			return wrongType()
		}
		l := make([]Value, len(es))
		for i, e := range es {
			v, err := valueSpan(e, depth+1)
			if err != nil {
				return Value{}, err
			}
			l[i] = v
		}
		return List(l...), nil
	default: // NULL, BOOL
		var b bool
		switch string(body) {
		case "true":
			b = true
		case "false":
		default:
			return wrongType()
		}
		if kind == BOOL {
			return Bool(b), nil
		}
		if !b {
			return Value{}, validationError(msgNullNotTrue)
		}
		return Null(), nil
	}
}
