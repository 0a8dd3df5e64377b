package resources_test

import (
	"context"
	"testing"
)

func TestFunctionURL(t *testing.T) {
	v := newEnv(t)
	ctx := context.Background()
	fn := v.newFunction(t, "Fn")
	arn := "arn:aws:lambda:us-east-1:" + account + ":function:" + fn
	r := req("AWS::Lambda::Url", "Url", map[string]any{"TargetFunctionArn": arn, "AuthType": "NONE"})
	res := v.create(t, r)
	if res.PhysicalID != arn || res.Attributes["FunctionArn"] != arn {
		t.Errorf("result %+v", res)
	}
	match(t, "FunctionUrl", `http://[a-z0-9]+\.lambda-url\.us-east-1\.localhost:4566/`, res.Attributes["FunctionUrl"])
	props := map[string]any{"TargetFunctionArn": arn, "AuthType": "AWS_IAM", "Cors": map[string]any{"AllowOrigins": []any{"*"}}}
	res2, err := v.update(t, r, res, props)
	if err != nil {
		t.Fatal(err)
	}
	if res2.Attributes["FunctionUrl"] != res.Attributes["FunctionUrl"] {
		t.Errorf("address changed: %v", res2.Attributes)
	}
	u, err := v.httpapis.GetFunctionURL(ctx, "us-east-1", fn, "")
	if err != nil || u.AuthType != "AWS_IAM" || u.Cors == nil || len(u.Cors.AllowOrigins) != 1 {
		t.Errorf("url after update %+v, %v", u, err)
	}
	r.Properties = props
	_, err = v.update(t, r, res, map[string]any{"TargetFunctionArn": arn, "AuthType": "NONE", "Qualifier": "live"})
	wantReplace(t, err)
	v.deleteTwice(t, r, res)
	if _, err := v.httpapis.GetFunctionURL(ctx, "us-east-1", fn, ""); err == nil {
		t.Error("url exists after delete")
	}
}
