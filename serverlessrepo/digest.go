package serverlessrepo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"

	"github.com/eddyserverless/eddy/buckets"
	"github.com/eddyserverless/eddy/templates"
)

// A package is a version's template and the artifacts it names: the code
// of its functions and layers, API definitions and nested templates, each
// an object of eddy's S3. Its digest is
//
//	sha256("eddy-package-v1\n" +
//	       "template " + hex(sha256(template)) + "\n" +
//	       "artifact s3://BUCKET/KEY " + hex(sha256(object)) + "\n" ...)
//
// in hex, "sha256:" before it, with the artifact lines sorted by URL. The
// template names its artifacts by URL, so a digest covers where each
// artifact is as well as what it holds.
const digestPrefix = "sha256:"

// Artifact is one object a package's template names.
type Artifact struct {
	Bucket, Key string
}

// URL is the artifact's s3:// URL.
func (a Artifact) URL() string { return "s3://" + a.Bucket + "/" + a.Key }

// artifactProps are the properties of resource types that name an
// artifact: an s3:// or S3 https URL, or a map of bucket and key members.
var artifactProps = map[string][]string{
	"AWS::Serverless::Function":     {"CodeUri"},
	"AWS::Serverless::LayerVersion": {"ContentUri"},
	"AWS::Serverless::Api":          {"DefinitionUri"},
	"AWS::Serverless::HttpApi":      {"DefinitionUri"},
	"AWS::Serverless::StateMachine": {"DefinitionUri"},
	"AWS::Serverless::Application":  {"Location"},
	"AWS::Lambda::Function":         {"Code"},
	"AWS::Lambda::LayerVersion":     {"Content"},
	"AWS::ApiGateway::RestApi":      {"BodyS3Location"},
	"AWS::ApiGatewayV2::Api":        {"BodyS3Location"},
	"AWS::CloudFormation::Stack":    {"TemplateURL"},
}

// Artifacts returns the objects of eddy's S3 a template names, sorted by
// URL, each once. Locations that are intrinsic functions, local paths or
// other URLs are not artifacts.
func Artifacts(body string) ([]Artifact, error) {
	doc, err := templates.ParseDocument([]byte(body))
	if err != nil {
		return nil, badRequest("Invalid template: %s", templateMessage(err))
	}
	seen := map[string]Artifact{}
	add := func(a Artifact, ok bool) {
		if ok {
			seen[a.URL()] = a
		}
	}
	resources, _ := doc["Resources"].(map[string]any)
	for _, r := range resources {
		rm, _ := r.(map[string]any)
		typ, _ := rm["Type"].(string)
		props, _ := rm["Properties"].(map[string]any)
		for _, p := range artifactProps[typ] {
			add(artifactOf(props[p]))
		}
	}
	if g, ok := doc["Globals"].(map[string]any); ok {
		if f, ok := g["Function"].(map[string]any); ok {
			add(artifactOf(f["CodeUri"]))
		}
	}
	out := make([]Artifact, 0, len(seen))
	for _, a := range seen {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].URL() < out[j].URL() })
	return out, nil
}

// artifactOf reads an artifact location: an s3:// URL, an S3 https URL,
// or a map of Bucket and Key (S3Bucket and S3Key).
func artifactOf(v any) (Artifact, bool) {
	switch v := v.(type) {
	case string:
		if rest, ok := strings.CutPrefix(v, "s3://"); ok {
			b, k, _ := strings.Cut(rest, "/")
			return Artifact{b, k}, b != "" && k != ""
		}
		if strings.HasPrefix(v, "https://") || strings.HasPrefix(v, "http://") {
			if u, err := url.Parse(v); err == nil && strings.HasPrefix(u.Path, "/_eddy/") {
				return Artifact{}, false // eddy's own documents: no bucket is named _eddy
			}
			b, k, ok := buckets.ParseURL(v)
			if ok {
				if uk, err := url.PathUnescape(k); err == nil {
					k = uk
				}
			}
			return Artifact{b, k}, ok
		}
	case map[string]any:
		for _, names := range [][2]string{{"Bucket", "Key"}, {"S3Bucket", "S3Key"}} {
			b, _ := v[names[0]].(string)
			k, _ := v[names[1]].(string)
			if b != "" && k != "" {
				return Artifact{b, k}, true
			}
		}
	}
	return Artifact{}, false
}

// OpenFunc opens the object of eddy's S3 an artifact names.
type OpenFunc func(ctx context.Context, a Artifact) (io.ReadCloser, error)

// PackageDigest returns the digest of the package a template is, reading
// each artifact it names through open.
func PackageDigest(ctx context.Context, body string, open OpenFunc) (string, error) {
	arts, err := Artifacts(body)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	ts := sha256.Sum256([]byte(body))
	fmt.Fprintf(h, "eddy-package-v1\ntemplate %s\n", hex.EncodeToString(ts[:]))
	for _, a := range arts {
		sum, err := artifactSum(ctx, a, open)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "artifact %s %s\n", a.URL(), sum)
	}
	return digestPrefix + hex.EncodeToString(h.Sum(nil)), nil
}

// artifactSum returns the hex sha256 of an artifact's bytes.
func artifactSum(ctx context.Context, a Artifact, open OpenFunc) (string, error) {
	rc, err := open(ctx, a)
	if err != nil {
		return "", fmt.Errorf("artifact %s: %w", a.URL(), err)
	}
	defer rc.Close()
	h := sha256.New()
	if _, err := io.Copy(h, rc); err != nil {
		return "", fmt.Errorf("artifact %s: %w", a.URL(), err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
