package stacks

import (
	"crypto/rand"
)

const nameAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// GeneratedName returns a physical name as CloudFormation generates one for
// a resource the template does not name: STACK-LOGICALID-RANDOM, where
// RANDOM is 13 upper-case letters and digits, in at most max characters.
// When the name is too long the stack name and logical id are shortened,
// the longer one first, keeping the random suffix whole; a max too small
// for that gives the random part alone, cut to max.
func GeneratedName(stack, logicalID string, max int) string {
	return generatedName(stack, logicalID, newNameSuffix(), max)
}

// GeneratedName returns the name GeneratedName generates for the resource
// of r, with the random part the stack recorded for it: the same on the
// Delete of an interrupted create as on its Create.
func (r *Request) GeneratedName(max int) string {
	if r.NameSuffix == "" {
		return GeneratedName(r.Stack.Name, r.LogicalID, max)
	}
	return generatedName(r.Stack.Name, r.LogicalID, r.NameSuffix, max)
}

// newNameSuffix returns 13 random upper-case letters and digits.
func newNameSuffix() string {
	var b [13]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = nameAlphabet[int(b[i])%len(nameAlphabet)]
	}
	return string(b[:])
}

func generatedName(stack, logicalID, suffix string, max int) string {
	if max <= 0 {
		max = 255
	}
	room := max - len(suffix) - 2
	if room < 2 {
		if max < len(suffix) {
			return suffix[:max]
		}
		return suffix
	}
	s, l := stack, logicalID
	for len(s)+len(l) > room {
		if len(s) >= len(l) {
			s = s[:len(s)-1]
		} else {
			l = l[:len(l)-1]
		}
	}
	return s + "-" + l + "-" + suffix
}
