package attrs_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/tables/attrs"
)

// The reference decoder and encoder: the implementations eddy used before
// the hand-rolled ones, built on encoding/json. The equivalence tests check
// the hand-rolled ones against them.
//
// The decoder differs from the old one in one respect. The old one ranged
// over Go maps, whose order is unspecified, so that for an input with
// several errors it reported any one of them. This one visits an object's
// members in the order of their last occurrence in the input (refOrder),
// which is one of the orders the old one could take and the order the
// hand-rolled decoder reports errors in.

const (
	refMsgEmptyValue    = "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
	refMsgManyTypes     = "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"
	refMsgNullNotTrue   = "One or more parameter values were invalid: Null attribute value types must have the value of true"
	refMsgTooDeep       = "Nesting Levels have exceeded supported limits"
	refMsgEmptySetFmt   = "One or more parameter values were invalid: An %s set  may not be empty"
	refMsgDuplicatesFmt = "One or more parameter values were invalid: Input collection %s contains duplicates."
)

func refValidationError(format string, args ...any) error {
	return eddy.TypedErrorf(eddy.EVALIDATE, "ValidationException", format, args...)
}

func refSerializationError(format string, args ...any) error {
	return eddy.TypedErrorf(eddy.EMALFORMED, "SerializationException", format, args...)
}

// refOrder returns the distinct member names of the JSON object obj, which
// decoded to raw, in the order of their last occurrence.
func refOrder(obj []byte, raw map[string]json.RawMessage) []string {
	dec := json.NewDecoder(bytes.NewReader(obj))
	if _, err := dec.Token(); err != nil {
		panic(err)
	}
	var names []string
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			panic(err)
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			panic(err)
		}
		names = append(names, t.(string))
	}
	last := map[string]int{}
	for i, k := range names {
		last[k] = i
	}
	var out []string
	for i, k := range names {
		if last[k] == i {
			out = append(out, k)
		}
	}
	if len(out) != len(raw) {
		panic(fmt.Sprintf("refOrder: %d names for %d members", len(out), len(raw)))
	}
	return out
}

// refValue and refItem decode with the reference decoder when encoding/json
// calls them.
type refValue attrs.Value

func (v *refValue) UnmarshalJSON(data []byte) error {
	d, err := refDecodeValue(data, 1)
	if err != nil {
		return err
	}
	*v = refValue(d)
	return nil
}

type refItem attrs.Item

func (it *refItem) UnmarshalJSON(data []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return refSerializationError("Unexpected value type in payload")
	}
	out := make(refItem, len(raw))
	for _, k := range refOrder(data, raw) {
		v, err := refDecodeValue(raw[k], 1)
		if err != nil {
			return err
		}
		out[k] = v
	}
	*it = out
	return nil
}

func refDecodeValue(data []byte, depth int) (attrs.Value, error) {
	if depth > attrs.MaxDepth+1 {
		return attrs.Value{}, refValidationError(refMsgTooDeep)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil || raw == nil {
		return attrs.Value{}, refSerializationError("Unexpected value type in payload")
	}
	var key string
	var body json.RawMessage
	n := 0
	for _, k := range refOrder(data, raw) {
		r := raw[k]
		if string(bytes.TrimSpace(r)) == "null" {
			continue // a null member is an absent member
		}
		if _, ok := attrs.KindOf(k); !ok {
			return attrs.Value{}, refSerializationError("Unexpected field %q in AttributeValue", k)
		}
		key, body = k, r
		n++
	}
	switch n {
	case 0:
		return attrs.Value{}, refValidationError(refMsgEmptyValue)
	case 1:
	default:
		return attrs.Value{}, refValidationError(refMsgManyTypes)
	}
	kind, _ := attrs.KindOf(key)
	wrongType := func() (attrs.Value, error) {
		return attrs.Value{}, refSerializationError("Unexpected value type for AttributeValue member %s", key)
	}
	switch kind {
	case attrs.S:
		var s string
		if json.Unmarshal(body, &s) != nil {
			return wrongType()
		}
		return attrs.Str(s), nil
	case attrs.N:
		var s string
		if json.Unmarshal(body, &s) != nil {
			return wrongType()
		}
		num, err := attrs.ParseNumber(s)
		if err != nil {
			return attrs.Value{}, err
		}
		return attrs.Num(num), nil
	case attrs.B:
		var s string
		if json.Unmarshal(body, &s) != nil {
			return wrongType()
		}
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return attrs.Value{}, refSerializationError("Base64 encoded length is expected a multiple of 4 bytes but found: %d", len(s))
		}
		return attrs.Bin(b), nil
	case attrs.SS, attrs.NS, attrs.BS:
		var ss []string
		if json.Unmarshal(body, &ss) != nil {
			return wrongType()
		}
		return refDecodeSet(kind, ss)
	case attrs.M:
		var raw map[string]json.RawMessage
		if json.Unmarshal(body, &raw) != nil || raw == nil {
			return wrongType()
		}
		m := make(map[string]attrs.Value, len(raw))
		for _, k := range refOrder(body, raw) {
			e, err := refDecodeValue(raw[k], depth+1)
			if err != nil {
				return attrs.Value{}, err
			}
			m[k] = e
		}
		return attrs.Map(m), nil
	case attrs.L:
		var raw []json.RawMessage
		if json.Unmarshal(body, &raw) != nil || raw == nil {
			return wrongType()
		}
		l := make([]attrs.Value, len(raw))
		for i, r := range raw {
			e, err := refDecodeValue(r, depth+1)
			if err != nil {
				return attrs.Value{}, err
			}
			l[i] = e
		}
		return attrs.List(l...), nil
	case attrs.NULL:
		var b bool
		if json.Unmarshal(body, &b) != nil {
			return wrongType()
		}
		if !b {
			return attrs.Value{}, refValidationError(refMsgNullNotTrue)
		}
		return attrs.Null(), nil
	default: // BOOL
		var b bool
		if json.Unmarshal(body, &b) != nil {
			return wrongType()
		}
		return attrs.Bool(b), nil
	}
}

var refSetWords = map[attrs.Kind]string{attrs.SS: "string", attrs.NS: "number", attrs.BS: "binary"}

func refDecodeSet(kind attrs.Kind, ss []string) (attrs.Value, error) {
	if len(ss) == 0 {
		return attrs.Value{}, refValidationError(refMsgEmptySetFmt, refSetWords[kind])
	}
	v := attrs.Value{Kind: kind}
	seen := make(map[string]bool, len(ss))
	for _, s := range ss {
		key := s
		switch kind {
		case attrs.SS:
			v.SS = append(v.SS, s)
		case attrs.NS:
			n, err := attrs.ParseNumber(s)
			if err != nil {
				return attrs.Value{}, err
			}
			key = n.String()
			v.NS = append(v.NS, n)
		case attrs.BS:
			b, err := base64.StdEncoding.DecodeString(s)
			if err != nil {
				return attrs.Value{}, refSerializationError("Base64 encoded length is expected a multiple of 4 bytes but found: %d", len(s))
			}
			key = string(b)
			v.BS = append(v.BS, b)
		}
		if seen[key] {
			return attrs.Value{}, refValidationError(refMsgDuplicatesFmt, "["+strings.Join(ss, ", ")+"]")
		}
		seen[key] = true
	}
	return v, nil
}

// refEncode is the reference encoder.
func refEncode(v attrs.Value) ([]byte, error) {
	var buf bytes.Buffer
	if err := refEncodeTo(&buf, v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func refWriteString(buf *bytes.Buffer, s string) {
	b, _ := json.Marshal(s) // strings always marshal
	buf.Write(b)
}

func refEncodeTo(buf *bytes.Buffer, v attrs.Value) error {
	buf.WriteString(`{"` + v.Kind.String() + `":`)
	switch v.Kind {
	case attrs.S:
		refWriteString(buf, v.S)
	case attrs.N:
		refWriteString(buf, v.N.String())
	case attrs.B:
		refWriteString(buf, base64.StdEncoding.EncodeToString(v.B))
	case attrs.SS, attrs.NS, attrs.BS:
		buf.WriteByte('[')
		for i := range v.SetLen() {
			if i > 0 {
				buf.WriteByte(',')
			}
			switch v.Kind {
			case attrs.SS:
				refWriteString(buf, v.SS[i])
			case attrs.NS:
				refWriteString(buf, v.NS[i].String())
			case attrs.BS:
				refWriteString(buf, base64.StdEncoding.EncodeToString(v.BS[i]))
			}
		}
		buf.WriteByte(']')
	case attrs.M:
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
			refWriteString(buf, k)
			buf.WriteByte(':')
			if err := refEncodeTo(buf, v.M[k]); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	case attrs.L:
		buf.WriteByte('[')
		for i, e := range v.L {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := refEncodeTo(buf, e); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
	case attrs.NULL:
		buf.WriteString("true")
	case attrs.BOOL:
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
