package awsapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/awsapi"
	"github.com/eddyserverless/eddy/engine"
	"github.com/eddyserverless/eddy/params"
)

// fakeParams answers every operation with err, or an empty result, and
// records the region and input of the last call.
type fakeParams struct {
	err    error
	region string
	in     any
}

func (f *fakeParams) call(region string, in any) error {
	f.region, f.in = region, in
	return f.err
}

func (f *fakeParams) PutParameter(_ context.Context, r string, in *params.PutParameterInput) (*params.PutParameterOutput, error) {
	return &params.PutParameterOutput{Version: 1, Tier: "Standard"}, f.call(r, in)
}
func (f *fakeParams) GetParameter(_ context.Context, r string, in *params.GetParameterInput) (*params.GetParameterOutput, error) {
	return &params.GetParameterOutput{Parameter: &params.Parameter{Name: "n"}}, f.call(r, in)
}
func (f *fakeParams) GetParameters(_ context.Context, r string, in *params.GetParametersInput) (*params.GetParametersOutput, error) {
	return &params.GetParametersOutput{}, f.call(r, in)
}
func (f *fakeParams) GetParametersByPath(_ context.Context, r string, in *params.GetParametersByPathInput) (*params.GetParametersByPathOutput, error) {
	return &params.GetParametersByPathOutput{}, f.call(r, in)
}
func (f *fakeParams) DeleteParameter(_ context.Context, r string, in *params.DeleteParameterInput) (*params.Empty, error) {
	return &params.Empty{}, f.call(r, in)
}
func (f *fakeParams) DeleteParameters(_ context.Context, r string, in *params.DeleteParametersInput) (*params.DeleteParametersOutput, error) {
	return &params.DeleteParametersOutput{}, f.call(r, in)
}
func (f *fakeParams) DescribeParameters(_ context.Context, r string, in *params.DescribeParametersInput) (*params.DescribeParametersOutput, error) {
	return &params.DescribeParametersOutput{}, f.call(r, in)
}
func (f *fakeParams) GetParameterHistory(_ context.Context, r string, in *params.GetParameterHistoryInput) (*params.GetParameterHistoryOutput, error) {
	return &params.GetParameterHistoryOutput{}, f.call(r, in)
}
func (f *fakeParams) LabelParameterVersion(_ context.Context, r string, in *params.LabelParameterVersionInput) (*params.LabelParameterVersionOutput, error) {
	return &params.LabelParameterVersionOutput{}, f.call(r, in)
}
func (f *fakeParams) UnlabelParameterVersion(_ context.Context, r string, in *params.UnlabelParameterVersionInput) (*params.UnlabelParameterVersionOutput, error) {
	return &params.UnlabelParameterVersionOutput{}, f.call(r, in)
}
func (f *fakeParams) AddTagsToResource(_ context.Context, r string, in *params.AddTagsToResourceInput) (*params.Empty, error) {
	return &params.Empty{}, f.call(r, in)
}
func (f *fakeParams) RemoveTagsFromResource(_ context.Context, r string, in *params.RemoveTagsFromResourceInput) (*params.Empty, error) {
	return &params.Empty{}, f.call(r, in)
}
func (f *fakeParams) ListTagsForResource(_ context.Context, r string, in *params.ListTagsForResourceInput) (*params.ListTagsForResourceOutput, error) {
	return &params.ListTagsForResourceOutput{}, f.call(r, in)
}

var ssmOps = []string{"PutParameter", "GetParameter", "GetParameters", "GetParametersByPath", "DeleteParameter", "DeleteParameters",
	"DescribeParameters", "GetParameterHistory", "LabelParameterVersion", "UnlabelParameterVersion", "AddTagsToResource",
	"RemoveTagsFromResource", "ListTagsForResource"}

// ssmRequest serves one SSM request; region "" sends it unsigned.
func ssmRequest(h http.Handler, op, body, region string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	req.Header.Set("X-Amz-Target", "AmazonSSM."+op)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	if region != "" {
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/"+region+"/ssm/aws4_request, SignedHeaders=host, Signature=0")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func decodeBody(tb testing.TB, rec *httptest.ResponseRecorder) map[string]any {
	tb.Helper()
	var m map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		tb.Fatalf("body %q: %v", rec.Body, err)
	}
	return m
}

func TestSSMErrorShapes(t *testing.T) {
	f := &fakeParams{}
	h := &awsapi.Handler{Params: f}
	for _, tc := range []struct {
		err            error
		status         int
		typ, member    string
		msg            string
		exactlyTheseKs bool
	}{
		{eddy.TypedErrorf(eddy.ENOTFOUND, "ParameterNotFound", "Parameter /a not found."), 400, "ParameterNotFound", "message", "Parameter /a not found.", true},
		{eddy.TypedErrorf(eddy.EINVALID, "InvalidNextToken", "The specified token isn't valid."), 400, "InvalidNextToken", "Message", "The specified token isn't valid.", true},
		{eddy.TypedErrorf(eddy.ETHROTTLED, "TooManyUpdates", "busy"), 400, "TooManyUpdates", "Message", "busy", true},
		{eddy.TypedErrorf(eddy.EINTERNAL, "InternalServerError", "This eddy node has no SecureString key"), 500, "InternalServerError", "Message", "This eddy node has no SecureString key", true},
		{errors.New("disk on fire: /secret/path"), 500, "InternalServerError", "Message", "An internal error occurred.", true},
	} {
		f.err = tc.err
		rec := ssmRequest(h, "GetParameter", `{"Name":"/a"}`, "")
		body := decodeBody(t, rec)
		if rec.Code != tc.status || body["__type"] != tc.typ || body[tc.member] != tc.msg || len(body) != 2 ||
			rec.Header().Get("Content-Type") != "application/x-amz-json-1.1" {
			t.Errorf("%v: got %d %v %s", tc.err, rec.Code, body, rec.Header().Get("Content-Type"))
		}
	}
}

func TestSSMDecoding(t *testing.T) {
	f := &fakeParams{}
	h := &awsapi.Handler{Params: f, Region: "us-west-2"}
	// The region of the signature, else the handler's.
	if rec := ssmRequest(h, "GetParameter", `{"Name":"/a","WithDecryption":true}`, "eu-central-1"); rec.Code != 200 || f.region != "eu-central-1" {
		t.Fatalf("signed: %d %s region %s", rec.Code, rec.Body, f.region)
	}
	in := f.in.(*params.GetParameterInput)
	if *in.Name != "/a" || !*in.WithDecryption {
		t.Fatalf("decoded %+v", in)
	}
	if rec := ssmRequest(h, "GetParameter", `{"Name":"/a"}`, ""); rec.Code != 200 || f.region != "us-west-2" {
		t.Fatalf("unsigned: %d region %s", rec.Code, f.region)
	}
	// An empty body is an empty input; unknown members are ignored.
	if rec := ssmRequest(h, "DescribeParameters", ``, ""); rec.Code != 200 {
		t.Fatalf("empty body: %d %s", rec.Code, rec.Body)
	}
	if rec := ssmRequest(h, "DescribeParameters", `{"Whatever":[1,2]}`, ""); rec.Code != 200 {
		t.Fatalf("unknown member: %d %s", rec.Code, rec.Body)
	}
	for _, tc := range [][2]string{{"PutParameter", `[]`}, {"PutParameter", `"x"`}, {"PutParameter", `{"Name":1}`}, {"GetParameters", `{"Names":"a"}`},
		{"PutParameter", `{"Overwrite":"true"}`}, {"GetParametersByPath", `{"MaxResults":1.5}`}, {"PutParameter", `{`}, {"PutParameter", `{"Tags":[{"Key":1}]}`},
		{"LabelParameterVersion", `{"ParameterVersion":"1"}`}, {"DescribeParameters", `{"ParameterFilters":{}}`}} {
		rec := ssmRequest(h, tc[0], tc[1], "")
		if b := decodeBody(t, rec); rec.Code != 400 || b["__type"] != "SerializationException" {
			t.Errorf("%s %s: got %d %v", tc[0], tc[1], rec.Code, b)
		}
	}
	// Unknown operations and methods.
	rec := ssmRequest(h, "SendCommand", `{}`, "")
	if b := decodeBody(t, rec); rec.Code != 400 || b["__type"] != "UnknownOperationException" {
		t.Fatalf("unknown operation: %d %v", rec.Code, b)
	}
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("X-Amz-Target", "AmazonSSM.GetParameter")
	rr := httptest.NewRecorder()
	h.ServeHTTP(rr, req)
	if rr.Code != 400 {
		t.Fatalf("GET: %d", rr.Code)
	}
	// Without a parameter store, SSM is an unknown service.
	if rec := ssmRequest(&awsapi.Handler{}, "GetParameter", `{}`, ""); rec.Code != 400 || decodeBody(t, rec)["__type"] != "UnknownServiceException" {
		t.Fatalf("no params: %d %s", rec.Code, rec.Body)
	}
	// Every operation is routed.
	for _, op := range ssmOps {
		f.in = nil
		if rec := ssmRequest(h, op, `{}`, "us-east-1"); rec.Code != 200 || f.in == nil {
			t.Errorf("%s: %d %s", op, rec.Code, rec.Body)
		}
	}
}

// openParams opens a parameter store on an embedded engine in a fresh
// directory, for tests that drive the edge with the real service.
func openParams(tb testing.TB) (*params.Service, func()) {
	tb.Helper()
	dir, err := os.MkdirTemp("", "eddy-ssm-edge-")
	if err != nil {
		tb.Fatal(err)
	}
	e := engine.New(engine.Config{DataDir: dir})
	if err := e.Open(context.Background()); err != nil {
		tb.Fatal(err)
	}
	s := params.NewService(params.Config{Engine: e, DataDir: dir})
	if err := s.Open(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return s, func() { s.Close(); e.Close(); os.RemoveAll(dir) }
}

// FuzzSSMJSON feeds arbitrary bodies to every operation of the edge and
// the real parameter store: each gets a result or a client error, never a
// fault, and always a JSON object (with __type when it is an error).
func FuzzSSMJSON(f *testing.F) {
	seeds := []struct{ op, body string }{
		{"PutParameter", `{"Name":"/a/b","Value":"v","Type":"String"}`},
		{"PutParameter", `{"Name":"/a/b","Value":"v","Type":"SecureString","KeyId":"alias/x","Overwrite":true}`},
		{"PutParameter", `{"Name":"/a/c","Value":"v","Type":"StringList","Tags":[{"Key":"k","Value":"v"}],"Tier":"Intelligent-Tiering","AllowedPattern":"[a-z]+"}`},
		{"PutParameter", `{"Name":"x","Value":"v","Type":"String","Policies":"[{\"Type\":\"Expiration\"}]","Tier":"Advanced","DataType":"aws:ec2:image"}`},
		{"GetParameter", `{"Name":"/a/b:1","WithDecryption":true}`},
		{"GetParameter", `{"Name":"arn:aws:ssm:us-east-1:000000000000:parameter/a/b:lab"}`},
		{"GetParameters", `{"Names":["/a/b","x:2","nope"]}`},
		{"GetParametersByPath", `{"Path":"/a","Recursive":true,"MaxResults":1,"ParameterFilters":[{"Key":"Label","Values":["lab"]}]}`},
		{"GetParametersByPath", `{"Path":"/","NextToken":"ZWRkeTE6cDov"}`},
		{"DescribeParameters", `{"ParameterFilters":[{"Key":"Path","Option":"Recursive","Values":["/a"]},{"Key":"tag:k"}],"MaxResults":50}`},
		{"DescribeParameters", `{"Filters":[{"Key":"Name","Values":["/a"]}]}`},
		{"GetParameterHistory", `{"Name":"/a/b","MaxResults":1,"NextToken":"ZWRkeTE6aDoy"}`},
		{"LabelParameterVersion", `{"Name":"/a/b","ParameterVersion":1,"Labels":["lab","9x"]}`},
		{"UnlabelParameterVersion", `{"Name":"/a/b","ParameterVersion":1,"Labels":["lab"]}`},
		{"AddTagsToResource", `{"ResourceType":"Parameter","ResourceId":"/a/b","Tags":[{"Key":"k","Value":"v"}]}`},
		{"RemoveTagsFromResource", `{"ResourceType":"Parameter","ResourceId":"/a/b","TagKeys":["k"]}`},
		{"ListTagsForResource", `{"ResourceType":"Document","ResourceId":"d"}`},
		{"DeleteParameters", `{"Names":["/a/b","/a/c","x"]}`},
		{"DeleteParameter", `{"Name":"/a/b"}`},
		{"PutParameter", `{"Name":"\ud800","Value":"\u0000"}`},
		{"GetParameters", `{"Names":[null,""]}`},
		{"DescribeParameters", `{"ParameterFilters":[{"Key":null},{}]}`},
		{"Nope", `{}`},
	}
	for _, s := range seeds {
		f.Add(s.op, s.body)
	}
	svc, done := openParams(f)
	f.Cleanup(done)
	h := &awsapi.Handler{Params: svc}
	f.Fuzz(func(t *testing.T, op, body string) {
		rec := ssmRequest(h, op, body, "us-east-1")
		if rec.Code >= 500 {
			t.Fatalf("%s %q: got status %d: %s", op, body, rec.Code, rec.Body)
		}
		var m map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
			t.Fatalf("%s %q: got %s: %v", op, body, rec.Body, err)
		}
		if rec.Code != 200 && m["__type"] == nil {
			t.Fatalf("%s %q: error without __type: %s", op, body, rec.Body)
		}
	})
}
