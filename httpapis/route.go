package httpapis

import (
	"net/url"
	"strings"

	"github.com/eddyserverless/eddy"
)

// DefaultRouteKey is the route that takes requests no other route matches.
const DefaultRouteKey = "$default"

// routeMethods are the methods a route key may name.
var routeMethods = map[string]bool{
	"ANY": true, "GET": true, "POST": true, "PUT": true, "PATCH": true,
	"DELETE": true, "HEAD": true, "OPTIONS": true,
}

// segment kinds, in the order of their specificity.
const (
	segGreedy = iota // {name+}: one or more segments
	segParam         // {name}: one segment
	segLiteral
)

type segment struct {
	kind int
	text string // the literal, or the parameter's name
}

// RouteKey is a parsed route key: "$default", or a method (or ANY) and a
// path of literal, {param} and a final {proxy+} segments.
type RouteKey struct {
	Default bool
	Method  string
	Path    string
	segs    []segment
}

// ParseRouteKey parses a route key as HTTP APIs accept it.
func ParseRouteKey(s string) (RouteKey, error) {
	if s == DefaultRouteKey {
		return RouteKey{Default: true}, nil
	}
	bad := func(why string) (RouteKey, error) {
		return RouteKey{}, eddy.Errorf(eddy.EINVALID, "Unable to create route %s. %s", s, why)
	}
	method, path, ok := strings.Cut(s, " ")
	if !ok || !routeMethods[method] {
		return bad("The route key must be $default or an HTTP method (or ANY) followed by a space and a path.")
	}
	if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \t\r\n?#") {
		return bad("The path must begin with / and may not contain whitespace, ? or #.")
	}
	rk := RouteKey{Method: method, Path: path}
	if path == "/" {
		return rk, nil
	}
	parts := strings.Split(path[1:], "/")
	names := map[string]bool{}
	for i, p := range parts {
		switch {
		case p == "":
			return bad("The path may not contain an empty segment.")
		case strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}"):
			name := p[1 : len(p)-1]
			kind := segParam
			if strings.HasSuffix(name, "+") {
				if i != len(parts)-1 {
					return bad("A greedy path variable must be the last segment of the path.")
				}
				name, kind = strings.TrimSuffix(name, "+"), segGreedy
			}
			if name == "" || strings.ContainsAny(name, "{}+/") || names[name] {
				return bad("Invalid path variable " + p + ".")
			}
			names[name] = true
			rk.segs = append(rk.segs, segment{kind, name})
		case strings.ContainsAny(p, "{}"):
			return bad("Invalid path segment " + p + ".")
		default:
			rk.segs = append(rk.segs, segment{segLiteral, p})
		}
	}
	return rk, nil
}

// String is the route key as written.
func (k RouteKey) String() string {
	if k.Default {
		return DefaultRouteKey
	}
	return k.Method + " " + k.Path
}

// match reports whether k takes a request for method and path (path split
// into raw segments), and the path parameters it binds.
func (k RouteKey) match(method string, segs []string) (map[string]string, bool) {
	if k.Default {
		return nil, true
	}
	if k.Method != "ANY" && k.Method != method {
		return nil, false
	}
	if len(k.segs) == 0 {
		return nil, len(segs) == 0
	}
	var params map[string]string
	for i, s := range k.segs {
		if i >= len(segs) {
			return nil, false
		}
		switch s.kind {
		case segLiteral:
			if s.text != segs[i] {
				return nil, false
			}
		case segParam:
			if params == nil {
				params = map[string]string{}
			}
			params[s.text] = unescape(segs[i])
		case segGreedy:
			if params == nil {
				params = map[string]string{}
			}
			params[s.text] = unescape(strings.Join(segs[i:], "/"))
			return params, true
		}
	}
	if len(segs) != len(k.segs) {
		return nil, false
	}
	return params, true
}

func unescape(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

// moreSpecific reports whether a is to be preferred to b when both match:
// literal segments before {param} before {proxy+}, position by position;
// then a method before ANY; $default last.
func moreSpecific(a, b RouteKey) bool {
	if a.Default != b.Default {
		return b.Default
	}
	for i := 0; i < len(a.segs) && i < len(b.segs); i++ {
		if a.segs[i].kind != b.segs[i].kind {
			return a.segs[i].kind > b.segs[i].kind
		}
	}
	if len(a.segs) != len(b.segs) {
		return len(a.segs) > len(b.segs)
	}
	if (a.Method == "ANY") != (b.Method == "ANY") {
		return b.Method == "ANY"
	}
	return false
}

// router holds the routes of one configuration of an API.
type router struct {
	routes []compiledRoute
}

type compiledRoute struct {
	key   RouteKey
	route *Route
}

func newRouter(routes map[string]*Route) *router {
	rt := &router{}
	for _, r := range routes {
		k, err := ParseRouteKey(r.RouteKey)
		if err != nil {
			continue // stored keys were validated when written
		}
		rt.routes = append(rt.routes, compiledRoute{k, r})
	}
	return rt
}

// splitPath splits a request path below the stage into raw segments; "/"
// has none.
func splitPath(p string) []string {
	p = strings.TrimPrefix(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// match returns the most specific route that takes method and path.
func (rt *router) match(method, path string) (*Route, map[string]string, bool) {
	segs := splitPath(path)
	var best *compiledRoute
	var bestParams map[string]string
	for i := range rt.routes {
		c := &rt.routes[i]
		params, ok := c.key.match(method, segs)
		if !ok {
			continue
		}
		if best == nil || moreSpecific(c.key, best.key) {
			best, bestParams = c, params
		}
	}
	if best == nil {
		return nil, nil, false
	}
	return best.route, bestParams, true
}
