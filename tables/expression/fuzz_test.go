package expression_test

import (
	"testing"

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
