package main

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sar "github.com/aws/aws-sdk-go-v2/service/serverlessapplicationrepository"
	"github.com/eddyserverless/eddy/serverlessrepo"
)

// searchNames returns the NAME column of `eddy apps search`'s table.
func searchNames(t *testing.T, out string) []string {
	t.Helper()
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) == 0 || !slices.Equal(strings.Fields(lines[0]), []string{"NAME", "VERSION", "AUTHOR", "SCORE", "SOURCE", "DESCRIPTION"}) {
		t.Fatalf("search table: %q", out)
	}
	names := []string{}
	for _, l := range lines[1:] {
		names = append(names, strings.Fields(l)[0])
	}
	return names
}

func TestAppsSearch(t *testing.T) {
	t.Parallel()
	m := MustStartMain(t, Config{})
	ctx := context.Background()
	c := MustServerlessRepo(t, m)
	for _, in := range []*sar.CreateApplicationInput{
		{Name: aws.String("image-resizer"), Author: aws.String("alice"), Description: aws.String("resizes images put in a bucket"),
			Labels: []string{"s3", "images"}, SemanticVersion: aws.String("1.0.0"), TemplateBody: aws.String(appsTemplate)},
		{Name: aws.String("queue-drainer"), Author: aws.String("bob"), Description: aws.String("drains a queue"),
			Labels: []string{"sqs"}, ReadmeBody: aws.String("Drained messages can feed an image resizer.")},
		{Name: aws.String("gallery"), Author: aws.String("bob"), Description: aws.String("a web gallery of images"),
			Labels: []string{"images", "web"}},
	} {
		if _, err := c.CreateApplication(ctx, in); err != nil {
			t.Fatal(err)
		}
	}

	out, _, err := runCLI(t, m, appsCommand(), "search", "resizer")
	if err != nil {
		t.Fatal(err)
	}
	if got := searchNames(t, out); !slices.Equal(got, []string{"image-resizer", "queue-drainer"}) {
		t.Fatalf("search resizer: got %q, want [image-resizer queue-drainer]\n%s", got, out)
	}
	row := strings.Fields(strings.Split(out, "\n")[1])
	if len(row) < 6 || row[1] != "1.0.0" || row[2] != "alice" || row[3] == "0.00" || row[4] != "local" || strings.Join(row[5:], " ") != "resizes images put in a bucket" {
		t.Errorf("search resizer: first row %q", row)
	}
	out, _, err = runCLI(t, m, appsCommand(), "search", "images")
	if err != nil {
		t.Fatal(err)
	}
	if got := searchNames(t, out); !slices.Equal(got, []string{"gallery", "image-resizer"}) && !slices.Equal(got, []string{"image-resizer", "gallery"}) {
		t.Errorf("search images: got %q", got)
	}
	out, _, err = runCLI(t, m, appsCommand(), "search", "images", "--author", "bob")
	if err != nil {
		t.Fatal(err)
	}
	if got := searchNames(t, out); !slices.Equal(got, []string{"gallery"}) {
		t.Errorf("search images --author bob: got %q", got)
	}
	out, _, err = runCLI(t, m, appsCommand(), "search", "--label", "images", "--label", "web")
	if err != nil {
		t.Fatal(err)
	}
	if got := searchNames(t, out); !slices.Equal(got, []string{"gallery"}) {
		t.Errorf("search --label images --label web: got %q", got)
	}
	out, _, err = runCLI(t, m, appsCommand(), "search", "--author", "bob")
	if err != nil {
		t.Fatal(err)
	}
	if got := searchNames(t, out); !slices.Equal(got, []string{"gallery", "queue-drainer"}) {
		t.Errorf("search --author bob: got %q", got)
	}

	// A deleted application is no longer found.
	arn, err := resolveApp(ctx, c, "image-resizer")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteApplication(ctx, &sar.DeleteApplicationInput{ApplicationId: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	out, _, err = runCLI(t, m, appsCommand(), "search", "resizer")
	if err != nil {
		t.Fatal(err)
	}
	if got := searchNames(t, out); !slices.Equal(got, []string{"queue-drainer"}) {
		t.Errorf("search resizer after delete: got %q", got)
	}

	// Bad input is the repository's 400.
	for _, q := range []string{"maxItems=0", "maxItems=x", "maxItems=101", "nextToken=zz", "q=" + strings.Repeat("a", 1025)} {
		resp, err := http.Get(m.URL() + serverlessrepo.SearchPath + "?" + q)
		if err != nil {
			t.Fatal(err)
		}
		var body struct{ ErrorCode, Message string }
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 400 || body.ErrorCode != "BadRequestException" || body.Message == "" ||
			resp.Header.Get("X-Amzn-ErrorType") != "BadRequestException" {
			t.Errorf("%.40s: got %d %+v %v, want 400 BadRequestException", q, resp.StatusCode, body, err)
		}
	}
	if _, _, err := runCLI(t, m, appsCommand(), "search", "x", "--max", "0"); err == nil {
		t.Error("search --max 0: no error")
	}
}
