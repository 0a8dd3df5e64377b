// Package eddy is the vocabulary of eddy, a self-hosted serverless application
// platform: the domain types, the service interfaces that the capability
// packages implement, and the error codes they return. It imports only the
// standard library and does no I/O.
package eddy

import (
	"errors"
	"fmt"
)

// Error codes. They say what went wrong in eddy's terms; the AWS edge maps
// each one to the status and error code a client of each AWS protocol expects.
const (
	ECONFLICT  = "conflict"     // the resource exists or is in a conflicting state
	EINTERNAL  = "internal"     // a fault in eddy; the client sees a generic message
	EINVALID   = "invalid"      // a request parameter is not acceptable
	EMALFORMED = "malformed"    // the request body could not be parsed
	ENOTFOUND  = "not_found"    // the named resource does not exist
	ETOOLARGE  = "too_large"    // a request or payload is over a limit
	ETHROTTLED = "throttled"    // a concurrency or rate limit was reached
	EVALIDATE  = "validation"   // a member failed its model constraint (pattern, length, range)
	EUNSUPPORT = "unsupported"  // valid in AWS but not provided by eddy
	EPRECOND   = "precondition" // a revision or other precondition did not hold
	EUNAVAIL   = "not_ready"    // the resource exists but cannot serve yet
)

// Error is the one error type of eddy. Code is one of the E* constants;
// Message is safe to show to a client. Type, when set, is the exact AWS error
// code to render (for example "InvalidZipFileException") where the generic
// mapping of Code is not precise enough.
type Error struct {
	Code    string
	Type    string
	Message string
	// Reason is an optional machine-readable reason some AWS errors carry
	// (Lambda's TooManyRequestsException has one).
	Reason string
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Type != "" {
		return fmt.Sprintf("eddy error: code=%s type=%s message=%s", e.Code, e.Type, e.Message)
	}
	return fmt.Sprintf("eddy error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// TypedErrorf returns an *Error with the given code, exact AWS error type and
// a formatted message.
func TypedErrorf(code, awsType, format string, args ...any) *Error {
	return &Error{Code: code, Type: awsType, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the *Error in err's chain, EINTERNAL for any
// other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the client-safe message of the *Error in err's chain,
// or a generic message for any other error.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "An internal error occurred."
}

// AsError returns the *Error in err's chain, or nil.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}
