package main

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"testing"
)

// payloadTemplate routes two HttpApi events to a function that answers
// with what its event says of itself: one event asks for payload format
// 1.0, the other takes the default, 2.0.
const payloadTemplate = `Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        import json
        def handler(event, context):
            return {"statusCode": 200, "body": json.dumps({
                "version": event.get("version"), "httpMethod": event.get("httpMethod"),
                "routeKey": event.get("routeKey")})}
      Events:
        Old:
          Type: HttpApi
          Properties:
            Path: /v1
            Method: get
            PayloadFormatVersion: "1.0"
            TimeoutInMillis: 5000
        New:
          Type: HttpApi
          Properties:
            Path: /v2
            Method: get
Outputs:
  HttpApiId:
    Value: !Ref ServerlessHttpApi
`

// TestSAMHttpApiPayloadFormat deploys HttpApi events with and without
// PayloadFormatVersion and checks the function gets each format's event.
func TestSAMHttpApiPayloadFormat(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is not installed")
	}
	m := MustStartMain(t, Config{})
	path := filepath.Join(t.TempDir(), "payload", "template.yaml")
	writeFile(t, path, payloadTemplate, 0o644)
	out, _, err := runCLI(t, m, deployCommand(), "-t", path)
	if err != nil {
		t.Fatalf("deploy: %v\n%s", err, out)
	}
	id := outputValue(t, out, "HttpApiId")
	for path, want := range map[string]map[string]any{
		"/v1": {"version": "1.0", "httpMethod": "GET", "routeKey": nil},
		"/v2": {"version": "2.0", "httpMethod": nil, "routeKey": "GET /v2"},
	} {
		res := request(t, m, "GET", "", "/_api/"+id+path, nil, nil)
		var got map[string]any
		if res.status != 200 || json.Unmarshal(res.body, &got) != nil {
			t.Fatalf("GET %s: %d %s", path, res.status, res.body)
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("GET %s: %s = %v, want %v (%s)", path, k, got[k], v, res.body)
			}
		}
	}
}
