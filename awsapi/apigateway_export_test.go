package awsapi

// MatchAPIGatewayRoute exposes the apigateway router to the tests: the
// operation's name ("" for none), its URI members, and whether the path is
// known under another method.
func MatchAPIGatewayRoute(method, escapedPath string) (string, map[string]string, bool) {
	rt, params, known := matchAPIGatewayRoute(method, escapedPath)
	if rt == nil {
		return "", nil, known
	}
	return rt.op, params, known
}
