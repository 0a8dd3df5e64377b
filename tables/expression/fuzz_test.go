package expression_test

import (
	"cmp"
	"slices"
	"testing"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/tables/attrs"
	"github.com/eddyserverless/eddy/tables/expression"
)

var fuzzSeeds = []string{
	"n = :5", "NOT (n = :5 OR #n <> :6) AND s BETWEEN :a AND :he", "n IN (:1, :5)", "attribute_exists(m.y.z)",
	"begins_with(s, :he)", "size(l[0]) > :1", "((n = :5))", "SET q = n + :1, l = list_append(l, :lst) REMOVE l[1] ADD n :1 DELETE ss :ssab",
	"SET q = if_not_exists(q, :1)", "a.b[2].c, #n", "pk = :a AND n BETWEEN :1 AND :5", "pk = :a AND begins_with(s, :he)",
	"", "(((", "size(size(size(a)))",
}

func fuzzTarget(f *testing.F, parse func(string) error) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		_ = parse(expr)
	})
}

func FuzzParseCondition(f *testing.F) {
	item := MustItem(f, testItem)
	values := MustValues(f, testValues)
	fuzzTarget(f, func(s string) error {
		c, err := expression.ParseCondition(s, testNames, values)
		if err == nil {
			_, err = c.Eval(item)
		}
		return err
	})
}

func FuzzParseUpdate(f *testing.F) {
	item := MustItem(f, testItem)
	values := MustValues(f, testValues)
	fuzzTarget(f, func(s string) error {
		u, err := expression.ParseUpdate(s, testNames, values)
		if err == nil {
			_, err = u.Apply(item)
			expression.Project(item, u.Paths())
		}
		return err
	})
}

func FuzzParseProjection(f *testing.F) {
	item := MustItem(f, testItem)
	fuzzTarget(f, func(s string) error {
		p, err := expression.ParseProjection(s, testNames)
		if err == nil {
			p.Apply(item)
		}
		return err
	})
}

func FuzzParseKeyCondition(f *testing.F) {
	values := MustValues(f, testValues)
	fuzzTarget(f, func(s string) error {
		k, err := expression.ParseKeyCondition(s, testNames, values, "pk", "n")
		if err == nil && k.Range != nil {
			k.Range.Match(values[":5"])
		}
		return err
	})
}

// FuzzLegacy feeds arbitrary operators, actions and argument lists (drawn
// from a pool holding every kind and the invalid zero value) to every legacy
// conversion and to what it returns. Nothing may panic, and every error must
// be a validation error.
func FuzzLegacy(f *testing.F) {
	item := MustItem(f, legacyItem)
	var pool []attrs.Value
	for _, v := range item {
		pool = append(pool, v)
	}
	slices.SortFunc(pool, func(a, b attrs.Value) int { return cmp.Compare(a.String(), b.String()) })
	pool = append(pool, attrs.Value{}, attrs.Str("he"), attrs.Num(attrs.MustParseNumber("-1e125")), attrs.List())
	f.Add("n", "EQ", []byte{1}, byte(0), "", "ADD")
	f.Add("pk", "BETWEEN", []byte{1, 2}, byte(0x13), "OR", "DELETE")
	f.Add("sk", "IN", []byte{}, byte(0x0e), "AND", "")
	f.Add("big", "NOT_CONTAINS", []byte{0, 255, 7}, byte(0xff), "XOR", "PUT")
	f.Fuzz(func(t *testing.T, name, op string, sel []byte, flags byte, condOp, action string) {
		check := func(what string, err error) {
			t.Helper()
			if err != nil && eddy.ErrorCode(err) != eddy.EVALIDATE {
				t.Fatalf("%s: got %v, want a validation error", what, err)
			}
		}
		var args []attrs.Value
		if flags&1 != 0 {
			args = []attrs.Value{}
		}
		for _, b := range sel {
			args = append(args, pool[int(b)%len(pool)])
		}
		var value *attrs.Value
		if len(args) > 0 && flags&2 != 0 {
			value = &args[0]
		}
		var exists *bool
		if flags&4 != 0 {
			exists = new(flags&8 != 0)
		}
		conds := map[string]expression.LegacyCondition{name: {ComparisonOperator: op, AttributeValueList: args}}
		if flags&16 != 0 {
			conds["pk"] = expression.LegacyCondition{ComparisonOperator: "EQ", AttributeValueList: []attrs.Value{attrs.Str("k")}}
		}
		c, err := expression.LegacyFilter(conds, condOp)
		if check("LegacyFilter", err); err == nil && c != nil {
			_, err = c.Eval(item)
			check("filter Eval", err)
		}
		expected := map[string]expression.ExpectedAttributeValue{name: {Value: value, Exists: exists, ComparisonOperator: op, AttributeValueList: args}}
		if flags&32 != 0 {
			expected["pk"] = expression.ExpectedAttributeValue{Exists: new(false)}
		}
		c, err = expression.ExpectedCondition(expected, condOp)
		if check("ExpectedCondition", err); err == nil && c != nil {
			_, err = c.Eval(item)
			check("Expected Eval", err)
		}
		kc, err := expression.LegacyKeyConditions(conds, "pk", name)
		if check("LegacyKeyConditions", err); err == nil && kc.Range != nil {
			kc.Range.Match(item["sk"])
			kc.Range.Match(item[name])
		}
		updates := map[string]expression.AttributeValueUpdate{name: {Value: value, Action: action}, op: {Value: value, Action: condOp}}
		u, err := expression.AttributeUpdates(updates)
		if check("AttributeUpdates", err); err == nil {
			_, err = u.Apply(item)
			check("Apply", err)
			expression.Project(item, u.Paths())
		}
		p, err := expression.AttributesToGet([]string{name, op, condOp})
		if check("AttributesToGet", err); err == nil {
			p.Apply(item)
		}
	})
}
