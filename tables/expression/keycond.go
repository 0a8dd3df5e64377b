package expression

import (
	"bytes"
	"strings"

	"github.com/eddyserverless/eddy/tables/attrs"
)

// KeyCondition is a parsed KeyConditionExpression: equality on the
// partition key and an optional condition on the sort key.
type KeyCondition struct {
	HashKey   string
	HashValue attrs.Value
	// Range is nil when the expression has no sort key condition.
	Range *RangeCondition
	refs  Refs
}

// RangeCondition is a condition on the sort key. Op is one of "=", "<",
// "<=", ">", ">=", "BETWEEN" (Values holds low and high) and "begins_with";
// Values holds one value for the others.
type RangeCondition struct {
	Key    string
	Op     string
	Values []attrs.Value
}

// Refs returns the expression attribute names and values the key condition
// uses.
func (k *KeyCondition) Refs() Refs { return k.refs }

// Match reports whether sort key value v satisfies the condition. A value
// of another type than the condition's never matches.
func (r *RangeCondition) Match(v attrs.Value) bool {
	c, ok := attrs.Compare(v, r.Values[0])
	switch r.Op {
	case "begins_with":
		switch {
		case v.Kind == attrs.S && r.Values[0].Kind == attrs.S:
			return strings.HasPrefix(v.S, r.Values[0].S)
		case v.Kind == attrs.B && r.Values[0].Kind == attrs.B:
			return bytes.HasPrefix(v.B, r.Values[0].B)
		}
		return false
	case "BETWEEN":
		h, hok := attrs.Compare(v, r.Values[1])
		return ok && hok && c >= 0 && h <= 0
	}
	if !ok {
		return false
	}
	switch r.Op {
	case "=":
		return c == 0
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	}
	return c >= 0 // ">="
}

// ParseKeyCondition parses a KeyConditionExpression for a table or index
// whose partition key is hashKey and sort key rangeKey ("" if none). It
// checks the shape as DynamoDB does: equality on the partition key, at most
// one condition on the sort key with =, <, <=, >, >=, BETWEEN or
// begins_with, joined by AND, and nothing else. Checking the values' types
// against the key schema is left to the caller.
func ParseKeyCondition(expr string, names map[string]string, values map[string]attrs.Value, hashKey, rangeKey string) (*KeyCondition, error) {
	p, err := newParser(KindKey, expr, names, values)
	if err != nil {
		return nil, err
	}
	root, err := p.condition()
	if err != nil {
		return nil, err
	}
	if p.peek().kind != tEOF {
		return nil, p.syntaxError()
	}
	var conds []cond
	var flatten func(c cond) error
	flatten = func(c cond) error {
		switch c := c.(type) {
		case andCond:
			if err := flatten(c.l); err != nil {
				return err
			}
			return flatten(c.r)
		case orCond:
			return p.errorf("Invalid operator used in KeyConditionExpression: OR")
		case notCond:
			return p.errorf("Invalid operator used in KeyConditionExpression: NOT")
		case inCond:
			return p.errorf("Invalid operator used in KeyConditionExpression: IN")
		case cmpCond:
			if c.op == "<>" {
				return p.errorf("Unsupported operator in KeyConditionExpression: <>")
			}
		case funcCond:
			if c.name != "begins_with" {
				return p.errorf("Invalid operator used in KeyConditionExpression: %s", c.name)
			}
		}
		conds = append(conds, c)
		return nil
	}
	if err := flatten(root); err != nil {
		return nil, err
	}
	kc := &KeyCondition{HashKey: hashKey, refs: p.refs}
	seen := map[string]bool{}
	for _, c := range conds {
		key, rc, err := p.keyCondition(c)
		if err != nil {
			return nil, err
		}
		if seen[key] {
			return nil, validationError("KeyConditionExpressions must only contain one condition per key")
		}
		seen[key] = true
		switch {
		case key == hashKey:
			if rc.Op != "=" {
				return nil, validationError("Query key condition not supported")
			}
			kc.HashValue = rc.Values[0]
		case key == rangeKey && rangeKey != "":
			kc.Range = rc
		default:
			if !seen[hashKey] && len(conds) == 1 {
				return nil, validationError("Query condition missed key schema element: %s", hashKey)
			}
			return nil, validationError("Query key condition not supported")
		}
	}
	if !seen[hashKey] {
		return nil, validationError("Query condition missed key schema element: %s", hashKey)
	}
	return kc, nil
}

// keyCondition returns the key attribute and the condition of one simple
// condition, which must have a top-level attribute on the left and values
// elsewhere.
func (p *parser) keyCondition(c cond) (string, *RangeCondition, error) {
	var left operand
	var op string
	var rest []operand
	switch c := c.(type) {
	case cmpCond:
		left, op, rest = c.l, c.op, []operand{c.r}
	case betweenCond:
		left, op, rest = c.v, "BETWEEN", []operand{c.lo, c.hi}
	case funcCond:
		left, op, rest = opPath{c.path}, c.name, []operand{c.arg}
	}
	lp, ok := left.(opPath)
	if !ok || len(lp.path) != 1 {
		if _, isSize := left.(opSize); isSize {
			return "", nil, p.errorf("Invalid operator used in KeyConditionExpression: size")
		}
		return "", nil, validationError("Query key condition not supported")
	}
	rc := &RangeCondition{Key: lp.path[0].Name, Op: op}
	for _, o := range rest {
		v, ok := o.(opValue)
		if !ok {
			return "", nil, validationError("Query key condition not supported")
		}
		rc.Values = append(rc.Values, v.v)
	}
	if op == "begins_with" && rc.Values[0].Kind != attrs.S && rc.Values[0].Kind != attrs.B {
		return "", nil, p.errorf("Incorrect operand type for operator or function; operator or function: begins_with, operand type: %s", rc.Values[0].Kind)
	}
	return rc.Key, rc, nil
}
