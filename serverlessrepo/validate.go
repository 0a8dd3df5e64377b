package serverlessrepo

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/eddyserverless/eddy"
)

// semverRE is Semantic Versioning 2.0.0's grammar.
var semverRE = regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)` +
	`(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?` +
	`(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$`)

var (
	nameRE   = regexp.MustCompile(`^[a-zA-Z0-9\-]+$`)
	labelRE  = regexp.MustCompile(`^[a-zA-Z0-9+\-_:\/@]+$`)
	authorRE = regexp.MustCompile(`^[a-z0-9](([a-z0-9]|-[a-z0-9])*)?$`)
	orgRE    = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)
	acctRE   = regexp.MustCompile(`^\d{12}$`)
)

// policyActions are the actions an application's policy may grant.
var policyActions = []string{
	"GetApplication", "CreateCloudFormationChangeSet", "CreateCloudFormationTemplate",
	"ListApplicationVersions", "SearchApplications", "Deploy", "UnshareApplication",
}

// badRequest returns a BadRequestException.
func badRequest(format string, args ...any) error {
	return eddy.TypedErrorf(eddy.EINVALID, "BadRequestException", format, args...)
}

// notFound returns a NotFoundException.
func notFound(format string, args ...any) error {
	return eddy.TypedErrorf(eddy.ENOTFOUND, "NotFoundException", format, args...)
}

// conflict returns a ConflictException.
func conflict(format string, args ...any) error {
	return eddy.TypedErrorf(eddy.ECONFLICT, "ConflictException", format, args...)
}

// ValidSemanticVersion reports whether v is a semantic version (2.0.0).
func ValidSemanticVersion(v string) bool { return len(v) <= 255 && semverRE.MatchString(v) }

func checkSemanticVersion(v string) error {
	if !ValidSemanticVersion(v) {
		return badRequest("Invalid semantic version: %s. Semantic version must follow the format MAJOR.MINOR.PATCH as defined at https://semver.org.", v)
	}
	return nil
}

// checkLabels checks an application's labels: at most 10, each 1 to 127
// characters of [a-zA-Z0-9+\-_:\/@].
func checkLabels(labels []string) error {
	if len(labels) > 10 {
		return badRequest("An application can have at most 10 labels.")
	}
	for _, l := range labels {
		if len(l) < 1 || len(l) > 127 || !labelRE.MatchString(l) {
			return badRequest("Invalid label: %q. A label must be 1 to 127 characters and match the pattern ^[a-zA-Z0-9+\\-_:\\/@]+$.", l)
		}
	}
	return nil
}

func checkName(name string) error {
	if name == "" {
		return badRequest("Missing required parameter: name.")
	}
	if len(name) > 140 || !nameRE.MatchString(name) {
		return badRequest("Invalid name: %q. The name must be 1 to 140 characters of letters, digits and hyphens.", name)
	}
	return nil
}

func checkAuthor(a string) error {
	if a == "" {
		return badRequest("Missing required parameter: author.")
	}
	if len(a) > 127 || !authorRE.MatchString(a) {
		return badRequest("Invalid author: %q. The author must be 1 to 127 lowercase letters, digits and single hyphens, and start and end with a letter or digit.", a)
	}
	return nil
}

func checkDescription(d string) error {
	if d == "" {
		return badRequest("Missing required parameter: description.")
	}
	if len(d) > 256 {
		return badRequest("Invalid description: the description must be at most 256 characters.")
	}
	return nil
}

// checkStatements validates a policy's statements and gives those without
// an id a generated one. It returns a copy.
func checkStatements(in []Statement) ([]Statement, error) {
	out := make([]Statement, 0, len(in))
	seen := map[string]bool{}
	for _, st := range in {
		if len(st.Principals) == 0 {
			return nil, badRequest("Missing required parameter: principals.")
		}
		for _, p := range st.Principals {
			if p != "*" && !acctRE.MatchString(p) {
				return nil, badRequest("Invalid principal: %s. A principal must be a 12-digit AWS account ID or * for public.", p)
			}
		}
		if len(st.Actions) == 0 {
			return nil, badRequest("Missing required parameter: actions.")
		}
		for _, a := range st.Actions {
			if !slices.Contains(policyActions, a) {
				return nil, badRequest("Invalid action: %s. Supported actions: [%s].", a, strings.Join(policyActions, ", "))
			}
		}
		for _, o := range st.PrincipalOrgIDs {
			if !orgRE.MatchString(o) {
				return nil, badRequest("Invalid organization ID: %s.", o)
			}
		}
		if st.StatementID == "" {
			st.StatementID = newID()
		}
		if seen[st.StatementID] {
			return nil, badRequest("Duplicate statement ID: %s.", st.StatementID)
		}
		seen[st.StatementID] = true
		st.Actions = slices.Clone(st.Actions)
		st.Principals = slices.Clone(st.Principals)
		st.PrincipalOrgIDs = slices.Clone(st.PrincipalOrgIDs)
		out = append(out, st)
	}
	return out, nil
}

// unshare removes org from the statements, and the statements that were
// for org alone. It reports whether any statement named org.
func unshare(sts []Statement, org string) ([]Statement, bool) {
	var out []Statement
	found := false
	for _, st := range sts {
		if i := slices.Index(st.PrincipalOrgIDs, org); i >= 0 {
			found = true
			st.PrincipalOrgIDs = slices.Delete(slices.Clone(st.PrincipalOrgIDs), i, i+1)
			if len(st.PrincipalOrgIDs) == 0 {
				continue
			}
		}
		out = append(out, st)
	}
	return out, found
}

// newID returns a random id in the form of a UUID.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return fmt.Sprintf("%s-%s-%s-%s-%s", h[:8], h[8:12], h[12:16], h[16:20], h[20:])
}
