package params

import (
	"fmt"
	"strings"

	"github.com/eddyserverless/eddy"
)

// Error types are SSM's, from its service model; every error this package
// returns to a client is an *eddy.Error with one of them as Type.
const (
	errValidation       = "ValidationException"
	errNotFound         = "ParameterNotFound"
	errVersionNotFound  = "ParameterVersionNotFound"
	errAlreadyExists    = "ParameterAlreadyExists"
	errMaxVersions      = "ParameterMaxVersionLimitExceeded"
	errPatternMismatch  = "ParameterPatternMismatchException"
	errInvalidPattern   = "InvalidAllowedPatternException"
	errHierarchyLevel   = "HierarchyLevelLimitExceededException"
	errLabelLimit       = "ParameterVersionLabelLimitExceeded"
	errInvalidFilterKey = "InvalidFilterKey"
	errInvalidFilterOpt = "InvalidFilterOption"
	errInvalidFilterVal = "InvalidFilterValue"
	errInvalidToken     = "InvalidNextToken"
	errResourceType     = "InvalidResourceType"
	errResourceID       = "InvalidResourceId"
	errTooManyTags      = "TooManyTagsError"
	errTooManyUpdates   = "TooManyUpdates"
	errAccessDenied     = "AccessDeniedException"
	errInvalidKeyID     = "InvalidKeyId"
	errPolicyType       = "InvalidPolicyTypeException"
	errPolicyAttribute  = "InvalidPolicyAttributeException"
	errPoliciesLimit    = "PoliciesLimitExceededException"
	errIncompatible     = "IncompatiblePolicyException"
	errInternal         = "InternalServerError"
)

// codes maps each error type to eddy's code for it.
var codes = map[string]string{
	errNotFound:        eddy.ENOTFOUND,
	errVersionNotFound: eddy.ENOTFOUND,
	errResourceID:      eddy.ENOTFOUND,
	errAlreadyExists:   eddy.ECONFLICT,
	errTooManyUpdates:  eddy.ETHROTTLED,
	errInternal:        eddy.EINTERNAL,
}

func apiError(typ, format string, args ...any) error {
	code := codes[typ]
	if code == "" {
		code = eddy.EINVALID
	}
	return eddy.TypedErrorf(code, typ, format, args...)
}

func validationf(format string, args ...any) error {
	return apiError(errValidation, format, args...)
}

func notFound(name string) error {
	return apiError(errNotFound, "Parameter %s not found.", name)
}

func versionNotFound(version, name string) error {
	return apiError(errVersionNotFound, "Systems Manager could not find version %s of %s. Verify the version and try again.", version, name)
}

// constraints collects the violations of a request's model constraints and
// reports them as AWS's validation layer does: "N validation error(s)
// detected: …; …".
type constraints struct{ errs []string }

func (c *constraints) add(value, member, constraint string) {
	c.errs = append(c.errs, fmt.Sprintf("Value %s at '%s' failed to satisfy constraint: %s", value, member, constraint))
}

func (c *constraints) null(member string) {
	c.errs = append(c.errs, fmt.Sprintf("Value null at '%s' failed to satisfy constraint: Member must not be null", member))
}

// length checks a string's length against [min, max] (max < 0: none).
func (c *constraints) length(s *string, member string, min, max int, required bool) {
	if s == nil {
		if required {
			c.null(member)
		}
		return
	}
	n := len([]rune(*s))
	switch {
	case n < min:
		c.add(quote(*s), member, fmt.Sprintf("Member must have length greater than or equal to %d", min))
	case max >= 0 && n > max:
		c.add(quote(*s), member, fmt.Sprintf("Member must have length less than or equal to %d", max))
	}
}

func (c *constraints) enum(s *string, member string, values ...string) {
	if s == nil {
		return
	}
	for _, v := range values {
		if *s == v {
			return
		}
	}
	c.add(quote(*s), member, "Member must satisfy enum value set: ["+strings.Join(values, ", ")+"]")
}

func (c *constraints) intRange(n *int, member string, min, max int) {
	if n == nil {
		return
	}
	switch {
	case *n < min:
		c.add(fmt.Sprintf("'%d'", *n), member, fmt.Sprintf("Member must have value greater than or equal to %d", min))
	case *n > max:
		c.add(fmt.Sprintf("'%d'", *n), member, fmt.Sprintf("Member must have value less than or equal to %d", max))
	}
}

func (c *constraints) err() error {
	switch len(c.errs) {
	case 0:
		return nil
	case 1:
		return validationf("1 validation error detected: %s", c.errs[0])
	}
	return validationf("%d validation errors detected: %s", len(c.errs), strings.Join(c.errs, "; "))
}

func quote(s string) string { return "'" + s + "'" }

// list renders a list value as AWS's validation messages do.
func list(vs []string) string { return "'[" + strings.Join(vs, ", ") + "]'" }
