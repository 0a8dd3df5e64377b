package templates

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Parameter is one member of the Parameters section.
type Parameter struct {
	Name                  string
	Type                  string
	Description           string
	Default               *string
	AllowedValues         []string
	AllowedPattern        string
	MinLength, MaxLength  *int
	MinValue, MaxValue    *float64
	NoEcho                bool
	ConstraintDescription string

	pattern *regexp.Regexp
}

// list reports whether values of the parameter are lists.
func (p *Parameter) list() bool {
	return p.Type == "CommaDelimitedList" || strings.HasPrefix(p.Type, "List<") ||
		p.Type == "AWS::SSM::Parameter::Value<List<String>>" || p.Type == "AWS::SSM::Parameter::Value<CommaDelimitedList>" ||
		(strings.HasPrefix(p.Type, "AWS::SSM::Parameter::Value<List<"))
}

// ssm reports whether the parameter's value names an SSM parameter.
func (p *Parameter) ssm() bool { return strings.HasPrefix(p.Type, "AWS::SSM::Parameter::Value<") }

// number reports whether values (or list elements) must be numbers.
func (p *Parameter) number() bool { return p.Type == "Number" || p.Type == "List<Number>" }

var awsTypePattern = regexp.MustCompile(`^AWS::[A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+$`)

// validType reports whether t is a parameter type CloudFormation knows.
// AWS-specific types (AWS::EC2::VPC::Id …) are accepted by shape and treated
// as strings.
func validType(t string) bool {
	switch t {
	case "String", "Number", "List<Number>", "CommaDelimitedList", "AWS::SSM::Parameter::Name":
		return true
	}
	if inner, ok := strings.CutPrefix(t, "AWS::SSM::Parameter::Value<"); ok {
		inner, ok = strings.CutSuffix(inner, ">")
		return ok && (inner == "String" || inner == "CommaDelimitedList" || inner == "List<String>" || validType(inner))
	}
	if inner, ok := strings.CutPrefix(t, "List<"); ok {
		inner, ok = strings.CutSuffix(inner, ">")
		return ok && awsTypePattern.MatchString(inner)
	}
	return awsTypePattern.MatchString(t)
}

func parseParameter(name string, v any) (*Parameter, error) {
	if !alphanumeric.MatchString(name) {
		return nil, formatError("Parameter name %s is non alphanumeric.", name)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, formatError("Every Parameters object must contain a Type member.")
	}
	typ, ok := m["Type"].(string)
	if !ok {
		return nil, formatError("Every Parameters object must contain a Type member.")
	}
	if !validType(typ) {
		return nil, formatError("Unrecognized parameter type: %s", typ)
	}
	p := &Parameter{Name: name, Type: typ}
	for k, val := range m {
		bad := func() error {
			return formatError("Invalid value for parameter %s attribute %s", name, k)
		}
		switch k {
		case "Type":
		case "Description":
			p.Description, _ = val.(string)
		case "Default":
			s, ok := str(val)
			if !ok {
				l, isList := val.([]any)
				if !isList {
					return nil, bad()
				}
				parts := make([]string, 0, len(l))
				for _, e := range l {
					es, ok := str(e)
					if !ok {
						return nil, bad()
					}
					parts = append(parts, es)
				}
				s = strings.Join(parts, ",")
			}
			p.Default = &s
		case "AllowedValues":
			l, ok := val.([]any)
			if !ok {
				return nil, bad()
			}
			for _, e := range l {
				s, ok := str(e)
				if !ok {
					return nil, bad()
				}
				p.AllowedValues = append(p.AllowedValues, s)
			}
		case "AllowedPattern":
			s, ok := val.(string)
			if !ok {
				return nil, bad()
			}
			re, err := regexp.Compile(`^(?:` + s + `)$`)
			if err != nil {
				return nil, formatError("Parameter %s has an invalid AllowedPattern %s", name, s)
			}
			p.AllowedPattern, p.pattern = s, re
		case "MinLength", "MaxLength":
			s, _ := str(val)
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 {
				return nil, bad()
			}
			if k == "MinLength" {
				p.MinLength = &n
			} else {
				p.MaxLength = &n
			}
		case "MinValue", "MaxValue":
			s, _ := str(val)
			f, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return nil, bad()
			}
			if k == "MinValue" {
				p.MinValue = &f
			} else {
				p.MaxValue = &f
			}
		case "NoEcho":
			s, _ := str(val)
			b, err := strconv.ParseBool(s)
			if err != nil {
				return nil, bad()
			}
			p.NoEcho = b
		case "ConstraintDescription":
			p.ConstraintDescription, _ = val.(string)
		default:
			return nil, formatError("Invalid template parameter property '%s'", k)
		}
	}
	if p.Default != nil && !p.ssm() {
		if err := p.check(*p.Default); err != nil {
			return nil, formatError("Default value for parameter %s is invalid. %s", name, strings.TrimPrefix(messageOf(err), "Template error: "))
		}
	}
	return p, nil
}

// splitList splits a CommaDelimitedList value. CloudFormation trims no
// whitespace; an empty value is an empty list.
func splitList(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

// check validates a value against the parameter's constraints, with the
// messages CloudFormation uses. A ConstraintDescription replaces the message
// of a failed AllowedPattern, length or value constraint.
func (p *Parameter) check(value string) error {
	values := []string{value}
	if p.list() {
		values = splitList(value)
	}
	for _, v := range values {
		if err := p.checkOne(v); err != nil {
			return err
		}
	}
	return nil
}

func (p *Parameter) checkOne(v string) error {
	fail := func(format string, args ...any) error {
		if p.ConstraintDescription != "" {
			return validationError("Parameter '%s' failed to satisfy constraint: %s", p.Name, p.ConstraintDescription)
		}
		return validationError(format, args...)
	}
	if p.number() {
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			return validationError("Parameter '%s' must be a number", p.Name)
		}
		if p.MinValue != nil && f < *p.MinValue {
			return fail("Parameter '%s' must be a number not less than %s", p.Name, fmtFloat(*p.MinValue))
		}
		if p.MaxValue != nil && f > *p.MaxValue {
			return fail("Parameter '%s' must be a number not greater than %s", p.Name, fmtFloat(*p.MaxValue))
		}
	}
	if !p.number() {
		n := utf8.RuneCountInString(v)
		if p.MinLength != nil && n < *p.MinLength {
			return fail("Parameter '%s' must contain at least %d characters", p.Name, *p.MinLength)
		}
		if p.MaxLength != nil && n > *p.MaxLength {
			return fail("Parameter '%s' must contain at most %d characters", p.Name, *p.MaxLength)
		}
		if p.pattern != nil && !p.pattern.MatchString(v) {
			return fail("Parameter '%s' must match pattern %s", p.Name, p.AllowedPattern)
		}
	}
	if len(p.AllowedValues) > 0 {
		ok := false
		for _, a := range p.AllowedValues {
			if a == v {
				ok = true
				break
			}
		}
		if !ok {
			return fail("Parameter '%s' must be one of AllowedValues", p.Name)
		}
	}
	return nil
}

func fmtFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// ParameterValue is a parameter's value as DescribeStacks shows it: NoEcho
// values are "****". ResolvedValue is the value an SSM parameter resolved to.
type ParameterValue struct {
	Key           string
	Value         string
	ResolvedValue string
}

// bindParameters returns each parameter's value: a string, or a []string for
// list types. Parameter values are always strings to the rest of the template
// (CloudFormation turns a Number parameter's value into a string wherever it
// is referenced); Number-typed lists are lists of strings.
func (t *Template) bindParameters(given map[string]string, lk Lookups) (map[string]any, []ParameterValue, error) {
	var unknown []string
	for k := range given {
		if t.params[k] == nil {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, nil, validationError("Parameters: [%s] do not exist in the template", strings.Join(unknown, ", "))
	}
	var missing []string
	for _, p := range t.Parameters {
		if _, ok := given[p.Name]; !ok && p.Default == nil {
			missing = append(missing, p.Name)
		}
	}
	if len(missing) > 0 {
		return nil, nil, validationError("Parameters: [%s] must have values", strings.Join(missing, ", "))
	}
	values := map[string]any{}
	var shown []ParameterValue
	for _, p := range t.Parameters {
		v, ok := given[p.Name]
		if !ok {
			v = *p.Default
		}
		pv := ParameterValue{Key: p.Name, Value: v}
		if p.ssm() {
			if lk.SSM == nil {
				return nil, nil, validationError("Parameter validation failed: parameter value %s for parameter name %s does not exist", v, p.Name)
			}
			resolved, found, err := lk.SSM(v)
			if err != nil {
				return nil, nil, err
			}
			if !found {
				return nil, nil, validationError("Parameter validation failed: parameter value %s for parameter name %s does not exist", v, p.Name)
			}
			pv.ResolvedValue = resolved
			v = resolved
		} else if err := p.check(v); err != nil {
			return nil, nil, err
		}
		if p.NoEcho {
			pv.Value = "****"
			if pv.ResolvedValue != "" {
				pv.ResolvedValue = "****"
			}
		}
		shown = append(shown, pv)
		if p.list() {
			l := splitList(v)
			out := make([]any, len(l))
			for i, e := range l {
				out[i] = e
			}
			values[p.Name] = out
		} else {
			values[p.Name] = v
		}
	}
	return values, shown, nil
}
