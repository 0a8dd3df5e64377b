package serverlessrepo

import "context"

// ResolveVersion returns the URL of the template of a version of an
// application (the latest when semver is empty) and the version: what a
// stack nesting the application with AWS::Serverless::Application reads.
// The URL names the version, so it is the same each time it is resolved.
// With trusted publisher keys, a version that is unsigned, untrusted or
// changed since it was signed is refused, as its change sets are.
func (s *Service) ResolveVersion(ctx context.Context, id, semver string) (templateURL, version string, err error) {
	rec, _, err := s.load(ctx, id)
	if err != nil {
		return "", "", err
	}
	v, err := s.version(rec, semver)
	if err != nil {
		return "", "", err
	}
	if v == nil {
		return "", "", badRequest("The application %s has no versions.", id)
	}
	if err := s.verify(ctx, rec, v); err != nil {
		return "", "", err
	}
	return v.TemplateURL, v.SemanticVersion, nil
}
