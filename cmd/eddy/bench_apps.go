package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sar "github.com/aws/aws-sdk-go-v2/service/serverlessapplicationrepository"
	"github.com/eddyserverless/eddy/bench"
	"github.com/eddyserverless/eddy/serverlessrepo"
	"github.com/spf13/cobra"
)

// Targets of the application benchmarks.
const (
	appsSearchTarget = 5 * time.Millisecond
	appsDeployTarget = 3 * time.Second
)

func benchAppsSearchCommand() *cobra.Command {
	var (
		endpoint          string
		apps, requests, c int
	)
	cmd := &cobra.Command{
		Use:   "apps-search",
		Short: "Measure searching the application repository: p50, p90, p99 over HTTP, beside the floor",
		Long: `Create --apps generated applications (varied names, descriptions, labels,
authors and READMEs of 80 to 200 words) through the Serverless Application
Repository API, then time --requests sequential searches through HTTP
(GET /_eddy/serverlessrepo/search, maxItems 10) with varied queries: one
word, two words, a prefix of three letters, a word with a label filter, an
author alone; next to the floor of a plain loopback HTTP round trip. Without
--endpoint an eddy server is started in this process on a free port with a
temporary data directory. The command exits 0 whatever the figures.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if apps < 1 || requests < 1 || c < 1 {
				return errors.New("--apps, --requests and --concurrency must be at least 1")
			}
			ctx := cmd.Context()
			run, err := prepareBench(ctx, endpoint, "", Config{}, false)
			if err != nil {
				return err
			}
			defer run.close()
			cf := clientFlags{endpoint: run.url, region: "us-east-1"}
			gen := newAppGenerator(fmt.Sprintf("b%d", time.Now().UnixNano()%1e6))
			fmt.Fprintf(os.Stderr, "bench: creating %d applications\n", apps)
			start := time.Now()
			if err := gen.create(ctx, cf.repo(), apps, c); err != nil {
				return err
			}
			created := time.Since(start)
			hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
			queries := gen.queries(requests)
			for _, q := range queries[:min(100, len(queries))] { // warm up, untimed
				if _, _, err := searchAppsPage(ctx, hc, run.url, q); err != nil {
					return err
				}
			}
			fmt.Fprintf(os.Stderr, "bench: timing %d searches\n", requests)
			var ds []time.Duration
			found := 0
			for _, q := range queries {
				t := time.Now()
				res, _, err := searchAppsPage(ctx, hc, run.url, q)
				if err != nil {
					return err
				}
				ds = append(ds, time.Since(t))
				if len(res) > 0 {
					found++
				}
			}
			floor, err := loopbackFloor(ctx, 500)
			if err != nil {
				return err
			}
			return renderAppsSearchBench(os.Stdout, apps, created, bench.Summarize(ds), found, floor)
		},
	}
	f := cmd.Flags()
	f.StringVar(&endpoint, "endpoint", "", "bench an eddy already running at this URL instead of one started in this process")
	f.IntVar(&apps, "apps", 1000, "applications to create")
	f.IntVar(&requests, "requests", 2000, "searches to time")
	f.IntVar(&c, "concurrency", 8, "clients creating the applications")
	return cmd
}

func renderAppsSearchBench(w io.Writer, apps int, created time.Duration, s bench.Latency, found int, floor bench.Latency) error {
	ms := func(d time.Duration) string { return fmt.Sprintf("%.3f ms", float64(d)/float64(time.Millisecond)) }
	t := bench.Table{Header: []string{"request", "n", "p50", "p90", "p99", "max", "p50 vs floor"}, Right: []bool{false, true, true, true, true, true, true}}
	t.Rows = append(t.Rows, []string{"floor: loopback HTTP round trip", fmt.Sprint(floor.N), ms(floor.P50), ms(floor.P90), ms(floor.P99), ms(floor.Max), "1×"})
	t.Rows = append(t.Rows, []string{fmt.Sprintf("search over %d applications", apps), fmt.Sprint(s.N), ms(s.P50), ms(s.P90), ms(s.P99), ms(s.Max),
		fmt.Sprintf("%.0f×", float64(s.P50)/float64(max(floor.P50, 1)))})
	if err := t.Render(w); err != nil {
		return err
	}
	result := "PASS"
	if s.P50 > appsSearchTarget {
		result = "MISS"
	}
	_, err := fmt.Fprintf(w, "\n%d of %d searches found something; creating the %d applications took %s.\ntarget: search p50 ≤ %v over %d applications: %s (p50 %s)\n",
		found, s.N, apps, created.Round(time.Millisecond), appsSearchTarget, apps, result, ms(s.P50))
	return err
}

// appGenerator makes varied applications and queries for them, the same
// for the same prefix.
type appGenerator struct {
	prefix  string
	rnd     *rand.Rand
	words   []string
	labels  []string
	authors []string
}

func newAppGenerator(prefix string) *appGenerator {
	g := &appGenerator{prefix: prefix, rnd: rand.New(rand.NewPCG(1, 2))}
	syl := []string{"ka", "lo", "mi", "ra", "tu", "ven", "sor", "pel", "dax", "qui", "zen", "bor", "fi", "nal", "ost", "ry", "gum", "hex", "ja", "wel"}
	seen := map[string]bool{}
	for len(g.words) < 600 {
		w := ""
		for range 2 + g.rnd.IntN(2) {
			w += syl[g.rnd.IntN(len(syl))]
		}
		if !seen[w] {
			seen[w] = true
			g.words = append(g.words, w)
		}
	}
	for i := range 30 {
		g.labels = append(g.labels, g.words[i])
	}
	for i := range 25 {
		g.authors = append(g.authors, "dev-"+g.words[100+i])
	}
	return g
}

// text returns n words; words early in the list are more frequent.
func (g *appGenerator) text(n int) string {
	ws := make([]string, n)
	for i := range ws {
		k := g.rnd.IntN(len(g.words))
		ws[i] = g.words[g.rnd.IntN(k+1)]
	}
	return strings.Join(ws, " ")
}

// create creates n applications with c clients.
func (g *appGenerator) create(ctx context.Context, repo *sar.Client, n, c int) error {
	ins := make(chan *sar.CreateApplicationInput)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	for range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for in := range ins {
				if _, err := repo.CreateApplication(ctx, in); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("create application %s: %w", aws.ToString(in.Name), apiMessage(err))
					}
					mu.Unlock()
				}
			}
		}()
	}
	for i := range n {
		labels := []string{}
		for range 1 + g.rnd.IntN(3) {
			l := g.labels[g.rnd.IntN(len(g.labels))]
			if !strings.Contains(strings.Join(labels, " "), l) {
				labels = append(labels, l)
			}
		}
		in := &sar.CreateApplicationInput{
			Name:        aws.String(fmt.Sprintf("%s-%s-%s-%d", g.prefix, g.words[g.rnd.IntN(len(g.words))], g.words[g.rnd.IntN(len(g.words))], i)),
			Author:      aws.String(g.authors[g.rnd.IntN(len(g.authors))]),
			Description: aws.String(g.text(6 + g.rnd.IntN(7))),
			Labels:      labels,
			ReadmeBody:  aws.String(g.text(80 + g.rnd.IntN(121))),
		}
		select {
		case ins <- in:
		case <-ctx.Done():
		}
	}
	close(ins)
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}

// queries returns n varied searches.
func (g *appGenerator) queries(n int) []serverlessrepo.SearchInput {
	out := make([]serverlessrepo.SearchInput, n)
	word := func() string { return g.words[g.rnd.IntN(len(g.words))] }
	for i := range out {
		q := serverlessrepo.SearchInput{MaxItems: 10}
		switch r := g.rnd.IntN(100); {
		case r < 40:
			q.Terms = word()
		case r < 60:
			q.Terms = word() + " " + word()
		case r < 75:
			q.Terms = word()[:3]
		case r < 90:
			q.Terms, q.Labels = word(), []string{g.labels[g.rnd.IntN(len(g.labels))]}
		default:
			q.Author = g.authors[g.rnd.IntN(len(g.authors))]
		}
		out[i] = q
	}
	return out
}

func benchAppsDeployCommand() *cobra.Command {
	var (
		endpoint string
		runs     int
	)
	cmd := &cobra.Command{
		Use:   "apps-deploy",
		Short: "Measure publishing and deploying a three-function SAM application through the repository",
		Long: `Write a SAM application of three Python functions (one behind an HttpApi
route, one fed by an SQS queue, one plain) with its handlers into a
temporary directory, then --runs times, under a new application name each:
publish it as "eddy apps publish" does (metadata, build, upload, create the
application) and deploy it as "eddy apps deploy" does (a change set through
the repository, executed, followed until CREATE_COMPLETE); both are the
commands themselves, run in this process. Prints publish, deploy and total,
p50 and max. The stacks and applications are deleted after, untimed.
Without --endpoint an eddy server is started in this process on a free port
with a temporary data directory. The command exits 0 whatever the figures.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runs < 1 {
				return errors.New("--runs must be at least 1")
			}
			ctx := cmd.Context()
			run, err := prepareBench(ctx, endpoint, "", Config{}, false)
			if err != nil {
				return err
			}
			defer run.close()
			dir, err := os.MkdirTemp("", "eddy-bench-apps-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(dir)
			cf := clientFlags{endpoint: run.url, region: "us-east-1"}
			prefix := fmt.Sprintf("bench-app-%d", time.Now().UnixNano()%1e6)
			fmt.Fprintf(os.Stderr, "bench: publishing and deploying %d × a three-function application\n", runs)
			var publish, deploy, total []time.Duration
			for i := range runs {
				name := fmt.Sprintf("%s-%d", prefix, i)
				tmpl, err := writeAppsBenchApp(filepath.Join(dir, name), name)
				if err != nil {
					return err
				}
				start := time.Now()
				if err := runAppsCommand(ctx, "publish", "-t", tmpl, "--endpoint", run.url); err != nil {
					return fmt.Errorf("publish %s: %w", name, err)
				}
				published := time.Now()
				if err := runAppsCommand(ctx, "deploy", name, "--endpoint", run.url); err != nil {
					return fmt.Errorf("deploy %s: %w", name, err)
				}
				publish, deploy, total = append(publish, published.Sub(start)), append(deploy, time.Since(published)), append(total, time.Since(start))
				if err := deleteStack(ctx, cf.cloudformation(), io.Discard, appStackPrefix+name, 20*time.Millisecond); err != nil {
					return err
				}
				if arn, err := resolveApp(ctx, cf.repo(), name); err == nil {
					_, _ = cf.repo().DeleteApplication(ctx, &sar.DeleteApplicationInput{ApplicationId: aws.String(arn)})
				}
			}
			floor, err := loopbackFloor(ctx, 200)
			if err != nil {
				return err
			}
			return renderAppsDeployBench(os.Stdout, publish, deploy, total, floor)
		},
	}
	f := cmd.Flags()
	f.StringVar(&endpoint, "endpoint", "", "bench an eddy already running at this URL instead of one started in this process")
	f.IntVar(&runs, "runs", 5, "applications to publish and deploy")
	return cmd
}

// runAppsCommand runs `eddy apps ARGS…` in this process, its output
// discarded.
func runAppsCommand(ctx context.Context, args ...string) error {
	cmd := appsCommand()
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	cmd.SetArgs(args)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	return cmd.ExecuteContext(ctx)
}

// writeAppsBenchApp writes the benchmark's application, named name, into
// dir: a SAM template of three Python functions and their handlers. It
// returns the template's path.
func writeAppsBenchApp(dir, name string) (string, error) {
	files := map[string]string{
		"hello/app.py":  "import json\n\ndef handler(event, context):\n    return {\"statusCode\": 200, \"body\": json.dumps({\"hello\": \"world\"})}\n",
		"worker/app.py": "def handler(event, context):\n    return {\"batchItemFailures\": []}\n",
		"report/app.py": "def handler(event, context):\n    return {\"records\": len(event.get(\"Records\", []))}\n",
		"README.md":     "# " + name + "\n\nThree functions: an HTTP API, a queue worker and a report.\n",
		"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Metadata:
  AWS::ServerlessRepo::Application:
    Name: ` + name + `
    Description: an HTTP API, a queue worker and a report
    Author: eddy-bench
    SpdxLicenseId: MIT
    ReadmeUrl: README.md
    Labels: [bench, python]
    SemanticVersion: 1.0.0
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: hello
      Runtime: python3.12
      Handler: app.handler
      Events:
        Get:
          Type: HttpApi
          Properties:
            Path: /hello
            Method: GET
  Queue:
    Type: AWS::SQS::Queue
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: worker
      Runtime: python3.12
      Handler: app.handler
      Events:
        Jobs:
          Type: SQS
          Properties:
            Queue: !GetAtt Queue.Arn
            BatchSize: 10
  Report:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: report
      Runtime: python3.12
      Handler: app.handler
`,
	}
	for rel, text := range files {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return "", err
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			return "", err
		}
	}
	return filepath.Join(dir, "template.yaml"), nil
}

func renderAppsDeployBench(w io.Writer, publish, deploy, total []time.Duration, floor bench.Latency) error {
	ms := func(d time.Duration) string { return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond)) }
	t := bench.Table{Header: []string{"step", "runs", "p50", "max"}, Right: []bool{false, true, true, true}}
	t.Rows = append(t.Rows, []string{"floor: loopback HTTP round trip", fmt.Sprint(floor.N), fmt.Sprintf("%.3f ms", float64(floor.P50)/float64(time.Millisecond)), ""})
	for _, r := range []struct {
		name string
		ds   []time.Duration
	}{{"eddy apps publish (metadata, build, upload, create)", publish}, {"eddy apps deploy (change set until CREATE_COMPLETE)", deploy}, {"total", total}} {
		s := bench.Summarize(r.ds)
		t.Rows = append(t.Rows, []string{r.name, fmt.Sprint(s.N), ms(s.P50), ms(s.Max)})
	}
	if err := t.Render(w); err != nil {
		return err
	}
	s := bench.Summarize(total)
	result := "PASS"
	if s.P50 > appsDeployTarget {
		result = "MISS"
	}
	_, err := fmt.Fprintf(w, "\ntarget: publish + deploy of a three-function application ≤ %v: %s (p50 %s)\n", appsDeployTarget, result, ms(s.P50))
	return err
}
