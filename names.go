package eddy

import (
	"crypto/rand"
	"encoding/hex"
	"regexp"
	"strings"
)

// FunctionRef is a function named by a request: a plain name, a partial ARN
// (ACCOUNT:function:NAME) or a full ARN, each optionally with a qualifier.
type FunctionRef struct {
	Name      string
	Qualifier string
	Region    string // "" unless the reference is a full ARN
	Account   string // "" unless the reference carries an account
}

var (
	functionRefPattern  = regexp.MustCompile(`^(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?$`)
	functionNamePattern = regexp.MustCompile(`^[a-zA-Z0-9-_]{1,64}$`)
)

// ParseFunctionRef parses a FunctionName member as Lambda does. member is the
// request member's name, used in the message of a validation error.
func ParseFunctionRef(s, member string) (FunctionRef, error) {
	if len(s) < 1 {
		return FunctionRef{}, validationError(s, member, "Member must have length greater than or equal to 1")
	}
	if len(s) > 140 {
		return FunctionRef{}, validationError(s, member, "Member must have length less than or equal to 140")
	}
	m := functionRefPattern.FindStringSubmatch(s)
	if m == nil {
		return FunctionRef{}, validationError(s, member, "Member must satisfy regular expression pattern: "+
			`(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?`)
	}
	ref := FunctionRef{
		Name:      m[10],
		Qualifier: m[12],
		Region:    strings.TrimSuffix(m[3], ":"),
		Account:   strings.TrimSuffix(m[8], ":"),
	}
	// Without "arn:", the only prefixed form is the partial ARN
	// ACCOUNT:function:NAME[:QUALIFIER]. Anything else is NAME[:QUALIFIER],
	// even where the pattern could read NAME as a region, an account or
	// "function:" (functions may be called "us-east-1", "123456789012" or
	// "function"); more colons than that are not a form Lambda accepts.
	if m[1] == "" && (m[3] != "" || m[8] == "" || m[9] == "") {
		name, qualifier, _ := strings.Cut(s, ":")
		if strings.Contains(qualifier, ":") {
			return FunctionRef{}, validationError(s, member, "Member must satisfy regular expression pattern: function name or ARN")
		}
		ref = FunctionRef{Name: name, Qualifier: qualifier}
	}
	if m[1] != "" && (ref.Region == "" || ref.Account == "" || m[9] == "") {
		return FunctionRef{}, validationError(s, member, "Member must satisfy regular expression pattern: function name or ARN")
	}
	if len(ref.Name) > 64 {
		return FunctionRef{}, validationError(s, member, "Member must have length less than or equal to 64")
	}
	return ref, nil
}

// ValidFunctionName reports whether s is a plain function name.
func ValidFunctionName(s string) bool { return functionNamePattern.MatchString(s) }

func validationError(value, member, constraint string) *Error {
	return TypedErrorf(EVALIDATE, "ValidationException",
		"1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: %s", value, member, constraint)
}

// ValidationError returns the error Lambda-style APIs return when a request
// member fails a constraint of its model.
func ValidationError(value, member, constraint string) *Error {
	return validationError(value, member, constraint)
}

// NewID returns a random UUID (version 4) in its canonical text form.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}
