package attrs

import (
	"encoding/base64"
	"fmt"
	"slices"
	"unicode/utf8"
)

// Encoding DynamoDB's JSON wire format. The output is byte for byte what
// encoding/json writes for the same strings: HTML-safe escaping of <, > and
// &, \u2028 and \u2029 escaped, and invalid UTF-8 replaced with \ufffd.

// MarshalJSON encodes v in DynamoDB's wire format.
func (v Value) MarshalJSON() ([]byte, error) {
	b, err := v.appendJSON(make([]byte, 0, sizeHint(&v)))
	if err != nil {
		return nil, err
	}
	return b, nil
}

// MarshalJSON encodes it as a JSON object of AttributeValues with its
// attribute names in sorted order, the bytes encoding/json writes for the
// map, and null for a nil Item.
func (it Item) MarshalJSON() ([]byte, error) {
	if it == nil {
		return []byte("null"), nil
	}
	b, err := appendMap(make([]byte, 0, mapSizeHint(it)), it)
	if err != nil {
		return nil, err
	}
	return b, nil
}

// appendJSON appends the wire form of v to b.
func (v *Value) appendJSON(b []byte) ([]byte, error) {
	if v.Kind == Invalid || int(v.Kind) >= len(kindNames) {
		return nil, fmt.Errorf("attrs: cannot marshal a Value of kind %v", v.Kind)
	}
	b = append(b, `{"`...)
	b = append(b, kindNames[v.Kind]...)
	b = append(b, `":`...)
	switch v.Kind {
	case S:
		b = appendString(b, v.S)
	case N:
		b = appendNumber(b, v.N)
	case B:
		b = appendBinary(b, v.B)
	case SS, NS, BS:
		b = append(b, '[')
		for i := range v.SetLen() {
			if i > 0 {
				b = append(b, ',')
			}
			switch v.Kind {
			case SS:
				b = appendString(b, v.SS[i])
			case NS:
				b = appendNumber(b, v.NS[i])
			case BS:
				b = appendBinary(b, v.BS[i])
			}
		}
		b = append(b, ']')
	case M:
		var err error
		if b, err = appendMap(b, v.M); err != nil {
			return nil, err
		}
	case L:
		b = append(b, '[')
		for i := range v.L {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = v.L[i].appendJSON(b); err != nil {
				return nil, err
			}
		}
		b = append(b, ']')
	case NULL:
		b = append(b, "true"...)
	case BOOL:
		if v.Bool {
			b = append(b, "true"...)
		} else {
			b = append(b, "false"...)
		}
	}
	return append(b, '}'), nil
}

// sizeHint estimates the length of v's wire form, so that the buffer is
// allocated once: exact but for escapes in strings.
func sizeHint(v *Value) int {
	n := len(`{"":}`) + len(kindNames[v.Kind%Kind(len(kindNames))])
	switch v.Kind {
	case S:
		n += len(v.S) + 2
	case N:
		n += numberSizeHint(v.N)
	case B:
		n += base64.StdEncoding.EncodedLen(len(v.B)) + 2
	case SS:
		for _, s := range v.SS {
			n += len(s) + 3
		}
	case NS:
		for _, x := range v.NS {
			n += numberSizeHint(x) + 1
		}
	case BS:
		for _, p := range v.BS {
			n += base64.StdEncoding.EncodedLen(len(p)) + 3
		}
	case M:
		n += mapSizeHint(v.M)
	case L:
		n += 2
		for i := range v.L {
			n += sizeHint(&v.L[i]) + 1
		}
	default:
		n += 5
	}
	return n
}

func mapSizeHint(m map[string]Value) int {
	n := 2
	for k, e := range m {
		n += len(k) + 4 + sizeHint(&e)
	}
	return n
}

// numberSizeHint is the length of n's text with quotes.
func numberSizeHint(n Number) int {
	return len(n.coef) + max(n.exp, -n.exp) + 5
}

// appendMap appends m as a JSON object with its keys in sorted order.
func appendMap(b []byte, m map[string]Value) ([]byte, error) {
	var small [16]string
	keys := small[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		v := m[k]
		var err error
		if b, err = v.appendJSON(b); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

func appendNumber(b []byte, n Number) []byte {
	b = append(b, '"')
	b = n.appendText(b)
	return append(b, '"')
}

// appendBinary appends the base64 form of p as a JSON string; base64 text
// needs no escapes.
func appendBinary(b, p []byte) []byte {
	b = append(b, '"')
	b = base64.StdEncoding.AppendEncode(b, p)
	return append(b, '"')
}

// safeASCII marks the ASCII bytes encoding/json writes unescaped in a string
// (with its default HTML-safe escaping).
var safeASCII = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string, escaped as encoding/json escapes
// it.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if safeASCII[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default: // other control characters, <, > and &
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			// Valid JSON, but not valid JavaScript source.
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
