// Command httpfn is an aws-lambda-go function for eddy's HTTP API and
// function URL tests. It takes any event (payload format 1.0 or 2.0) and
// answers as the request's query parameter "mode" asks, always including
// the event it received where the answer has room for it:
//
//	(none)   statusCode 200, a JSON body {"event": …}, header x-echo: yes
//	status   statusCode from the "code" parameter, the same body
//	cookies  statusCode 200, cookies "a=1; Path=/" and "b=2"
//	multi    multiValueHeaders x-multi: [one, two]
//	base64   the bytes 00 01 02 ff, base64-encoded, application/octet-stream
//	string   the bare string "hello"
//	object   an object without statusCode: {"event": …}
//	number   the number 42
//	bad      statusCode "abc", which API Gateway refuses
//	error    a function error
//	sleep    sleep "ms" milliseconds, then as (none)
package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

type event struct {
	QueryStringParameters map[string]string `json:"queryStringParameters"`
}

func handle(ctx context.Context, raw json.RawMessage) (any, error) {
	var ev event
	_ = json.Unmarshal(raw, &ev)
	q := ev.QueryStringParameters
	echo, _ := json.Marshal(map[string]json.RawMessage{"event": raw})
	resp := map[string]any{
		"statusCode": 200,
		"headers":    map[string]string{"content-type": "application/json", "x-echo": "yes"},
		"body":       string(echo),
	}
	switch q["mode"] {
	case "status":
		code, _ := strconv.Atoi(q["code"])
		resp["statusCode"] = code
	case "cookies":
		resp["cookies"] = []string{"a=1; Path=/", "b=2"}
	case "multi":
		resp["multiValueHeaders"] = map[string][]string{"x-multi": {"one", "two"}}
	case "base64":
		resp["headers"] = map[string]string{"content-type": "application/octet-stream"}
		resp["body"] = base64.StdEncoding.EncodeToString([]byte{0, 1, 2, 0xff})
		resp["isBase64Encoded"] = true
	case "string":
		return "hello", nil
	case "object":
		return map[string]json.RawMessage{"event": raw}, nil
	case "number":
		return 42, nil
	case "bad":
		resp["statusCode"] = "abc"
	case "error":
		return nil, errors.New("failed as asked")
	case "sleep":
		ms, _ := strconv.Atoi(q["ms"])
		select {
		case <-time.After(time.Duration(ms) * time.Millisecond):
		case <-ctx.Done():
		}
	}
	return resp, nil
}

func main() { lambda.Start(handle) }
