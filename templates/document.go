// Package templates parses, validates and resolves CloudFormation templates:
// the YAML/JSON front end, the template model, parameters, pseudo parameters,
// conditions, mappings, the intrinsic functions, outputs and the order in
// which resources are created and deleted.
//
// A stack engine uses it in these steps:
//
//	t, err := templates.Load(body)              // parse and validate statically
//	b, err := t.Bind(params, pseudo, lookups)   // parameters, conditions
//	levels, err := b.Order()                    // creation levels; DeletionOrder reverses them
//	props, err := b.ResolveProperties(id, res)  // per resource, as the resources it needs exist
//	outs, err := b.Outputs(res)
//
// Errors are *eddy.Error values of code EVALIDATE and AWS type
// ValidationError whose messages are CloudFormation's; errors found while
// resolving a value are wrapped in a PathError naming the value.
//
// A template is parsed by ParseDocument into a generic tree whose values are
//
//	map[string]any   a mapping (key order is not kept; see ParseDocumentKeys)
//	[]any            a sequence
//	string           a string
//	json.Number      a number, with the text the template wrote ("1.10", "1e3")
//	bool             true or false
//	nil              null
//
// A YAML number that JSON cannot spell (012, 0x1F, +1, .inf) stays a string
// with its text, so that every json.Number in a tree encodes as JSON and no
// text is altered.
//
// Every YAML short form (!Ref, !Sub, !GetAtt …) is rewritten to its long JSON
// form ({"Ref": …}, {"Fn::Sub": …}, {"Fn::GetAtt": [resource, attribute]}), so
// the rest of the package, and the SAM transform, see one shape only.
package templates

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/eddyserverless/eddy"
	"go.yaml.in/yaml/v3"
)

// maxNodes bounds the values a document may expand to, so that YAML aliases
// cannot multiply a small document into an enormous tree.
const maxNodes = 1 << 20

// shortForms maps each CloudFormation YAML tag to the key of its long form.
// !Ref, !Condition and !GetAtt are handled apart: their long forms differ.
var shortForms = map[string]string{
	"!Base64":       "Fn::Base64",
	"!Cidr":         "Fn::Cidr",
	"!Equals":       "Fn::Equals",
	"!FindInMap":    "Fn::FindInMap",
	"!GetAZs":       "Fn::GetAZs",
	"!If":           "Fn::If",
	"!ImportValue":  "Fn::ImportValue",
	"!Join":         "Fn::Join",
	"!Not":          "Fn::Not",
	"!And":          "Fn::And",
	"!Or":           "Fn::Or",
	"!Select":       "Fn::Select",
	"!Split":        "Fn::Split",
	"!Sub":          "Fn::Sub",
	"!Transform":    "Fn::Transform",
	"!ToJsonString": "Fn::ToJsonString",
	"!Length":       "Fn::Length",
}

// ParseDocument parses a CloudFormation template written in YAML or JSON into
// a generic tree (see the package documentation). Errors are worded as
// CloudFormation words them: "Template format error: YAML not well-formed. …"
// or "Template format error: JSON not well-formed. …".
func ParseDocument(data []byte) (map[string]any, error) {
	doc, _, err := ParseDocumentKeys(data)
	return doc, err
}

// ParseDocumentKeys is ParseDocument that also returns, for each top-level
// section that is a mapping (Parameters, Resources, Outputs …), its keys in
// document order.
func ParseDocumentKeys(data []byte) (map[string]any, map[string][]string, error) {
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
	if len(trimmed) > 0 && trimmed[0] == '{' {
		return parseJSON(data)
	}
	return parseYAML(data)
}

// formatError returns a CloudFormation "Template format error".
func formatError(format string, args ...any) error {
	return eddy.TypedErrorf(eddy.EVALIDATE, "ValidationError", "Template format error: "+format, args...)
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func parseYAML(data []byte) (map[string]any, map[string][]string, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		msg := err.Error()
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			return nil, nil, formatError("YAML not well-formed. %s (line %s)", m[2], m[1])
		}
		return nil, nil, formatError("YAML not well-formed. %s", strings.TrimPrefix(msg, "yaml: "))
	}
	if root.Kind == 0 || len(root.Content) == 0 {
		return map[string]any{}, map[string][]string{}, nil
	}
	top := root.Content[0]
	for top.Kind == yaml.AliasNode {
		top = top.Alias
	}
	if top.Kind == yaml.ScalarNode && top.ShortTag() == "!!null" {
		return map[string]any{}, map[string][]string{}, nil
	}
	if top.Kind != yaml.MappingNode || (top.Tag != "" && top.Tag != "!!map") {
		return nil, nil, formatError("unsupported structure.")
	}
	c := &converter{}
	v, err := c.node(top, 0)
	if err != nil {
		return nil, nil, err
	}
	keys := map[string][]string{}
	for i := 0; i+1 < len(top.Content); i += 2 {
		val := top.Content[i+1]
		for val.Kind == yaml.AliasNode {
			val = val.Alias
		}
		if val.Kind != yaml.MappingNode {
			continue
		}
		var order []string
		for j := 0; j+1 < len(val.Content); j += 2 {
			order = append(order, val.Content[j].Value)
		}
		keys[top.Content[i].Value] = order
	}
	return v.(map[string]any), keys, nil
}

type converter struct {
	nodes int
}

func yamlError(n *yaml.Node, format string, args ...any) error {
	return formatError("YAML not well-formed. %s (line %d, column %d)", fmt.Sprintf(format, args...), n.Line, n.Column)
}

func (c *converter) node(n *yaml.Node, depth int) (any, error) {
	c.nodes++
	if c.nodes > maxNodes || depth > 1000 {
		return nil, yamlError(n, "The document is too large.")
	}
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			return nil, yamlError(n, "Unknown alias.")
		}
		return c.node(n.Alias, depth+1)
	}
	tag := n.Tag
	if strings.HasPrefix(tag, "!") && !strings.HasPrefix(tag, "!!") {
		return c.tagged(n, tag, depth)
	}
	return c.plain(n, depth)
}

// plain converts a node whose tag is a standard YAML tag (or none).
func (c *converter) plain(n *yaml.Node, depth int) (any, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		return scalar(n), nil
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, e := range n.Content {
			v, err := c.node(e, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		out := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, vn := n.Content[i], n.Content[i+1]
			for k.Kind == yaml.AliasNode && k.Alias != nil {
				k = k.Alias
			}
			if k.Kind != yaml.ScalarNode {
				return nil, yamlError(k, "A mapping key must be a scalar.")
			}
			if k.Value == "<<" && k.ShortTag() == "!!merge" {
				if err := c.merge(out, vn, depth); err != nil {
					return nil, err
				}
				continue
			}
			if _, dup := out[k.Value]; dup {
				return nil, yamlError(k, "Duplicate key %s.", k.Value)
			}
			v, err := c.node(vn, depth+1)
			if err != nil {
				return nil, err
			}
			out[k.Value] = v
		}
		return out, nil
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return c.node(n.Content[0], depth+1)
	}
	return nil, yamlError(n, "Unsupported node.")
}

// merge applies a YAML merge key (<<: *anchor or a list of anchors).
func (c *converter) merge(out map[string]any, n *yaml.Node, depth int) error {
	v, err := c.node(n, depth+1)
	if err != nil {
		return err
	}
	var maps []any
	switch v := v.(type) {
	case map[string]any:
		maps = []any{v}
	case []any:
		maps = v
	default:
		return yamlError(n, "A merge key must refer to a mapping.")
	}
	for _, m := range maps {
		mm, ok := m.(map[string]any)
		if !ok {
			return yamlError(n, "A merge key must refer to a mapping.")
		}
		for k, v := range mm {
			if _, set := out[k]; !set {
				out[k] = v
			}
		}
	}
	return nil
}

// scalar converts a scalar with a standard tag. Numbers keep their text.
func scalar(n *yaml.Node) any {
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool":
		b, err := strconv.ParseBool(strings.ToLower(n.Value))
		if err != nil {
			return n.Value
		}
		return b
	case "!!int", "!!float":
		if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) == 0 && json.Valid([]byte(n.Value)) {
			return json.Number(n.Value)
		}
	}
	return n.Value
}

// tagged converts a node carrying a CloudFormation short-form tag.
func (c *converter) tagged(n *yaml.Node, tag string, depth int) (any, error) {
	inner := *n
	inner.Tag = ""
	if n.Kind == yaml.ScalarNode {
		// The text of a tagged scalar is a string whatever it looks like
		// (!Ref 123 names the parameter "123").
		inner.Tag = "!!str"
	}
	switch tag {
	case "!Ref", "!Condition":
		if n.Kind != yaml.ScalarNode {
			return nil, yamlError(n, "%s must be followed by a scalar.", tag)
		}
		return map[string]any{tag[1:]: n.Value}, nil
	case "!GetAtt":
		if n.Kind == yaml.ScalarNode {
			res, attr, ok := strings.Cut(n.Value, ".")
			if !ok {
				// CloudFormation reports the malformed call when it
				// validates the template; keep the text as given.
				return map[string]any{"Fn::GetAtt": []any{n.Value}}, nil
			}
			return map[string]any{"Fn::GetAtt": []any{res, attr}}, nil
		}
	}
	long, ok := shortForms[tag]
	if tag == "!GetAtt" {
		long, ok = "Fn::GetAtt", true
	}
	if !ok {
		return nil, yamlError(n, "Unknown tag %s.", tag)
	}
	v, err := c.plain(&inner, depth+1)
	if err != nil {
		return nil, err
	}
	return map[string]any{long: v}, nil
}

func parseJSON(data []byte) (map[string]any, map[string][]string, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	p := &jsonParser{dec: dec, data: data}
	tok, err := dec.Token()
	if err != nil {
		return nil, nil, p.fail(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, nil, formatError("unsupported structure.")
	}
	keys := map[string][]string{}
	v, _, err := p.object(0, keys)
	if err != nil {
		return nil, nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			err = errors.New("invalid character after top-level value")
		}
		return nil, nil, p.fail(err)
	}
	return v, keys, nil
}

type jsonParser struct {
	dec   *json.Decoder
	data  []byte
	nodes int
}

// fail words a JSON syntax error as CloudFormation does, with the line and
// column at which decoding stopped.
func (p *jsonParser) fail(err error) error {
	off := p.dec.InputOffset()
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off = se.Offset
	}
	if off > int64(len(p.data)) {
		off = int64(len(p.data))
	}
	line := 1 + bytes.Count(p.data[:off], []byte("\n"))
	col := int(off) - bytes.LastIndexByte(p.data[:off], '\n')
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		msg = "unexpected end of input"
	}
	return formatError("JSON not well-formed. %s (line %d, column %d)", msg, line, col)
}

// object reads the members of an object whose '{' was consumed and returns
// them with their keys in document order. keys, when not nil, receives the
// member order of each member that is itself an object.
func (p *jsonParser) object(depth int, keys map[string][]string) (map[string]any, []string, error) {
	out := map[string]any{}
	var order []string
	for p.dec.More() {
		tok, err := p.dec.Token()
		if err != nil {
			return nil, nil, p.fail(err)
		}
		k, ok := tok.(string)
		if !ok {
			return nil, nil, p.fail(errors.New("object key must be a string"))
		}
		if _, dup := out[k]; dup {
			return nil, nil, p.fail(fmt.Errorf("duplicate key %s", k))
		}
		v, sub, err := p.value(depth + 1)
		if err != nil {
			return nil, nil, err
		}
		if keys != nil {
			if _, isObj := v.(map[string]any); isObj {
				keys[k] = sub
			}
		}
		out[k] = v
		order = append(order, k)
	}
	if _, err := p.dec.Token(); err != nil {
		return nil, nil, p.fail(err)
	}
	return out, order, nil
}

// value reads one value; for an object it also returns its key order.
func (p *jsonParser) value(depth int) (any, []string, error) {
	p.nodes++
	if p.nodes > maxNodes || depth > 1000 {
		return nil, nil, p.fail(errors.New("the document is too large"))
	}
	tok, err := p.dec.Token()
	if err != nil {
		return nil, nil, p.fail(err)
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			return p.object(depth, nil)
		case '[':
			out := []any{}
			for p.dec.More() {
				v, _, err := p.value(depth + 1)
				if err != nil {
					return nil, nil, err
				}
				out = append(out, v)
			}
			if _, err := p.dec.Token(); err != nil {
				return nil, nil, p.fail(err)
			}
			return out, nil, nil
		}
		return nil, nil, p.fail(fmt.Errorf("unexpected %s", t))
	default:
		return t, nil, nil
	}
}
