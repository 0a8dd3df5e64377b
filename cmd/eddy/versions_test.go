package main

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

const testARN = "arn:aws:lambda:us-east-1:000000000000:function:"

// MustPublish publishes a version and fails the test on error.
func MustPublish(tb testing.TB, c *lambda.Client, name string) *lambda.PublishVersionOutput {
	tb.Helper()
	out, err := c.PublishVersion(context.Background(), &lambda.PublishVersionInput{FunctionName: aws.String(name)})
	if err != nil {
		tb.Fatalf("publish %s: %v", name, err)
	}
	return out
}

// MustChange changes a function's description, so that a publish makes a
// new version.
func MustChange(tb testing.TB, c *lambda.Client, name, description string) *lambda.UpdateFunctionConfigurationOutput {
	tb.Helper()
	out, err := c.UpdateFunctionConfiguration(context.Background(), &lambda.UpdateFunctionConfigurationInput{
		FunctionName: aws.String(name), Description: aws.String(description),
	})
	if err != nil {
		tb.Fatalf("update %s: %v", name, err)
	}
	return out
}

// whoami invokes the echo function's whoami action at a qualifier and
// returns its build version and the executed version.
func whoami(tb testing.TB, c *lambda.Client, name, qualifier string) (string, string) {
	tb.Helper()
	in := &lambda.InvokeInput{FunctionName: aws.String(name), Payload: []byte(`{"action":"whoami"}`)}
	if qualifier != "" {
		in.Qualifier = aws.String(qualifier)
	}
	out, err := c.Invoke(context.Background(), in)
	if err != nil {
		tb.Fatalf("invoke %s (%s): %v", name, qualifier, err)
	}
	if out.FunctionError != nil {
		tb.Fatalf("invoke %s (%s): function error %s", name, qualifier, out.Payload)
	}
	return fmt.Sprint(decode(tb, out.Payload)["version"]), aws.ToString(out.ExecutedVersion)
}

func TestPublishAndQualifiers(t *testing.T) {
	m := MustStartMain(t, Config{})
	c := MustLambda(t, m)
	ctx := context.Background()
	zip1, zip2 := MustEchoZip(t, "1"), MustEchoZip(t, "2")
	created := MustCreate(t, c, &lambda.CreateFunctionInput{
		FunctionName: aws.String("ver"), Runtime: types.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
		Code: &types.FunctionCode{ZipFile: zip1}, Description: aws.String("latest"),
	})

	v1, err := c.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("ver"), Description: aws.String("first")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(v1.Version) != "1" || aws.ToString(v1.FunctionArn) != testARN+"ver:1" || aws.ToString(v1.Description) != "first" {
		t.Fatalf("publish: got version %s arn %s description %q, want 1, %sver:1, first",
			aws.ToString(v1.Version), aws.ToString(v1.FunctionArn), aws.ToString(v1.Description), testARN)
	}
	if aws.ToString(v1.CodeSha256) != aws.ToString(created.CodeSha256) || aws.ToString(v1.RevisionId) == aws.ToString(created.RevisionId) {
		t.Fatalf("publish: got sha %s revision %s, want $LATEST's sha and a revision of its own", aws.ToString(v1.CodeSha256), aws.ToString(v1.RevisionId))
	}

	// Nothing changed: the same version comes back.
	again := MustPublish(t, c, "ver")
	if aws.ToString(again.Version) != "1" || aws.ToString(again.RevisionId) != aws.ToString(v1.RevisionId) {
		t.Fatalf("publish without a change: got version %s, want 1 again", aws.ToString(again.Version))
	}

	// Publishing gave $LATEST a new RevisionId, so the one from create is stale.
	_, err = c.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("ver"), RevisionId: created.RevisionId})
	mustFailWith(t, err, "PreconditionFailedException", 412)
	_, err = c.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("ver"), CodeSha256: aws.String("bm90IHRoZSBzaGE=")})
	mustFailWith(t, err, "InvalidParameterValueException", 400)
	mustContain(t, err.Error(), "CodeSHA256 (bm90IHRoZSBzaGE=) is different from current CodeSHA256 in $LATEST")

	// UpdateFunctionCode with Publish returns the new version.
	v2, err := c.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("ver"), ZipFile: zip2, Publish: true})
	if err != nil {
		t.Fatal(err)
	}
	sum2 := sha256.Sum256(zip2)
	if aws.ToString(v2.Version) != "2" || aws.ToString(v2.FunctionArn) != testARN+"ver:2" || aws.ToString(v2.CodeSha256) != base64.StdEncoding.EncodeToString(sum2[:]) {
		t.Fatalf("update code with publish: got version %s arn %s", aws.ToString(v2.Version), aws.ToString(v2.FunctionArn))
	}

	// Publish with matching preconditions.
	changed := MustChange(t, c, "ver", "third")
	v3, err := c.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("ver"),
		RevisionId: changed.RevisionId, CodeSha256: changed.CodeSha256})
	if err != nil || aws.ToString(v3.Version) != "3" || aws.ToString(v3.Description) != "third" {
		t.Fatalf("publish with preconditions: got %v, %v; want version 3", v3, err)
	}

	// ListVersionsByFunction: $LATEST, then the versions, two per page.
	var got []string
	pages := 0
	p := lambda.NewListVersionsByFunctionPaginator(c, &lambda.ListVersionsByFunctionInput{FunctionName: aws.String("ver"), MaxItems: aws.Int32(2)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, v := range page.Versions {
			got = append(got, aws.ToString(v.Version)+"="+strings.TrimPrefix(aws.ToString(v.FunctionArn), testARN))
		}
	}
	if want := "$LATEST=ver:$LATEST,1=ver:1,2=ver:2,3=ver:3"; strings.Join(got, ",") != want || pages != 2 {
		t.Fatalf("list versions: got %s in %d pages, want %s in 2", strings.Join(got, ","), pages, want)
	}

	// GetFunction and GetFunctionConfiguration at a qualifier.
	sum1 := sha256.Sum256(zip1)
	gf, err := c.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("ver"), Qualifier: aws.String("1")})
	if err != nil {
		t.Fatal(err)
	}
	if cfg := gf.Configuration; aws.ToString(cfg.Version) != "1" || aws.ToString(cfg.FunctionArn) != testARN+"ver:1" ||
		aws.ToString(cfg.CodeSha256) != base64.StdEncoding.EncodeToString(sum1[:]) {
		t.Fatalf("GetFunction at 1: got version %s arn %s sha %s", aws.ToString(cfg.Version), aws.ToString(cfg.FunctionArn), aws.ToString(cfg.CodeSha256))
	}
	for _, name := range []string{"ver:2", testARN + "ver:2", "000000000000:function:ver:2"} {
		cfg, err := c.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(name)})
		if err != nil || aws.ToString(cfg.Version) != "2" || aws.ToString(cfg.FunctionArn) != testARN+"ver:2" {
			t.Fatalf("GetFunctionConfiguration %s: got %v, %v", name, cfg, err)
		}
	}
	latest, err := c.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String("ver"), Qualifier: aws.String("$LATEST")})
	if err != nil || aws.ToString(latest.FunctionArn) != testARN+"ver:$LATEST" || aws.ToString(latest.Version) != "$LATEST" {
		t.Fatalf("GetFunctionConfiguration at $LATEST: got %v, %v", latest, err)
	}
	plain, err := c.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String("ver")})
	if err != nil || aws.ToString(plain.FunctionArn) != testARN+"ver" {
		t.Fatalf("GetFunctionConfiguration: got %v, %v", plain, err)
	}
	for _, q := range []string{"9", "nope", "01"} {
		_, err = c.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("ver"), Qualifier: aws.String(q)})
		mustFailWith(t, err, "ResourceNotFoundException", 404)
		mustContain(t, err.Error(), "Function not found: "+testARN+"ver:"+q)
	}
	_, err = c.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("ver:1"), Qualifier: aws.String("2")})
	mustFailWith(t, err, "InvalidParameterValueException", 400)
	_, err = c.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("ver"), Qualifier: aws.String("bad!")})
	mustFailWith(t, err, "ValidationException", 400)

	// Only $LATEST can change.
	_, err = c.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("ver:1"), Timeout: aws.Int32(5)})
	mustFailWith(t, err, "InvalidParameterValueException", 400)
	_, err = c.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String(testARN + "ver:1"), ZipFile: zip1})
	mustFailWith(t, err, "InvalidParameterValueException", 400)
	if cfg, _ := c.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String("ver:1")}); aws.ToString(cfg.Description) != "first" {
		t.Fatalf("version 1 changed: description %q", aws.ToString(cfg.Description))
	}

	// Invoke a version by Qualifier and by qualified name and ARN.
	for _, tc := range []struct{ name, qualifier, build, executed string }{
		{"ver", "1", "1", "1"},
		{"ver:2", "", "2", "2"},
		{testARN + "ver:1", "", "1", "1"},
		{"ver", "", "2", "$LATEST"},
		{"ver", "$LATEST", "2", "$LATEST"},
	} {
		build, executed := whoami(t, c, tc.name, tc.qualifier)
		if build != tc.build || executed != tc.executed {
			t.Errorf("invoke %s (%s): got build %s executed %s, want %s and %s", tc.name, tc.qualifier, build, executed, tc.build, tc.executed)
		}
	}
	_, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("ver"), Qualifier: aws.String("7")})
	mustFailWith(t, err, "ResourceNotFoundException", 404)

	// ListFunctions lists $LATEST only, unless FunctionVersion=ALL.
	MustCreate(t, c, &lambda.CreateFunctionInput{
		FunctionName: aws.String("another"), Runtime: types.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
		Code: &types.FunctionCode{ZipFile: zip1}, Publish: true,
	})
	lf, err := c.ListFunctions(ctx, &lambda.ListFunctionsInput{})
	if err != nil {
		t.Fatal(err)
	}
	got = nil
	for _, f := range lf.Functions {
		got = append(got, strings.TrimPrefix(aws.ToString(f.FunctionArn), testARN)+"="+aws.ToString(f.Version))
	}
	if want := "another=$LATEST,ver=$LATEST"; strings.Join(got, ",") != want {
		t.Fatalf("list functions: got %s, want %s", strings.Join(got, ","), want)
	}
	got, pages = nil, 0
	lp := lambda.NewListFunctionsPaginator(c, &lambda.ListFunctionsInput{FunctionVersion: types.FunctionVersionAll, MaxItems: aws.Int32(4)})
	for lp.HasMorePages() {
		page, err := lp.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, f := range page.Functions {
			got = append(got, strings.TrimPrefix(aws.ToString(f.FunctionArn), testARN))
		}
	}
	if want := "another:$LATEST,another:1,ver:$LATEST,ver:1,ver:2,ver:3"; strings.Join(got, ",") != want || pages != 2 {
		t.Fatalf("list functions ALL: got %s in %d pages, want %s in 2", strings.Join(got, ","), pages, want)
	}
}

func TestAliases(t *testing.T) {
	m := MustStartMain(t, Config{})
	c := MustLambda(t, m)
	ctx := context.Background()
	MustCreateEcho(t, c, "al", 3)
	MustPublish(t, c, "al")
	MustChange(t, c, "al", "two")
	MustPublish(t, c, "al")

	live, err := c.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("al"), Name: aws.String("live"),
		FunctionVersion: aws.String("1"), Description: aws.String("production")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(live.AliasArn) != testARN+"al:live" || aws.ToString(live.FunctionVersion) != "1" || aws.ToString(live.RevisionId) == "" ||
		live.RoutingConfig != nil {
		t.Fatalf("create alias: got %+v", live)
	}
	_, err = c.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("al"), Name: aws.String("live"), FunctionVersion: aws.String("2")})
	mustFailWith(t, err, "ResourceConflictException", 409)
	mustContain(t, err.Error(), "Alias already exists: "+testARN+"al:live")

	// An alias may point at $LATEST, without routing.
	dev, err := c.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("al"), Name: aws.String("dev"), FunctionVersion: aws.String("$LATEST")})
	if err != nil || aws.ToString(dev.FunctionVersion) != "$LATEST" {
		t.Fatalf("alias to $LATEST: got %v, %v", dev, err)
	}

	bad := []struct {
		name, version string
		weights       map[string]float64
		code          string
		status        int
	}{
		{"123", "1", nil, "ValidationException", 400},
		{"bad!", "1", nil, "ValidationException", 400},
		{strings.Repeat("a", 129), "1", nil, "ValidationException", 400},
		{"x", "9", nil, "ResourceNotFoundException", 404},
		{"x", "one", nil, "ValidationException", 400},
		{"x", "1", map[string]float64{"2": 1.5}, "ValidationException", 400},
		{"x", "1", map[string]float64{"2": -0.1}, "ValidationException", 400},
		{"x", "1", map[string]float64{"2": 0.1, "3": 0.1}, "InvalidParameterValueException", 400},
		{"x", "1", map[string]float64{"$LATEST": 0.5}, "ValidationException", 400},
		{"x", "$LATEST", map[string]float64{"1": 0.5}, "InvalidParameterValueException", 400},
		{"x", "1", map[string]float64{"1": 0.5}, "InvalidParameterValueException", 400},
		{"x", "1", map[string]float64{"9": 0.5}, "ResourceNotFoundException", 404},
	}
	for _, tc := range bad {
		in := &lambda.CreateAliasInput{FunctionName: aws.String("al"), Name: aws.String(tc.name), FunctionVersion: aws.String(tc.version)}
		if tc.weights != nil {
			in.RoutingConfig = &types.AliasRoutingConfiguration{AdditionalVersionWeights: tc.weights}
		}
		_, err := c.CreateAlias(ctx, in)
		code, status := apiError(t, err)
		if code != tc.code || status != tc.status {
			t.Errorf("create alias %q -> %s %v: got %s (%d), want %s (%d): %v", tc.name, tc.version, tc.weights, code, status, tc.code, tc.status, err)
		}
	}
	_, err = c.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("nope"), Name: aws.String("x"), FunctionVersion: aws.String("1")})
	mustFailWith(t, err, "ResourceNotFoundException", 404)

	// Both versions of a weighted alias must have the same role.
	if _, err := c.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("al"),
		Role: aws.String("arn:aws:iam::000000000000:role/other")}); err != nil {
		t.Fatal(err)
	}
	MustPublish(t, c, "al") // version 3, another role
	_, err = c.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("al"), Name: aws.String("x"), FunctionVersion: aws.String("1"),
		RoutingConfig: &types.AliasRoutingConfiguration{AdditionalVersionWeights: map[string]float64{"3": 0.5}}})
	mustFailWith(t, err, "InvalidParameterValueException", 400)

	// Weighted routing; UpdateAlias with a RevisionId.
	upd, err := c.UpdateAlias(ctx, &lambda.UpdateAliasInput{FunctionName: aws.String("al"), Name: aws.String("live"),
		RoutingConfig: &types.AliasRoutingConfiguration{AdditionalVersionWeights: map[string]float64{"2": 0.3}}, RevisionId: live.RevisionId})
	if err != nil {
		t.Fatal(err)
	}
	if upd.RoutingConfig == nil || upd.RoutingConfig.AdditionalVersionWeights["2"] != 0.3 || aws.ToString(upd.Description) != "production" ||
		aws.ToString(upd.RevisionId) == aws.ToString(live.RevisionId) {
		t.Fatalf("update alias: got %+v", upd)
	}
	_, err = c.UpdateAlias(ctx, &lambda.UpdateAliasInput{FunctionName: aws.String("al"), Name: aws.String("live"),
		FunctionVersion: aws.String("2"), RevisionId: live.RevisionId})
	mustFailWith(t, err, "PreconditionFailedException", 412)
	_, err = c.UpdateAlias(ctx, &lambda.UpdateAliasInput{FunctionName: aws.String("al"), Name: aws.String("live"), FunctionVersion: aws.String("2")})
	mustFailWith(t, err, "InvalidParameterValueException", 400) // 2 is already the additional version
	_, err = c.UpdateAlias(ctx, &lambda.UpdateAliasInput{FunctionName: aws.String("al"), Name: aws.String("nope"), FunctionVersion: aws.String("2")})
	mustFailWith(t, err, "ResourceNotFoundException", 404)
	ga, err := c.GetAlias(ctx, &lambda.GetAliasInput{FunctionName: aws.String("al"), Name: aws.String("live")})
	if err != nil || ga.RoutingConfig == nil || ga.RoutingConfig.AdditionalVersionWeights["2"] != 0.3 {
		t.Fatalf("get alias: got %+v, %v", ga, err)
	}
	_, err = c.GetAlias(ctx, &lambda.GetAliasInput{FunctionName: aws.String("al"), Name: aws.String("nope")})
	mustFailWith(t, err, "ResourceNotFoundException", 404)

	// An alias qualifier reads its primary version, under the alias's ARN.
	cfg, err := c.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String("al"), Qualifier: aws.String("live")})
	if err != nil || aws.ToString(cfg.Version) != "1" || aws.ToString(cfg.FunctionArn) != testARN+"al:live" {
		t.Fatalf("configuration at an alias: got %v, %v", cfg, err)
	}

	// Invoking the weighted alias runs one of its two versions.
	seen := map[string]bool{}
	for i := 0; i < 40 && len(seen) < 2; i++ {
		_, executed := whoami(t, c, "al:live", "")
		seen[executed] = true
	}
	if !seen["1"] || !seen["2"] || len(seen) != 2 {
		t.Fatalf("weighted alias ran versions %v, want 1 and 2", seen)
	}
	if _, executed := whoami(t, c, "al", "dev"); executed != "$LATEST" {
		t.Fatalf("alias to $LATEST ran %s", executed)
	}

	// Clear the routing, move the alias.
	moved, err := c.UpdateAlias(ctx, &lambda.UpdateAliasInput{FunctionName: aws.String("al"), Name: aws.String("live"),
		FunctionVersion: aws.String("2"), RoutingConfig: &types.AliasRoutingConfiguration{}})
	if err != nil || moved.RoutingConfig != nil || aws.ToString(moved.FunctionVersion) != "2" {
		t.Fatalf("clear routing: got %+v, %v", moved, err)
	}
	if _, err := c.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("al"), Name: aws.String("beta"), FunctionVersion: aws.String("2")}); err != nil {
		t.Fatal(err)
	}

	// ListAliases: name order, paging, version filter.
	var names []string
	pages := 0
	p := lambda.NewListAliasesPaginator(c, &lambda.ListAliasesInput{FunctionName: aws.String("al"), MaxItems: aws.Int32(2)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, a := range page.Aliases {
			names = append(names, aws.ToString(a.Name))
		}
	}
	if got := strings.Join(names, ","); got != "beta,dev,live" || pages != 2 {
		t.Fatalf("list aliases: got %s in %d pages, want beta,dev,live in 2", got, pages)
	}
	la, err := c.ListAliases(ctx, &lambda.ListAliasesInput{FunctionName: aws.String("al"), FunctionVersion: aws.String("$LATEST")})
	if err != nil || len(la.Aliases) != 1 || aws.ToString(la.Aliases[0].Name) != "dev" {
		t.Fatalf("list aliases of $LATEST: got %v, %v", la, err)
	}

	// DeleteFunction with a qualifier deletes one version, not one in use.
	_, err = c.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("al"), Qualifier: aws.String("2")})
	mustFailWith(t, err, "ResourceConflictException", 409)
	mustContain(t, err.Error(), "Unable to delete version because the following aliases reference it: [beta, live]")
	_, err = c.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("al"), Qualifier: aws.String("$LATEST")})
	mustFailWith(t, err, "InvalidParameterValueException", 400)
	mustContain(t, err.Error(), "$LATEST version cannot be deleted without deleting the function.")
	_, err = c.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("al:live")})
	mustFailWith(t, err, "InvalidParameterValueException", 400)
	if _, err := c.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("al"), Qualifier: aws.String("3")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("al:3")})
	mustFailWith(t, err, "ResourceNotFoundException", 404)
	MustChange(t, c, "al", "four")
	if v := MustPublish(t, c, "al"); aws.ToString(v.Version) != "4" {
		t.Fatalf("publish after deleting version 3: got %s, want 4 (numbers are not reused)", aws.ToString(v.Version))
	}

	// DeleteAlias; deleting it again is no error.
	for i := 0; i < 2; i++ {
		if _, err := c.DeleteAlias(ctx, &lambda.DeleteAliasInput{FunctionName: aws.String("al"), Name: aws.String("beta")}); err != nil {
			t.Fatalf("delete alias (%d): %v", i, err)
		}
	}
	_, err = c.GetAlias(ctx, &lambda.GetAliasInput{FunctionName: aws.String("al"), Name: aws.String("beta")})
	mustFailWith(t, err, "ResourceNotFoundException", 404)

	// Deleting the function deletes its versions and aliases: a new function
	// of that name starts afresh.
	if _, err := c.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("al")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("al"), Qualifier: aws.String("1")})
	mustFailWith(t, err, "ResourceNotFoundException", 404)
	MustCreateEcho(t, c, "al", 3)
	lv, err := c.ListVersionsByFunction(ctx, &lambda.ListVersionsByFunctionInput{FunctionName: aws.String("al")})
	if err != nil || len(lv.Versions) != 1 {
		t.Fatalf("versions of a recreated function: got %v, %v", lv, err)
	}
	la, err = c.ListAliases(ctx, &lambda.ListAliasesInput{FunctionName: aws.String("al")})
	if err != nil || len(la.Aliases) != 0 {
		t.Fatalf("aliases of a recreated function: got %v, %v", la, err)
	}
	if v := MustPublish(t, c, "al"); aws.ToString(v.Version) != "1" {
		t.Fatalf("first version of a recreated function: got %s, want 1", aws.ToString(v.Version))
	}
}

func TestFunctionConcurrency(t *testing.T) {
	m := MustStartMain(t, Config{})
	c := MustLambda(t, m)
	ctx := context.Background()
	MustCreateEcho(t, c, "conc", 3)

	got, err := c.GetFunctionConcurrency(ctx, &lambda.GetFunctionConcurrencyInput{FunctionName: aws.String("conc")})
	if err != nil || got.ReservedConcurrentExecutions != nil {
		t.Fatalf("concurrency before any: got %v, %v; want none", got, err)
	}
	put, err := c.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String("conc"), ReservedConcurrentExecutions: aws.Int32(5)})
	if err != nil || aws.ToInt32(put.ReservedConcurrentExecutions) != 5 {
		t.Fatalf("put concurrency: got %v, %v", put, err)
	}
	got, err = c.GetFunctionConcurrency(ctx, &lambda.GetFunctionConcurrencyInput{FunctionName: aws.String(testARN + "conc")})
	if err != nil || aws.ToInt32(got.ReservedConcurrentExecutions) != 5 {
		t.Fatalf("get concurrency: got %v, %v; want 5", got, err)
	}
	gf, err := c.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("conc")})
	if err != nil || gf.Concurrency == nil || aws.ToInt32(gf.Concurrency.ReservedConcurrentExecutions) != 5 {
		t.Fatalf("GetFunction concurrency: got %v, %v", gf.Concurrency, err)
	}
	acct, err := c.GetAccountSettings(ctx, &lambda.GetAccountSettingsInput{})
	if err != nil || aws.ToInt32(acct.AccountLimit.UnreservedConcurrentExecutions) != 995 {
		t.Fatalf("account settings: got %v, %v; want 995 unreserved", acct.AccountLimit, err)
	}

	for _, n := range []int32{-1, 901, 1001} {
		_, err := c.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String("conc"), ReservedConcurrentExecutions: aws.Int32(n)})
		code, status := apiError(t, err)
		if status != 400 || (n < 0) != (code == "ValidationException") || (n >= 0 && code != "InvalidParameterValueException") {
			t.Errorf("put concurrency %d: got %s (%d)", n, code, status)
		}
	}
	_, err = c.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String("nope"), ReservedConcurrentExecutions: aws.Int32(1)})
	mustFailWith(t, err, "ResourceNotFoundException", 404)
	_, err = c.GetFunctionConcurrency(ctx, &lambda.GetFunctionConcurrencyInput{FunctionName: aws.String("nope")})
	mustFailWith(t, err, "ResourceNotFoundException", 404)

	// Zero throttles every invocation.
	if _, err := c.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String("conc"), ReservedConcurrentExecutions: aws.Int32(0)}); err != nil {
		t.Fatal(err)
	}
	got, err = c.GetFunctionConcurrency(ctx, &lambda.GetFunctionConcurrencyInput{FunctionName: aws.String("conc")})
	if err != nil || got.ReservedConcurrentExecutions == nil || *got.ReservedConcurrentExecutions != 0 {
		t.Fatalf("get concurrency 0: got %v, %v", got, err)
	}

	if _, err := c.DeleteFunctionConcurrency(ctx, &lambda.DeleteFunctionConcurrencyInput{FunctionName: aws.String("conc")}); err != nil {
		t.Fatal(err)
	}
	got, err = c.GetFunctionConcurrency(ctx, &lambda.GetFunctionConcurrencyInput{FunctionName: aws.String("conc")})
	if err != nil || got.ReservedConcurrentExecutions != nil {
		t.Fatalf("concurrency after delete: got %v, %v; want none", got, err)
	}
}

func TestEventInvokeConfig(t *testing.T) {
	m := MustStartMain(t, Config{})
	c := MustLambda(t, m)
	ctx := context.Background()
	MustCreateEcho(t, c, "eic", 3)
	MustCreateEcho(t, c, "target", 3)
	MustPublish(t, c, "eic")

	_, err := c.GetFunctionEventInvokeConfig(ctx, &lambda.GetFunctionEventInvokeConfigInput{FunctionName: aws.String("eic")})
	mustFailWith(t, err, "ResourceNotFoundException", 404)
	mustContain(t, err.Error(), "The function "+testARN+"eic:$LATEST doesn't have an EventInvokeConfig")

	before := time.Now().Add(-time.Second)
	put, err := c.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("eic"),
		MaximumRetryAttempts: aws.Int32(1), MaximumEventAgeInSeconds: aws.Int32(120)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(put.FunctionArn) != testARN+"eic:$LATEST" || aws.ToInt32(put.MaximumRetryAttempts) != 1 ||
		aws.ToInt32(put.MaximumEventAgeInSeconds) != 120 || put.LastModified == nil || put.LastModified.Before(before) {
		t.Fatalf("put event invoke config: got %+v", put)
	}

	// Update merges: the retries stay.
	queue := "arn:aws:sqs:us-east-1:000000000000:failed"
	upd, err := c.UpdateFunctionEventInvokeConfig(ctx, &lambda.UpdateFunctionEventInvokeConfigInput{FunctionName: aws.String("eic"),
		DestinationConfig: &types.DestinationConfig{OnFailure: &types.OnFailure{Destination: aws.String(queue)}}})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt32(upd.MaximumRetryAttempts) != 1 || aws.ToInt32(upd.MaximumEventAgeInSeconds) != 120 ||
		upd.DestinationConfig == nil || aws.ToString(upd.DestinationConfig.OnFailure.Destination) != queue {
		t.Fatalf("update event invoke config: got %+v", upd)
	}
	// Put replaces: what it leaves out is gone.
	_, err = c.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("eic"),
		MaximumEventAgeInSeconds: aws.Int32(300),
		DestinationConfig:        &types.DestinationConfig{OnSuccess: &types.OnSuccess{Destination: aws.String(testARN + "target")}}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.GetFunctionEventInvokeConfig(ctx, &lambda.GetFunctionEventInvokeConfigInput{FunctionName: aws.String("eic"), Qualifier: aws.String("$LATEST")})
	if err != nil || got.MaximumRetryAttempts != nil || aws.ToInt32(got.MaximumEventAgeInSeconds) != 300 ||
		aws.ToString(got.DestinationConfig.OnSuccess.Destination) != testARN+"target" || got.DestinationConfig.OnFailure.Destination != nil {
		t.Fatalf("get after put: got %+v, %v", got, err)
	}

	// A version has its own config.
	v1, err := c.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("eic"),
		Qualifier: aws.String("1"), MaximumRetryAttempts: aws.Int32(0)})
	if err != nil || aws.ToString(v1.FunctionArn) != testARN+"eic:1" {
		t.Fatalf("put at version 1: got %v, %v", v1, err)
	}

	bad := []struct {
		in     *lambda.PutFunctionEventInvokeConfigInput
		code   string
		status int
	}{
		{&lambda.PutFunctionEventInvokeConfigInput{MaximumRetryAttempts: aws.Int32(3)}, "ValidationException", 400},
		{&lambda.PutFunctionEventInvokeConfigInput{MaximumRetryAttempts: aws.Int32(-1)}, "ValidationException", 400},
		{&lambda.PutFunctionEventInvokeConfigInput{MaximumEventAgeInSeconds: aws.Int32(59)}, "ValidationException", 400},
		{&lambda.PutFunctionEventInvokeConfigInput{MaximumEventAgeInSeconds: aws.Int32(21601)}, "ValidationException", 400},
		{&lambda.PutFunctionEventInvokeConfigInput{}, "InvalidParameterValueException", 400},
		{&lambda.PutFunctionEventInvokeConfigInput{DestinationConfig: &types.DestinationConfig{
			OnSuccess: &types.OnSuccess{Destination: aws.String("not-an-arn")}}}, "ValidationException", 400},
		{&lambda.PutFunctionEventInvokeConfigInput{DestinationConfig: &types.DestinationConfig{
			OnSuccess: &types.OnSuccess{Destination: aws.String(testARN + "missing")}}}, "InvalidParameterValueException", 400},
		{&lambda.PutFunctionEventInvokeConfigInput{DestinationConfig: &types.DestinationConfig{
			OnFailure: &types.OnFailure{Destination: aws.String(testARN + "eic")}}}, "InvalidParameterValueException", 400},
		{&lambda.PutFunctionEventInvokeConfigInput{DestinationConfig: &types.DestinationConfig{
			OnSuccess: &types.OnSuccess{Destination: aws.String("arn:aws:s3:::bucket")}}}, "InvalidParameterValueException", 400},
		{&lambda.PutFunctionEventInvokeConfigInput{DestinationConfig: &types.DestinationConfig{
			OnFailure: &types.OnFailure{Destination: aws.String("arn:aws:dynamodb:us-east-1:000000000000:table/t")}}}, "InvalidParameterValueException", 400},
		{&lambda.PutFunctionEventInvokeConfigInput{Qualifier: aws.String("7"), MaximumRetryAttempts: aws.Int32(1)}, "ResourceNotFoundException", 404},
		{&lambda.PutFunctionEventInvokeConfigInput{Qualifier: aws.String("nope"), MaximumRetryAttempts: aws.Int32(1)}, "ResourceNotFoundException", 404},
		{&lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("nope"), MaximumRetryAttempts: aws.Int32(1)}, "ResourceNotFoundException", 404},
	}
	for i, tc := range bad {
		if tc.in.FunctionName == nil {
			tc.in.FunctionName = aws.String("eic")
		}
		_, err := c.PutFunctionEventInvokeConfig(ctx, tc.in)
		if code, status := apiError(t, err); code != tc.code || status != tc.status {
			t.Errorf("bad config %d: got %s (%d), want %s (%d): %v", i, code, status, tc.code, tc.status, err)
		}
	}
	// Queues, topics and event buses are accepted as destinations, a bucket on failure.
	for _, arn := range []string{queue, "arn:aws:sns:us-east-1:000000000000:topic", "arn:aws:events:us-east-1:000000000000:event-bus/default"} {
		if _, err := c.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("target"),
			DestinationConfig: &types.DestinationConfig{OnSuccess: &types.OnSuccess{Destination: aws.String(arn)},
				OnFailure: &types.OnFailure{Destination: aws.String("arn:aws:s3:::bucket")}}}); err != nil {
			t.Errorf("destination %s: %v", arn, err)
		}
	}
	_, err = c.UpdateFunctionEventInvokeConfig(ctx, &lambda.UpdateFunctionEventInvokeConfigInput{FunctionName: aws.String("target"),
		Qualifier: aws.String("$LATEST"), MaximumRetryAttempts: aws.Int32(5)})
	mustFailWith(t, err, "ValidationException", 400)
	MustPublish(t, c, "target")
	_, err = c.UpdateFunctionEventInvokeConfig(ctx, &lambda.UpdateFunctionEventInvokeConfigInput{FunctionName: aws.String("target"),
		Qualifier: aws.String("1"), MaximumRetryAttempts: aws.Int32(1)})
	mustFailWith(t, err, "ResourceNotFoundException", 404)

	// List, paged.
	var arns []string
	p := lambda.NewListFunctionEventInvokeConfigsPaginator(c, &lambda.ListFunctionEventInvokeConfigsInput{FunctionName: aws.String("eic"), MaxItems: aws.Int32(1)})
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, c := range page.FunctionEventInvokeConfigs {
			arns = append(arns, strings.TrimPrefix(aws.ToString(c.FunctionArn), testARN))
		}
	}
	if got := strings.Join(arns, ","); got != "eic:$LATEST,eic:1" || pages != 2 {
		t.Fatalf("list event invoke configs: got %s in %d pages", got, pages)
	}
	_, err = c.ListFunctionEventInvokeConfigs(ctx, &lambda.ListFunctionEventInvokeConfigsInput{FunctionName: aws.String("nope")})
	mustFailWith(t, err, "ResourceNotFoundException", 404)

	// Delete; deleting again is an error.
	if _, err := c.DeleteFunctionEventInvokeConfig(ctx, &lambda.DeleteFunctionEventInvokeConfigInput{FunctionName: aws.String("eic")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteFunctionEventInvokeConfig(ctx, &lambda.DeleteFunctionEventInvokeConfigInput{FunctionName: aws.String("eic")})
	mustFailWith(t, err, "ResourceNotFoundException", 404)
	_, err = c.GetFunctionEventInvokeConfig(ctx, &lambda.GetFunctionEventInvokeConfigInput{FunctionName: aws.String("eic")})
	mustFailWith(t, err, "ResourceNotFoundException", 404)
	if _, err := c.GetFunctionEventInvokeConfig(ctx, &lambda.GetFunctionEventInvokeConfigInput{FunctionName: aws.String("eic:1")}); err != nil {
		t.Fatalf("version 1's config after deleting $LATEST's: %v", err)
	}
}

func TestProvisionedConcurrency(t *testing.T) {
	m := MustStartMain(t, Config{})
	c := MustLambda(t, m)
	ctx := context.Background()
	MustCreateEcho(t, c, "pc", 3)
	MustPublish(t, c, "pc")
	if _, err := c.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("pc"), Name: aws.String("live"), FunctionVersion: aws.String("1")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("pc"), Name: aws.String("dev"), FunctionVersion: aws.String("$LATEST")}); err != nil {
		t.Fatal(err)
	}
	put := func(q string, n int32) (*lambda.PutProvisionedConcurrencyConfigOutput, error) {
		return c.PutProvisionedConcurrencyConfig(ctx, &lambda.PutProvisionedConcurrencyConfigInput{
			FunctionName: aws.String("pc"), Qualifier: aws.String(q), ProvisionedConcurrentExecutions: aws.Int32(n)})
	}

	_, err := put("$LATEST", 1)
	mustFailWith(t, err, "InvalidParameterValueException", 400)
	_, err = put("dev", 1)
	mustFailWith(t, err, "InvalidParameterValueException", 400)
	_, err = put("1", 0)
	mustFailWith(t, err, "ValidationException", 400)
	_, err = put("9", 1)
	mustFailWith(t, err, "ResourceNotFoundException", 404)
	_, err = put("nope", 1)
	mustFailWith(t, err, "ResourceNotFoundException", 404)
	_, err = put("1", 1001)
	mustFailWith(t, err, "InvalidParameterValueException", 400)

	out, err := put("1", 2)
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt32(out.RequestedProvisionedConcurrentExecutions) != 2 || out.Status != types.ProvisionedConcurrencyStatusEnumInProgress {
		t.Fatalf("put: got %+v", out)
	}
	got, err := c.GetProvisionedConcurrencyConfig(ctx, &lambda.GetProvisionedConcurrencyConfigInput{FunctionName: aws.String("pc"), Qualifier: aws.String("1")})
	if err != nil || got.Status != types.ProvisionedConcurrencyStatusEnumReady || aws.ToInt32(got.AvailableProvisionedConcurrentExecutions) != 2 ||
		aws.ToInt32(got.RequestedProvisionedConcurrentExecutions) != 2 {
		t.Fatalf("get: got %+v, %v", got, err)
	}
	if _, err := time.Parse("2006-01-02T15:04:05.000-0700", aws.ToString(got.LastModified)); err != nil {
		t.Fatalf("LastModified %q: %v", aws.ToString(got.LastModified), err)
	}
	// The alias of a provisioned version cannot have its own.
	_, err = put("live", 1)
	mustFailWith(t, err, "ResourceConflictException", 409)
	_, err = c.GetProvisionedConcurrencyConfig(ctx, &lambda.GetProvisionedConcurrencyConfigInput{FunctionName: aws.String("pc"), Qualifier: aws.String("live")})
	mustFailWith(t, err, "ProvisionedConcurrencyConfigNotFoundException", 404)
	_, err = c.GetProvisionedConcurrencyConfig(ctx, &lambda.GetProvisionedConcurrencyConfigInput{FunctionName: aws.String("pc"), Qualifier: aws.String("$LATEST")})
	mustFailWith(t, err, "InvalidParameterValueException", 400)

	list, err := c.ListProvisionedConcurrencyConfigs(ctx, &lambda.ListProvisionedConcurrencyConfigsInput{FunctionName: aws.String("pc")})
	if err != nil || len(list.ProvisionedConcurrencyConfigs) != 1 || aws.ToString(list.ProvisionedConcurrencyConfigs[0].FunctionArn) != testARN+"pc:1" {
		t.Fatalf("list: got %+v, %v", list, err)
	}
	all, err := m.Functions.AllProvisionedConcurrency(ctx)
	if err != nil || len(all) != 1 || all[0].FunctionName != "pc" || all[0].Qualifier != "1" || all[0].Requested != 2 {
		t.Fatalf("AllProvisionedConcurrency: got %v, %v", all, err)
	}

	// Reserved concurrency bounds provisioned concurrency.
	if _, err := c.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String("pc"), ReservedConcurrentExecutions: aws.Int32(2)}); err != nil {
		t.Fatal(err)
	}
	_, err = put("1", 3)
	mustFailWith(t, err, "InvalidParameterValueException", 400)

	if _, err := c.DeleteProvisionedConcurrencyConfig(ctx, &lambda.DeleteProvisionedConcurrencyConfigInput{FunctionName: aws.String("pc"), Qualifier: aws.String("1")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetProvisionedConcurrencyConfig(ctx, &lambda.GetProvisionedConcurrencyConfigInput{FunctionName: aws.String("pc"), Qualifier: aws.String("1")})
	mustFailWith(t, err, "ProvisionedConcurrencyConfigNotFoundException", 404)
	if out, err := put("live", 1); err != nil || aws.ToInt32(out.RequestedProvisionedConcurrentExecutions) != 1 {
		t.Fatalf("put at an alias: got %v, %v", out, err)
	}
	_, err = put("1", 1)
	mustFailWith(t, err, "ResourceConflictException", 409)
}

func TestVersionsSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	m := MustStartMain(t, Config{DataDir: dir})
	c := MustLambda(t, m)
	ctx := context.Background()
	MustCreateEcho(t, c, "keep", 3)
	MustPublish(t, c, "keep")
	MustChange(t, c, "keep", "second")
	MustPublish(t, c, "keep")
	if _, err := c.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("keep"), Name: aws.String("live"), FunctionVersion: aws.String("2"),
		RoutingConfig: &types.AliasRoutingConfiguration{AdditionalVersionWeights: map[string]float64{"1": 0.25}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String("keep"), ReservedConcurrentExecutions: aws.Int32(7)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("keep"), Qualifier: aws.String("live"),
		MaximumRetryAttempts: aws.Int32(0)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutProvisionedConcurrencyConfig(ctx, &lambda.PutProvisionedConcurrencyConfigInput{FunctionName: aws.String("keep"), Qualifier: aws.String("2"),
		ProvisionedConcurrentExecutions: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	if err := m.Close(ctx); err != nil {
		t.Fatalf("close: %v", err)
	}

	m2 := MustStartMain(t, Config{DataDir: dir})
	c2 := MustLambda(t, m2)
	lv, err := c2.ListVersionsByFunction(ctx, &lambda.ListVersionsByFunctionInput{FunctionName: aws.String("keep")})
	if err != nil || len(lv.Versions) != 3 || aws.ToString(lv.Versions[2].Description) != "second" {
		t.Fatalf("versions after restart: got %v, %v", lv, err)
	}
	a, err := c2.GetAlias(ctx, &lambda.GetAliasInput{FunctionName: aws.String("keep"), Name: aws.String("live")})
	if err != nil || aws.ToString(a.FunctionVersion) != "2" || a.RoutingConfig == nil || a.RoutingConfig.AdditionalVersionWeights["1"] != 0.25 {
		t.Fatalf("alias after restart: got %+v, %v", a, err)
	}
	conc, err := c2.GetFunctionConcurrency(ctx, &lambda.GetFunctionConcurrencyInput{FunctionName: aws.String("keep")})
	if err != nil || aws.ToInt32(conc.ReservedConcurrentExecutions) != 7 {
		t.Fatalf("concurrency after restart: got %v, %v", conc, err)
	}
	eic, err := c2.GetFunctionEventInvokeConfig(ctx, &lambda.GetFunctionEventInvokeConfigInput{FunctionName: aws.String("keep:live")})
	if err != nil || eic.MaximumRetryAttempts == nil || *eic.MaximumRetryAttempts != 0 {
		t.Fatalf("event invoke config after restart: got %v, %v", eic, err)
	}
	if _, err := c2.GetProvisionedConcurrencyConfig(ctx, &lambda.GetProvisionedConcurrencyConfigInput{FunctionName: aws.String("keep"), Qualifier: aws.String("2")}); err != nil {
		t.Fatalf("provisioned concurrency after restart: %v", err)
	}
	// Publishing without a change still returns version 2; after one, 3.
	if v := MustPublish(t, c2, "keep"); aws.ToString(v.Version) != "2" {
		t.Fatalf("publish without a change after restart: got %s, want 2", aws.ToString(v.Version))
	}
	MustChange(t, c2, "keep", "third")
	if v := MustPublish(t, c2, "keep"); aws.ToString(v.Version) != "3" {
		t.Fatalf("publish after restart: got %s, want 3", aws.ToString(v.Version))
	}
	if build, executed := whoami(t, c2, "keep", "2"); build != "1" || executed != "2" {
		t.Fatalf("invoke version 2 after restart: got build %s executed %s", build, executed)
	}
}

func TestVersionsAcrossNodes(t *testing.T) {
	url := MustNATS(t)
	a := MustStartMain(t, Config{NATSURL: url})
	b := MustStartMain(t, Config{NATSURL: url})
	ca, cb := MustLambda(t, a), MustLambda(t, b)
	ctx := context.Background()
	MustCreateEcho(t, ca, "both", 3)

	// Each node publishes after its own change: the numbers never collide.
	seen := map[string]string{}
	for i := 0; i < 4; i++ {
		for node, c := range map[string]*lambda.Client{"a": ca, "b": cb} {
			for {
				_, err := c.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{
					FunctionName: aws.String("both"), Description: aws.String(fmt.Sprintf("%s%d", node, i))})
				if err == nil {
					break
				}
				// The other node's cache may lag for a moment.
				if code, _ := apiError(t, err); code != "ResourceConflictException" {
					t.Fatal(err)
				}
			}
			v := MustPublish(t, c, "both")
			if prev, ok := seen[aws.ToString(v.Version)]; ok && prev != aws.ToString(v.Description) {
				t.Fatalf("version %s published twice: %q and %q", aws.ToString(v.Version), prev, aws.ToString(v.Description))
			}
			seen[aws.ToString(v.Version)] = aws.ToString(v.Description)
		}
	}
	if len(seen) != 8 {
		t.Fatalf("got versions %v, want 8 distinct", seen)
	}
	// What one node writes, the other serves.
	if _, err := ca.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("both"), Name: aws.String("live"), FunctionVersion: aws.String("3")}); err != nil {
		t.Fatal(err)
	}
	cfg, err := cb.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String("both:live")})
	if err != nil || aws.ToString(cfg.Version) != "3" {
		t.Fatalf("alias on the other node: got %v, %v", cfg, err)
	}
	if _, err := ca.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String("both"), ReservedConcurrentExecutions: aws.Int32(3)}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "the reserved concurrency on the other node", func() bool {
		n, err := b.Functions.GetFunctionConcurrency(ctx, "us-east-1", "both")
		return err == nil && n != nil && *n == 3
	})
}

// TestVersionsWireFormat checks what the SDK does not: status codes, empty
// bodies and JSON types, as Lambda's model has them.
func TestVersionsWireFormat(t *testing.T) {
	m := MustStartMain(t, Config{})
	c := MustLambda(t, m)
	MustCreateEcho(t, c, "w", 3)
	cases := []struct {
		method, path, body string
		status             int
		errType            string
		check              func(doc map[string]any) bool
	}{
		{"POST", "/2015-03-31/functions/w/versions", `{"Description":"v"}`, 201, "", func(d map[string]any) bool { return d["Version"] == "1" }},
		{"GET", "/2015-03-31/functions/w/versions?MaxItems=0", "", 400, "ValidationException", nil},
		{"POST", "/2015-03-31/functions/w/aliases", `{"Name":"live","FunctionVersion":"1"}`, 201, "", func(d map[string]any) bool {
			_, routed := d["RoutingConfig"]
			return d["Description"] == "" && !routed
		}},
		{"POST", "/2015-03-31/functions/w/aliases", `{"Name":`, 400, "InvalidRequestContentException", nil},
		{"POST", "/2015-03-31/functions/w/aliases", `{"Name":"x"}`, 400, "ValidationException", nil},
		{"GET", "/2015-03-31/functions/w/aliases?FunctionVersion=abc", "", 400, "ValidationException", nil},
		{"GET", "/2019-09-30/functions/w/concurrency", "", 200, "", func(d map[string]any) bool { return len(d) == 0 }},
		{"PUT", "/2017-10-31/functions/w/concurrency", `{}`, 400, "ValidationException", nil},
		{"PUT", "/2017-10-31/functions/w/concurrency", `{"ReservedConcurrentExecutions":2}`, 200, "", func(d map[string]any) bool {
			return d["ReservedConcurrentExecutions"] == float64(2)
		}},
		{"DELETE", "/2017-10-31/functions/w/concurrency", "", 204, "", nil},
		{"PUT", "/2019-09-25/functions/w/event-invoke-config?Qualifier=live", `{"MaximumRetryAttempts":1}`, 200, "", func(d map[string]any) bool {
			lm, isNumber := d["LastModified"].(float64)
			return isNumber && lm > 1e9 && d["FunctionArn"] == testARN+"w:live"
		}},
		{"GET", "/2019-09-25/functions/w/event-invoke-config/list?MaxItems=51", "", 400, "ValidationException", nil},
		{"DELETE", "/2019-09-25/functions/w/event-invoke-config?Qualifier=live", "", 204, "", nil},
		{"PUT", "/2019-09-30/functions/w/provisioned-concurrency?Qualifier=1", `{"ProvisionedConcurrentExecutions":1}`, 202, "", func(d map[string]any) bool {
			return d["Status"] == "IN_PROGRESS" && d["RequestedProvisionedConcurrentExecutions"] == float64(1)
		}},
		{"PUT", "/2019-09-30/functions/w/provisioned-concurrency", `{"ProvisionedConcurrentExecutions":1}`, 400, "ValidationException", nil},
		{"GET", "/2019-09-30/functions/w/provisioned-concurrency?Qualifier=1", "", 200, "", func(d map[string]any) bool { return d["Status"] == "READY" }},
		{"GET", "/2019-09-30/functions/w/provisioned-concurrency?List=ALL", "", 200, "", func(d map[string]any) bool {
			list, _ := d["ProvisionedConcurrencyConfigs"].([]any)
			return len(list) == 1
		}},
		{"DELETE", "/2019-09-30/functions/w/provisioned-concurrency?Qualifier=1", "", 204, "", nil},
		{"DELETE", "/2019-09-30/functions/w/provisioned-concurrency?Qualifier=1", "", 204, "", nil},
		{"DELETE", "/2015-03-31/functions/w/aliases/live", "", 204, "", nil},
		{"GET", "/2015-03-31/functions/w/aliases/123", "", 400, "ValidationException", nil},
		{"GET", "/2015-03-31/functions/w/aliases/live", "", 404, "ResourceNotFoundException", nil},
		{"GET", "/2015-03-31/functions/w/nothing/here", "", 404, "UnknownOperationException", nil},
		{"GET", "/2015-03-31/functions?FunctionVersion=SOME", "", 400, "ValidationException", nil},
		{"DELETE", "/2015-03-31/functions/w?Qualifier=1", "", 204, "", nil},
	}
	for _, tc := range cases {
		status, h, doc := rawLambda(t, m, tc.method, tc.path, tc.body, nil)
		if status != tc.status || h.Get("X-Amzn-ErrorType") != tc.errType {
			t.Errorf("%s %s: got %d %q %v, want %d %q", tc.method, tc.path, status, h.Get("X-Amzn-ErrorType"), doc, tc.status, tc.errType)
			continue
		}
		if tc.check != nil && !tc.check(doc) {
			t.Errorf("%s %s: unexpected body %v", tc.method, tc.path, doc)
		}
	}
}
