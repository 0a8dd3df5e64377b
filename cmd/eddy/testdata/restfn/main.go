// Command restfn is a Lambda function for API Gateway proxy integrations:
// it answers with the event it received as its body, or with the response
// the request asks for (query parameter mode: raw returns the X-Respond
// header as the whole response, error fails, sleep sleeps three seconds).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

type event struct {
	Headers               map[string]string `json:"headers"`
	QueryStringParameters map[string]string `json:"queryStringParameters"`
}

func handle(ctx context.Context, raw json.RawMessage) (json.RawMessage, error) {
	var ev event
	if err := json.Unmarshal(raw, &ev); err != nil {
		return nil, err
	}
	switch ev.QueryStringParameters["mode"] {
	case "raw":
		return json.RawMessage(ev.Headers["X-Respond"]), nil
	case "error":
		return nil, errors.New("restfn: asked to fail")
	case "sleep":
		select {
		case <-time.After(3 * time.Second):
		case <-ctx.Done():
		}
	}
	return json.Marshal(map[string]any{
		"statusCode":        200,
		"headers":           map[string]string{"Content-Type": "application/json", "X-Fn": "restfn"},
		"multiValueHeaders": map[string][]string{"X-Multi": {"one", "two"}},
		"body":              string(raw),
	})
}

func main() { lambda.Start(handle) }
