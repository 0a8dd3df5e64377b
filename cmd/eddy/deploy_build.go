package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
)

// uploadFunc stores a zip artifact and returns where it now lives. The
// deploy command stores artifacts in eddy's S3; tests and benchmarks may
// pass anything else.
type uploadFunc func(ctx context.Context, zip []byte) (bucket, key string, err error)

// buildArtifacts reads the template at templatePath, builds the local code
// of its functions and layers the way `sam build` does, uploads each
// artifact with upload and returns the template with every local path
// replaced by the S3 location it was uploaded to. Everything else in the
// template, short-form tags and comments included, is left as it was.
func buildArtifacts(ctx context.Context, templatePath string, upload uploadFunc) ([]byte, error) {
	src, err := os.ReadFile(templatePath)
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(templatePath)
	if err != nil {
		return nil, err
	}
	return buildTemplate(ctx, templatePath, src, abs, upload, 0)
}

// maxNesting bounds how deep local templates may nest local templates.
const maxNesting = 8

// buildTemplate is buildArtifacts of a template read from templatePath
// (abs), nested depth levels under the one deployed.
func buildTemplate(ctx context.Context, templatePath string, src []byte, abs string, upload uploadFunc, depth int) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", templatePath, err)
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: the template is not a mapping", templatePath)
	}
	b := &builder{dir: filepath.Dir(abs), upload: upload, done: map[string]artifact{}, depth: depth}
	changed, err := b.rewrite(ctx, doc.Content[0])
	if err != nil {
		return nil, err
	}
	if !changed {
		return src, nil
	}
	// CloudFormation reads a body that starts with "{" as JSON, so a JSON
	// template must stay JSON.
	if bytes.HasPrefix(bytes.TrimSpace(src), []byte("{")) {
		var out bytes.Buffer
		if err := writeJSON(&out, doc.Content[0]); err != nil {
			return nil, err
		}
		var pretty bytes.Buffer
		if err := json.Indent(&pretty, out.Bytes(), "", "  "); err != nil {
			return nil, err
		}
		pretty.WriteByte('\n')
		return pretty.Bytes(), nil
	}
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// artifact is an uploaded zip.
type artifact struct{ bucket, key string }

// builder holds what one buildArtifacts call has built, so that functions
// sharing a code directory (and the way it is built) build it once.
type builder struct {
	dir    string // the template's directory, which relative paths start from
	upload uploadFunc
	done   map[string]artifact // by codeSpec.cacheKey
	depth  int                 // how deep the template is nested in the one deployed
}

// codeSpec says how a resource's code is to be packaged.
type codeSpec struct {
	path        string // absolute local path
	runtime     string
	arch        string // x86_64 or arm64
	buildMethod string // Metadata.BuildMethod
	build       bool   // false for a layer: its directory is zipped as it is
}

// cacheKey identifies a build: the same path built the same way.
func (s codeSpec) cacheKey() string {
	return strings.Join([]string{s.path, s.runtime, s.arch, s.buildMethod, fmt.Sprint(s.build)}, "\x00")
}

// rewrite walks the template's resources and replaces each local code path
// by its S3 location. It reports whether anything changed.
func (b *builder) rewrite(ctx context.Context, root *yaml.Node) (bool, error) {
	resources := mapGet(root, "Resources")
	if resources == nil || resources.Kind != yaml.MappingNode {
		return false, nil
	}
	globals := mapGet(mapGet(root, "Globals"), "Function")
	globalURI := localPath(mapGet(globals, "CodeUri"))
	changed := false
	for i := 0; i+1 < len(resources.Content); i += 2 {
		id, res := resources.Content[i].Value, resources.Content[i+1]
		props := mapGet(res, "Properties")
		typ := scalar(mapGet(res, "Type"))
		var (
			prop string // the property that names the code
			s3   bool   // true: the location is an s3:// URI; false: an {S3Bucket, S3Key} map
			spec codeSpec
		)
		switch typ {
		case "AWS::Serverless::Function":
			prop, s3, spec.build = "CodeUri", true, true
			if props == nil && globalURI == "" {
				continue
			}
			if mapGet(props, "InlineCode") != nil || mapGet(props, "ImageUri") != nil {
				continue
			}
			spec.runtime = scalarOr(mapGet(props, "Runtime"), scalar(mapGet(globals, "Runtime")))
			spec.arch = firstArch(mapGet(props, "Architectures"), mapGet(globals, "Architectures"))
		case "AWS::Lambda::Function":
			prop, spec.build = "Code", true
			spec.runtime = scalar(mapGet(props, "Runtime"))
			spec.arch = firstArch(mapGet(props, "Architectures"), nil)
		case "AWS::Serverless::LayerVersion":
			prop, s3 = "ContentUri", true
		case "AWS::Lambda::LayerVersion":
			prop = "Content"
		case "AWS::Serverless::Application", "AWS::CloudFormation::Stack":
			ok, err := b.nested(ctx, id, res, props, typ)
			if err != nil {
				return false, err
			}
			changed = changed || ok
			continue
		default:
			continue
		}
		spec.buildMethod = scalar(mapGet(mapGet(res, "Metadata"), "BuildMethod"))
		uri := localPath(mapGet(props, prop))
		if uri == "" && typ == "AWS::Serverless::Function" && mapGet(props, prop) == nil {
			uri = globalURI
		}
		if uri == "" {
			continue
		}
		if filepath.IsAbs(uri) {
			spec.path = filepath.Clean(uri)
		} else {
			spec.path = filepath.Join(b.dir, uri)
		}
		a, err := b.artifact(ctx, spec)
		if err != nil {
			return false, fmt.Errorf("%s %s (%s): %w", id, prop, uri, err)
		}
		if props == nil {
			props = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			mapSet(res, "Properties", props)
		}
		if s3 {
			mapSet(props, prop, strNode("s3://"+a.bucket+"/"+a.key))
		} else {
			mapSet(props, prop, &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{
				strNode("S3Bucket"), strNode(a.bucket), strNode("S3Key"), strNode(a.key),
			}})
		}
		changed = true
	}
	// Every function that took its code from Globals now names its own, so
	// a local path left in Globals would only make the transform fail.
	if globalURI != "" && changed {
		mapDelete(globals, "CodeUri")
	}
	return changed, nil
}

// nested builds and uploads the local template a nested application's
// Location, or a nested stack's TemplateURL, names, as `sam package` does:
// the template's own local code is built and uploaded first, and the
// property then names the uploaded template by its S3 URL. eddy's stacks
// nest local templates without publishing them to the repository.
func (b *builder) nested(ctx context.Context, id string, res, props *yaml.Node, typ string) (bool, error) {
	prop := "Location"
	if typ == "AWS::CloudFormation::Stack" {
		prop = "TemplateURL"
	}
	uri := localPath(mapGet(props, prop))
	if uri == "" {
		return false, nil
	}
	if b.depth >= maxNesting {
		return false, fmt.Errorf("%s %s (%s): templates nest more than %d levels deep", id, prop, uri, maxNesting)
	}
	path := uri
	if !filepath.IsAbs(path) {
		path = filepath.Join(b.dir, uri)
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return false, fmt.Errorf("%s %s: %w", id, prop, err)
	}
	body, err := buildTemplate(ctx, path, src, filepath.Clean(path), b.upload, b.depth+1)
	if err != nil {
		return false, fmt.Errorf("%s %s (%s): %w", id, prop, uri, err)
	}
	bucket, key, err := b.upload(ctx, body)
	if err != nil {
		return false, fmt.Errorf("%s %s (%s): upload: %w", id, prop, uri, err)
	}
	mapSet(props, prop, strNode("https://s3.amazonaws.com/"+bucket+"/"+key))
	return true, nil
}

// artifact builds, zips and uploads the code spec describes, once per call
// of buildArtifacts.
func (b *builder) artifact(ctx context.Context, spec codeSpec) (artifact, error) {
	if a, ok := b.done[spec.cacheKey()]; ok {
		return a, nil
	}
	z, err := packageCode(ctx, spec)
	if err != nil {
		return artifact{}, err
	}
	bucket, key, err := b.upload(ctx, z)
	if err != nil {
		return artifact{}, fmt.Errorf("upload: %w", err)
	}
	a := artifact{bucket, key}
	b.done[spec.cacheKey()] = a
	return a, nil
}

// localPath returns the local path a code property names, or "" when it
// names none: an s3:// URI, a Bucket/Key map, an intrinsic function, or an
// empty value.
func localPath(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode || (n.Tag != "!!str" && n.Tag != "") {
		return ""
	}
	v := strings.TrimSpace(n.Value)
	if v == "" || strings.Contains(v, "://") {
		return ""
	}
	return v
}

// firstArch returns the first entry of a function's Architectures, falling
// back to the Globals one and then to x86_64.
func firstArch(own, global *yaml.Node) string {
	for _, n := range []*yaml.Node{own, global} {
		if n != nil && n.Kind == yaml.SequenceNode && len(n.Content) > 0 {
			if v := scalar(n.Content[0]); v != "" {
				return v
			}
		}
	}
	return "x86_64"
}

// mapGet returns the value under key in a mapping node, or nil.
func mapGet(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// mapSet replaces the value under key in a mapping node, or appends it.
func mapSet(m *yaml.Node, key string, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content[i+1] = v
			return
		}
	}
	m.Content = append(m.Content, strNode(key), v)
}

// mapDelete removes key from a mapping node.
func mapDelete(m *yaml.Node, key string) {
	if m == nil {
		return
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content = append(m.Content[:i], m.Content[i+2:]...)
			return
		}
	}
}

// scalar returns the value of a plain (untagged) scalar node, or "".
func scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode || (n.Tag != "!!str" && n.Tag != "") {
		return ""
	}
	return n.Value
}

// scalarOr returns the value of a plain scalar node, or def.
func scalarOr(n *yaml.Node, def string) string {
	if v := scalar(n); v != "" {
		return v
	}
	return def
}

// strNode returns a string scalar node.
func strNode(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
}

// writeJSON writes a node tree as JSON, keeping the order of its keys.
func writeJSON(out *bytes.Buffer, n *yaml.Node) error {
	switch n.Kind {
	case yaml.AliasNode:
		return writeJSON(out, n.Alias)
	case yaml.MappingNode:
		out.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			if i > 0 {
				out.WriteByte(',')
			}
			k, _ := json.Marshal(n.Content[i].Value)
			out.Write(k)
			out.WriteByte(':')
			if err := writeJSON(out, n.Content[i+1]); err != nil {
				return err
			}
		}
		out.WriteByte('}')
	case yaml.SequenceNode:
		out.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				out.WriteByte(',')
			}
			if err := writeJSON(out, c); err != nil {
				return err
			}
		}
		out.WriteByte(']')
	default:
		var v any
		if err := n.Decode(&v); err != nil {
			return err
		}
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		out.Write(b)
	}
	return nil
}
