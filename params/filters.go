package params

import (
	"regexp"
	"strconv"
	"strings"
)

// The ParameterFilters of DescribeParameters and GetParametersByPath.

var filterKeyPattern = regexp.MustCompile(`^(?:tag:.+|Name|Type|KeyId|Path|Label|Tier|DataType)$`)

// stringFilter is one checked filter.
type stringFilter struct {
	key, option string
	values      []string
}

type filters []stringFilter

// checkStringFilters checks ParameterFilters against the model's
// constraints.
func checkStringFilters(c *constraints, fs []ParameterStringFilter) {
	for i, f := range fs {
		m := "parameterFilters." + strconv.Itoa(i+1) + ".member."
		if f.Key == nil {
			c.null(m + "key")
		} else {
			if !filterKeyPattern.MatchString(*f.Key) {
				c.add(quote(*f.Key), m+"key", "Member must satisfy regular expression pattern: tag:.+|Name|Type|KeyId|Path|Label|Tier|DataType")
			}
			c.length(f.Key, m+"key", 1, 132, false)
		}
		c.length(f.Option, m+"option", 1, 10, false)
		if f.Values != nil {
			switch {
			case len(f.Values) == 0:
				c.add("'[]'", m+"values", "Member must have length greater than or equal to 1")
			case len(f.Values) > 50:
				c.add(list(f.Values), m+"values", "Member must have length less than or equal to 50")
			}
			for _, v := range f.Values {
				if v == "" || len([]rune(v)) > 1024 {
					c.add(list(f.Values), m+"values", "Member must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 1]")
					break
				}
			}
		}
	}
}

// parseStringFilters checks what the model cannot: which keys, options and
// values each operation takes.
func parseStringFilters(fs []ParameterStringFilter, byPath bool) (filters, error) {
	var out filters
	seen := map[string]bool{}
	for _, f := range fs {
		key := *f.Key
		option := deref(f.Option)
		if option == "" {
			option = "Equals"
			if key == "Path" {
				option = "OneLevel"
			}
		}
		tag := strings.HasPrefix(key, "tag:")
		switch {
		case !byPath && key == "Label":
			return nil, apiError(errInvalidFilterKey, "The following filter key is not valid: Label. Valid filter keys include: [Path, Name, Type, KeyId, Tier].")
		case byPath && (tag || key == "Name" || key == "Path" || key == "Tier" || key == "DataType"):
			return nil, apiError(errInvalidFilterKey, "The following filter key is not valid: %s. Valid filter keys include: [Type, KeyId].", key)
		}
		if !tag && len(f.Values) == 0 {
			return nil, apiError(errInvalidFilterVal, "The following filter values are missing : null for filter key %s.", key)
		}
		if seen[key] {
			return nil, apiError(errInvalidFilterKey, "The following filter is duplicated in the request: %s. A request can contain only one occurrence of a specific filter.", key)
		}
		seen[key] = true
		values := f.Values
		switch key {
		case "Path":
			if option != "Recursive" && option != "OneLevel" {
				return nil, apiError(errInvalidFilterOpt, "The following filter option is not valid: %s. Valid options include: [Recursive, OneLevel].", option)
			}
			values = make([]string, len(f.Values))
			for i, v := range f.Values {
				lower := strings.ToLower(v)
				if strings.HasPrefix(lower, "/aws") || strings.HasPrefix(lower, "/ssm") {
					return nil, validationf(`Filters for common parameters can't be prefixed with "aws" or "ssm" (case-insensitive). When using global parameters, please specify within a global namespace.`)
				}
				p, err := checkPath(v)
				if err != nil {
					return nil, err
				}
				values[i] = p
			}
		case "Tier":
			if err := oneOf(values, tierStandard, tierAdvanced, tierIntelligent); err != nil {
				return nil, err
			}
		case "Type":
			if err := oneOf(values, typeString, typeStringList, typeSecure); err != nil {
				return nil, err
			}
		case "Label":
			if option != "Equals" {
				return nil, apiError(errInvalidFilterOpt, "The following filter option is not valid: %s. Valid options include: [Equals].", option)
			}
		}
		if key != "Path" && option != "Equals" && option != "BeginsWith" && !(key == "Name" && option == "Contains" && !byPath) {
			return nil, apiError(errInvalidFilterOpt, "The following filter option is not valid: %s. Valid options include: [BeginsWith, Equals].", option)
		}
		if key == "Name" && option != "Contains" {
			values = make([]string, len(f.Values))
			for i, v := range f.Values {
				values[i] = keyOf(strings.TrimLeft(v, "/"))
			}
		}
		out = append(out, stringFilter{key: key, option: option, values: values})
	}
	return out, nil
}

func oneOf(values []string, allowed ...string) error {
	for _, v := range values {
		ok := false
		for _, a := range allowed {
			ok = ok || v == a
		}
		if !ok {
			return apiError(errInvalidFilterVal, "The following filter value is not valid: %s. Valid values include: [%s].", v, strings.Join(allowed, ", "))
		}
	}
	return nil
}

// match reports whether a parameter passes every filter. A Label filter
// selects the version that carries one of its labels (want, with the
// label); otherwise want is the latest version.
func (fs filters) match(h *head) (want int64, label string, ok bool) {
	want = h.Cur.Version
	for _, f := range fs {
		switch {
		case f.key == "Label":
			found := false
			for _, l := range f.values {
				if v, has := h.Labels[l]; has {
					want, label, found = v, l, true
					break
				}
			}
			if !found {
				return 0, "", false
			}
		case f.key == "Path":
			if !matchPath(h.key(), f.option == "Recursive", f.values) {
				return 0, "", false
			}
		case strings.HasPrefix(f.key, "tag:"):
			tk := f.key[len("tag:"):]
			var vals []string
			for _, t := range h.Tags {
				if t.Key == tk {
					vals = append(vals, t.Value)
				}
			}
			if len(vals) == 0 {
				return 0, "", false
			}
			if len(f.values) > 0 && !matchAny(vals, f.option, f.values) {
				return 0, "", false
			}
		default:
			var what string
			switch f.key {
			case "Name":
				what = h.key()
			case "Type":
				what = h.Cur.Type
			case "KeyId":
				what = h.Cur.KeyID
			case "Tier":
				what = h.Cur.Tier
			case "DataType":
				what = h.Cur.DataType
			}
			if what == "" || !matchAny([]string{what}, f.option, f.values) {
				return 0, "", false
			}
		}
	}
	return want, label, true
}

func matchAny(whats []string, option string, values []string) bool {
	for _, w := range whats {
		for _, v := range values {
			switch option {
			case "BeginsWith":
				if strings.HasPrefix(w, v) {
					return true
				}
			case "Contains":
				if strings.Contains(w, v) {
					return true
				}
			default:
				if w == v {
					return true
				}
			}
		}
	}
	return false
}

// matchPath reports whether a key is under one of the paths (prefixes
// ending in '/'): directly, or at any depth if recursive.
func matchPath(key string, recursive bool, paths []string) bool {
	for _, p := range paths {
		if !strings.HasPrefix(key, p) {
			continue
		}
		if recursive || !strings.Contains(key[len(p):], "/") {
			return true
		}
	}
	return false
}
