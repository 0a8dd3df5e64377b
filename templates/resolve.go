package templates

import (
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/netip"
	"strconv"
	"strings"
)

// noValue is what Ref AWS::NoValue resolves to: the enclosing map member or
// list element is removed.
type noValueType struct{}

var noValue = noValueType{}

// Resolve returns v with every intrinsic function resolved. The typing rule
// eddy implements is CloudFormation's: parameter values are strings (lists of
// strings for list types); where a function builds a string (Fn::Join,
// Fn::Sub, Fn::Base64, Fn::Split's input, Fn::Select's index, Fn::Equals)
// numbers keep their written text and booleans become "true" and "false";
// elsewhere numbers and booleans are left as they are. An AWS::NoValue at the
// top resolves to nil.
func (b *Bound) Resolve(v any, res Resources) (any, error) {
	out, err := b.resolve(v, res, false)
	if out == noValue {
		out = nil
	}
	return out, err
}

// PathError is an error found while resolving a value, with the path to the
// failing value ("Resources/Fn/Properties/Name/Fn::Join"). Error gives the
// message and the path; eddy.ErrorMessage gives CloudFormation's message
// alone.
type PathError struct {
	Path []string
	Err  error
}

// Error returns the message followed by the path.
func (e *PathError) Error() string { return e.Err.Error() + " (at " + strings.Join(e.Path, "/") + ")" }

// Unwrap returns the underlying error.
func (e *PathError) Unwrap() error { return e.Err }

// within returns err with the path segments prepended.
func within(err error, segs ...string) error {
	if pe, ok := err.(*PathError); ok {
		return &PathError{Path: append(append([]string{}, segs...), pe.Path...), Err: pe.Err}
	}
	return &PathError{Path: segs, Err: err}
}

func (b *Bound) resolve(v any, res Resources, inConditions bool) (any, error) {
	switch v := v.(type) {
	case []any:
		out := make([]any, 0, len(v))
		for i, e := range v {
			r, err := b.resolve(e, res, inConditions)
			if err != nil {
				return nil, within(err, strconv.Itoa(i))
			}
			if r != noValue {
				out = append(out, r)
			}
		}
		return out, nil
	case map[string]any:
		if len(v) == 1 {
			for k, arg := range v {
				if k == "Ref" || (strings.HasPrefix(k, "Fn::") && k != "Fn::Transform") {
					r, err := b.intrinsic(k, arg, res, inConditions)
					if err != nil {
						return nil, within(err, k)
					}
					return r, nil
				}
			}
		}
		out := make(map[string]any, len(v))
		for _, k := range sortedKeys(v) {
			r, err := b.resolve(v[k], res, inConditions)
			if err != nil {
				return nil, within(err, k)
			}
			if r != noValue {
				out[k] = r
			}
		}
		return out, nil
	}
	return v, nil
}

// resolveString resolves v and requires a string (or a scalar rendered as
// one).
func (b *Bound) resolveString(v any, res Resources, inConditions bool) (string, bool, error) {
	r, err := b.resolve(v, res, inConditions)
	if err != nil {
		return "", false, err
	}
	s, ok := str(r)
	return s, ok, nil
}

// resolveList resolves v and requires a list.
func (b *Bound) resolveList(v any, res Resources, inConditions bool) ([]any, bool, error) {
	r, err := b.resolve(v, res, inConditions)
	if err != nil {
		return nil, false, err
	}
	l, ok := r.([]any)
	return l, ok, nil
}

func (b *Bound) ref(name string, res Resources, inConditions bool) (any, error) {
	if v, ok := b.Params[name]; ok {
		return v, nil
	}
	switch name {
	case "AWS::StackName":
		return b.Pseudo.StackName, nil
	case "AWS::StackId":
		return b.Pseudo.StackID, nil
	case "AWS::Region":
		return b.Pseudo.Region, nil
	case "AWS::AccountId":
		return b.Pseudo.AccountID, nil
	case "AWS::Partition":
		return b.Pseudo.Partition, nil
	case "AWS::URLSuffix":
		return b.Pseudo.URLSuffix, nil
	case "AWS::NoValue":
		return noValue, nil
	case "AWS::NotificationARNs":
		out := make([]any, len(b.Pseudo.NotificationARNs))
		for i, a := range b.Pseudo.NotificationARNs {
			out[i] = a
		}
		return out, nil
	}
	if b.Template.resources[name] != nil {
		if inConditions {
			return nil, formatError("Unresolved dependencies [%s]. Cannot reference resources in the Conditions block of the template", name)
		}
		if !b.included[name] || res == nil {
			return nil, formatError("Unresolved resource dependencies [%s] in the Resources block of the template", name)
		}
		return res.Ref(name)
	}
	return nil, formatError("Unresolved resource dependencies [%s] in the Resources block of the template", name)
}

func (b *Bound) getAtt(name, attr string, res Resources, inConditions bool) (any, error) {
	if b.Template.resources[name] == nil {
		return nil, templateError("instance of Fn::GetAtt references undefined resource %s", name)
	}
	if inConditions {
		return nil, formatError("Unresolved dependencies [%s]. Cannot reference resources in the Conditions block of the template", name)
	}
	if !b.included[name] || res == nil {
		return nil, formatError("Unresolved resource dependencies [%s] in the Resources block of the template", name)
	}
	return res.GetAtt(name, attr)
}

func (b *Bound) intrinsic(fn string, arg any, res Resources, inC bool) (any, error) {
	switch fn {
	case "Ref":
		s, ok := arg.(string)
		if !ok {
			return nil, templateError("every Ref object requires a single string parameter.")
		}
		return b.ref(s, res, inC)

	case "Fn::GetAtt":
		name, attrArg, err := getAttArgs(arg)
		if err != nil {
			return nil, err
		}
		attr, ok, err := b.resolveString(attrArg, res, inC)
		if err != nil {
			return nil, err
		}
		if !ok || attr == "" {
			return nil, templateError("every Fn::GetAtt object requires two non-empty parameters.")
		}
		return b.getAtt(name, attr, res, inC)

	case "Fn::Sub":
		return b.sub(arg, res, inC)

	case "Fn::Join":
		a, ok := arg.([]any)
		joinErr := templateError("every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined or a function that returns a list of strings (such as Fn::GetAZs) to be joined.")
		if !ok || len(a) != 2 {
			return nil, joinErr
		}
		delim, ok := a[0].(string)
		if !ok {
			return nil, joinErr
		}
		l, ok, err := b.resolveList(a[1], res, inC)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, joinErr
		}
		parts := make([]string, 0, len(l))
		for _, e := range l {
			s, ok := str(e)
			if !ok {
				return nil, joinErr
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, delim), nil

	case "Fn::Select":
		a, ok := arg.([]any)
		selErr := templateError("every Fn::Select object requires two parameters, (1) an index of the list and (2) the list of objects to select from.")
		if !ok || len(a) != 2 {
			return nil, selErr
		}
		is, ok, err := b.resolveString(a[0], res, inC)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, selErr
		}
		i, err := strconv.Atoi(strings.TrimSpace(is))
		if err != nil {
			return nil, templateError("Fn::Select requires an integer index, got %s", is)
		}
		l, ok, err := b.resolveList(a[1], res, inC)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, selErr
		}
		if i < 0 || i >= len(l) {
			return nil, templateError("Fn::Select cannot select nonexistent value at index %d", i)
		}
		return l[i], nil

	case "Fn::Split":
		a, ok := arg.([]any)
		splitErr := templateError("every Fn::Split object requires two parameters, (1) a string delimiter and (2) a string to be split or a function that returns a string to be split.")
		if !ok || len(a) != 2 {
			return nil, splitErr
		}
		delim, ok := a[0].(string)
		if !ok || delim == "" {
			return nil, splitErr
		}
		s, ok, err := b.resolveString(a[1], res, inC)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, splitErr
		}
		parts := strings.Split(s, delim)
		out := make([]any, len(parts))
		for i, p := range parts {
			out[i] = p
		}
		return out, nil

	case "Fn::FindInMap":
		a, ok := arg.([]any)
		if !ok || len(a) != 3 {
			return nil, templateError("every Fn::FindInMap object requires three parameters, the map name, map key and the attribute for return value")
		}
		var keys [3]string
		for i, e := range a {
			s, ok, err := b.resolveString(e, res, inC)
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, templateError("every Fn::FindInMap object requires three parameters, the map name, map key and the attribute for return value")
			}
			keys[i] = s
		}
		m, ok := b.Template.Mappings[keys[0]].(map[string]any)
		if !ok {
			return nil, templateError("Unable to get mapping for %s::%s::%s", keys[0], keys[1], keys[2])
		}
		second, ok := m[keys[1]].(map[string]any)
		if !ok {
			return nil, templateError("Unable to get mapping for %s::%s::%s", keys[0], keys[1], keys[2])
		}
		v, ok := second[keys[2]]
		if !ok {
			return nil, templateError("Unable to get mapping for %s::%s::%s", keys[0], keys[1], keys[2])
		}
		return v, nil

	case "Fn::Base64":
		s, ok, err := b.resolveString(arg, res, inC)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, templateError("every Fn::Base64 object requires a string parameter.")
		}
		return base64.StdEncoding.EncodeToString([]byte(s)), nil

	case "Fn::GetAZs":
		region, ok, err := b.resolveString(arg, res, inC)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, templateError("Fn::GetAZs requires a region name or an empty string.")
		}
		if region == "" {
			region = b.Pseudo.Region
		}
		return []any{region + "a", region + "b", region + "c"}, nil

	case "Fn::ImportValue":
		name, ok, err := b.resolveString(arg, res, inC)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, templateError("every Fn::ImportValue object requires a string parameter.")
		}
		if b.lookups.ImportValue != nil {
			v, found, err := b.lookups.ImportValue(name)
			if err != nil {
				return nil, err
			}
			if found {
				return v, nil
			}
		}
		return nil, validationError("No export named %s found.", name)

	case "Fn::Cidr":
		return b.cidr(arg, res, inC)

	case "Fn::If":
		a, ok := arg.([]any)
		if !ok || len(a) != 3 {
			return nil, templateError("Fn::If requires a list argument with three elements")
		}
		c, ok := a[0].(string)
		if !ok {
			return nil, templateError("Fn::If requires a list argument with the first element being a condition")
		}
		v, def := b.Conditions[c]
		if !def {
			return nil, templateError("unresolved condition dependency %s in Fn::If", c)
		}
		if v {
			return b.resolve(a[1], res, inC)
		}
		return b.resolve(a[2], res, inC)

	case "Fn::ToJsonString":
		v, err := b.resolve(arg, res, inC)
		if err != nil {
			return nil, err
		}
		out, err := json.Marshal(v)
		if err != nil {
			return nil, templateError("Fn::ToJsonString cannot render its argument")
		}
		return string(out), nil

	case "Fn::Length":
		l, ok, err := b.resolveList(arg, res, inC)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, templateError("Fn::Length needs a list")
		}
		return json.Number(strconv.Itoa(len(l))), nil
	}
	return nil, formatError("Encountered unsupported function: %s", fn)
}

// sub resolves an Fn::Sub: ${Name} is a variable of the map, a parameter, a
// pseudo parameter or a resource's Ref; ${Resource.Attr} a resource
// attribute; ${!Text} is the literal ${Text}.
func (b *Bound) sub(arg any, res Resources, inC bool) (any, error) {
	s, vars, err := subArgs(arg)
	if err != nil {
		return nil, err
	}
	resolved := map[string]string{}
	for k, v := range vars {
		r, err := b.resolve(v, res, inC)
		if err != nil {
			return nil, err
		}
		rs, ok := str(r)
		if !ok {
			return nil, templateError("Fn::Sub variable %s must resolve to a string", k)
		}
		resolved[k] = rs
	}
	var out strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			out.WriteString(s)
			break
		}
		out.WriteString(s[:i])
		rest := s[i+2:]
		j := strings.IndexByte(rest, '}')
		if j < 0 {
			out.WriteString(s[i:])
			break
		}
		name := strings.TrimSpace(rest[:j])
		s = rest[j+1:]
		if strings.HasPrefix(name, "!") {
			out.WriteString("${" + rest[1:j] + "}")
			continue
		}
		if v, ok := resolved[name]; ok {
			out.WriteString(v)
			continue
		}
		var r any
		if res0, attr, ok := strings.Cut(name, "."); ok && !strings.HasPrefix(name, "AWS::") {
			r, err = b.getAtt(res0, attr, res, inC)
		} else {
			r, err = b.ref(name, res, inC)
		}
		if err != nil {
			return nil, err
		}
		rs, ok := str(r)
		if !ok {
			return nil, templateError("Fn::Sub variable %s must resolve to a string", name)
		}
		out.WriteString(rs)
	}
	return out.String(), nil
}

// cidr computes Fn::Cidr [ipBlock, count, cidrBits]: count consecutive
// subnets of the block, each with cidrBits host bits.
func (b *Bound) cidr(arg any, res Resources, inC bool) (any, error) {
	bad := templateError("Fn::Cidr requires three parameters: an IP address block in CIDR notation, the count of subnets (1-256) and the number of subnet bits.")
	a, ok := arg.([]any)
	if !ok || len(a) != 3 {
		return nil, bad
	}
	var s [3]string
	for i, e := range a {
		v, ok, err := b.resolveString(e, res, inC)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, bad
		}
		s[i] = strings.TrimSpace(v)
	}
	prefix, err := netip.ParsePrefix(s[0])
	if err != nil {
		return nil, templateError("Fn::Cidr: %s is not a valid CIDR block", s[0])
	}
	count, err1 := strconv.Atoi(s[1])
	bits, err2 := strconv.Atoi(s[2])
	if err1 != nil || err2 != nil || count < 1 || count > 256 {
		return nil, bad
	}
	total := prefix.Addr().BitLen()
	newLen := total - bits
	if bits < 0 || newLen < prefix.Bits() {
		return nil, templateError("Fn::Cidr: cidrBits %d does not fit in %s", bits, s[0])
	}
	if avail := newLen - prefix.Bits(); avail < 9 && count > 1<<avail {
		return nil, templateError("Fn::Cidr: %s cannot hold %d subnets of /%d", s[0], count, newLen)
	}
	base := new(big.Int).SetBytes(prefix.Masked().Addr().AsSlice())
	step := new(big.Int).Lsh(big.NewInt(1), uint(bits))
	out := make([]any, 0, count)
	for i := 0; i < count; i++ {
		n := new(big.Int).Add(base, new(big.Int).Mul(step, big.NewInt(int64(i))))
		buf := n.FillBytes(make([]byte, total/8))
		addr, _ := netip.AddrFromSlice(buf)
		out = append(out, netip.PrefixFrom(addr, newLen).String())
	}
	return out, nil
}
