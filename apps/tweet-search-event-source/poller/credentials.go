package poller

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// The names of the credentials under the parameter prefix.
var credentialNames = []string{"consumer_key", "consumer_secret", "access_token", "access_token_secret", "bearer_token"}

// credentials are what a search request is authorized with: OAuth 1.0a
// user context, or an app-only bearer token.
type credentials struct {
	oauth  *OAuth1
	bearer string
}

// prefix returns the parameter prefix as a path: "/name/".
func (p *Poller) prefix() string {
	pre := p.ParameterPrefix
	if pre == "" {
		pre = DefaultPrefix
	}
	pre = strings.Trim(pre, "/")
	if pre == "" {
		return "/"
	}
	return "/" + pre + "/"
}

// credentials reads the credentials from the parameter store.
func (p *Poller) credentials(ctx context.Context) (credentials, error) {
	pre := p.prefix()
	names := make([]string, len(credentialNames))
	for i, n := range credentialNames {
		names[i] = pre + n
	}
	out, err := p.SSM.GetParameters(ctx, &ssm.GetParametersInput{Names: names, WithDecryption: aws.Bool(true)})
	if err != nil {
		return credentials{}, fmt.Errorf("read credentials under %s: %w", pre, err)
	}
	got := map[string]string{}
	for _, prm := range out.Parameters {
		if v := aws.ToString(prm.Value); v != "" {
			got[strings.TrimPrefix(aws.ToString(prm.Name), pre)] = v
		}
	}
	o := &OAuth1{ConsumerKey: got["consumer_key"], ConsumerSecret: got["consumer_secret"],
		AccessToken: got["access_token"], AccessTokenSecret: got["access_token_secret"]}
	complete := o.ConsumerKey != "" && o.ConsumerSecret != "" && o.AccessToken != "" && o.AccessTokenSecret != ""
	bearer := got["bearer_token"]
	if p.APIVersion == "2" {
		if bearer == "" {
			return credentials{}, fmt.Errorf("no bearer_token under %s: search API v2 needs an app-only bearer token stored as a SecureString parameter", pre)
		}
		return credentials{bearer: bearer}, nil
	}
	switch {
	case complete:
		return credentials{oauth: o}, nil
	case bearer != "":
		return credentials{bearer: bearer}, nil
	}
	var missing []string
	for _, n := range credentialNames[:4] {
		if got[n] == "" {
			missing = append(missing, n)
		}
	}
	if len(missing) < 4 {
		return credentials{}, fmt.Errorf("incomplete credentials under %s: %s missing; store consumer_key, consumer_secret, access_token and access_token_secret, or bearer_token, as SecureString parameters", pre, strings.Join(missing, ", "))
	}
	return credentials{}, fmt.Errorf("no credentials under %s: store consumer_key, consumer_secret, access_token and access_token_secret, or bearer_token, as SecureString parameters", pre)
}
