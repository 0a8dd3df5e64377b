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

func base64Error(s string) error {
	return serializationError("Base64 encoded length is expected a multiple of 4 bytes but found: %d", len(s))
}

// UnmarshalJSON decodes and validates one AttributeValue.
func (v *Value) UnmarshalJSON(data []byte) error {
	d, err := decodeValue(data)
	if err != nil {
		return err
	}
	*v = d
	return nil
}

// UnmarshalJSON decodes and validates an item (a JSON object of
// AttributeValues), as DecodeItem does.
func (it *Item) UnmarshalJSON(data []byte) error {
	d, err := DecodeItem(data)
	if err != nil {
		return err
	}
	*it = d
	return nil
}

var setWords = map[Kind]string{SS: "string", NS: "number", BS: "binary"}

// decodeSet builds a set value of kind from the strings of its JSON array,
// validating them in order as DynamoDB does.
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
				return Value{}, base64Error(s)
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
