package resources_test

import (
	"context"
	"testing"
)

// newFunction creates a function through its handler and returns its name.
func (v *env) newFunction(t *testing.T, logical string) string {
	t.Helper()
	res := v.create(t, req("AWS::Lambda::Function", logical, map[string]any{
		"Runtime": "python3.12", "Handler": "index.handler", "Role": roleArn,
		"Code": map[string]any{"ZipFile": "def handler(e, c):\n    return 1\n"},
	}))
	return res.PhysicalID
}

func TestPermission(t *testing.T) {
	v := newEnv(t)
	ctx := context.Background()
	fn := v.newFunction(t, "Fn")
	r := req("AWS::Lambda::Permission", "Invoke", map[string]any{
		"Action": "lambda:InvokeFunction", "FunctionName": "arn:aws:lambda:us-east-1:" + account + ":function:" + fn,
		"Principal": "s3.amazonaws.com", "SourceArn": "arn:aws:s3:::b",
	})
	res := v.create(t, r)
	match(t, "statement id", `app-Invoke-[A-Z0-9]{13}`, res.PhysicalID)
	pol, err := v.functions.GetPolicy(ctx, "us-east-1", fn, "")
	if err != nil || len(pol.Statements) != 1 || pol.Statements[0].StatementID != res.PhysicalID || pol.Statements[0].SourceArn != "arn:aws:s3:::b" {
		t.Fatalf("policy %+v, %v", pol, err)
	}
	_, err = v.update(t, r, res, map[string]any{"Action": "lambda:InvokeFunction", "FunctionName": fn, "Principal": "sns.amazonaws.com"})
	wantReplace(t, err)
	v.deleteTwice(t, r, res)
	if pol, err := v.functions.GetPolicy(ctx, "us-east-1", fn, ""); err == nil && len(pol.Statements) != 0 {
		t.Errorf("statements after delete: %+v", pol.Statements)
	}
}

func TestVersionAlias(t *testing.T) {
	v := newEnv(t)
	ctx := context.Background()
	fn := v.newFunction(t, "Fn")
	vr := req("AWS::Lambda::Version", "V", map[string]any{"FunctionName": fn, "Description": "first"})
	vres := v.create(t, vr)
	match(t, "Ref", `arn:aws:lambda:us-east-1:`+account+`:function:`+fn+`:1`, vres.PhysicalID)
	if vres.Attributes["Version"] != "1" {
		t.Errorf("Version = %v", vres.Attributes["Version"])
	}
	_, err := v.update(t, vr, vres, map[string]any{"FunctionName": fn, "Description": "second"})
	wantReplace(t, err)

	ar := req("AWS::Lambda::Alias", "Live", map[string]any{"FunctionName": fn, "FunctionVersion": "1", "Name": "live"})
	ares := v.create(t, ar)
	if want := "arn:aws:lambda:us-east-1:" + account + ":function:" + fn + ":live"; ares.PhysicalID != want || ares.Attributes["AliasArn"] != want {
		t.Errorf("alias %+v, want %s", ares, want)
	}
	props := map[string]any{"FunctionName": fn, "FunctionVersion": "$LATEST", "Name": "live", "Description": "now"}
	if _, err := v.update(t, ar, ares, props); err != nil {
		t.Fatal(err)
	}
	a, err := v.functions.GetAlias(ctx, "us-east-1", fn, "live")
	if err != nil || a.FunctionVersion != "$LATEST" || a.Description != "now" {
		t.Errorf("alias after update %+v, %v", a, err)
	}
	ar.Properties = props
	_, err = v.update(t, ar, ares, map[string]any{"FunctionName": fn, "FunctionVersion": "1", "Name": "other"})
	wantReplace(t, err)

	er := req("AWS::Lambda::EventInvokeConfig", "Async", map[string]any{"FunctionName": fn, "Qualifier": "$LATEST", "MaximumRetryAttempts": 0})
	eres := v.create(t, er)
	c, err := v.functions.GetEventInvokeConfig(ctx, "us-east-1", fn, "$LATEST")
	if err != nil || c.MaximumRetryAttempts == nil || *c.MaximumRetryAttempts != 0 {
		t.Errorf("event invoke config %+v, %v", c, err)
	}
	if _, err := v.update(t, er, eres, map[string]any{"FunctionName": fn, "Qualifier": "$LATEST", "MaximumRetryAttempts": 1}); err != nil {
		t.Fatal(err)
	}
	if c, err := v.functions.GetEventInvokeConfig(ctx, "us-east-1", fn, "$LATEST"); err != nil || *c.MaximumRetryAttempts != 1 {
		t.Errorf("event invoke config after update %+v, %v", c, err)
	}
	v.deleteTwice(t, er, eres)
	v.deleteTwice(t, ar, ares)
	v.deleteTwice(t, vr, vres)
	if _, err := v.functions.GetFunctionVersion(ctx, "us-east-1", fn, "1"); err == nil {
		t.Error("version 1 exists after delete")
	}
	_, err = v.h["AWS::Lambda::Alias"].Create(ctx, req("AWS::Lambda::Alias", "Bad", map[string]any{"FunctionName": fn, "FunctionVersion": "1", "Name": "x",
		"RoutingConfig": map[string]any{"AdditionalVersionWeights": []any{map[string]any{"FunctionVersion": "1", "FunctionWeight": "heavy"}}}}))
	wantInvalid(t, err, "FunctionWeight")
}
