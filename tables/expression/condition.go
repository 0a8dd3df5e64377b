package expression

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"github.com/eddyserverless/eddy/tables/attrs"
)

// Condition is a parsed condition or filter expression.
type Condition struct {
	root cond
	refs Refs
}

// Refs returns the expression attribute names and values the condition uses.
func (c *Condition) Refs() Refs { return c.refs }

// Eval reports whether the condition holds for item (nil or empty for an
// item that does not exist). It returns an error only for the type errors
// DynamoDB reports while evaluating (size of a number, for example).
func (c *Condition) Eval(item attrs.Item) (bool, error) { return c.root.eval(item) }

// ParseCondition parses a ConditionExpression.
func ParseCondition(expr string, names map[string]string, values map[string]attrs.Value) (*Condition, error) {
	return parseCondition(KindCondition, expr, names, values)
}

// ParseFilter parses a FilterExpression: the same language as a condition,
// with FilterExpression in its error messages.
func ParseFilter(expr string, names map[string]string, values map[string]attrs.Value) (*Condition, error) {
	return parseCondition(KindFilter, expr, names, values)
}

func parseCondition(kind, expr string, names map[string]string, values map[string]attrs.Value) (*Condition, error) {
	p, err := newParser(kind, expr, names, values)
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
	return &Condition{root: root, refs: p.refs}, nil
}

// Operands.

type operand interface{ isOperand() }

type opPath struct{ path Path }
type opValue struct {
	v   attrs.Value
	ref string
}
type opSize struct{ path Path }

func (opPath) isOperand()  {}
func (opValue) isOperand() {}
func (opSize) isOperand()  {}

func (p *parser) operandForm(o operand) (attrs.Value, bool) {
	if v, ok := o.(opValue); ok {
		return v.v, true
	}
	return attrs.Value{}, false
}

// evalOperand returns the operand's value and whether it has one.
func evalOperand(o operand, item attrs.Item) (attrs.Value, bool, error) {
	switch o := o.(type) {
	case opPath:
		v, ok := o.path.Get(item)
		return v, ok, nil
	case opValue:
		return o.v, true, nil
	case opSize:
		v, ok := o.path.Get(item)
		if !ok {
			return attrs.Value{}, false, nil
		}
		n, ok := size(v)
		if !ok {
			// DynamoDB has no size for N, BOOL or NULL: the
			// comparison is simply false.
			return attrs.Value{}, false, nil
		}
		num, _ := attrs.ParseNumber(itoa(n))
		return attrs.Num(num), true, nil
	}
	return attrs.Value{}, false, nil
}

// size is DynamoDB's size function: the length of a string in characters
// (the developer guide's example: "Brand is less than or equal to 20
// characters"), of a binary in bytes, and the number of elements of a set,
// list or map. N, BOOL and NULL have no size.
func size(v attrs.Value) (int, bool) {
	switch v.Kind {
	case attrs.S:
		return utf8.RuneCountInString(v.S), true
	case attrs.B:
		return len(v.B), true
	case attrs.SS, attrs.NS, attrs.BS:
		return v.SetLen(), true
	case attrs.L:
		return len(v.L), true
	case attrs.M:
		return len(v.M), true
	}
	return 0, false
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// Conditions.

type cond interface {
	eval(item attrs.Item) (bool, error)
}

type andCond struct{ l, r cond }
type orCond struct{ l, r cond }
type notCond struct{ c cond }
type cmpCond struct {
	op   string
	l, r operand
}
type betweenCond struct{ v, lo, hi operand }
type inCond struct {
	v    operand
	list []operand
}
type funcCond struct {
	name string
	path Path
	arg  operand // nil for attribute_exists / attribute_not_exists
}

func (c andCond) eval(item attrs.Item) (bool, error) {
	l, err := c.l.eval(item)
	if err != nil || !l {
		return false, err
	}
	return c.r.eval(item)
}

func (c orCond) eval(item attrs.Item) (bool, error) {
	l, err := c.l.eval(item)
	if err != nil || l {
		return l, err
	}
	return c.r.eval(item)
}

func (c notCond) eval(item attrs.Item) (bool, error) {
	v, err := c.c.eval(item)
	return !v && err == nil, err
}

func (c cmpCond) eval(item attrs.Item) (bool, error) {
	l, lok, err := evalOperand(c.l, item)
	if err != nil {
		return false, err
	}
	r, rok, err := evalOperand(c.r, item)
	if err != nil {
		return false, err
	}
	switch c.op {
	case "=":
		return lok && rok && attrs.Equal(l, r), nil
	case "<>":
		return !(lok && rok && attrs.Equal(l, r)), nil
	}
	if !lok || !rok {
		return false, nil
	}
	n, ok := attrs.Compare(l, r)
	if !ok {
		return false, nil
	}
	switch c.op {
	case "<":
		return n < 0, nil
	case "<=":
		return n <= 0, nil
	case ">":
		return n > 0, nil
	}
	return n >= 0, nil // ">="
}

func (c betweenCond) eval(item attrs.Item) (bool, error) {
	var vals [3]attrs.Value
	for i, o := range []operand{c.v, c.lo, c.hi} {
		v, ok, err := evalOperand(o, item)
		if err != nil || !ok {
			return false, err
		}
		vals[i] = v
	}
	lo, ok1 := attrs.Compare(vals[0], vals[1])
	hi, ok2 := attrs.Compare(vals[0], vals[2])
	return ok1 && ok2 && lo >= 0 && hi <= 0, nil
}

func (c inCond) eval(item attrs.Item) (bool, error) {
	v, ok, err := evalOperand(c.v, item)
	if err != nil || !ok {
		return false, err
	}
	for _, o := range c.list {
		e, ok, err := evalOperand(o, item)
		if err != nil {
			return false, err
		}
		if ok && attrs.Equal(v, e) {
			return true, nil
		}
	}
	return false, nil
}

func (c funcCond) eval(item attrs.Item) (bool, error) {
	v, ok := c.path.Get(item)
	switch c.name {
	case "attribute_exists":
		return ok, nil
	case "attribute_not_exists":
		return !ok, nil
	}
	if !ok {
		return false, nil
	}
	arg, aok, err := evalOperand(c.arg, item)
	if err != nil || !aok {
		return false, err
	}
	switch c.name {
	case "attribute_type":
		return arg.Kind == attrs.S && v.Kind.String() == arg.S, nil
	case "begins_with":
		switch {
		case v.Kind == attrs.S && arg.Kind == attrs.S:
			return strings.HasPrefix(v.S, arg.S), nil
		case v.Kind == attrs.B && arg.Kind == attrs.B:
			return bytes.HasPrefix(v.B, arg.B), nil
		}
		return false, nil
	case "contains":
		switch v.Kind {
		case attrs.S:
			return arg.Kind == attrs.S && strings.Contains(v.S, arg.S), nil
		case attrs.B:
			return arg.Kind == attrs.B && bytes.Contains(v.B, arg.B), nil
		case attrs.SS, attrs.NS, attrs.BS:
			return v.SetContains(arg), nil
		case attrs.L:
			for _, e := range v.L {
				if attrs.Equal(e, arg) {
					return true, nil
				}
			}
		}
		return false, nil
	}
	return false, nil
}

// Grammar (lowest precedence first):
//
//	condition := and ( OR and )*
//	and       := not ( AND not )*
//	not       := NOT not | primary
//	primary   := '(' condition ')' | function '(' args ')'
//	           | operand comparator operand
//	           | operand BETWEEN operand AND operand
//	           | operand IN '(' operand ( ',' operand )* ')'
//	operand   := path | :value | size '(' path ')'

func (p *parser) condition() (cond, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for isKeyword(p.peek(), "OR") {
		p.next()
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		l = orCond{l, r}
	}
	return l, nil
}

func (p *parser) and() (cond, error) {
	l, err := p.not()
	if err != nil {
		return nil, err
	}
	for isKeyword(p.peek(), "AND") {
		p.next()
		r, err := p.not()
		if err != nil {
			return nil, err
		}
		l = andCond{l, r}
	}
	return l, nil
}

func (p *parser) not() (cond, error) {
	if isKeyword(p.peek(), "NOT") {
		if err := p.enter(); err != nil {
			return nil, err
		}
		defer p.leave()
		p.next()
		c, err := p.not()
		if err != nil {
			return nil, err
		}
		return notCond{c}, nil
	}
	return p.primary()
}

var conditionFuncs = map[string]bool{
	"attribute_exists": true, "attribute_not_exists": true, "attribute_type": true,
	"begins_with": true, "contains": true, "size": true,
}

func (p *parser) primary() (cond, error) {
	t := p.peek()
	if t.kind == tLParen {
		p.next()
		if p.peek().kind == tLParen && p.parenthesizedWhole() {
			return nil, p.errorf("The expression has redundant parentheses;")
		}
		c, err := p.condition()
		if err != nil {
			return nil, err
		}
		if _, err := p.expect(tRParen); err != nil {
			return nil, err
		}
		return c, nil
	}
	if t.kind == tIdent && p.peekAt(1).kind == tLParen && t.text != "size" {
		return p.function()
	}
	l, err := p.operand()
	if err != nil {
		return nil, err
	}
	t = p.peek()
	switch {
	case t.kind == tCmp:
		p.next()
		r, err := p.operand()
		if err != nil {
			return nil, err
		}
		return p.comparison(t.text, l, r)
	case isKeyword(t, "BETWEEN"):
		p.next()
		lo, err := p.operand()
		if err != nil {
			return nil, err
		}
		if !isKeyword(p.peek(), "AND") {
			return nil, p.syntaxError()
		}
		p.next()
		hi, err := p.operand()
		if err != nil {
			return nil, err
		}
		return p.between(l, lo, hi)
	case isKeyword(t, "IN"):
		p.next()
		if _, err := p.expect(tLParen); err != nil {
			return nil, err
		}
		var list []operand
		for {
			o, err := p.operand()
			if err != nil {
				return nil, err
			}
			list = append(list, o)
			if p.peek().kind != tComma {
				break
			}
			p.next()
		}
		if _, err := p.expect(tRParen); err != nil {
			return nil, err
		}
		if len(list) > MaxInOperands {
			return nil, p.errorf("The IN operator is provided with too many operands; number of operands: %d", len(list))
		}
		return inCond{l, list}, nil
	}
	return nil, p.syntaxError()
}

// parenthesizedWhole reports whether the '(' at the current position is
// matched by a ')' directly followed by another ')', that is "((x))".
func (p *parser) parenthesizedWhole() bool {
	depth := 0
	for k := p.i; k < len(p.toks); k++ {
		switch p.toks[k].kind {
		case tLParen:
			depth++
		case tRParen:
			depth--
			if depth == 0 {
				return k+1 < len(p.toks) && p.toks[k+1].kind == tRParen
			}
		case tEOF:
			return false
		}
	}
	return false
}

func (p *parser) comparison(op string, l, r operand) (cond, error) {
	if lp, ok := l.(opPath); ok {
		if rp, ok := r.(opPath); ok && lp.path.String() == rp.path.String() {
			return nil, p.errorf("The first operand must be distinct from the remaining operands for this operator or function; operator: %s, first operand: %s", op, lp.path.messageForm())
		}
	}
	if op != "=" && op != "<>" {
		for _, o := range []operand{l, r} {
			if v, ok := p.operandForm(o); ok && v.Kind != attrs.S && v.Kind != attrs.N && v.Kind != attrs.B {
				return nil, p.errorf("Incorrect operand type for operator or function; operator or function: %s, operand type: %s", op, v.Kind)
			}
		}
	}
	return cmpCond{op, l, r}, nil
}

func (p *parser) between(v, lo, hi operand) (cond, error) {
	for _, o := range []operand{v, lo, hi} {
		if x, ok := p.operandForm(o); ok && x.Kind != attrs.S && x.Kind != attrs.N && x.Kind != attrs.B {
			return nil, p.errorf("Incorrect operand type for operator or function; operator or function: BETWEEN, operand type: %s", x.Kind)
		}
	}
	l, lok := p.operandForm(lo)
	h, hok := p.operandForm(hi)
	if lok && hok {
		if l.Kind != h.Kind {
			return nil, p.errorf("The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: %s, upper bound operand: AttributeValue: %s", l, h)
		}
		if c, _ := attrs.Compare(l, h); c > 0 {
			return nil, p.errorf("The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower operand: AttributeValue: %s, upper operand: AttributeValue: %s", l, h)
		}
	}
	return betweenCond{v, lo, hi}, nil
}

// function parses a boolean function call.
func (p *parser) function() (cond, error) {
	name := p.next()
	if !conditionFuncs[name.text] {
		return nil, p.errorf("Invalid function name; function: %s", name.text)
	}
	p.next() // '('
	args, err := p.args()
	if err != nil {
		return nil, err
	}
	want := 2
	if name.text == "attribute_exists" || name.text == "attribute_not_exists" {
		want = 1
	}
	if len(args) != want {
		return nil, p.errorf("Incorrect number of operands for operator or function; operator or function: %s, number of operands: %d", name.text, len(args))
	}
	path, ok := args[0].(opPath)
	if !ok {
		return nil, p.errorf("Operator or function requires a document path; operator or function: %s", name.text)
	}
	if t := p.peek(); t.kind == tCmp || isKeyword(t, "BETWEEN") || isKeyword(t, "IN") {
		return nil, p.errorf("The function is not allowed to be used this way in an expression; function: %s", name.text)
	}
	f := funcCond{name: name.text, path: path.path}
	if want == 1 {
		return f, nil
	}
	f.arg = args[1]
	if v, ok := p.operandForm(args[1]); ok {
		switch name.text {
		case "attribute_type":
			if _, valid := attrs.KindOf(v.S); v.Kind != attrs.S || !valid {
				if v.Kind != attrs.S {
					return nil, p.errorf("Incorrect operand type for operator or function; operator or function: %s, operand type: %s", name.text, v.Kind)
				}
				return nil, p.errorf("Invalid attribute type name found; type: %s, valid types: { B,NULL,SS,BOOL,L,BS,N,NS,S,M }", v.S)
			}
		case "begins_with":
			if v.Kind != attrs.S && v.Kind != attrs.B {
				return nil, p.errorf("Incorrect operand type for operator or function; operator or function: %s, operand type: %s", name.text, v.Kind)
			}
		}
	}
	return f, nil
}

// args parses "operand, operand …)" after a function's '('.
func (p *parser) args() ([]operand, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	var args []operand
	if p.peek().kind == tRParen {
		p.next()
		return nil, nil
	}
	for {
		o, err := p.operand()
		if err != nil {
			return nil, err
		}
		args = append(args, o)
		if p.peek().kind != tComma {
			break
		}
		p.next()
	}
	if _, err := p.expect(tRParen); err != nil {
		return nil, err
	}
	return args, nil
}

// operand parses a path, a :value or size(path).
func (p *parser) operand() (operand, error) {
	t := p.peek()
	switch {
	case t.kind == tValue:
		p.next()
		v, err := p.valueRef(t)
		if err != nil {
			return nil, err
		}
		return opValue{v: v, ref: t.text}, nil
	case t.kind == tIdent && p.peekAt(1).kind == tLParen:
		if t.text != "size" {
			if conditionFuncs[t.text] {
				return nil, p.errorf("The function is not allowed to be used this way in an expression; function: %s", t.text)
			}
			return nil, p.errorf("Invalid function name; function: %s", t.text)
		}
		p.next()
		p.next()
		args, err := p.args()
		if err != nil {
			return nil, err
		}
		if len(args) != 1 {
			return nil, p.errorf("Incorrect number of operands for operator or function; operator or function: size, number of operands: %d", len(args))
		}
		path, ok := args[0].(opPath)
		if !ok {
			return nil, p.errorf("Operator or function requires a document path; operator or function: size")
		}
		return opSize(path), nil
	case p.atPath():
		path, err := p.path()
		if err != nil {
			return nil, err
		}
		return opPath{path}, nil
	}
	return nil, p.syntaxError()
}

// TopLevel returns the top-level attribute names the condition reads, in
// order of first use.
func (c *Condition) TopLevel() []string {
	var out []string
	seen := map[string]bool{}
	addPath := func(p Path) {
		if len(p) > 0 && !seen[p[0].Name] {
			seen[p[0].Name] = true
			out = append(out, p[0].Name)
		}
	}
	addOp := func(o operand) {
		switch o := o.(type) {
		case opPath:
			addPath(o.path)
		case opSize:
			addPath(o.path)
		}
	}
	var walk func(cond)
	walk = func(n cond) {
		switch n := n.(type) {
		case andCond:
			walk(n.l)
			walk(n.r)
		case orCond:
			walk(n.l)
			walk(n.r)
		case notCond:
			walk(n.c)
		case cmpCond:
			addOp(n.l)
			addOp(n.r)
		case betweenCond:
			addOp(n.v)
			addOp(n.lo)
			addOp(n.hi)
		case inCond:
			addOp(n.v)
			for _, o := range n.list {
				addOp(o)
			}
		case funcCond:
			addPath(n.path)
			if n.arg != nil {
				addOp(n.arg)
			}
		}
	}
	walk(c.root)
	return out
}
