package triggers

import "github.com/eddyserverless/eddy/eventbus/pattern"

// Pattern is a FilterCriteria pattern: Lambda's event filtering language,
// which is EventBridge's without the wildcard and cidr matchers. A pattern
// is a JSON object that mirrors the event; see eventbus/pattern.
type Pattern = pattern.Pattern

// ParsePattern parses a filtering pattern.
func ParsePattern(s string) (*Pattern, error) {
	return pattern.CompileFilter(s)
}
