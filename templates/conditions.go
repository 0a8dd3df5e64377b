package templates

import (
	"reflect"
	"sort"
	"strings"

	"github.com/eddyserverless/eddy"
)

func messageOf(err error) string { return eddy.ErrorMessage(err) }

// validateConditions checks, when the template is loaded, that every
// condition a Condition reference or an Fn::If names is defined and that the
// Conditions section refers to no resource.
func (t *Template) validateConditions() error {
	var check func(v any, fn string, inConditions bool) error
	check = func(v any, fn string, inConditions bool) error {
		switch v := v.(type) {
		case []any:
			for _, e := range v {
				if err := check(e, fn, inConditions); err != nil {
					return err
				}
			}
		case map[string]any:
			if len(v) == 1 {
				for k, arg := range v {
					switch {
					case k == "Condition" && inConditions:
						if s, ok := arg.(string); ok {
							if _, def := t.Conditions[s]; !def {
								return templateError("unresolved condition dependency %s in %s", s, fn)
							}
							return nil
						}
					case k == "Fn::If":
						if a, ok := arg.([]any); ok && len(a) > 0 {
							if s, ok := a[0].(string); ok {
								if _, def := t.Conditions[s]; !def {
									return templateError("unresolved condition dependency %s in Fn::If", s)
								}
							}
						}
					case k == "Ref" && inConditions:
						if s, ok := arg.(string); ok && t.resources[s] != nil {
							return formatError("Unresolved dependencies [%s]. Cannot reference resources in the Conditions block of the template", s)
						}
					case strings.HasPrefix(k, "Fn::"):
						return check(arg, k, inConditions)
					}
				}
			}
			for _, e := range v {
				if err := check(e, fn, inConditions); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for _, name := range sortedKeys(t.Conditions) {
		if err := check(t.Conditions[name], "Conditions", true); err != nil {
			return err
		}
	}
	for _, r := range t.Resources {
		if err := check(r.Properties, "", false); err != nil {
			return err
		}
	}
	for _, o := range t.Outputs {
		if err := check([]any{o.Value, o.Description, o.ExportName}, "", false); err != nil {
			return err
		}
	}
	return nil
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// evalConditions evaluates every condition once.
func (b *Bound) evalConditions() error {
	b.Conditions = map[string]bool{}
	visiting := map[string]bool{}
	var eval func(name string, from string) (bool, error)
	var expr func(v any, fn string) (bool, error)
	eval = func(name, from string) (bool, error) {
		if v, ok := b.Conditions[name]; ok {
			return v, nil
		}
		def, ok := b.Template.Conditions[name]
		if !ok {
			return false, templateError("unresolved condition dependency %s in %s", name, from)
		}
		if visiting[name] {
			var cyc []string
			for n := range visiting {
				cyc = append(cyc, n)
			}
			sort.Strings(cyc)
			return false, formatError("Circular dependency between conditions: [%s]", strings.Join(cyc, ", "))
		}
		visiting[name] = true
		v, err := expr(def, "Conditions")
		delete(visiting, name)
		if err != nil {
			return false, err
		}
		b.Conditions[name] = v
		return v, nil
	}
	list := func(arg any, fn string, min, max int, what string) ([]bool, error) {
		a, ok := arg.([]any)
		if !ok || len(a) < min || len(a) > max {
			return nil, templateError("every %s object requires %s", fn, what)
		}
		out := make([]bool, len(a))
		for i, e := range a {
			v, err := expr(e, fn)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	}
	expr = func(v any, fn string) (bool, error) {
		m, ok := v.(map[string]any)
		if !ok || len(m) != 1 {
			if bv, isBool := v.(bool); isBool {
				return bv, nil
			}
			return false, templateError("Conditions can only be boolean operations on parameters and other conditions")
		}
		for k, arg := range m {
			switch k {
			case "Condition":
				s, ok := arg.(string)
				if !ok {
					return false, templateError("Condition references must be strings")
				}
				return eval(s, fn)
			case "Fn::Equals":
				a, ok := arg.([]any)
				if !ok || len(a) != 2 {
					return false, templateError("every Fn::Equals object requires a list of 2 string parameters.")
				}
				var vals [2]any
				for i, e := range a {
					r, err := b.resolve(e, nil, true)
					if err != nil {
						return false, err
					}
					vals[i] = normalize(r)
				}
				return reflect.DeepEqual(vals[0], vals[1]), nil
			case "Fn::Not":
				l, err := list(arg, k, 1, 1, "one boolean parameter.")
				if err != nil {
					return false, err
				}
				return !l[0], nil
			case "Fn::And", "Fn::Or":
				l, err := list(arg, k, 2, 10, "a list of at least 2 and at most 10 boolean parameters.")
				if err != nil {
					return false, err
				}
				res := k == "Fn::And"
				for _, x := range l {
					if k == "Fn::And" {
						res = res && x
					} else {
						res = res || x
					}
				}
				return res, nil
			}
			return false, templateError("Conditions can only be boolean operations on parameters and other conditions")
		}
		return false, nil
	}
	for _, name := range sortedKeys(b.Template.Conditions) {
		if _, err := eval(name, "Conditions"); err != nil {
			return err
		}
	}
	return nil
}

// normalize turns scalars into strings, as Fn::Equals compares them.
func normalize(v any) any {
	if s, ok := str(v); ok {
		return s
	}
	if l, ok := v.([]any); ok {
		out := make([]any, len(l))
		for i, e := range l {
			out[i] = normalize(e)
		}
		return out
	}
	return v
}
