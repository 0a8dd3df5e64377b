package sam

import (
	_ "embed"
	"encoding/json"
	"sort"
	"strings"
	"sync"
)

// policy_templates.json is samtranslator's
// policy_templates_data/policy_templates.json, as it is.
//
//go:embed policy_templates.json
var policyTemplatesJSON []byte

type policyTemplateDef struct {
	Definition map[string]any            `json:"Definition"`
	Parameters map[string]map[string]any `json:"Parameters"`
}

var policyTemplates = sync.OnceValue(func() map[string]policyTemplateDef {
	var doc struct {
		Templates map[string]policyTemplateDef `json:"Templates"`
	}
	if err := json.Unmarshal(policyTemplatesJSON, &doc); err != nil {
		panic("sam: embedded policy_templates.json: " + err.Error()) // the embedded file is fixed at build time
	}
	return doc.Templates
})

// policyTemplate expands {"NAME": {params}} into a policy document.
func policyTemplate(id string, index int, entry map[string]any) (map[string]any, error) {
	if len(entry) != 1 {
		return nil, invalid(id, "Policy at index %d in the 'Policies' property is not valid", index)
	}
	var name string
	for k := range entry {
		name = k
	}
	def, ok := policyTemplates()[name]
	if !ok {
		return nil, invalid(id, "Policy at index %d in the 'Policies' property is not valid", index)
	}
	values, ok := entry[name].(map[string]any)
	if !ok {
		return nil, invalid(id, "Policy template '%s' is not a valid policy template.", name)
	}
	var missing []string
	for p := range def.Parameters {
		if _, ok := values[p]; !ok {
			missing = append(missing, "'"+p+"'")
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, invalid(id, "Following required parameters of template '%s' don't have values: [%s]", name, strings.Join(missing, ", "))
	}
	out := substitute(def.Definition, def.Parameters, values)
	return out.(map[string]any), nil
}

// substitute replaces each {"Ref": P} of a template parameter P by its value.
func substitute(v any, params map[string]map[string]any, values map[string]any) any {
	switch v := v.(type) {
	case map[string]any:
		if r, ok := v["Ref"].(string); ok && len(v) == 1 {
			if _, ok := params[r]; ok {
				return deepCopy(values[r])
			}
		}
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[k] = substitute(e, params, values)
		}
		return m
	case []any:
		l := make([]any, len(v))
		for i, e := range v {
			l[i] = substitute(e, params, values)
		}
		return l
	}
	return v
}
