package sam

// implicitAPIs collects the Api and HttpApi events of functions that name no
// RestApiId or ApiId: SAM puts them on ServerlessRestApi and
// ServerlessHttpApi.
type implicitAPIs struct {
}

func newImplicitAPIs() *implicitAPIs { return &implicitAPIs{} }

func (a *implicitAPIs) finish(t *transformer) error { return nil }

func (t *transformer) apiEvent(f *fnCtx, name string, ep map[string]any) error {
	return invalid(f.id, "Api events are not supported yet.")
}

func (t *transformer) httpAPIEvent(f *fnCtx, name string, ep map[string]any) error {
	return invalid(f.id, "HttpApi events are not supported yet.")
}

func (t *transformer) restAPI(id string, r map[string]any) error {
	return invalid(id, "AWS::Serverless::Api is not supported yet.")
}

func (t *transformer) httpAPI(id string, r map[string]any) error {
	return invalid(id, "AWS::Serverless::HttpApi is not supported yet.")
}
