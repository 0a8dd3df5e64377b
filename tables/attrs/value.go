// Package attrs holds DynamoDB's values: the AttributeValue union (Value),
// items (Item), DynamoDB's exact decimal Number, comparison and equality as
// DynamoDB defines them, an order-preserving byte encoding of key values for
// storage (SortKey), and item sizes as DynamoDB counts them (Size).
//
// Values marshal to and from DynamoDB's JSON wire format ({"S":"x"},
// {"N":"1.5"}, {"B":"base64"}, {"SS":[…]}, {"M":{…}}, {"L":[…]},
// {"NULL":true}, {"BOOL":false}); unmarshalling validates as DynamoDB does
// and returns eddy errors of type ValidationException (or
// SerializationException for JSON that is not an AttributeValue at all).
package attrs

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/eddyserverless/eddy"
)

// Kind is the data type of a Value, named as in DynamoDB's wire format.
type Kind uint8

// The kinds of Value. The zero Kind is Invalid: the zero Value is not a
// valid AttributeValue.
const (
	Invalid Kind = iota
	S
	N
	B
	SS
	NS
	BS
	M
	L
	NULL
	BOOL
)

var kindNames = [...]string{"", "S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL"}

// String returns the wire name of k ("S", "NS", "BOOL" …).
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", k)
}

// KindOf returns the Kind with wire name s, and false if there is none.
func KindOf(s string) (Kind, bool) {
	for i, n := range kindNames {
		if i > 0 && n == s {
			return Kind(i), true
		}
	}
	return Invalid, false
}

// IsSet reports whether k is SS, NS or BS.
func (k Kind) IsSet() bool { return k == SS || k == NS || k == BS }

// MaxDepth is the deepest nesting of M and L DynamoDB accepts.
const MaxDepth = 32

// Value is one DynamoDB AttributeValue. Only the field for Kind is
// meaningful. Build values with the constructors (Str, Num, Bin, …) or by
// unmarshalling JSON; treat them as immutable.
type Value struct {
	Kind Kind
	S    string           // S
	N    Number           // N
	B    []byte           // B
	SS   []string         // SS
	NS   []Number         // NS
	BS   [][]byte         // BS
	M    map[string]Value // M
	L    []Value          // L
	Bool bool             // BOOL
}

// Item is a DynamoDB item: attribute names to values.
type Item map[string]Value

// Str returns an S value.
func Str(s string) Value { return Value{Kind: S, S: s} }

// Num returns an N value.
func Num(n Number) Value { return Value{Kind: N, N: n} }

// Bin returns a B value.
func Bin(b []byte) Value { return Value{Kind: B, B: b} }

// StrSet returns an SS value. It does not check for emptiness or duplicates.
func StrSet(ss ...string) Value { return Value{Kind: SS, SS: ss} }

// NumSet returns an NS value. It does not check for emptiness or duplicates.
func NumSet(ns ...Number) Value { return Value{Kind: NS, NS: ns} }

// BinSet returns a BS value. It does not check for emptiness or duplicates.
func BinSet(bs ...[]byte) Value { return Value{Kind: BS, BS: bs} }

// Map returns an M value.
func Map(m map[string]Value) Value {
	if m == nil {
		m = map[string]Value{}
	}
	return Value{Kind: M, M: m}
}

// List returns an L value.
func List(l ...Value) Value {
	if l == nil {
		l = []Value{}
	}
	return Value{Kind: L, L: l}
}

// Null returns the NULL value.
func Null() Value { return Value{Kind: NULL} }

// Bool returns a BOOL value.
func Bool(b bool) Value { return Value{Kind: BOOL, Bool: b} }

// SetLen returns the number of elements of a set value, and 0 for others.
func (v Value) SetLen() int {
	switch v.Kind {
	case SS:
		return len(v.SS)
	case NS:
		return len(v.NS)
	case BS:
		return len(v.BS)
	}
	return 0
}

// String returns a short human form of v for messages, in the style of
// DynamoDB's error messages ("{N:5}", "{S:abc}").
func (v Value) String() string {
	switch v.Kind {
	case S:
		return "{S:" + v.S + "}"
	case N:
		return "{N:" + v.N.String() + "}"
	case B:
		return "{B:" + base64.StdEncoding.EncodeToString(v.B) + "}"
	}
	b, _ := v.MarshalJSON()
	return string(b)
}

// MarshalJSON encodes v in DynamoDB's wire format.
func (v Value) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	if err := v.encode(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func writeString(buf *bytes.Buffer, s string) {
	b, _ := json.Marshal(s) // strings always marshal
	buf.Write(b)
}

func (v Value) encode(buf *bytes.Buffer) error {
	buf.WriteString(`{"` + v.Kind.String() + `":`)
	switch v.Kind {
	case S:
		writeString(buf, v.S)
	case N:
		writeString(buf, v.N.String())
	case B:
		writeString(buf, base64.StdEncoding.EncodeToString(v.B))
	case SS, NS, BS:
		buf.WriteByte('[')
		for i := range v.SetLen() {
			if i > 0 {
				buf.WriteByte(',')
			}
			switch v.Kind {
			case SS:
				writeString(buf, v.SS[i])
			case NS:
				writeString(buf, v.NS[i].String())
			case BS:
				writeString(buf, base64.StdEncoding.EncodeToString(v.BS[i]))
			}
		}
		buf.WriteByte(']')
	case M:
		buf.WriteByte('{')
		keys := make([]string, 0, len(v.M))
		for k := range v.M {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for i, k := range keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeString(buf, k)
			buf.WriteByte(':')
			if err := v.M[k].encode(buf); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	case L:
		buf.WriteByte('[')
		for i, e := range v.L {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := e.encode(buf); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
	case NULL:
		buf.WriteString("true")
	case BOOL:
		if v.Bool {
			buf.WriteString("true")
		} else {
			buf.WriteString("false")
		}
	default:
		return fmt.Errorf("attrs: cannot marshal a Value of kind %v", v.Kind)
	}
	buf.WriteByte('}')
	return nil
}

// Messages DynamoDB uses for malformed AttributeValues.
const (
	msgEmptyValue    = "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
	msgManyTypes     = "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"
	msgNullNotTrue   = "One or more parameter values were invalid: Null attribute value types must have the value of true"
	msgTooDeep       = "Nesting Levels have exceeded supported limits"
	msgEmptySetFmt   = "One or more parameter values were invalid: An %s set  may not be empty"
	msgDuplicatesFmt = "One or more parameter values were invalid: Input collection %s contains duplicates."
)

func serializationError(format string, args ...any) error {
	return eddy.TypedErrorf(eddy.EMALFORMED, "SerializationException", format, args...)
}

// UnmarshalJSON decodes and validates one AttributeValue.
func (v *Value) UnmarshalJSON(data []byte) error {
	d, err := decodeValue(data, 1)
	if err != nil {
		return err
	}
	*v = d
	return nil
}

// UnmarshalJSON decodes and validates an item (a JSON object of
// AttributeValues).
func (it *Item) UnmarshalJSON(data []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return serializationError("Unexpected value type in payload")
	}
	out := make(Item, len(raw))
	for k, r := range raw {
		v, err := decodeValue(r, 1)
		if err != nil {
			return err
		}
		out[k] = v
	}
	*it = out
	return nil
}

func decodeValue(data []byte, depth int) (Value, error) {
	if depth > MaxDepth+1 {
		return Value{}, validationError(msgTooDeep)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil || raw == nil {
		return Value{}, serializationError("Unexpected value type in payload")
	}
	var key string
	var body json.RawMessage
	n := 0
	for k, r := range raw {
		if string(bytes.TrimSpace(r)) == "null" {
			continue // a null member is an absent member
		}
		if _, ok := KindOf(k); !ok {
			return Value{}, serializationError("Unexpected field %q in AttributeValue", k)
		}
		key, body = k, r
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
	case S:
		var s string
		if json.Unmarshal(body, &s) != nil {
			return wrongType()
		}
		return Str(s), nil
	case N:
		var s string
		if json.Unmarshal(body, &s) != nil {
			return wrongType()
		}
		num, err := ParseNumber(s)
		if err != nil {
			return Value{}, err
		}
		return Num(num), nil
	case B:
		var s string
		if json.Unmarshal(body, &s) != nil {
			return wrongType()
		}
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return Value{}, serializationError("Base64 encoded length is expected a multiple of 4 bytes but found: %d", len(s))
		}
		return Bin(b), nil
	case SS, NS, BS:
		var ss []string
		if json.Unmarshal(body, &ss) != nil {
			return wrongType()
		}
		return decodeSet(kind, ss)
	case M:
		var raw map[string]json.RawMessage
		if json.Unmarshal(body, &raw) != nil || raw == nil {
			return wrongType()
		}
		m := make(map[string]Value, len(raw))
		for k, r := range raw {
			e, err := decodeValue(r, depth+1)
			if err != nil {
				return Value{}, err
			}
			m[k] = e
		}
		return Map(m), nil
	case L:
		var raw []json.RawMessage
		if json.Unmarshal(body, &raw) != nil || raw == nil {
			return wrongType()
		}
		l := make([]Value, len(raw))
		for i, r := range raw {
			e, err := decodeValue(r, depth+1)
			if err != nil {
				return Value{}, err
			}
			l[i] = e
		}
		return List(l...), nil
	case NULL:
		var b bool
		if json.Unmarshal(body, &b) != nil {
			return wrongType()
		}
		if !b {
			return Value{}, validationError(msgNullNotTrue)
		}
		return Null(), nil
	default: // BOOL
		var b bool
		if json.Unmarshal(body, &b) != nil {
			return wrongType()
		}
		return Bool(b), nil
	}
}

var setWords = map[Kind]string{SS: "string", NS: "number", BS: "binary"}

func decodeSet(kind Kind, ss []string) (Value, error) {
	if len(ss) == 0 {
		return Value{}, validationError(msgEmptySetFmt, setWords[kind])
	}
	v := Value{Kind: kind}
	seen := make(map[string]bool, len(ss))
	for _, s := range ss {
		key := s
		switch kind {
		case SS:
			v.SS = append(v.SS, s)
		case NS:
			n, err := ParseNumber(s)
			if err != nil {
				return Value{}, err
			}
			key = n.String()
			v.NS = append(v.NS, n)
		case BS:
			b, err := base64.StdEncoding.DecodeString(s)
			if err != nil {
				return Value{}, serializationError("Base64 encoded length is expected a multiple of 4 bytes but found: %d", len(s))
			}
			key = string(b)
			v.BS = append(v.BS, b)
		}
		if seen[key] {
			return Value{}, validationError(msgDuplicatesFmt, "["+strings.Join(ss, ", ")+"]")
		}
		seen[key] = true
	}
	return v, nil
}

// Compare compares two scalar values of the same type as DynamoDB orders
// them: N numerically, S by UTF-8 bytes, B bytewise. It returns false if the
// values are not both S, both N or both B.
func Compare(a, b Value) (int, bool) {
	if a.Kind != b.Kind {
		return 0, false
	}
	switch a.Kind {
	case S:
		return strings.Compare(a.S, b.S), true
	case N:
		return a.N.Cmp(b.N), true
	case B:
		return bytes.Compare(a.B, b.B), true
	}
	return 0, false
}

// Equal reports whether a and b are the same DynamoDB value: same kind and
// deeply equal contents, sets compared without regard to order, numbers
// numerically.
func Equal(a, b Value) bool {
	if a.Kind != b.Kind {
		return false
	}
	switch a.Kind {
	case S:
		return a.S == b.S
	case N:
		return a.N == b.N
	case B:
		return bytes.Equal(a.B, b.B)
	case BOOL:
		return a.Bool == b.Bool
	case NULL:
		return true
	case SS, NS, BS:
		if a.SetLen() != b.SetLen() {
			return false
		}
		for i := range b.SetLen() {
			if !a.SetContains(b.Element(i)) {
				return false
			}
		}
		return true
	case L:
		return slices.EqualFunc(a.L, b.L, Equal)
	case M:
		if len(a.M) != len(b.M) {
			return false
		}
		for k, av := range a.M {
			bv, ok := b.M[k]
			if !ok || !Equal(av, bv) {
				return false
			}
		}
		return true
	}
	return false
}

// ItemsEqual reports whether two items hold the same attributes with Equal
// values.
func ItemsEqual(a, b Item) bool {
	return Equal(Map(a), Map(b))
}

// Element returns element i of a set value as a scalar value.
func (v Value) Element(i int) Value {
	switch v.Kind {
	case SS:
		return Str(v.SS[i])
	case NS:
		return Num(v.NS[i])
	case BS:
		return Bin(v.BS[i])
	}
	return Value{}
}

// ElementKind returns the scalar kind of a set's elements (S for SS …), and
// Invalid for other kinds.
func (k Kind) ElementKind() Kind {
	switch k {
	case SS:
		return S
	case NS:
		return N
	case BS:
		return B
	}
	return Invalid
}

// SetKind returns the set kind whose elements are k (SS for S …), and
// Invalid for other kinds.
func (k Kind) SetKind() Kind {
	switch k {
	case S:
		return SS
	case N:
		return NS
	case B:
		return BS
	}
	return Invalid
}

// SetContains reports whether set value v contains scalar e.
func (v Value) SetContains(e Value) bool {
	if v.Kind.ElementKind() != e.Kind || e.Kind == Invalid {
		return false
	}
	for i := range v.SetLen() {
		if Equal(v.Element(i), e) {
			return true
		}
	}
	return false
}

// SetFrom builds a set value of kind (SS, NS or BS) from scalar elements.
func SetFrom(kind Kind, elems []Value) Value {
	v := Value{Kind: kind}
	for _, e := range elems {
		switch kind {
		case SS:
			v.SS = append(v.SS, e.S)
		case NS:
			v.NS = append(v.NS, e.N)
		case BS:
			v.BS = append(v.BS, e.B)
		}
	}
	return v
}

// Elements returns the elements of a set value as scalar values.
func (v Value) Elements() []Value {
	out := make([]Value, v.SetLen())
	for i := range out {
		out[i] = v.Element(i)
	}
	return out
}
