package serverlessrepo

import "context"

// ResolveVersion returns the URL of the template of a version of an
// application (the latest when semver is empty) and the version: what a
// stack nesting the application with AWS::Serverless::Application reads.
// The URL names the version, so it is the same each time it is resolved.
// With trusted publisher keys, a version that is unsigned, untrusted or
// changed since it was signed is refused, as its change sets are.
func (s *Service) ResolveVersion(ctx context.Context, id, semver string) (templateURL, version string, err error) {
	rec, v, err := s.loadVersion(ctx, id, semver)
	if err != nil {
		return "", "", err
	}
	if err := s.verify(ctx, rec, v); err != nil {
		return "", "", err
	}
	return v.TemplateURL, v.SemanticVersion, nil
}
