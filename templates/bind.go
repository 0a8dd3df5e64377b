package templates

import (
	"sort"
	"strings"

	"github.com/eddyserverless/eddy"
)

// Pseudo holds the values of the pseudo parameters. Bind fills in
// Partition ("aws", "aws-cn" in a cn- region) and URLSuffix
// ("amazonaws.com", "amazonaws.com.cn") when they are empty.
type Pseudo struct {
	StackName        string
	StackID          string
	Region           string
	AccountID        string
	Partition        string
	URLSuffix        string
	NotificationARNs []string
}

// Lookups are the caller's answers to what a template reads from outside the
// stack. A nil function behaves as if nothing is found.
type Lookups struct {
	// SSM returns the value of a parameter in eddy's parameter store
	// (for AWS::SSM::Parameter::Value<…> parameters).
	SSM func(name string) (value string, found bool, err error)
	// ImportValue returns the value another stack exports under name.
	ImportValue func(name string) (value string, found bool, err error)
}

// Resources gives the resolver what the stack engine knows about created
// resources: Ref returns a resource's physical id (or what its type returns
// for Ref), GetAtt one of its attributes.
type Resources interface {
	Ref(logicalID string) (any, error)
	GetAtt(logicalID, attr string) (any, error)
}

// Bound is a template whose parameters and conditions are evaluated. It is
// safe for concurrent use: resolving does not modify it.
type Bound struct {
	Template *Template
	Pseudo   Pseudo
	// Params holds each parameter's value: a string, or a []any of strings
	// for list types.
	Params map[string]any
	// ParameterValues is what DescribeStacks shows, NoEcho values masked.
	ParameterValues []ParameterValue
	// Conditions holds the value of every condition.
	Conditions map[string]bool

	lookups  Lookups
	included map[string]bool
}

// Bind validates the parameter values against the template, evaluates its
// conditions and checks that every included resource refers only to
// resources that are included too.
func (t *Template) Bind(params map[string]string, pseudo Pseudo, lk Lookups) (*Bound, error) {
	if pseudo.Partition == "" {
		pseudo.Partition = "aws"
		if strings.HasPrefix(pseudo.Region, "cn-") {
			pseudo.Partition = "aws-cn"
		}
	}
	if pseudo.URLSuffix == "" {
		pseudo.URLSuffix = "amazonaws.com"
		if strings.HasPrefix(pseudo.Region, "cn-") {
			pseudo.URLSuffix = "amazonaws.com.cn"
		}
	}
	values, shown, err := t.bindParameters(params, lk)
	if err != nil {
		return nil, err
	}
	b := &Bound{Template: t, Pseudo: pseudo, Params: values, ParameterValues: shown, lookups: lk, included: map[string]bool{}}
	if err := b.evalConditions(); err != nil {
		return nil, err
	}
	for _, r := range t.Resources {
		if r.Condition == "" || b.Conditions[r.Condition] {
			b.included[r.LogicalID] = true
		}
	}
	if _, err := b.graph(); err != nil {
		return nil, err
	}
	return b, nil
}

// Included returns the logical ids of the resources whose Condition holds,
// in document order.
func (b *Bound) Included() []string {
	var out []string
	for _, r := range b.Template.Resources {
		if b.included[r.LogicalID] {
			out = append(out, r.LogicalID)
		}
	}
	return out
}

// Resource returns the included resource with that logical id, or nil.
func (b *Bound) Resource(logicalID string) *Resource {
	if !b.included[logicalID] {
		return nil
	}
	return b.Template.resources[logicalID]
}

// graph returns, for each included resource, the resources it depends on.
func (b *Bound) graph() (map[string][]string, error) {
	g := map[string][]string{}
	for _, r := range b.Template.Resources {
		if !b.included[r.LogicalID] {
			continue
		}
		rf, err := b.Template.references(r.Properties, b.Conditions)
		if err != nil {
			return nil, err
		}
		deps := append(append([]string{}, r.DependsOn...), rf.resources...)
		var excluded []string
		for _, d := range deps {
			if !b.included[d] {
				excluded = append(excluded, d)
			}
		}
		if len(excluded) > 0 {
			return nil, formatError("Unresolved resource dependencies [%s] in the Resources block of the template", strings.Join(dedupe(excluded), ", "))
		}
		g[r.LogicalID] = dedupe(deps)
	}
	return g, nil
}

// graph returns the static dependency graph of all resources, with every
// Fn::If branch counted.
func (t *Template) graph() map[string][]string {
	g := map[string][]string{}
	for _, r := range t.Resources {
		rf, _ := t.references(r.Properties, nil)
		g[r.LogicalID] = dedupe(append(append([]string{}, r.DependsOn...), rf.resources...))
	}
	return g
}

// Order returns the included resources in creation order, as levels: every
// resource depends only on resources of earlier levels, so the resources of
// one level can be created concurrently. Within a level resources keep their
// document order. Deleting goes through the levels in reverse.
func (b *Bound) Order() ([][]string, error) {
	g, err := b.graph()
	if err != nil {
		return nil, err
	}
	lv, err := levels(g)
	if err != nil {
		return nil, err
	}
	pos := map[string]int{}
	for i, r := range b.Template.Resources {
		pos[r.LogicalID] = i
	}
	for _, l := range lv {
		sort.Slice(l, func(i, j int) bool { return pos[l[i]] < pos[l[j]] })
	}
	return lv, nil
}

// DeletionOrder returns the levels of Order in reverse.
func (b *Bound) DeletionOrder() ([][]string, error) {
	lv, err := b.Order()
	if err != nil {
		return nil, err
	}
	for i, j := 0, len(lv)-1; i < j; i, j = i+1, j-1 {
		lv[i], lv[j] = lv[j], lv[i]
	}
	return lv, nil
}

// levels sorts g topologically into levels (Kahn's algorithm). Resources
// left over are in or behind a cycle; those in a cycle are reported as
// CloudFormation does, sorted by name.
func levels(g map[string][]string) ([][]string, error) {
	indeg := map[string]int{}
	users := map[string][]string{}
	for n, deps := range g {
		indeg[n] += 0
		for _, d := range deps {
			if _, ok := g[d]; !ok {
				continue
			}
			indeg[n]++
			users[d] = append(users[d], n)
		}
	}
	var out [][]string
	var cur []string
	for n, d := range indeg {
		if d == 0 {
			cur = append(cur, n)
		}
	}
	done := 0
	for len(cur) > 0 {
		sort.Strings(cur)
		out = append(out, cur)
		done += len(cur)
		var next []string
		for _, n := range cur {
			for _, u := range users[n] {
				indeg[u]--
				if indeg[u] == 0 {
					next = append(next, u)
				}
			}
		}
		cur = next
	}
	if done == len(g) {
		return out, nil
	}
	// Keep only the resources on a cycle: drop, repeatedly, those that no
	// remaining resource depends on.
	left := map[string]bool{}
	for n, d := range indeg {
		if d > 0 {
			left[n] = true
		}
	}
	for changed := true; changed; {
		changed = false
		used := map[string]bool{}
		for n := range left {
			for _, d := range g[n] {
				used[d] = true
			}
		}
		for n := range left {
			if !used[n] {
				delete(left, n)
				changed = true
			}
		}
	}
	var cyc []string
	for n := range left {
		cyc = append(cyc, n)
	}
	sort.Strings(cyc)
	return nil, eddy.TypedErrorf(eddy.EVALIDATE, "ValidationError", "Circular dependency between resources: [%s]", strings.Join(cyc, ", "))
}

// ResolveProperties returns the Properties of an included resource with
// every intrinsic function resolved and AWS::NoValue properties removed.
func (b *Bound) ResolveProperties(logicalID string, res Resources) (map[string]any, error) {
	r := b.Resource(logicalID)
	if r == nil {
		return nil, validationError("Resource %s is not in the template or its condition is false", logicalID)
	}
	if r.Properties == nil {
		return map[string]any{}, nil
	}
	v, err := b.Resolve(r.Properties, res)
	if err != nil {
		return nil, within(err, "Resources", logicalID, "Properties")
	}
	m, _ := v.(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	return m, nil
}

// OutputValue is a resolved output.
type OutputValue struct {
	Key         string
	Value       string
	Description string
	ExportName  string
}

// Outputs resolves the outputs whose Condition holds, in document order.
// List values are joined with commas, as CloudFormation shows them.
func (b *Bound) Outputs(res Resources) ([]OutputValue, error) {
	var out []OutputValue
	for _, o := range b.Template.Outputs {
		if o.Condition != "" && !b.Conditions[o.Condition] {
			continue
		}
		ov := OutputValue{Key: o.LogicalID}
		for _, f := range []struct {
			src  any
			dst  *string
			name string
		}{{o.Value, &ov.Value, "Value"}, {o.Description, &ov.Description, "Description"}, {o.ExportName, &ov.ExportName, "Export Name"}} {
			if f.src == nil {
				continue
			}
			v, err := b.Resolve(f.src, res)
			if err != nil {
				return nil, within(err, "Outputs", o.LogicalID, f.name)
			}
			s, ok := str(v)
			if l, isList := v.([]any); isList && f.name == "Value" {
				parts := make([]string, 0, len(l))
				ok = true
				for _, e := range l {
					es, eok := str(e)
					ok = ok && eok
					parts = append(parts, es)
				}
				s = strings.Join(parts, ",")
			}
			if !ok {
				return nil, formatError("Output %s is malformed. The %s field of every Outputs member must evaluate to a String.", o.LogicalID, f.name)
			}
			*f.dst = s
		}
		out = append(out, ov)
	}
	return out, nil
}
