package main

import (
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/params"
	"github.com/eddyserverless/eddy/serverlessrepo"
	"github.com/eddyserverless/eddy/stacks"
	"github.com/eddyserverless/eddy/stacks/resources"
)

// stackSettle is how long a request that starts a stack operation waits
// for it to end: a small stack is then complete when its client first
// looks, rather than at the client's next poll.
const stackSettle = 5 * time.Second

// openStacks opens CloudFormation stacks, whose resources are made through
// every other service, and sets its field of m.API. It opens last.
func (m *Main) openStacks(ctx context.Context) error {
	handlers := resources.New(resources.Services{
		Engine: m.Engine, Queues: m.Queues, Tables: m.Tables, Functions: m.Functions, Buckets: m.Buckets,
		Endpoint: m.URL(), Logs: m.Logs, Params: m.Params, Events: m.Events, RestAPIs: m.RestAPIs,
		HTTPAPIs: m.HTTPAPIs, Mappings: m.Triggers,
	})
	s := stacks.NewService(stacks.Config{
		Engine: m.Engine, Account: m.Config.AccountID, Region: m.Config.Region, Logger: m.Logger,
		Handlers: handlers, SSM: m.ssmValue, Settle: stackSettle,
		ReadTemplate: m.readTemplateURL, Applications: m.resolveApplication,
	})
	if err := s.Open(ctx); err != nil {
		_ = s.Close()
		return err
	}
	m.Stacks = s
	m.API.Stacks = s
	return nil
}

// readTemplateURL reads the template a nested stack's TemplateURL names:
// a version's template at the repository's address on this server, or an
// object of eddy's S3.
func (m *Main) readTemplateURL(ctx context.Context, raw string) (string, error) {
	if u, err := url.Parse(raw); err == nil && m.Repo != nil {
		own, _ := url.Parse(m.URL())
		if rest, ok := strings.CutPrefix(u.EscapedPath(), serverlessrepo.PathPrefix); ok && own != nil && u.Host == own.Host {
			return m.Repo.TemplateBody(ctx, rest)
		}
	}
	return m.readObjectURL(ctx, raw)
}

// resolveApplication resolves an application of the repository a
// template nests to its version's template URL.
func (m *Main) resolveApplication(ctx context.Context, id, semver string) (string, string, error) {
	if m.Repo == nil {
		return "", "", eddy.Errorf(eddy.EINVALID, "eddy serves no application repository")
	}
	return m.Repo.ResolveVersion(ctx, id, semver)
}

// ssmValue answers a template's AWS::SSM::Parameter::Value<…> parameter
// from the parameter store. CloudFormation does not read SecureStrings
// this way, so nothing is decrypted.
func (m *Main) ssmValue(name string) (string, bool, error) {
	if m.Params == nil {
		return "", false, nil
	}
	out, err := m.Params.GetParameter(context.Background(), m.Config.Region, &params.GetParameterInput{Name: &name})
	if err != nil {
		if e := eddy.AsError(err); e != nil && e.Type == "ParameterNotFound" {
			return "", false, nil
		}
		return "", false, err
	}
	return out.Parameter.Value, true, nil
}

// closeStacks closes what openStacks opened; safe when it did not. It
// closes first: a stack operation under way acts through the others.
func (m *Main) closeStacks() error {
	if m.Stacks == nil {
		return nil
	}
	return m.Stacks.Close()
}
