package resources_test

import (
	"context"
	"testing"

	"github.com/eddyserverless/eddy/params"
)

func TestParameter(t *testing.T) {
	v := newEnv(t)
	ctx := context.Background()
	r := req("AWS::SSM::Parameter", "Conf", map[string]any{"Type": "String", "Value": "one", "Tags": map[string]any{"env": "test"}})
	res := v.create(t, r)
	match(t, "Ref", `CFN-Conf-[A-Z0-9]{12}`, res.PhysicalID)
	if res.Attributes["Type"] != "String" || res.Attributes["Value"] != "one" {
		t.Errorf("attributes %v", res.Attributes)
	}
	get := func() *params.Parameter {
		name := res.PhysicalID
		out, err := v.params.GetParameter(ctx, "us-east-1", &params.GetParameterInput{Name: &name})
		if err != nil {
			t.Fatal(err)
		}
		return out.Parameter
	}
	props := map[string]any{"Type": "StringList", "Value": "a,b"}
	res2, err := v.update(t, r, res, props)
	if err != nil {
		t.Fatal(err)
	}
	if p := get(); p.Value != "a,b" || p.Type != "StringList" || p.Version != 2 || res2.Attributes["Value"] != "a,b" {
		t.Errorf("after update %+v, %v", p, res2.Attributes)
	}
	r.Properties = props
	_, err = v.update(t, r, res, map[string]any{"Name": "/app/x", "Type": "String", "Value": "a"})
	wantReplace(t, err)
	v.deleteTwice(t, r, res)

	named := v.create(t, req(r.Type, "Named", map[string]any{"Name": "/app/url", "Type": "String", "Value": "http://x"}))
	if named.PhysicalID != "/app/url" {
		t.Errorf("Ref = %s", named.PhysicalID)
	}
	_, err = v.h[r.Type].Create(ctx, req(r.Type, "Bad", map[string]any{"Type": "String", "Value": map[string]any{}}))
	wantInvalid(t, err, "/Value")
}
