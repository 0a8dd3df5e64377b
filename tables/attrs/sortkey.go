package attrs

import (
	"bytes"
	"fmt"
	"strings"
)

// Sort key encoding. The first byte is the kind ('S', 'N' or 'B'); a table's
// key attribute has one kind, so the tag never decides an order. S and B
// follow as raw bytes (DynamoDB orders them bytewise). An N is encoded so
// that byte order is numeric order:
//
//	zero:     0x80
//	positive: 0x81, exponent as 2 bytes big-endian (sci+bias), digits as
//	          ASCII, 0x00
//	negative: 0x7F, the same exponent bytes and digits each inverted
//	          (0xFF-b), 0xFF
//
// The digit strings have no trailing zeros, so a shorter one that is a prefix
// of a longer one is the smaller magnitude, and its terminator (0x00) sorts
// before any digit; inverted for negatives. N encodings are self-delimiting;
// S and B encodings are not, so put them last in a composite storage key.
const expBias = 1 << 14

// SortKey returns the order-preserving encoding of a key value of kind S, N
// or B, and nil for any other kind.
func SortKey(v Value) []byte {
	switch v.Kind {
	case S:
		return append([]byte{'S'}, v.S...)
	case B:
		return append([]byte{'B'}, v.B...)
	case N:
		return append([]byte{'N'}, numberKey(v.N)...)
	}
	return nil
}

func numberKey(n Number) []byte {
	if n.coef == "" {
		return []byte{0x80}
	}
	e := len(n.coef) + n.exp - 1 + expBias
	out := make([]byte, 0, 4+len(n.coef))
	out = append(out, 0x81, byte(e>>8), byte(e))
	out = append(out, n.coef...)
	out = append(out, 0x00)
	if n.neg {
		for i := range out {
			out[i] = 0xFF - out[i]
		}
		// 0xFF-0x81 = 0x7E; use 0x7F so that the sign tag reads as the
		// documented constant (any byte below 0x80 orders the same).
		out[0] = 0x7F
	}
	return out
}

// DecodeSortKey decodes an encoding made by SortKey. Numbers come back in
// canonical form.
func DecodeSortKey(b []byte) (Value, error) {
	if len(b) == 0 {
		return Value{}, fmt.Errorf("attrs: empty sort key")
	}
	switch b[0] {
	case 'S':
		return Str(string(b[1:])), nil
	case 'B':
		return Bin(bytes.Clone(b[1:])), nil
	case 'N':
		n, err := decodeNumberKey(b[1:])
		if err != nil {
			return Value{}, err
		}
		return Num(n), nil
	}
	return Value{}, fmt.Errorf("attrs: unknown sort key tag %#x", b[0])
}

func decodeNumberKey(b []byte) (Number, error) {
	bad := fmt.Errorf("attrs: malformed number sort key %x", b)
	if len(b) == 1 && b[0] == 0x80 {
		return Number{}, nil
	}
	if len(b) < 5 || (b[0] != 0x81 && b[0] != 0x7F) {
		return Number{}, bad
	}
	neg := b[0] == 0x7F
	body := bytes.Clone(b[1:])
	if neg {
		for i := range body {
			body[i] = 0xFF - body[i]
		}
	}
	if body[len(body)-1] != 0 {
		return Number{}, bad
	}
	e := int(body[0])<<8 | int(body[1]) - expBias
	digits := string(body[2 : len(body)-1])
	if digits == "" || strings.Trim(digits, "0123456789") != "" || digits[0] == '0' || digits[len(digits)-1] == '0' {
		return Number{}, bad
	}
	n := Number{neg: neg, coef: digits, exp: e - len(digits) + 1}
	if err := n.check(); err != nil {
		return Number{}, bad
	}
	return n, nil
}
