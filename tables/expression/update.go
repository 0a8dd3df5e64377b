package expression

import (
	"cmp"
	"slices"

	"github.com/eddyserverless/eddy/tables/attrs"
)

// Update is a parsed update expression.
type Update struct {
	sets    []setAction
	removes []Path
	adds    []valueAction
	deletes []valueAction
	paths   []Path // every target path, in expression order
	refs    Refs
	legacy  bool // from AttributeUpdates, whose type errors DynamoDB words differently
}

type setAction struct {
	path Path
	val  uexpr
}

type valueAction struct {
	path Path
	val  attrs.Value
}

// Update values: the right-hand side of a SET action.
type uexpr interface{ isUexpr() }

type uPath struct{ path Path }
type uValue struct{ v attrs.Value }
type uIfNotExists struct {
	path Path
	def  uexpr
}
type uListAppend struct{ a, b uexpr }
type uArith struct {
	op   string // "+" or "-"
	l, r uexpr
}

func (uPath) isUexpr()        {}
func (uValue) isUexpr()       {}
func (uIfNotExists) isUexpr() {}
func (uListAppend) isUexpr()  {}
func (uArith) isUexpr()       {}

// Messages of errors DynamoDB reports while applying an update.
const (
	msgNoSuchAttribute = "The provided expression refers to an attribute that does not exist in the item"
	msgBadOperandType  = "An operand in the update expression has an incorrect data type"
	msgInvalidPath     = "The document path provided in the update expression is invalid for update"
)

// Refs returns the expression attribute names and values the update uses.
func (u *Update) Refs() Refs { return u.refs }

// Paths returns the document paths the update writes (SET, REMOVE, ADD and
// DELETE targets) in expression order. Project an item onto them for
// ReturnValues UPDATED_OLD and UPDATED_NEW.
func (u *Update) Paths() []Path { return slices.Clone(u.paths) }

// TopLevel returns the distinct top-level attribute names the update
// writes, in expression order (to refuse updates of key attributes, for
// example).
func (u *Update) TopLevel() []string {
	var out []string
	for _, p := range u.paths {
		if !slices.Contains(out, p[0].Name) {
			out = append(out, p[0].Name)
		}
	}
	return out
}

// ParseUpdate parses an UpdateExpression.
func ParseUpdate(expr string, names map[string]string, values map[string]attrs.Value) (*Update, error) {
	p, err := newParser(KindUpdate, expr, names, values)
	if err != nil {
		return nil, err
	}
	u := &Update{}
	seen := map[string]bool{}
	for p.peek().kind != tEOF {
		t := p.peek()
		var clause string
		for _, c := range []string{"SET", "REMOVE", "ADD", "DELETE"} {
			if isKeyword(t, c) {
				clause = c
			}
		}
		if clause == "" {
			return nil, p.syntaxError()
		}
		if seen[clause] {
			return nil, p.errorf("The %q section can only be used once in an update expression;", clause)
		}
		seen[clause] = true
		p.next()
		for {
			if err := p.updateAction(u, clause); err != nil {
				return nil, err
			}
			if p.peek().kind != tComma {
				break
			}
			p.next()
		}
	}
	if err := p.overlapCheck(u.paths); err != nil {
		return nil, err
	}
	u.refs = p.refs
	return u, nil
}

func (p *parser) updateAction(u *Update, clause string) error {
	path, err := p.path()
	if err != nil {
		return err
	}
	u.paths = append(u.paths, path)
	switch clause {
	case "SET":
		if t := p.peek(); t.kind != tCmp || t.text != "=" {
			return p.syntaxError()
		}
		p.next()
		v, err := p.setValue()
		if err != nil {
			return err
		}
		u.sets = append(u.sets, setAction{path, v})
	case "REMOVE":
		u.removes = append(u.removes, path)
	case "ADD", "DELETE":
		t, err := p.expect(tValue)
		if err != nil {
			return err
		}
		v, err := p.valueRef(t)
		if err != nil {
			return err
		}
		allowed := v.Kind.IsSet() || clause == "ADD" && v.Kind == attrs.N
		if !allowed {
			return p.errorf("Incorrect operand type for operator or function; operator: %s, operand type: %s, typeSet: ALLOWED_FOR_%s_OPERAND", clause, longTypeName(v.Kind), clause)
		}
		if clause == "ADD" {
			u.adds = append(u.adds, valueAction{path, v})
		} else {
			u.deletes = append(u.deletes, valueAction{path, v})
		}
	}
	return nil
}

// setValue := uoperand ( ('+' | '-') uoperand )?
func (p *parser) setValue() (uexpr, error) {
	l, err := p.uoperand()
	if err != nil {
		return nil, err
	}
	t := p.peek()
	if t.kind != tPlus && t.kind != tMinus {
		return l, nil
	}
	p.next()
	r, err := p.uoperand()
	if err != nil {
		return nil, err
	}
	for _, o := range []uexpr{l, r} {
		if v, ok := o.(uValue); ok && v.v.Kind != attrs.N {
			return nil, p.errorf("Incorrect operand type for operator or function; operator or function: %s, operand type: %s", t.text, v.v.Kind)
		}
	}
	return uArith{t.text, l, r}, nil
}

// uoperand := path | :value | if_not_exists(path, uoperand) | list_append(uoperand, uoperand)
func (p *parser) uoperand() (uexpr, error) {
	t := p.peek()
	switch {
	case t.kind == tValue:
		p.next()
		v, err := p.valueRef(t)
		if err != nil {
			return nil, err
		}
		return uValue{v}, nil
	case t.kind == tIdent && p.peekAt(1).kind == tLParen:
		return p.updateFunction()
	case p.atPath():
		path, err := p.path()
		if err != nil {
			return nil, err
		}
		return uPath{path}, nil
	}
	return nil, p.syntaxError()
}

func (p *parser) updateFunction() (uexpr, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	name := p.next().text
	switch name {
	case "if_not_exists", "list_append":
	default:
		if conditionFuncs[name] {
			return nil, p.errorf("The function is not allowed in an update expression; function: %s", name)
		}
		return nil, p.errorf("Invalid function name; function: %s", name)
	}
	p.next() // '('
	var args []uexpr
	for p.peek().kind != tRParen {
		a, err := p.uoperand()
		if err != nil {
			return nil, err
		}
		args = append(args, a)
		if p.peek().kind != tComma {
			break
		}
		p.next()
	}
	if _, err := p.expect(tRParen); err != nil {
		return nil, err
	}
	if len(args) != 2 {
		return nil, p.errorf("Incorrect number of operands for operator or function; operator or function: %s, number of operands: %d", name, len(args))
	}
	if name == "if_not_exists" {
		path, ok := args[0].(uPath)
		if !ok {
			return nil, p.errorf("Operator or function requires a document path; operator or function: %s", name)
		}
		return uIfNotExists{path.path, args[1]}, nil
	}
	for _, a := range args {
		if v, ok := a.(uValue); ok && v.v.Kind != attrs.L {
			return nil, p.errorf("Incorrect operand type for operator or function; operator or function: %s, operand type: %s", name, v.v.Kind)
		}
	}
	return uListAppend{args[0], args[1]}, nil
}

func (e uPath) eval(item attrs.Item) (attrs.Value, error) {
	v, ok := e.path.Get(item)
	if !ok {
		return attrs.Value{}, validationError(msgNoSuchAttribute)
	}
	return v, nil
}

func evalU(e uexpr, item attrs.Item) (attrs.Value, error) {
	switch e := e.(type) {
	case uPath:
		return e.eval(item)
	case uValue:
		return e.v, nil
	case uIfNotExists:
		if v, ok := e.path.Get(item); ok {
			return v, nil
		}
		return evalU(e.def, item)
	case uListAppend:
		a, err := evalU(e.a, item)
		if err != nil {
			return attrs.Value{}, err
		}
		b, err := evalU(e.b, item)
		if err != nil {
			return attrs.Value{}, err
		}
		if a.Kind != attrs.L || b.Kind != attrs.L {
			return attrs.Value{}, validationError(msgBadOperandType)
		}
		return attrs.List(append(slices.Clone(a.L), b.L...)...), nil
	case uArith:
		l, err := evalU(e.l, item)
		if err != nil {
			return attrs.Value{}, err
		}
		r, err := evalU(e.r, item)
		if err != nil {
			return attrs.Value{}, err
		}
		if l.Kind != attrs.N || r.Kind != attrs.N {
			return attrs.Value{}, validationError(msgBadOperandType)
		}
		var n attrs.Number
		if e.op == "+" {
			n, err = l.N.Add(r.N)
		} else {
			n, err = l.N.Sub(r.N)
		}
		if err != nil {
			return attrs.Value{}, err
		}
		return attrs.Num(n), nil
	}
	return attrs.Value{}, validationError(msgBadOperandType)
}

// Apply applies the update to item (nil for an item that does not exist
// yet) and returns the new item; item itself is not modified. Every SET
// value is computed from the original item, then SET, REMOVE, ADD and DELETE
// are applied. The paths written are u.Paths().
func (u *Update) Apply(item attrs.Item) (attrs.Item, error) {
	vals := make([]attrs.Value, len(u.sets))
	for i, s := range u.sets {
		v, err := evalU(s.val, item)
		if err != nil {
			return nil, err
		}
		vals[i] = cloneValue(v)
	}
	out := make(attrs.Item, len(item))
	for k, v := range item {
		out[k] = cloneValue(v)
	}
	for i, s := range u.sets {
		if err := setPath(out, s.path, vals[i]); err != nil {
			return nil, err
		}
	}
	// Remove later list elements first, so that every index refers to the
	// list as it was.
	removes := slices.Clone(u.removes)
	slices.SortFunc(removes, func(a, b Path) int { return -comparePaths(a, b) })
	for _, r := range removes {
		if err := removePath(out, r); err != nil {
			return nil, err
		}
	}
	for _, a := range u.adds {
		old, ok := a.path.Get(out)
		var nv attrs.Value
		switch {
		case !ok:
			nv = cloneValue(a.val)
		case old.Kind == attrs.N && a.val.Kind == attrs.N:
			n, err := old.N.Add(a.val.N)
			if err != nil {
				return nil, err
			}
			nv = attrs.Num(n)
		case old.Kind.IsSet() && old.Kind == a.val.Kind:
			elems := old.Elements()
			for _, e := range a.val.Elements() {
				if !old.SetContains(e) {
					elems = append(elems, e)
				}
			}
			nv = attrs.SetFrom(old.Kind, elems)
		case old.Kind == attrs.L && a.val.Kind == attrs.L: // only AttributeUpdates ADDs lists
			nv = attrs.List(append(old.L, cloneValue(a.val).L...)...)
		default:
			return nil, u.typeError()
		}
		if err := setPath(out, a.path, nv); err != nil {
			return nil, err
		}
	}
	for _, d := range u.deletes {
		old, ok := d.path.Get(out)
		if !ok {
			continue
		}
		if old.Kind != d.val.Kind {
			return nil, u.typeError()
		}
		var keep []attrs.Value
		for _, e := range old.Elements() {
			if !d.val.SetContains(e) {
				keep = append(keep, e)
			}
		}
		var err error
		if len(keep) == 0 {
			err = removePath(out, d.path)
		} else {
			err = setPath(out, d.path, attrs.SetFrom(old.Kind, keep))
		}
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// typeError is the error for ADD or DELETE on an attribute of another type.
func (u *Update) typeError() error {
	if u.legacy {
		return validationError(msgTypeMismatch)
	}
	return validationError(msgBadOperandType)
}

func comparePaths(a, b Path) int {
	for i := range min(len(a), len(b)) {
		x, y := a[i], b[i]
		if x.IsIndex != y.IsIndex {
			if x.IsIndex {
				return -1
			}
			return 1
		}
		if c := cmp.Compare(x.Name, y.Name); c != 0 {
			return c
		}
		if c := cmp.Compare(x.Index, y.Index); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(a), len(b))
}

func cloneValue(v attrs.Value) attrs.Value {
	switch v.Kind {
	case attrs.M:
		m := make(map[string]attrs.Value, len(v.M))
		for k, e := range v.M {
			m[k] = cloneValue(e)
		}
		return attrs.Map(m)
	case attrs.L:
		l := make([]attrs.Value, len(v.L))
		for i, e := range v.L {
			l[i] = cloneValue(e)
		}
		return attrs.List(l...)
	}
	return v
}

// setPath writes v at path in item, which it owns. The parent of the target
// must exist; an index past the end of a list appends.
func setPath(item attrs.Item, path Path, v attrs.Value) error {
	if len(path) == 1 {
		item[path[0].Name] = v
		return nil
	}
	cur, ok := item[path[0].Name]
	nv, err := setIn(cur, ok, path[1:], v)
	if err != nil {
		return err
	}
	item[path[0].Name] = nv
	return nil
}

func setIn(cur attrs.Value, exists bool, rest Path, v attrs.Value) (attrs.Value, error) {
	if len(rest) == 0 {
		return v, nil
	}
	if !exists {
		return attrs.Value{}, validationError(msgInvalidPath)
	}
	e := rest[0]
	switch {
	case e.IsIndex && cur.Kind == attrs.L:
		if e.Index >= len(cur.L) {
			if len(rest) > 1 {
				return attrs.Value{}, validationError(msgInvalidPath)
			}
			cur.L = append(cur.L, v)
			return cur, nil
		}
		nv, err := setIn(cur.L[e.Index], true, rest[1:], v)
		if err != nil {
			return attrs.Value{}, err
		}
		cur.L[e.Index] = nv
		return cur, nil
	case !e.IsIndex && cur.Kind == attrs.M:
		child, ok := cur.M[e.Name]
		nv, err := setIn(child, ok, rest[1:], v)
		if err != nil {
			return attrs.Value{}, err
		}
		cur.M[e.Name] = nv
		return cur, nil
	}
	return attrs.Value{}, validationError(msgInvalidPath)
}

// removePath deletes the value at path from item, which it owns. A missing
// attribute, map key or list index is not an error; a parent that is
// missing or of the wrong type is.
func removePath(item attrs.Item, path Path) error {
	if len(path) == 1 {
		delete(item, path[0].Name)
		return nil
	}
	cur, ok := item[path[0].Name]
	if !ok {
		return validationError(msgInvalidPath)
	}
	nv, err := removeIn(cur, path[1:])
	if err != nil {
		return err
	}
	item[path[0].Name] = nv
	return nil
}

func removeIn(cur attrs.Value, rest Path) (attrs.Value, error) {
	e := rest[0]
	switch {
	case e.IsIndex && cur.Kind == attrs.L:
		if e.Index >= len(cur.L) {
			return cur, nil
		}
		if len(rest) == 1 {
			cur.L = slices.Delete(cur.L, e.Index, e.Index+1)
			return cur, nil
		}
		nv, err := removeIn(cur.L[e.Index], rest[1:])
		if err != nil {
			return attrs.Value{}, err
		}
		cur.L[e.Index] = nv
		return cur, nil
	case !e.IsIndex && cur.Kind == attrs.M:
		child, ok := cur.M[e.Name]
		if len(rest) == 1 {
			delete(cur.M, e.Name)
			return cur, nil
		}
		if !ok {
			return attrs.Value{}, validationError(msgInvalidPath)
		}
		nv, err := removeIn(child, rest[1:])
		if err != nil {
			return attrs.Value{}, err
		}
		cur.M[e.Name] = nv
		return cur, nil
	}
	return attrs.Value{}, validationError(msgInvalidPath)
}
