package httpapis

// MatchRoute matches method and path against routes with the given keys
// and returns the key of the route that takes it.
func MatchRoute(keys []string, method, path string) (string, map[string]string, bool) {
	routes := map[string]*Route{}
	for i, k := range keys {
		routes[itoa(i)] = &Route{RouteKey: k}
	}
	r, params, ok := newRouter(routes).match(method, path)
	if !ok {
		return "", nil, false
	}
	return r.RouteKey, params, true
}
