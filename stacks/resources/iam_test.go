package resources_test

import (
	"context"
	"testing"
)

var trust = map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
	"Effect": "Allow", "Principal": map[string]any{"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}}}

func TestRole(t *testing.T) {
	v := newEnv(t)
	r := req("AWS::IAM::Role", "FnRole", map[string]any{"AssumeRolePolicyDocument": trust, "Path": "/service/"})
	res := v.create(t, r)
	match(t, "Ref", `app-FnRole-[A-Z0-9]{13}`, res.PhysicalID)
	match(t, "Arn", `arn:aws:iam::`+account+`:role/service/app-FnRole-[A-Z0-9]{13}`, res.Attributes["Arn"])
	match(t, "RoleId", `AROA[A-Z0-9]{17}`, res.Attributes["RoleId"])

	props := map[string]any{"AssumeRolePolicyDocument": trust, "Path": "/service/", "Description": "runs the worker"}
	res2, err := v.update(t, r, res, props)
	if err != nil {
		t.Fatal(err)
	}
	if res2.Attributes["RoleId"] != res.Attributes["RoleId"] || res2.Attributes["Arn"] != res.Attributes["Arn"] {
		t.Errorf("update in place changed the role: %v -> %v", res.Attributes, res2.Attributes)
	}
	r.Properties = props
	_, err = v.update(t, r, res, map[string]any{"AssumeRolePolicyDocument": trust, "RoleName": "other"})
	wantReplace(t, err)

	// A role name is unique.
	named := req("AWS::IAM::Role", "Named", map[string]any{"AssumeRolePolicyDocument": trust, "RoleName": "fixed"})
	nres := v.create(t, named)
	if nres.PhysicalID != "fixed" || nres.Attributes["Arn"] != "arn:aws:iam::"+account+":role/fixed" {
		t.Errorf("named role: %+v", nres)
	}
	if _, err := v.h[named.Type].Create(context.Background(), named); err == nil {
		t.Error("created a second role named fixed")
	}

	v.deleteTwice(t, r, res)
	v.deleteTwice(t, named, nres)
	// The name is free again.
	v.create(t, named)

	_, err = v.h[r.Type].Create(context.Background(), req(r.Type, "Bad", map[string]any{"AssumeRolePolicyDocument": trust, "Path": "no-slash"}))
	wantInvalid(t, err, "/Path")
	_, err = v.h[r.Type].Create(context.Background(), req(r.Type, "Bad", map[string]any{}))
	wantInvalid(t, err, "/AssumeRolePolicyDocument")
}

func TestPolicies(t *testing.T) {
	v := newEnv(t)
	doc := map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}}}
	r := req("AWS::IAM::Policy", "Pol", map[string]any{"PolicyName": "p", "PolicyDocument": doc, "Roles": []any{"r"}})
	res := v.create(t, r)
	match(t, "Ref", `app-Pol-[A-Z0-9]{13}`, res.PhysicalID)
	if _, err := v.update(t, r, res, map[string]any{"PolicyName": "p", "PolicyDocument": doc, "Roles": []any{"r", "s"}}); err != nil {
		t.Fatal(err)
	}
	v.deleteTwice(t, r, res)

	m := req("AWS::IAM::ManagedPolicy", "Managed", map[string]any{"PolicyDocument": doc})
	mres := v.create(t, m)
	match(t, "Ref", `arn:aws:iam::`+account+`:policy/app-Managed-[A-Z0-9]{13}`, mres.PhysicalID)
	match(t, "PolicyId", `ANPA[A-Z0-9]{17}`, mres.Attributes["PolicyId"])
	if mres.Attributes["PolicyArn"] != mres.PhysicalID {
		t.Errorf("PolicyArn %v, Ref %s", mres.Attributes["PolicyArn"], mres.PhysicalID)
	}
	res2, err := v.update(t, m, mres, map[string]any{"PolicyDocument": doc, "Roles": []any{"r"}})
	if err != nil || res2.Attributes["PolicyId"] != mres.Attributes["PolicyId"] {
		t.Fatalf("update: %v, %v", res2, err)
	}
	_, err = v.update(t, m, mres, map[string]any{"PolicyDocument": doc, "ManagedPolicyName": "x"})
	wantReplace(t, err)
	v.deleteTwice(t, m, mres)

	q := req("AWS::SQS::QueuePolicy", "QP", map[string]any{"PolicyDocument": doc, "Queues": []any{"https://x/1/q"}})
	qres := v.create(t, q)
	if _, err := v.update(t, q, qres, map[string]any{"PolicyDocument": doc, "Queues": []any{}}); err != nil {
		t.Fatal(err)
	}
	v.deleteTwice(t, q, qres)
}
