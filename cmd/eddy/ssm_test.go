package main

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	stypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"
)

// MustSSM returns an SSM client of the server in us-east-1.
func MustSSM(tb testing.TB, m *Main) *ssm.Client {
	tb.Helper()
	return mustSSMAt(tb, m.URL(), "us-east-1")
}

func mustSSMAt(tb testing.TB, url, region string) *ssm.Client {
	tb.Helper()
	cfg := awsConfig(url)
	cfg.Region = region
	return ssm.NewFromConfig(cfg, func(o *ssm.Options) { o.RetryMaxAttempts = 1 })
}

// mustPut puts a parameter and fails the test on error.
func ssmPut(tb testing.TB, c *ssm.Client, in *ssm.PutParameterInput) *ssm.PutParameterOutput {
	tb.Helper()
	out, err := c.PutParameter(context.Background(), in)
	if err != nil {
		tb.Fatalf("put %s: %v", aws.ToString(in.Name), err)
	}
	return out
}

func ssmGet(tb testing.TB, c *ssm.Client, name string, decrypt bool) *stypes.Parameter {
	tb.Helper()
	out, err := c.GetParameter(context.Background(), &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(decrypt)})
	if err != nil {
		tb.Fatalf("get %s: %v", name, err)
	}
	return out.Parameter
}

// mustFailSSM asserts an SSM error: its code, status 400 and, if msg is
// not empty, its message.
func mustFailSSM(tb testing.TB, err error, code, msg string) {
	tb.Helper()
	mustFailWith(tb, err, code, 400)
	var ae smithy.APIError
	errors.As(err, &ae)
	if msg != "" && ae.ErrorMessage() != msg {
		tb.Fatalf("%s: got message %q, want %q", code, ae.ErrorMessage(), msg)
	}
}

func ssmNames(ps []stypes.Parameter) []string {
	var out []string
	for _, p := range ps {
		out = append(out, aws.ToString(p.Name))
	}
	sort.Strings(out)
	return out
}

func ssmMetaNames(ps []stypes.ParameterMetadata) []string {
	var out []string
	for _, p := range ps {
		out = append(out, aws.ToString(p.Name))
	}
	sort.Strings(out)
	return out
}

func TestSSMPutAndGet(t *testing.T) {
	m := MustStartMain(t, Config{})
	c := MustSSM(t, m)
	ctx := context.Background()

	before := time.Now().Add(-time.Second)
	out := ssmPut(t, c, &ssm.PutParameterInput{Name: aws.String("/app/db/url"), Value: aws.String("postgres://a"), Type: stypes.ParameterTypeString, Description: aws.String("the database")})
	if out.Version != 1 || out.Tier != stypes.ParameterTierStandard {
		t.Fatalf("put: got version %d tier %s", out.Version, out.Tier)
	}
	p := ssmGet(t, c, "/app/db/url", false)
	if aws.ToString(p.Value) != "postgres://a" || p.Version != 1 || p.Type != stypes.ParameterTypeString ||
		aws.ToString(p.DataType) != "text" || aws.ToString(p.ARN) != "arn:aws:ssm:us-east-1:000000000000:parameter/app/db/url" ||
		p.Selector != nil || p.LastModifiedDate == nil || p.LastModifiedDate.Before(before) || p.LastModifiedDate.After(time.Now().Add(time.Second)) {
		t.Fatalf("get: got %+v", p)
	}

	// Without Overwrite, a second put fails; with it, a new version.
	_, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/app/db/url"), Value: aws.String("b"), Type: stypes.ParameterTypeString})
	mustFailSSM(t, err, "ParameterAlreadyExists", "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.")
	out = ssmPut(t, c, &ssm.PutParameterInput{Name: aws.String("/app/db/url"), Value: aws.String("postgres://b"), Overwrite: aws.Bool(true)})
	if out.Version != 2 {
		t.Fatalf("overwrite: got version %d", out.Version)
	}
	// The type and description carry over when not given.
	d, err := c.DescribeParameters(ctx, &ssm.DescribeParametersInput{ParameterFilters: []stypes.ParameterStringFilter{{Key: aws.String("Name"), Values: []string{"/app/db/url"}}}})
	if err != nil || len(d.Parameters) != 1 {
		t.Fatalf("describe: %v %v", d, err)
	}
	md := d.Parameters[0]
	if aws.ToString(md.Description) != "the database" || md.Type != stypes.ParameterTypeString || md.Version != 2 ||
		aws.ToString(md.LastModifiedUser) != "arn:aws:iam::000000000000:root" || md.Tier != stypes.ParameterTierStandard || aws.ToString(md.DataType) != "text" {
		t.Fatalf("describe: got %+v", md)
	}

	// Selectors: a version and a label.
	if p := ssmGet(t, c, "/app/db/url:1", false); aws.ToString(p.Value) != "postgres://a" || p.Version != 1 || aws.ToString(p.Selector) != ":1" || aws.ToString(p.Name) != "/app/db/url" {
		t.Fatalf("get :1: got %+v", p)
	}
	_, err = c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/app/db/url:3")})
	mustFailSSM(t, err, "ParameterVersionNotFound", "Systems Manager could not find version 3 of /app/db/url. Verify the version and try again.")
	_, err = c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/app/db/nope")})
	mustFailSSM(t, err, "ParameterNotFound", "Parameter /app/db/nope not found.")
	_, err = c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/app/db/url:1:2")})
	mustFailSSM(t, err, "ParameterNotFound", "Parameter /app/db/url:1:2 not found.")

	// By ARN.
	if p := ssmGet(t, c, "arn:aws:ssm:us-east-1:000000000000:parameter/app/db/url", false); aws.ToString(p.Value) != "postgres://b" || aws.ToString(p.Name) != "/app/db/url" {
		t.Fatalf("get by ARN: got %+v", p)
	}
	_, err = c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("arn:aws:ssm:us-east-1:111111111111:parameter/app/db/url")})
	mustFailSSM(t, err, "ParameterNotFound", "")

	// A top-level name is one parameter with or without its slash.
	ssmPut(t, c, &ssm.PutParameterInput{Name: aws.String("plain"), Value: aws.String("v1"), Type: stypes.ParameterTypeStringList})
	if p := ssmGet(t, c, "/plain", false); aws.ToString(p.Value) != "v1" || aws.ToString(p.Name) != "/plain" || aws.ToString(p.ARN) != "arn:aws:ssm:us-east-1:000000000000:parameter/plain" || p.Type != stypes.ParameterTypeStringList {
		t.Fatalf("get /plain: got %+v", p)
	}
	_, err = c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/plain"), Value: aws.String("v2"), Type: stypes.ParameterTypeString})
	mustFailSSM(t, err, "ParameterAlreadyExists", "")

	// Creating needs a type; an unknown type, data type or tier is refused.
	_, err = c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("untyped"), Value: aws.String("v")})
	mustFailSSM(t, err, "ValidationException", "A parameter type is required when you create a parameter.")
	_, err = c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("badtype"), Value: aws.String("v"), Type: "str"})
	mustFailSSM(t, err, "ValidationException", "1 validation error detected: Value 'str' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [SecureString, StringList, String]")
	_, err = c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("baddt"), Value: aws.String("v"), Type: stypes.ParameterTypeString, DataType: aws.String("Text")})
	mustFailSSM(t, err, "ValidationException", "The following data type is not supported: Text (Data type names are all lowercase.)")
	_, err = c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("badtier"), Value: aws.String("v"), Type: stypes.ParameterTypeString, Tier: "Basic"})
	mustFailSSM(t, err, "ValidationException", "1 validation error detected: Value 'Basic' at 'tier' failed to satisfy constraint: Member must satisfy enum value set: [Standard, Advanced, Intelligent-Tiering]")
	_, err = c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("empty"), Value: aws.String(""), Type: stypes.ParameterTypeString})
	mustFailSSM(t, err, "ValidationException", "1 validation error detected: Value '' at 'value' failed to satisfy constraint: Member must have length greater than or equal to 1")
	_, err = c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("keyed"), Value: aws.String("v"), Type: stypes.ParameterTypeString, KeyId: aws.String("alias/mine")})
	mustFailSSM(t, err, "ValidationException", "KeyId is required for SecureString type parameter only.")
	_, err = c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("plain"), Value: aws.String("v"), Overwrite: aws.Bool(true), Tags: []stypes.Tag{{Key: aws.String("a"), Value: aws.String("b")}}})
	mustFailSSM(t, err, "ValidationException", "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.")

	// aws:ec2:image is accepted, and kept as the data type.
	ssmPut(t, c, &ssm.PutParameterInput{Name: aws.String("/ami/latest"), Value: aws.String("ami-0123456789abcdef0"), Type: stypes.ParameterTypeString, DataType: aws.String("aws:ec2:image")})
	if p := ssmGet(t, c, "/ami/latest", false); aws.ToString(p.DataType) != "aws:ec2:image" {
		t.Fatalf("data type: got %+v", p)
	}
}

func TestSSMAllowedPatternAndTiers(t *testing.T) {
	m := MustStartMain(t, Config{})
	c := MustSSM(t, m)
	ctx := context.Background()

	ssmPut(t, c, &ssm.PutParameterInput{Name: aws.String("/limits/max"), Value: aws.String("42"), Type: stypes.ParameterTypeString, AllowedPattern: aws.String(`\d{1,4}`)})
	// The pattern must match the whole value, and carries over.
	_, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/limits/max"), Value: aws.String("10,000"), Overwrite: aws.Bool(true)})
	mustFailSSM(t, err, "ParameterPatternMismatchException", `Parameter value, cannot be validated against allowedPattern: \d{1,4}`)
	_, err = c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/limits/max"), Value: aws.String("12345"), Overwrite: aws.Bool(true)})
	mustFailSSM(t, err, "ParameterPatternMismatchException", "")
	ssmPut(t, c, &ssm.PutParameterInput{Name: aws.String("/limits/max"), Value: aws.String("9999"), Overwrite: aws.Bool(true)})
	// A new pattern replaces it.
	ssmPut(t, c, &ssm.PutParameterInput{Name: aws.String("/limits/max"), Value: aws.String("lots"), Overwrite: aws.Bool(true), AllowedPattern: aws.String("[a-z]+")})
	_, err = c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/limits/bad"), Value: aws.String("x"), Type: stypes.ParameterTypeString, AllowedPattern: aws.String("(")})
	mustFailSSM(t, err, "InvalidAllowedPatternException", "")

	// Standard holds 4 KB, Advanced 8 KB; Intelligent-Tiering picks.
	big := strings.Repeat("x", 4097)
	_, err = c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/big/std"), Value: aws.String(big), Type: stypes.ParameterTypeString})
	mustFailSSM(t, err, "ValidationException", "Standard tier parameters support a maximum parameter value of 4096 characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier. For more information, see https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html")
	if out := ssmPut(t, c, &ssm.PutParameterInput{Name: aws.String("/big/std"), Value: aws.String(strings.Repeat("x", 4096)), Type: stypes.ParameterTypeString}); out.Tier != stypes.ParameterTierStandard {
		t.Fatalf("4096 bytes: got tier %s", out.Tier)
	}
	if out := ssmPut(t, c, &ssm.PutParameterInput{Name: aws.String("/big/adv"), Value: aws.String(big), Type: stypes.ParameterTypeString, Tier: stypes.ParameterTierAdvanced}); out.Tier != stypes.ParameterTierAdvanced {
		t.Fatalf("advanced: got tier %s", out.Tier)
	}
	_, err = c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/big/huge"), Value: aws.String(strings.Repeat("x", 8193)), Type: stypes.ParameterTypeString, Tier: stypes.ParameterTierAdvanced})
	mustFailSSM(t, err, "ValidationException", "")
	if out := ssmPut(t, c, &ssm.PutParameterInput{Name: aws.String("/big/it"), Value: aws.String("small"), Type: stypes.ParameterTypeString, Tier: stypes.ParameterTierIntelligentTiering}); out.Tier != stypes.ParameterTierStandard {
		t.Fatalf("intelligent, small: got tier %s", out.Tier)
	}
	if out := ssmPut(t, c, &ssm.PutParameterInput{Name: aws.String("/big/it"), Value: aws.String(big), Overwrite: aws.Bool(true), Tier: stypes.ParameterTierIntelligentTiering}); out.Tier != stypes.ParameterTierAdvanced {
		t.Fatalf("intelligent, big: got tier %s", out.Tier)
	}
	// An advanced parameter stays advanced, and cannot be made standard.
	if out := ssmPut(t, c, &ssm.PutParameterInput{Name: aws.String("/big/it"), Value: aws.String("small again"), Overwrite: aws.Bool(true)}); out.Tier != stypes.ParameterTierAdvanced {
		t.Fatalf("overwrite of advanced: got tier %s", out.Tier)
	}
	_, err = c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/big/it"), Value: aws.String("s"), Overwrite: aws.Bool(true), Tier: stypes.ParameterTierStandard})
	mustFailSSM(t, err, "ValidationException", "This parameter uses the advanced-parameter tier. You can't downgrade a parameter from the advanced-parameter tier to the standard-parameter tier. If necessary, you can delete the advanced parameter and recreate it as a standard parameter.")
}

func TestSSMSecureString(t *testing.T) {
	m := MustStartMain(t, Config{})
	c := MustSSM(t, m)
	ctx := context.Background()
	const secret = "hunter2-correct-horse"

	ssmPut(t, c, &ssm.PutParameterInput{Name: aws.String("/app/password"), Value: aws.String(secret), Type: stypes.ParameterTypeSecureString})
	p := ssmGet(t, c, "/app/password", false)
	sealed := aws.ToString(p.Value)
	if sealed == secret || strings.Contains(sealed, secret) || p.Type != stypes.ParameterTypeSecureString {
		t.Fatalf("without decryption: got %+v", p)
	}
	if _, err := base64.StdEncoding.DecodeString(sealed); err != nil {
		t.Fatalf("without decryption the value is not base64: %q", sealed)
	}
	if p := ssmGet(t, c, "/app/password", true); aws.ToString(p.Value) != secret {
		t.Fatalf("with decryption: got %q", aws.ToString(p.Value))
	}
	// The default key, and one given.
	d, err := c.DescribeParameters(ctx, &ssm.DescribeParametersInput{})
	if err != nil || len(d.Parameters) != 1 || aws.ToString(d.Parameters[0].KeyId) != "alias/aws/ssm" {
		t.Fatalf("describe: %+v %v", d, err)
	}
	ssmPut(t, c, &ssm.PutParameterInput{Name: aws.String("/app/password"), Value: aws.String(secret + "-2"), Overwrite: aws.Bool(true), KeyId: aws.String("alias/custom")})
	ssmPut(t, c, &ssm.PutParameterInput{Name: aws.String("/app/plain"), Value: aws.String("not secret"), Type: stypes.ParameterTypeString})
	d, err = c.DescribeParameters(ctx, &ssm.DescribeParametersInput{ParameterFilters: []stypes.ParameterStringFilter{{Key: aws.String("KeyId"), Values: []string{"alias/custom"}}}})
	if err != nil || len(d.Parameters) != 1 || aws.ToString(d.Parameters[0].Name) != "/app/password" {
		t.Fatalf("describe by key: %+v %v", d, err)
	}
	// GetParameters and GetParametersByPath and the history decrypt too.
	gs, err := c.GetParameters(ctx, &ssm.GetParametersInput{Names: []string{"/app/password", "/app/plain"}, WithDecryption: aws.Bool(true)})
	if err != nil || len(gs.Parameters) != 2 {
		t.Fatalf("get parameters: %+v %v", gs, err)
	}
	for _, p := range gs.Parameters {
		if want := map[string]string{"/app/password": secret + "-2", "/app/plain": "not secret"}[aws.ToString(p.Name)]; aws.ToString(p.Value) != want {
			t.Fatalf("get parameters %s: got %q want %q", aws.ToString(p.Name), aws.ToString(p.Value), want)
		}
	}
	bp, err := c.GetParametersByPath(ctx, &ssm.GetParametersByPathInput{Path: aws.String("/app"), WithDecryption: aws.Bool(false)})
	if err != nil || len(bp.Parameters) != 2 {
		t.Fatalf("by path: %+v %v", bp, err)
	}
	for _, p := range bp.Parameters {
		if aws.ToString(p.Name) == "/app/password" && strings.Contains(aws.ToString(p.Value), secret) {
			t.Fatalf("by path without decryption shows the secret")
		}
	}
	h, err := c.GetParameterHistory(ctx, &ssm.GetParameterHistoryInput{Name: aws.String("/app/password"), WithDecryption: aws.Bool(true)})
	if err != nil || len(h.Parameters) != 2 || aws.ToString(h.Parameters[0].Value) != secret || aws.ToString(h.Parameters[1].Value) != secret+"-2" ||
		aws.ToString(h.Parameters[0].KeyId) != "alias/aws/ssm" || aws.ToString(h.Parameters[1].KeyId) != "alias/custom" {
		t.Fatalf("history: %+v %v", h, err)
	}
	h, err = c.GetParameterHistory(ctx, &ssm.GetParameterHistoryInput{Name: aws.String("/app/password")})
	if err != nil || strings.Contains(aws.ToString(h.Parameters[0].Value), secret) {
		t.Fatalf("history without decryption: %+v %v", h, err)
	}
	// Changing the type keeps working: a SecureString made a String.
	ssmPut(t, c, &ssm.PutParameterInput{Name: aws.String("/app/password"), Value: aws.String("public now"), Overwrite: aws.Bool(true), Type: stypes.ParameterTypeString})
	if p := ssmGet(t, c, "/app/password", false); aws.ToString(p.Value) != "public now" || p.Type != stypes.ParameterTypeString {
		t.Fatalf("type change: got %+v", p)
	}
	if p := ssmGet(t, c, "/app/password:2", true); aws.ToString(p.Value) != secret+"-2" {
		t.Fatalf("version 2 after the type change: got %+v", p)
	}
}

// TestSSMSecureStringNotOnDisk checks that a SecureString's plaintext is in
// no file of the data directory, and that the key file is private.
func TestSSMSecureStringNotOnDisk(t *testing.T) {
	dir := t.TempDir()
	m := MustStartMain(t, Config{DataDir: dir, SyncAlways: true})
	c := MustSSM(t, m)
	const secret = "zebra-plaintext-7f3a9c1e"
	ssmPut(t, c, &ssm.PutParameterInput{Name: aws.String("/s/one"), Value: aws.String(secret), Type: stypes.ParameterTypeSecureString})
	for i := range 5 {
		ssmPut(t, c, &ssm.PutParameterInput{Name: aws.String("/s/one"), Value: aws.String(fmt.Sprintf("%s-%d", secret, i)), Overwrite: aws.Bool(true)})
	}
	ssmPut(t, c, &ssm.PutParameterInput{Name: aws.String("/s/control"), Value: aws.String("visible-control-value"), Type: stypes.ParameterTypeString})
	if err := m.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	err := filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, s := range []string{"zebra-plaintext", "visible-control-value"} {
			if strings.Contains(string(data), s) {
				found[s] = true
				if s == "zebra-plaintext" {
					t.Errorf("the plaintext of a SecureString is in %s", path)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !found["visible-control-value"] {
		t.Fatal("the String value is in no file either: the walk looked in the wrong place")
	}
	info, err := os.Stat(filepath.Join(dir, "params.key"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", info, err)
	}
	// The data comes back with the key, after a restart.
	m2 := MustStartMain(t, Config{DataDir: dir})
	if p := ssmGet(t, MustSSM(t, m2), "/s/one", true); aws.ToString(p.Value) != secret+"-4" {
		t.Fatalf("after restart: got %q", aws.ToString(p.Value))
	}
}

func TestSSMNames(t *testing.T) {
	m := MustStartMain(t, Config{})
	c := MustSSM(t, m)
	ctx := context.Background()
	const invalid = `Parameter name: can't be prefixed with "ssm" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_`
	const prefix = `Parameter name: can't be prefixed with "aws" or "ssm" (case-insensitive).`
	deep := "/" + strings.Repeat("l/", 15) + "p"
	for _, tc := range []struct{ name, code, msg string }{
		{"ssm_test", "ValidationException", prefix},
		{"SSM_TEST", "ValidationException", prefix},
		{"aws_test", "ValidationException", prefix},
		{"AWSTest", "ValidationException", prefix},
		{"/ssm_test/path/to/var", "ValidationException", invalid},
		{"/SSM/PATH/TO/VAR", "ValidationException", invalid},
		{"/aws/path/to/var", "AccessDeniedException", "No access to reserved parameter name: /aws/path/to/var."},
		{"/AWS/PATH/TO/VAR", "AccessDeniedException", "No access to reserved parameter name: /AWS/PATH/TO/VAR."},
		{"my param", "ValidationException", invalid},
		{"/app/user@example.com", "ValidationException", invalid},
		{"{test}-test", "ValidationException", invalid},
		{"a/b", "ValidationException", "Parameter name must be a fully qualified name."},
		{"/a/b/", "ValidationException", "Parameter name must be a fully qualified name."},
		{"/a//b", "ValidationException", invalid},
		{"/", "ValidationException", invalid},
		{deep, "HierarchyLevelLimitExceededException", "A hierarchy can have a maximum of 15 levels."},
		{"/" + strings.Repeat("n", 1000), "ValidationException", ""},
	} {
		_, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String(tc.name), Value: aws.String("v"), Type: stypes.ParameterTypeString})
		mustFailSSM(t, err, tc.code, tc.msg)
	}
	for _, ok := range []string{"/" + strings.Repeat("l/", 14) + "p", "Under_score.dot-dash", "/a/b.c/d-e/F_9", "/" + strings.Repeat("n", 900), " spaced "} {
		ssmPut(t, c, &ssm.PutParameterInput{Name: aws.String(ok), Value: aws.String("v"), Type: stypes.ParameterTypeString})
	}
	if p := ssmGet(t, c, "spaced", false); aws.ToString(p.Name) != "spaced" {
		t.Fatalf("trimmed name: got %+v", p)
	}
	// Reads check the form too.
	_, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("{test}-test")})
	mustFailSSM(t, err, "ValidationException", invalid)
	_, err = c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/aws/service/nothing")})
	mustFailSSM(t, err, "ParameterNotFound", "")
}

func TestSSMGetParametersAndDelete(t *testing.T) {
	m := MustStartMain(t, Config{})
	c := MustSSM(t, m)
	ctx := context.Background()
	for i := range 4 {
		ssmPut(t, c, &ssm.PutParameterInput{Name: aws.String(fmt.Sprintf("p%d", i)), Value: aws.String(fmt.Sprintf("v%d", i)), Type: stypes.ParameterTypeString})
	}
	ssmPut(t, c, &ssm.PutParameterInput{Name: aws.String("p0"), Value: aws.String("v0-2"), Overwrite: aws.Bool(true)})
	out, err := c.GetParameters(ctx, &ssm.GetParametersInput{Names: []string{"p0", "p1", "p1", "missing", "p0:1", "p0:7", "p0:nolabel", "/p2"}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, p := range out.Parameters {
		got[aws.ToString(p.Name)+aws.ToString(p.Selector)] = aws.ToString(p.Value)
	}
	want := map[string]string{"p0": "v0-2", "p1": "v1", "p0:1": "v0", "/p2": "v2"}
	if fmt.Sprint(got) != fmt.Sprint(want) || !slices.Equal(out.InvalidParameters, []string{"missing", "p0:7", "p0:nolabel"}) {
		t.Fatalf("get parameters: got %v invalid %v", got, out.InvalidParameters)
	}
	many := make([]string, 11)
	for i := range many {
		many[i] = fmt.Sprintf("n%d", i)
	}
	_, err = c.GetParameters(ctx, &ssm.GetParametersInput{Names: many})
	mustFailSSM(t, err, "ValidationException", "1 validation error detected: Value '[n0, n1, n2, n3, n4, n5, n6, n7, n8, n9, n10]' at 'names' failed to satisfy constraint: Member must have length less than or equal to 10")

	if _, err := c.DeleteParameter(ctx, &ssm.DeleteParameterInput{Name: aws.String("p3")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteParameter(ctx, &ssm.DeleteParameterInput{Name: aws.String("p3")})
	mustFailSSM(t, err, "ParameterNotFound", "Parameter p3 not found.")
	_, err = c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("p3")})
	mustFailSSM(t, err, "ParameterNotFound", "")
	dp, err := c.DeleteParameters(ctx, &ssm.DeleteParametersInput{Names: []string{"p1", "nope", "/p2", "bad name"}})
	if err != nil || !slices.Equal(dp.DeletedParameters, []string{"p1", "/p2"}) || !slices.Equal(dp.InvalidParameters, []string{"nope", "bad name"}) {
		t.Fatalf("delete parameters: %+v %v", dp, err)
	}
	// A parameter created again starts over at version 1, without the old
	// versions, labels or tags.
	ssmPut(t, c, &ssm.PutParameterInput{Name: aws.String("again"), Value: aws.String("a1"), Type: stypes.ParameterTypeString, Tags: []stypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	ssmPut(t, c, &ssm.PutParameterInput{Name: aws.String("again"), Value: aws.String("a2"), Overwrite: aws.Bool(true)})
	if _, err := c.LabelParameterVersion(ctx, &ssm.LabelParameterVersionInput{Name: aws.String("again"), Labels: []string{"prod"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteParameter(ctx, &ssm.DeleteParameterInput{Name: aws.String("again")}); err != nil {
		t.Fatal(err)
	}
	if out := ssmPut(t, c, &ssm.PutParameterInput{Name: aws.String("again"), Value: aws.String("b1"), Type: stypes.ParameterTypeString}); out.Version != 1 {
		t.Fatalf("created again: version %d", out.Version)
	}
	h, err := c.GetParameterHistory(ctx, &ssm.GetParameterHistoryInput{Name: aws.String("again")})
	if err != nil || len(h.Parameters) != 1 || aws.ToString(h.Parameters[0].Value) != "b1" || len(h.Parameters[0].Labels) != 0 {
		t.Fatalf("history after re-create: %+v %v", h, err)
	}
	tags, err := c.ListTagsForResource(ctx, &ssm.ListTagsForResourceInput{ResourceType: stypes.ResourceTypeForTaggingParameter, ResourceId: aws.String("again")})
	if err != nil || len(tags.TagList) != 0 {
		t.Fatalf("tags after re-create: %+v %v", tags, err)
	}
	_, err = c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("again:prod")})
	mustFailSSM(t, err, "ParameterNotFound", "")
}

func TestSSMByPathAndDescribe(t *testing.T) {
	m := MustStartMain(t, Config{})
	c := MustSSM(t, m)
	ctx := context.Background()
	put := func(name, value string, typ stypes.ParameterType, extra func(*ssm.PutParameterInput)) {
		in := &ssm.PutParameterInput{Name: aws.String(name), Value: aws.String(value), Type: typ}
		if extra != nil {
			extra(in)
		}
		ssmPut(t, c, in)
	}
	put("/foo/name1", "value1", stypes.ParameterTypeString, nil)
	put("/foo/name2", "value2", stypes.ParameterTypeString, nil)
	put("/bar/name3", "value3", stypes.ParameterTypeString, nil)
	put("/bar/name3/name4", "value4", stypes.ParameterTypeString, nil)
	put("/baz/name1", "value1,value2", stypes.ParameterTypeStringList, func(in *ssm.PutParameterInput) { in.Description = aws.String("a list") })
	put("/baz/name2", "value1", stypes.ParameterTypeString, func(in *ssm.PutParameterInput) { in.Tier = stypes.ParameterTierAdvanced })
	put("/baz/pwd", "my_secret", stypes.ParameterTypeSecureString, nil)
	put("foo", "bar", stypes.ParameterTypeString, func(in *ssm.PutParameterInput) {
		in.Tags = []stypes.Tag{{Key: aws.String("team"), Value: aws.String("core")}}
	})
	put("baz", "qux", stypes.ParameterTypeString, nil)

	byPath := func(in *ssm.GetParametersByPathInput) []string {
		t.Helper()
		out, err := c.GetParametersByPath(ctx, in)
		if err != nil {
			t.Fatalf("by path %s: %v", aws.ToString(in.Path), err)
		}
		return ssmNames(out.Parameters)
	}
	for _, tc := range []struct {
		in   *ssm.GetParametersByPathInput
		want []string
	}{
		{&ssm.GetParametersByPathInput{Path: aws.String("/")}, []string{"baz", "foo"}},
		{&ssm.GetParametersByPathInput{Path: aws.String("/"), Recursive: aws.Bool(true)}, []string{"/bar/name3", "/bar/name3/name4", "/baz/name1", "/baz/name2", "/baz/pwd", "/foo/name1", "/foo/name2", "baz", "foo"}},
		{&ssm.GetParametersByPathInput{Path: aws.String("/foo")}, []string{"/foo/name1", "/foo/name2"}},
		{&ssm.GetParametersByPathInput{Path: aws.String("/foo/")}, []string{"/foo/name1", "/foo/name2"}},
		{&ssm.GetParametersByPathInput{Path: aws.String("/bar")}, []string{"/bar/name3"}},
		{&ssm.GetParametersByPathInput{Path: aws.String("/bar"), Recursive: aws.Bool(true)}, []string{"/bar/name3", "/bar/name3/name4"}},
		{&ssm.GetParametersByPathInput{Path: aws.String("/fo")}, nil},
		{&ssm.GetParametersByPathInput{Path: aws.String("/baz"), ParameterFilters: []stypes.ParameterStringFilter{{Key: aws.String("Type"), Values: []string{"StringList"}}}}, []string{"/baz/name1"}},
		{&ssm.GetParametersByPathInput{Path: aws.String("/baz"), ParameterFilters: []stypes.ParameterStringFilter{{Key: aws.String("Type"), Option: aws.String("BeginsWith"), Values: []string{"String"}}}}, []string{"/baz/name1", "/baz/name2"}},
		{&ssm.GetParametersByPathInput{Path: aws.String("/baz"), ParameterFilters: []stypes.ParameterStringFilter{{Key: aws.String("KeyId"), Values: []string{"alias/aws/ssm"}}}}, []string{"/baz/pwd"}},
	} {
		if got := byPath(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("by path %s recursive=%v filters=%v: got %v want %v", aws.ToString(tc.in.Path), aws.ToBool(tc.in.Recursive), tc.in.ParameterFilters, got, tc.want)
		}
	}
	// Paging: every parameter once.
	var all []string
	var token *string
	pages := 0
	for {
		out, err := c.GetParametersByPath(ctx, &ssm.GetParametersByPathInput{Path: aws.String("/"), Recursive: aws.Bool(true), MaxResults: aws.Int32(4), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if len(out.Parameters) > 4 {
			t.Fatalf("page of %d", len(out.Parameters))
		}
		all = append(all, ssmNames(out.Parameters)...)
		if token = out.NextToken; token == nil {
			break
		}
	}
	sort.Strings(all)
	if pages != 3 || len(all) != 9 || len(slices.Compact(all)) != 9 {
		t.Fatalf("paging: %d pages, %v", pages, all)
	}
	_, err := c.GetParametersByPath(ctx, &ssm.GetParametersByPathInput{Path: aws.String("/"), MaxResults: aws.Int32(11)})
	mustFailSSM(t, err, "ValidationException", "1 validation error detected: Value '11' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 10")
	_, err = c.GetParametersByPath(ctx, &ssm.GetParametersByPathInput{Path: aws.String("/"), NextToken: aws.String("bogus")})
	mustFailSSM(t, err, "InvalidNextToken", "The specified token isn't valid.")
	_, err = c.GetParametersByPath(ctx, &ssm.GetParametersByPathInput{Path: aws.String("foo")})
	mustFailSSM(t, err, "ValidationException", "")
	_, err = c.GetParametersByPath(ctx, &ssm.GetParametersByPathInput{Path: aws.String("/baz"), ParameterFilters: []stypes.ParameterStringFilter{{Key: aws.String("Name"), Values: []string{"x"}}}})
	mustFailSSM(t, err, "InvalidFilterKey", "") // a shape without members: the SDK drops the message
	_, err = c.GetParametersByPath(ctx, &ssm.GetParametersByPathInput{Path: aws.String("/baz"), ParameterFilters: []stypes.ParameterStringFilter{{Key: aws.String("Label"), Option: aws.String("BeginsWith"), Values: []string{"x"}}}})
	mustFailSSM(t, err, "InvalidFilterOption", "")

	describe := func(in *ssm.DescribeParametersInput) []string {
		t.Helper()
		out, err := c.DescribeParameters(ctx, in)
		if err != nil {
			t.Fatalf("describe %+v: %v", in, err)
		}
		return ssmMetaNames(out.Parameters)
	}
	f := func(key, option string, values ...string) []stypes.ParameterStringFilter {
		sf := stypes.ParameterStringFilter{Key: aws.String(key), Values: values}
		if option != "" {
			sf.Option = aws.String(option)
		}
		return []stypes.ParameterStringFilter{sf}
	}
	for _, tc := range []struct {
		in   *ssm.DescribeParametersInput
		want []string
	}{
		{&ssm.DescribeParametersInput{ParameterFilters: f("Name", "", "foo")}, []string{"foo"}},
		{&ssm.DescribeParametersInput{ParameterFilters: f("Name", "", "/foo")}, []string{"foo"}},
		{&ssm.DescribeParametersInput{ParameterFilters: f("Name", "BeginsWith", "/foo")}, []string{"/foo/name1", "/foo/name2", "foo"}},
		{&ssm.DescribeParametersInput{ParameterFilters: f("Name", "Contains", "name3")}, []string{"/bar/name3", "/bar/name3/name4"}},
		{&ssm.DescribeParametersInput{ParameterFilters: f("Type", "", "SecureString")}, []string{"/baz/pwd"}},
		{&ssm.DescribeParametersInput{ParameterFilters: f("Tier", "", "Advanced")}, []string{"/baz/name2"}},
		{&ssm.DescribeParametersInput{ParameterFilters: f("DataType", "", "text")}, []string{"/bar/name3", "/bar/name3/name4", "/baz/name1", "/baz/name2", "/baz/pwd", "/foo/name1", "/foo/name2", "baz", "foo"}},
		{&ssm.DescribeParametersInput{ParameterFilters: f("Path", "", "/")}, []string{"baz", "foo"}},
		{&ssm.DescribeParametersInput{ParameterFilters: f("Path", "OneLevel", "/bar/name3")}, []string{"/bar/name3/name4"}},
		{&ssm.DescribeParametersInput{ParameterFilters: f("Path", "Recursive", "/bar", "/foo")}, []string{"/bar/name3", "/bar/name3/name4", "/foo/name1", "/foo/name2"}},
		{&ssm.DescribeParametersInput{ParameterFilters: f("Path", "Recursive", "/fo")}, nil},
		{&ssm.DescribeParametersInput{ParameterFilters: f("tag:team", "", "core")}, []string{"foo"}},
		{&ssm.DescribeParametersInput{ParameterFilters: f("tag:team", "")}, []string{"foo"}},
		{&ssm.DescribeParametersInput{ParameterFilters: f("tag:team", "BeginsWith", "co")}, []string{"foo"}},
		{&ssm.DescribeParametersInput{Filters: []stypes.ParametersFilter{{Key: stypes.ParametersFilterKeyName, Values: []string{"/baz/"}}}}, []string{"/baz/name1", "/baz/name2", "/baz/pwd"}},
		{&ssm.DescribeParametersInput{Filters: []stypes.ParametersFilter{{Key: stypes.ParametersFilterKeyType, Values: []string{"StringList"}}}}, []string{"/baz/name1"}},
		{&ssm.DescribeParametersInput{Filters: []stypes.ParametersFilter{{Key: stypes.ParametersFilterKeyKeyId, Values: []string{"alias/aws/ssm"}}}}, []string{"/baz/pwd"}},
	} {
		if got := describe(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("describe %v %v: got %v want %v", tc.in.ParameterFilters, tc.in.Filters, got, tc.want)
		}
	}
	// Metadata without values, with the description.
	out, err := c.DescribeParameters(ctx, &ssm.DescribeParametersInput{ParameterFilters: f("Name", "", "/baz/name1")})
	if err != nil || len(out.Parameters) != 1 || aws.ToString(out.Parameters[0].Description) != "a list" || out.Parameters[0].Type != stypes.ParameterTypeStringList ||
		aws.ToString(out.Parameters[0].ARN) != "arn:aws:ssm:us-east-1:000000000000:parameter/baz/name1" {
		t.Fatalf("describe metadata: %+v %v", out, err)
	}
	// Paging, 10 at a time by default, MaxResults up to 50.
	for i := range 23 {
		put(fmt.Sprintf("/many/p%02d", i), "v", stypes.ParameterTypeString, nil)
	}
	count, pages := 0, 0
	token = nil
	for {
		out, err := c.DescribeParameters(ctx, &ssm.DescribeParametersInput{ParameterFilters: f("Path", "", "/many"), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		count += len(out.Parameters)
		pages++
		if token = out.NextToken; token == nil {
			break
		}
	}
	if count != 23 || pages != 3 {
		t.Fatalf("describe paging: %d parameters in %d pages", count, pages)
	}
	p := ssm.NewDescribeParametersPaginator(c, &ssm.DescribeParametersInput{MaxResults: aws.Int32(50)})
	count = 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		count += len(page.Parameters)
	}
	if count != 32 {
		t.Fatalf("describe paginator: %d parameters", count)
	}

	for _, tc := range []struct {
		in        *ssm.DescribeParametersInput
		code, msg string
	}{
		{&ssm.DescribeParametersInput{Filters: []stypes.ParametersFilter{{Key: "Name", Values: []string{"a"}}}, ParameterFilters: f("Name", "", "a")}, "ValidationException", "You can use either Filters or ParameterFilters in a single request."},
		{&ssm.DescribeParametersInput{ParameterFilters: f("Label", "", "a")}, "InvalidFilterKey", ""},
		{&ssm.DescribeParametersInput{ParameterFilters: f("key", "", "a")}, "ValidationException", "1 validation error detected: Value 'key' at 'parameterFilters.1.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: tag:.+|Name|Type|KeyId|Path|Label|Tier|DataType"},
		{&ssm.DescribeParametersInput{ParameterFilters: f("Name", "")}, "InvalidFilterValue", "The following filter values are missing : null for filter key Name."},
		{&ssm.DescribeParametersInput{ParameterFilters: append(f("Name", "", "a"), f("Name", "", "b")...)}, "InvalidFilterKey", ""},
		{&ssm.DescribeParametersInput{ParameterFilters: f("Path", "Equals", "/a")}, "InvalidFilterOption", "The following filter option is not valid: Equals. Valid options include: [Recursive, OneLevel]."},
		{&ssm.DescribeParametersInput{ParameterFilters: f("Path", "", "/aws")}, "ValidationException", `Filters for common parameters can't be prefixed with "aws" or "ssm" (case-insensitive). When using global parameters, please specify within a global namespace.`},
		{&ssm.DescribeParametersInput{ParameterFilters: f("Path", "", "//")}, "ValidationException", ""},
		{&ssm.DescribeParametersInput{ParameterFilters: f("Tier", "", "Basic")}, "InvalidFilterValue", "The following filter value is not valid: Basic. Valid values include: [Standard, Advanced, Intelligent-Tiering]."},
		{&ssm.DescribeParametersInput{ParameterFilters: f("Type", "", "str")}, "InvalidFilterValue", "The following filter value is not valid: str. Valid values include: [String, StringList, SecureString]."},
		{&ssm.DescribeParametersInput{ParameterFilters: f("Type", "Contains", "String")}, "InvalidFilterOption", "The following filter option is not valid: Contains. Valid options include: [BeginsWith, Equals]."},
		{&ssm.DescribeParametersInput{MaxResults: aws.Int32(51)}, "ValidationException", "1 validation error detected: Value '51' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 50"},
		{&ssm.DescribeParametersInput{NextToken: aws.String("bogus")}, "InvalidNextToken", "The specified token isn't valid."},
	} {
		_, err := c.DescribeParameters(ctx, tc.in)
		mustFailSSM(t, err, tc.code, tc.msg)
	}
}

func TestSSMHistoryAndLabels(t *testing.T) {
	m := MustStartMain(t, Config{})
	c := MustSSM(t, m)
	ctx := context.Background()
	for i := range 3 {
		ssmPut(t, c, &ssm.PutParameterInput{Name: aws.String("test"), Description: aws.String(fmt.Sprintf("version %d", i)), Value: aws.String(fmt.Sprintf("value-%d", i)), Type: stypes.ParameterTypeString, Overwrite: aws.Bool(true)})
	}
	lo, err := c.LabelParameterVersion(ctx, &ssm.LabelParameterVersionInput{Name: aws.String("test"), ParameterVersion: aws.Int64(1), Labels: []string{"l1", "l2", "l3"}})
	if err != nil || lo.ParameterVersion != 1 || len(lo.InvalidLabels) != 0 {
		t.Fatalf("label: %+v %v", lo, err)
	}
	// Moving labels to version 2; the latest by default.
	if _, err := c.LabelParameterVersion(ctx, &ssm.LabelParameterVersionInput{Name: aws.String("test"), ParameterVersion: aws.Int64(2), Labels: []string{"l2", "l3"}}); err != nil {
		t.Fatal(err)
	}
	lo, err = c.LabelParameterVersion(ctx, &ssm.LabelParameterVersionInput{Name: aws.String("test"), Labels: []string{"latest", "awsabc", "SSMx", "9abc", "abc/123", "ok.label_1-x"}})
	if err != nil || lo.ParameterVersion != 3 || !slices.Equal(lo.InvalidLabels, []string{"awsabc", "SSMx", "9abc", "abc/123"}) {
		t.Fatalf("label latest: %+v %v", lo, err)
	}
	h, err := c.GetParameterHistory(ctx, &ssm.GetParameterHistoryInput{Name: aws.String("test")})
	if err != nil || len(h.Parameters) != 3 {
		t.Fatalf("history: %+v %v", h, err)
	}
	wantLabels := [][]string{{"l1"}, {"l2", "l3"}, {"latest", "ok.label_1-x"}}
	for i, p := range h.Parameters {
		if p.Version != int64(i+1) || aws.ToString(p.Value) != fmt.Sprintf("value-%d", i) || aws.ToString(p.Description) != fmt.Sprintf("version %d", i) ||
			!slices.Equal(p.Labels, wantLabels[i]) || aws.ToString(p.LastModifiedUser) != "arn:aws:iam::000000000000:root" || p.Tier != stypes.ParameterTierStandard {
			t.Fatalf("history %d: got %+v", i, p)
		}
	}
	if p := ssmGet(t, c, "test:l2", false); p.Version != 2 || aws.ToString(p.Value) != "value-1" || aws.ToString(p.Selector) != ":l2" {
		t.Fatalf("get by label: %+v", p)
	}
	_, err = c.LabelParameterVersion(ctx, &ssm.LabelParameterVersionInput{Name: aws.String("test"), ParameterVersion: aws.Int64(5), Labels: []string{"x"}})
	mustFailSSM(t, err, "ParameterVersionNotFound", "Systems Manager could not find version 5 of test. Verify the version and try again.")
	_, err = c.LabelParameterVersion(ctx, &ssm.LabelParameterVersionInput{Name: aws.String("nope"), Labels: []string{"x"}})
	mustFailSSM(t, err, "ParameterNotFound", "Parameter nope not found.")
	_, err = c.LabelParameterVersion(ctx, &ssm.LabelParameterVersionInput{Name: aws.String("test"), Labels: []string{strings.Repeat("a", 101)}})
	mustFailSSM(t, err, "ValidationException", "")
	// Ten labels a version at most.
	var ten []string
	for i := range 9 {
		ten = append(ten, fmt.Sprintf("t%d", i))
	}
	if _, err := c.LabelParameterVersion(ctx, &ssm.LabelParameterVersionInput{Name: aws.String("test"), ParameterVersion: aws.Int64(1), Labels: ten}); err != nil {
		t.Fatal(err)
	}
	_, err = c.LabelParameterVersion(ctx, &ssm.LabelParameterVersionInput{Name: aws.String("test"), ParameterVersion: aws.Int64(1), Labels: []string{"eleventh"}})
	mustFailSSM(t, err, "ParameterVersionLabelLimitExceeded", "")

	// Unlabel.
	uo, err := c.UnlabelParameterVersion(ctx, &ssm.UnlabelParameterVersionInput{Name: aws.String("test"), ParameterVersion: aws.Int64(2), Labels: []string{"l2", "l1", "zzz"}})
	if err != nil || !slices.Equal(uo.RemovedLabels, []string{"l2"}) || !slices.Equal(uo.InvalidLabels, []string{"l1", "zzz"}) {
		t.Fatalf("unlabel: %+v %v", uo, err)
	}
	_, err = c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("test:l2")})
	mustFailSSM(t, err, "ParameterNotFound", "")
	_, err = c.UnlabelParameterVersion(ctx, &ssm.UnlabelParameterVersionInput{Name: aws.String("test"), ParameterVersion: aws.Int64(9), Labels: []string{"l3"}})
	mustFailSSM(t, err, "ParameterVersionNotFound", "")

	// Label filter of GetParametersByPath: the labeled version.
	ssmPut(t, c, &ssm.PutParameterInput{Name: aws.String("/lab/a"), Value: aws.String("a1"), Type: stypes.ParameterTypeString})
	ssmPut(t, c, &ssm.PutParameterInput{Name: aws.String("/lab/a"), Value: aws.String("a2"), Overwrite: aws.Bool(true)})
	ssmPut(t, c, &ssm.PutParameterInput{Name: aws.String("/lab/b"), Value: aws.String("b1"), Type: stypes.ParameterTypeString})
	if _, err := c.LabelParameterVersion(ctx, &ssm.LabelParameterVersionInput{Name: aws.String("/lab/a"), ParameterVersion: aws.Int64(1), Labels: []string{"prod"}}); err != nil {
		t.Fatal(err)
	}
	bp, err := c.GetParametersByPath(ctx, &ssm.GetParametersByPathInput{Path: aws.String("/lab"), ParameterFilters: []stypes.ParameterStringFilter{{Key: aws.String("Label"), Values: []string{"prod"}}}})
	if err != nil || len(bp.Parameters) != 1 || aws.ToString(bp.Parameters[0].Value) != "a1" || bp.Parameters[0].Version != 1 {
		t.Fatalf("by path with label: %+v %v", bp, err)
	}

	// History paging.
	for i := range 7 {
		ssmPut(t, c, &ssm.PutParameterInput{Name: aws.String("paged"), Value: aws.String(fmt.Sprint(i)), Type: stypes.ParameterTypeString, Overwrite: aws.Bool(true)})
	}
	var versions []int64
	hp := ssm.NewGetParameterHistoryPaginator(c, &ssm.GetParameterHistoryInput{Name: aws.String("paged"), MaxResults: aws.Int32(3)})
	for hp.HasMorePages() {
		page, err := hp.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range page.Parameters {
			versions = append(versions, p.Version)
		}
	}
	if !slices.Equal(versions, []int64{1, 2, 3, 4, 5, 6, 7}) {
		t.Fatalf("history pages: %v", versions)
	}
	_, err = c.GetParameterHistory(ctx, &ssm.GetParameterHistoryInput{Name: aws.String("nope")})
	mustFailSSM(t, err, "ParameterNotFound", "Parameter nope not found.")
	_, err = c.GetParameterHistory(ctx, &ssm.GetParameterHistoryInput{Name: aws.String("paged"), MaxResults: aws.Int32(51)})
	mustFailSSM(t, err, "ValidationException", "1 validation error detected: Value '51' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 50")
	_, err = c.GetParameterHistory(ctx, &ssm.GetParameterHistoryInput{Name: aws.String("paged"), NextToken: aws.String("x")})
	mustFailSSM(t, err, "InvalidNextToken", "")
}

// TestSSMVersionLimit creates more than 100 versions: the oldest goes,
// unless it has a label.
func TestSSMVersionLimit(t *testing.T) {
	m := MustStartMain(t, Config{})
	c := MustSSM(t, m)
	ctx := context.Background()
	for i := 1; i <= 101; i++ {
		out := ssmPut(t, c, &ssm.PutParameterInput{Name: aws.String("v"), Value: aws.String(fmt.Sprintf("value-%d", i)), Type: stypes.ParameterTypeString, Overwrite: aws.Bool(true)})
		if out.Version != int64(i) {
			t.Fatalf("put %d: version %d", i, out.Version)
		}
	}
	var hist []stypes.ParameterHistory
	hp := ssm.NewGetParameterHistoryPaginator(c, &ssm.GetParameterHistoryInput{Name: aws.String("v")})
	for hp.HasMorePages() {
		page, err := hp.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		hist = append(hist, page.Parameters...)
	}
	if len(hist) != 100 || hist[0].Version != 2 || aws.ToString(hist[0].Value) != "value-2" || hist[99].Version != 101 {
		t.Fatalf("history: %d versions, from %d", len(hist), hist[0].Version)
	}
	_, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("v:1")})
	mustFailSSM(t, err, "ParameterVersionNotFound", "")
	if p := ssmGet(t, c, "v:2", false); aws.ToString(p.Value) != "value-2" {
		t.Fatalf("v:2: %+v", p)
	}
	if _, err := c.LabelParameterVersion(ctx, &ssm.LabelParameterVersionInput{Name: aws.String("v"), ParameterVersion: aws.Int64(2), Labels: []string{"keep"}}); err != nil {
		t.Fatal(err)
	}
	_, err = c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("v"), Value: aws.String("new"), Overwrite: aws.Bool(true)})
	mustFailSSM(t, err, "ParameterMaxVersionLimitExceeded", "You attempted to create a new version of v by calling the PutParameter API with the overwrite flag. Version 2, the oldest version, can't be deleted because it has a label associated with it. Move the label to another version of the parameter, and try again.")
	if _, err := c.LabelParameterVersion(ctx, &ssm.LabelParameterVersionInput{Name: aws.String("v"), ParameterVersion: aws.Int64(50), Labels: []string{"keep"}}); err != nil {
		t.Fatal(err)
	}
	if out := ssmPut(t, c, &ssm.PutParameterInput{Name: aws.String("v"), Value: aws.String("new"), Overwrite: aws.Bool(true)}); out.Version != 102 {
		t.Fatalf("after moving the label: version %d", out.Version)
	}
	if p := ssmGet(t, c, "v:keep", false); p.Version != 50 || aws.ToString(p.Value) != "value-50" {
		t.Fatalf("v:keep: %+v", p)
	}
}

func TestSSMTags(t *testing.T) {
	m := MustStartMain(t, Config{})
	c := MustSSM(t, m)
	ctx := context.Background()
	tag := func(k, v string) stypes.Tag { return stypes.Tag{Key: aws.String(k), Value: aws.String(v)} }
	list := func(id string) []string {
		t.Helper()
		out, err := c.ListTagsForResource(ctx, &ssm.ListTagsForResourceInput{ResourceType: stypes.ResourceTypeForTaggingParameter, ResourceId: aws.String(id)})
		if err != nil {
			t.Fatalf("list tags of %s: %v", id, err)
		}
		var kv []string
		for _, t := range out.TagList {
			kv = append(kv, aws.ToString(t.Key)+"="+aws.ToString(t.Value))
		}
		sort.Strings(kv)
		return kv
	}
	_, err := c.AddTagsToResource(ctx, &ssm.AddTagsToResourceInput{ResourceType: stypes.ResourceTypeForTaggingParameter, ResourceId: aws.String("/t/p"), Tags: []stypes.Tag{tag("a", "1")}})
	mustFailSSM(t, err, "InvalidResourceId", "")
	ssmPut(t, c, &ssm.PutParameterInput{Name: aws.String("/t/p"), Value: aws.String("v"), Type: stypes.ParameterTypeString, Tags: []stypes.Tag{tag("env", "dev")}})
	if got := list("/t/p"); !slices.Equal(got, []string{"env=dev"}) {
		t.Fatalf("tags from put: %v", got)
	}
	if _, err := c.AddTagsToResource(ctx, &ssm.AddTagsToResourceInput{ResourceType: stypes.ResourceTypeForTaggingParameter, ResourceId: aws.String("/t/p"), Tags: []stypes.Tag{tag("env", "prod"), tag("team", "x")}}); err != nil {
		t.Fatal(err)
	}
	// Tags stay over a new version.
	ssmPut(t, c, &ssm.PutParameterInput{Name: aws.String("/t/p"), Value: aws.String("v2"), Overwrite: aws.Bool(true)})
	if got := list("/t/p"); !slices.Equal(got, []string{"env=prod", "team=x"}) {
		t.Fatalf("tags after add: %v", got)
	}
	if _, err := c.RemoveTagsFromResource(ctx, &ssm.RemoveTagsFromResourceInput{ResourceType: stypes.ResourceTypeForTaggingParameter, ResourceId: aws.String("/t/p"), TagKeys: []string{"env", "none"}}); err != nil {
		t.Fatal(err)
	}
	if got := list("/t/p"); !slices.Equal(got, []string{"team=x"}) {
		t.Fatalf("tags after remove: %v", got)
	}
	_, err = c.ListTagsForResource(ctx, &ssm.ListTagsForResourceInput{ResourceType: "Bogus", ResourceId: aws.String("/t/p")})
	mustFailSSM(t, err, "InvalidResourceType", "")
	_, err = c.ListTagsForResource(ctx, &ssm.ListTagsForResourceInput{ResourceType: stypes.ResourceTypeForTaggingDocument, ResourceId: aws.String("doc")})
	mustFailSSM(t, err, "InvalidResourceId", "")
	var many []stypes.Tag
	for i := range 51 {
		many = append(many, tag(fmt.Sprintf("k%d", i), "v"))
	}
	_, err = c.AddTagsToResource(ctx, &ssm.AddTagsToResourceInput{ResourceType: stypes.ResourceTypeForTaggingParameter, ResourceId: aws.String("/t/p"), Tags: many})
	mustFailSSM(t, err, "TooManyTagsError", "")
	_, err = c.AddTagsToResource(ctx, &ssm.AddTagsToResourceInput{ResourceType: stypes.ResourceTypeForTaggingParameter, ResourceId: aws.String("/t/p"), Tags: []stypes.Tag{tag("bad<key>", "v")}})
	mustFailSSM(t, err, "ValidationException", "")
	if _, err := c.DeleteParameter(ctx, &ssm.DeleteParameterInput{Name: aws.String("/t/p")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.ListTagsForResource(ctx, &ssm.ListTagsForResourceInput{ResourceType: stypes.ResourceTypeForTaggingParameter, ResourceId: aws.String("/t/p")})
	mustFailSSM(t, err, "InvalidResourceId", "")
}

// TestSSMRegions keeps each region's parameters apart.
func TestSSMRegions(t *testing.T) {
	m := MustStartMain(t, Config{})
	east, west := mustSSMAt(t, m.URL(), "us-east-1"), mustSSMAt(t, m.URL(), "eu-west-1")
	ctx := context.Background()
	ssmPut(t, east, &ssm.PutParameterInput{Name: aws.String("/r/p"), Value: aws.String("east"), Type: stypes.ParameterTypeString})
	_, err := west.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/r/p")})
	mustFailSSM(t, err, "ParameterNotFound", "")
	ssmPut(t, west, &ssm.PutParameterInput{Name: aws.String("/r/p"), Value: aws.String("west"), Type: stypes.ParameterTypeSecureString})
	if p := ssmGet(t, west, "/r/p", true); aws.ToString(p.Value) != "west" || aws.ToString(p.ARN) != "arn:aws:ssm:eu-west-1:000000000000:parameter/r/p" {
		t.Fatalf("west: %+v", p)
	}
	if p := ssmGet(t, east, "/r/p", true); aws.ToString(p.Value) != "east" {
		t.Fatalf("east: %+v", p)
	}
	d, err := west.DescribeParameters(ctx, &ssm.DescribeParametersInput{})
	if err != nil || len(d.Parameters) != 1 || d.Parameters[0].Type != stypes.ParameterTypeSecureString {
		t.Fatalf("describe west: %+v %v", d, err)
	}
}

// TestSSMConcurrentPuts races writers to one parameter, on two nodes:
// every acknowledged put has its own version and the history has them all.
func TestSSMConcurrentPuts(t *testing.T) {
	url := MustNATS(t)
	a, b := MustStartMain(t, Config{NATSURL: url}), MustStartMain(t, Config{NATSURL: url})
	clients := []*ssm.Client{MustSSM(t, a), MustSSM(t, b)}
	ssmPut(t, clients[0], &ssm.PutParameterInput{Name: aws.String("/race"), Value: aws.String("0"), Type: stypes.ParameterTypeString})
	var mu sync.Mutex
	seen := map[int64]string{}
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := clients[w%2]
			for i := range 10 {
				val := fmt.Sprintf("w%d-%d", w, i)
				out, err := c.PutParameter(context.Background(), &ssm.PutParameterInput{Name: aws.String("/race"), Value: aws.String(val), Overwrite: aws.Bool(true)})
				if err != nil {
					t.Errorf("put: %v", err)
					return
				}
				mu.Lock()
				if prev, dup := seen[out.Version]; dup {
					t.Errorf("version %d given to %s and %s", out.Version, prev, val)
				}
				seen[out.Version] = val
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	hp := ssm.NewGetParameterHistoryPaginator(clients[1], &ssm.GetParameterHistoryInput{Name: aws.String("/race")})
	var got []stypes.ParameterHistory
	for hp.HasMorePages() {
		page, err := hp.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, page.Parameters...)
	}
	if len(got) != 81 {
		t.Fatalf("history has %d versions, want 81", len(got))
	}
	for _, p := range got[1:] {
		if seen[p.Version] != aws.ToString(p.Value) {
			t.Fatalf("version %d: history has %q, the put that made it wrote %q", p.Version, aws.ToString(p.Value), seen[p.Version])
		}
	}
}

// TestSSMTwoNodes reads on one node what the other wrote a moment before,
// listings included; a node without the SecureString key serves the rest
// and says which file to copy; a node with another key does not start.
func TestSSMTwoNodes(t *testing.T) {
	url := MustNATS(t)
	dirA, dirB := t.TempDir(), t.TempDir()
	a := MustStartMain(t, Config{NATSURL: url, DataDir: dirA})
	b := MustStartMain(t, Config{NATSURL: url, DataDir: dirB})
	ca, cb := MustSSM(t, a), MustSSM(t, b)
	ctx := context.Background()

	for i := range 20 {
		w, r := ca, cb
		if i%2 == 1 {
			w, r = cb, ca
		}
		name := fmt.Sprintf("/shared/p%02d", i)
		ssmPut(t, w, &ssm.PutParameterInput{Name: aws.String(name), Value: aws.String(fmt.Sprint(i)), Type: stypes.ParameterTypeString})
		if p := ssmGet(t, r, name, false); aws.ToString(p.Value) != fmt.Sprint(i) {
			t.Fatalf("read %s on the other node: %+v", name, p)
		}
		d, err := r.DescribeParameters(ctx, &ssm.DescribeParametersInput{ParameterFilters: []stypes.ParameterStringFilter{{Key: aws.String("Name"), Values: []string{name}}}})
		if err != nil || len(d.Parameters) != 1 {
			t.Fatalf("describe %s on the other node: %+v %v", name, d, err)
		}
		bp, err := r.GetParametersByPath(ctx, &ssm.GetParametersByPathInput{Path: aws.String("/shared"), MaxResults: aws.Int32(10), NextToken: nil})
		if err != nil || len(bp.Parameters) != min(i+1, 10) {
			t.Fatalf("by path on the other node after %d puts: %d %v", i+1, len(bp.Parameters), err)
		}
		ssmPut(t, w, &ssm.PutParameterInput{Name: aws.String(name), Value: aws.String("again"), Overwrite: aws.Bool(true)})
		if p := ssmGet(t, r, name, false); aws.ToString(p.Value) != "again" || p.Version != 2 {
			t.Fatalf("read the overwrite of %s on the other node: %+v", name, p)
		}
		if _, err := r.DeleteParameter(ctx, &ssm.DeleteParameterInput{Name: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
		_, err = w.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name)})
		mustFailSSM(t, err, "ParameterNotFound", "")
		ssmPut(t, w, &ssm.PutParameterInput{Name: aws.String(name), Value: aws.String(fmt.Sprint(i)), Type: stypes.ParameterTypeString})
	}

	// b has no key file: the store's key is a's.
	const secret = "b-cannot-read-this"
	ssmPut(t, ca, &ssm.PutParameterInput{Name: aws.String("/shared/secret"), Value: aws.String(secret), Type: stypes.ParameterTypeSecureString})
	_, err := cb.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/shared/secret"), WithDecryption: aws.Bool(true)})
	mustFailWith(t, err, "InternalServerError", 500)
	var ae smithy.APIError
	if errors.As(err, &ae); !strings.Contains(ae.ErrorMessage(), "copy params.key") {
		t.Fatalf("the error does not say what to copy: %v", err)
	}
	if p := ssmGet(t, cb, "/shared/secret", false); strings.Contains(aws.ToString(p.Value), secret) || p.Type != stypes.ParameterTypeSecureString {
		t.Fatalf("without decryption on b: %+v", p)
	}
	_, err = cb.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/shared/secret2"), Value: aws.String("x"), Type: stypes.ParameterTypeSecureString})
	mustFailWith(t, err, "InternalServerError", 500)
	if _, err := os.Stat(filepath.Join(dirB, "params.key")); err == nil {
		t.Fatal("b made a key of its own")
	}

	// With the key copied, b reads and writes SecureStrings.
	if err := b.Close(ctx); err != nil {
		t.Fatal(err)
	}
	key, err := os.ReadFile(filepath.Join(dirA, "params.key"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dirB, "params.key"), key, 0o600); err != nil {
		t.Fatal(err)
	}
	b = MustStartMain(t, Config{NATSURL: url, DataDir: dirB})
	cb = MustSSM(t, b)
	if p := ssmGet(t, cb, "/shared/secret", true); aws.ToString(p.Value) != secret {
		t.Fatalf("decrypt on b with the key: %+v", p)
	}
	ssmPut(t, cb, &ssm.PutParameterInput{Name: aws.String("/shared/secret"), Value: aws.String("from b"), Overwrite: aws.Bool(true)})
	if p := ssmGet(t, ca, "/shared/secret", true); aws.ToString(p.Value) != "from b" {
		t.Fatalf("decrypt on a what b wrote: %+v", p)
	}

	// A node with another key refuses to start, naming the file.
	dirC := t.TempDir()
	other := strings.Repeat("ab", 32) + "\n"
	if err := os.WriteFile(filepath.Join(dirC, "params.key"), []byte(other), 0o600); err != nil {
		t.Fatal(err)
	}
	c := NewMain(Config{NATSURL: url, DataDir: dirC}, nil)
	err = c.Run(ctx)
	_ = c.Close(ctx)
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dirC, "params.key")) || !strings.Contains(err.Error(), "copy params.key") {
		t.Fatalf("a node with another key: got %v", err)
	}
}
