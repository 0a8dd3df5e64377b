package expression

import (
	"slices"

	"github.com/eddyserverless/eddy/tables/attrs"
)

// Projection is a parsed projection expression: a list of document paths.
type Projection struct {
	paths []Path
	refs  Refs
}

// Refs returns the expression attribute names the projection uses.
func (p *Projection) Refs() Refs { return p.refs }

// Paths returns the projected paths in expression order.
func (p *Projection) Paths() []Path { return slices.Clone(p.paths) }

// TopLevel returns the distinct top-level attribute names of the projection.
func (p *Projection) TopLevel() []string {
	var out []string
	for _, path := range p.paths {
		if !slices.Contains(out, path[0].Name) {
			out = append(out, path[0].Name)
		}
	}
	return out
}

// ParseProjection parses a ProjectionExpression. Projection expressions
// take no values; pass the request's ExpressionAttributeNames.
func ParseProjection(expr string, names map[string]string) (*Projection, error) {
	p, err := newParser(KindProjection, expr, names, nil)
	if err != nil {
		return nil, err
	}
	proj := &Projection{}
	for {
		path, err := p.path()
		if err != nil {
			return nil, err
		}
		proj.paths = append(proj.paths, path)
		if p.peek().kind != tComma {
			break
		}
		p.next()
	}
	if p.peek().kind != tEOF {
		return nil, p.syntaxError()
	}
	if err := p.overlapCheck(proj.paths); err != nil {
		return nil, err
	}
	proj.refs = p.refs
	return proj, nil
}

// Apply returns the parts of item the projection selects.
func (p *Projection) Apply(item attrs.Item) attrs.Item { return Project(item, p.paths) }

// Project returns the parts of item at paths, as DynamoDB projects them:
// a nested path keeps its enclosing maps and lists, holding only the
// selected parts; selected elements of one list keep their relative order
// and are packed together. Paths that select nothing are skipped.
func Project(item attrs.Item, paths []Path) attrs.Item {
	root := &projNode{}
	for _, path := range paths {
		v, ok := path.Get(item)
		if !ok {
			continue
		}
		n := root
		for _, e := range path {
			n = n.child(e)
		}
		n.val, n.leaf = v, true
	}
	out := attrs.Item{}
	for name, n := range root.keys {
		out[name] = n.build(item[name])
	}
	return out
}

type projNode struct {
	leaf bool
	val  attrs.Value
	keys map[string]*projNode
	idx  map[int]*projNode
}

func (n *projNode) child(e PathElem) *projNode {
	if e.IsIndex {
		if n.idx == nil {
			n.idx = map[int]*projNode{}
		}
		if n.idx[e.Index] == nil {
			n.idx[e.Index] = &projNode{}
		}
		return n.idx[e.Index]
	}
	if n.keys == nil {
		n.keys = map[string]*projNode{}
	}
	if n.keys[e.Name] == nil {
		n.keys[e.Name] = &projNode{}
	}
	return n.keys[e.Name]
}

// build returns the projection of orig (the value at n's position).
func (n *projNode) build(orig attrs.Value) attrs.Value {
	if n.leaf {
		return cloneValue(n.val)
	}
	if n.idx != nil && orig.Kind == attrs.L {
		idx := make([]int, 0, len(n.idx))
		for i := range n.idx {
			idx = append(idx, i)
		}
		slices.Sort(idx)
		l := make([]attrs.Value, 0, len(idx))
		for _, i := range idx {
			l = append(l, n.idx[i].build(orig.L[i]))
		}
		return attrs.List(l...)
	}
	m := map[string]attrs.Value{}
	for k, c := range n.keys {
		m[k] = c.build(orig.M[k])
	}
	return attrs.Map(m)
}
