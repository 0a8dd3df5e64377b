package params

import (
	"strconv"
	"strings"
)

// Parameter names, as SSM validates them:
//
//   - a-z, A-Z, 0-9, '_', '.', '-' and '/' only (spaces at either end are
//     dropped, as SSM drops them);
//   - a name with a '/' is fully qualified: it begins with '/', has no
//     empty level and does not end with '/';
//   - at most 15 levels;
//   - "aws" and "ssm" (any case) cannot begin a new parameter's name, and
//     /aws/… is reserved for AWS's public parameters;
//   - 2,048 characters at most in the request, and at most 1,011 for the
//     parameter's ARN (arn:aws:ssm:REGION:ACCOUNT:parameter/NAME).
//
// A name at the top level may be written with or without its leading
// slash: "/Name" and "Name" are one parameter. Its key, under which it is
// stored and sorted, is the name with one leading slash.

const (
	maxNameLength = 2048
	maxARNLength  = 1011
	maxLevels     = 15
	maxLabelLen   = 100
)

// The messages SSM gives for names it refuses.
const (
	msgInvalidName = `Parameter name: can't be prefixed with "ssm" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_`
	msgPrefix      = `Parameter name: can't be prefixed with "aws" or "ssm" (case-insensitive).`
	msgQualified   = "Parameter name must be a fully qualified name."
	msgPath        = `The parameter doesn't meet the parameter name requirements. The parameter name must begin with a forward slash "/". It can't be prefixed with \"aws\" or \"ssm\" (case-insensitive). It must use only letters, numbers, or the following symbols: . (period), - (hyphen), _ (underscore). Special characters are not allowed. All sub-paths, if specified, must use the forward slash symbol "/". Valid example: /get/parameters2-/by1./path0_.`
	msgLevels      = "A hierarchy can have a maximum of 15 levels."
)

// trimName drops the spaces SSM drops from either end of a name.
func trimName(name string) string { return strings.Trim(name, " ") }

// nameChar reports whether c may appear in a parameter name.
func nameChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-' || c == '/'
}

// checkName checks the form of a name that refers to a parameter (any
// operation's Name, already trimmed).
func checkName(name string) error {
	if name == "" {
		return validationf("%s", msgInvalidName)
	}
	if strings.Contains(name, "/") {
		if name[0] != '/' || (len(name) > 1 && name[len(name)-1] == '/') {
			return validationf("%s", msgQualified)
		}
	}
	for i := 0; i < len(name); i++ {
		if !nameChar(name[i]) {
			return validationf("%s", msgInvalidName)
		}
	}
	if name == "/" || strings.Contains(name, "//") {
		return validationf("%s", msgInvalidName)
	}
	return nil
}

// checkNewName checks a name PutParameter would create: its form, the
// reserved prefixes, its depth and its ARN's length.
func checkNewName(name, partition, region, account string) error {
	if strings.Contains(name, "/") && name[0] != '/' {
		return validationf("%s", msgQualified)
	}
	lower := strings.ToLower(strings.TrimPrefix(name, "/"))
	if strings.HasPrefix(lower, "aws") || strings.HasPrefix(lower, "ssm") {
		path := strings.Count(name, "/") > 1
		switch {
		case path && strings.HasPrefix(lower, "aws"):
			return apiError(errAccessDenied, "No access to reserved parameter name: %s.", name)
		case !path:
			return validationf("%s", msgPrefix)
		default:
			return validationf("%s", msgInvalidName)
		}
	}
	if err := checkName(name); err != nil {
		return err
	}
	if levels(name) > maxLevels {
		return apiError(errHierarchyLevel, "%s", msgLevels)
	}
	if n := len(arnOf(partition, region, account, name)); n > maxARNLength {
		return validationf("Parameter name: can't be longer than %d characters, counting its ARN (%d here).", maxARNLength, n)
	}
	return nil
}

// levels is the number of levels of a valid name.
func levels(name string) int {
	return strings.Count(strings.TrimPrefix(name, "/"), "/") + 1
}

// keyOf is the key of a valid name: the name with one leading slash.
func keyOf(name string) string {
	if strings.HasPrefix(name, "/") {
		return name
	}
	return "/" + name
}

// partitionOf is the ARN partition of a region.
func partitionOf(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

// arnOf is a parameter's ARN: the name follows "parameter/" without a
// slash of its own.
func arnOf(partition, region, account, name string) string {
	return "arn:" + partition + ":ssm:" + region + ":" + account + ":parameter/" + strings.TrimPrefix(name, "/")
}

// ref is a parameter reference as the read operations take it: a name or
// an ARN, with an optional ":version" or ":label" selector.
type ref struct {
	Name     string // the name, as given (trimmed)
	Selector string // "" or what followed the colon
	Version  int64  // the version the selector names, 0 for a label
	Label    string // the label the selector names
	// ARN is set for a reference given as an ARN; Foreign for an ARN of
	// another account or region, which no parameter of this store has.
	ARN, Foreign bool
}

// parseRef splits a reference into its name and selector and checks the
// name's form. ok is false for a reference that cannot name a parameter
// at all (more than one selector, an empty one).
func parseRef(s, region, account string) (r ref, ok bool, err error) {
	s = trimName(s)
	if rest, isARN := strings.CutPrefix(s, "arn:"); isARN {
		// arn:PARTITION:ssm:REGION:ACCOUNT:parameter/NAME[:SELECTOR]
		parts := strings.SplitN(rest, ":", 5)
		if len(parts) < 5 || parts[1] != "ssm" || !strings.HasPrefix(parts[4], "parameter/") {
			return ref{}, false, validationf("%s", msgInvalidName)
		}
		r.ARN = true
		r.Foreign = parts[2] != region || parts[3] != account
		s = strings.TrimPrefix(parts[4], "parameter/")
		if name, _, _ := strings.Cut(s, ":"); strings.Contains(name, "/") {
			s = "/" + s
		}
	}
	name, sel, hasSel := strings.Cut(s, ":")
	if err := checkName(name); err != nil {
		return ref{}, false, err
	}
	r.Name = name
	if !hasSel {
		return r, true, nil
	}
	if sel == "" || strings.Contains(sel, ":") {
		return r, false, nil
	}
	r.Selector = sel
	if n, err := strconv.ParseInt(sel, 10, 64); err == nil && allDigits(sel) {
		if n <= 0 {
			return r, false, nil
		}
		r.Version = n
	} else {
		r.Label = sel
	}
	return r, true, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// validLabel reports whether a label meets SSM's rules: letters, digits,
// '.', '-' and '_', not beginning with a digit, "aws" or "ssm" (any
// case). Its length is checked apart.
func validLabel(l string) bool {
	if l == "" || l[0] >= '0' && l[0] <= '9' {
		return false
	}
	lower := strings.ToLower(l)
	if strings.HasPrefix(lower, "aws") || strings.HasPrefix(lower, "ssm") {
		return false
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// checkPath checks GetParametersByPath's Path and the values of a Path
// filter, and returns the path as a key prefix ending in '/'.
func checkPath(p string) (string, error) {
	if p == "" || p[0] != '/' || strings.Contains(p, "//") {
		return "", validationf("%s", msgPath)
	}
	for i := 0; i < len(p); i++ {
		if !nameChar(p[i]) {
			return "", validationf("%s", msgPath)
		}
	}
	return strings.TrimSuffix(p, "/") + "/", nil
}
