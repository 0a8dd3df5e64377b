package sam

import (
	"fmt"
	"sort"
	"strings"
)

// samtranslator names an API's deployment by the SHA-1 of str(swagger),
// where the swagger is built of its Py27Dict (a dict that iterates in
// Python 2.7's order) and Py27UniStr (a string written u'…' when it comes
// from the template). This file writes that string.

// gen is a map SAM generates: its keys are written '…'. The keys of a
// map[string]any come from the template and are written u'…'.
type gen map[string]any

// anyMap is an API definition: generated (gen) or the template's (plainMap).
type anyMap interface {
	get(k string) any
	set(k string, v any)
	tree() any
}

func (g gen) get(k string) any    { return g[k] }
func (g gen) set(k string, v any) { g[k] = v }
func (g gen) tree() any           { return g }

type plainMap map[string]any

func (p plainMap) get(k string) any    { return p[k] }
func (p plainMap) set(k string, v any) { p[k] = v }
func (p plainMap) tree() any           { return map[string]any(p) }

// asMap returns v as a map that writes through, or nil.
func asMap(v any) map[string]any {
	switch v := v.(type) {
	case map[string]any:
		return v
	case gen:
		return v
	}
	return nil
}

// toUni marks every string of a template tree as the template's.
func toUni(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[k] = toUni(e)
		}
		return m
	case []any:
		l := make([]any, len(v))
		for i, e := range v {
			l[i] = toUni(e)
		}
		return l
	case string:
		return uni(v)
	}
	return v
}

// fromUni turns a tree built with gen and uni back into a plain one.
func fromUni(v any) any {
	switch v := v.(type) {
	case gen:
		return fromUni(map[string]any(v))
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[k] = fromUni(e)
		}
		return m
	case []any:
		l := make([]any, len(v))
		for i, e := range v {
			l[i] = fromUni(e)
		}
		return l
	case uni:
		return string(v)
	}
	return v
}

// pyRepr is Python's str() of the samtranslator form of v.
func pyRepr(v any) string {
	var b strings.Builder
	writeRepr(&b, v)
	return b.String()
}

func writeRepr(b *strings.Builder, v any) {
	switch v := v.(type) {
	case gen:
		writeDict(b, v, func(string) bool { return false })
	case map[string]any:
		writeDict(b, v, func(k string) bool { return k != "x-amazon-apigateway-any-method" && k != "options" })
	case []any:
		b.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				b.WriteString(", ")
			}
			writeRepr(b, e)
		}
		b.WriteByte(']')
	case uni:
		b.WriteByte('u')
		b.WriteString(pyQuote(string(v), true))
	case string:
		b.WriteString(pyQuote(v, false))
	case bool:
		if v {
			b.WriteString("True")
		} else {
			b.WriteString("False")
		}
	case nil:
		b.WriteString("None")
	default:
		var s strings.Builder
		writePyJSON(&s, v)
		b.WriteString(s.String())
	}
}

func writeDict(b *strings.Builder, m map[string]any, uniKey func(string) bool) {
	b.WriteByte('{')
	for i, k := range py27Order(m) {
		if i > 0 {
			b.WriteString(", ")
		}
		if uniKey(k) {
			b.WriteByte('u')
		}
		b.WriteString(pyQuote(k, uniKey(k)))
		b.WriteString(": ")
		writeRepr(b, m[k])
	}
	b.WriteByte('}')
}

// pyQuote is repr() of a Python 3 str, or, when escapeAll, of a
// Py27UniStr without its u.
func pyQuote(s string, escapeAll bool) string {
	q := byte('\'')
	if strings.Contains(s, "'") && !strings.Contains(s, `"`) {
		q = '"'
	}
	var b strings.Builder
	b.WriteByte(q)
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == rune(q):
			b.WriteByte('\\')
			b.WriteByte(q)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f || (escapeAll && r > 0x7f && r < 0x100):
			fmt.Fprintf(&b, `\x%02x`, r)
		case escapeAll && r >= 0x100 && r < 0x10000:
			fmt.Fprintf(&b, `\u%04x`, r)
		case escapeAll && r >= 0x10000:
			fmt.Fprintf(&b, `\U%08x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(q)
	return b.String()
}

// py27Hash is Python 2.7's hash of a string, as an unsigned word.
func py27Hash(s string) uint64 {
	rs := []rune(s)
	if len(rs) == 0 {
		return 0
	}
	x := uint64(rs[0]) << 7
	for _, c := range rs {
		x = (1000003 * x) ^ uint64(c)
	}
	x ^= uint64(len(rs))
	if x == ^uint64(0) { // -1
		x = ^uint64(1) // -2
	}
	return x
}

// insertOrder ranks the keys samtranslator generates in the order it
// inserts them; the order matters when two keys collide in the table.
var insertOrder = map[string]int{}

func init() {
	for i, k := range []string{
		"swagger", "info", "paths", "summary", "consumes", "produces",
		"x-amazon-apigateway-integration", "type", "httpMethod", "uri", "requestTemplates",
		"responses", "statusCode", "responseParameters", "responseTemplates",
		"description", "headers", "version", "title",
		"method.response.header.Access-Control-Allow-Origin",
		"method.response.header.Access-Control-Allow-Headers",
		"method.response.header.Access-Control-Allow-Methods",
		"Access-Control-Allow-Origin", "Access-Control-Allow-Headers", "Access-Control-Allow-Methods",
	} {
		insertOrder[k] = i + 1
	}
}

// py27Order is the order Python 2.7 iterates a dict with m's keys: inserted
// in samtranslator's order for the keys it generates, then in sorted order
// (the template's order is not known here), then copied once (a deepcopy
// inserts the keys again in their iteration order).
func py27Order(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		ri, rj := insertOrder[keys[i]], insertOrder[keys[j]]
		if ri == 0 {
			ri = len(insertOrder) + 1
		}
		if rj == 0 {
			rj = len(insertOrder) + 1
		}
		if ri != rj {
			return ri < rj
		}
		return keys[i] < keys[j]
	})
	for range 2 {
		d := &py27Keys{slots: map[uint64]string{}, mask: 7}
		for _, k := range keys {
			d.add(k)
		}
		keys = d.keys()
	}
	return keys
}

// py27Keys is CPython 2.7's dict table, without deletion.
type py27Keys struct {
	slots      map[uint64]string
	size, fill int
	mask       uint64
}

func (d *py27Keys) index(k string) uint64 {
	h := py27Hash(k)
	i := h & d.mask
	if s, ok := d.slots[i]; !ok || s == k {
		return i
	}
	walker, perturb := i, h
	for {
		walker = (walker << 2) + walker + perturb + 1
		i = walker & d.mask
		if s, ok := d.slots[i]; !ok || s == k {
			return i
		}
		perturb >>= 5
	}
}

func (d *py27Keys) add(k string) {
	start := d.size
	i := d.index(k)
	if _, ok := d.slots[i]; !ok {
		d.size++
		d.fill++
		d.slots[i] = k
	}
	if d.size > start && uint64(d.fill*3) >= (d.mask+1)*2 {
		d.resize(d.size * 4)
	}
}

func (d *py27Keys) resize(request int) {
	n := uint64(8)
	for n <= uint64(request) {
		n <<= 1
	}
	old := d.keys()
	d.mask = n - 1
	d.slots = map[uint64]string{}
	d.size, d.fill = 0, 0
	for _, k := range old {
		d.add(k)
	}
}

func (d *py27Keys) keys() []string {
	idx := make([]uint64, 0, len(d.slots))
	for i := range d.slots {
		idx = append(idx, i)
	}
	sort.Slice(idx, func(a, b int) bool { return idx[a] < idx[b] })
	out := make([]string, len(idx))
	for j, i := range idx {
		out[j] = d.slots[i]
	}
	return out
}

// pyStr is str() of a scalar.
func pyStr(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return pyRepr(v)
}
