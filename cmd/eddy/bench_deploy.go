package main

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/eddyserverless/eddy/bench"
	"github.com/spf13/cobra"
)

// deployTarget is the time a 10-function template whose code is built
// should take to deploy, end to end.
const deployTarget = 3 * time.Second

func benchDeployCommand() *cobra.Command {
	var (
		endpoint  string
		functions int
		runs      int
		noMoto    bool
	)
	cmd := &cobra.Command{
		Use:   "deploy",
		Short: "Measure deploying a SAM template of N functions whose code is built, end to end",
		Long: `Time what "eddy deploy" does for a SAM template of --functions Go functions
(bench/echofn, built from this checkout, as a directory holding its
bootstrap), each with an HttpApi route: zip and upload the code (skipped when
already there), create the stack through a change set and follow it until
CREATE_COMPLETE. Each run deploys a new stack; the stacks are deleted after,
untimed. For a side-by-side figure it also times CreateStack of the same
number of plain AWS::Lambda::Function resources (inline code, one role) on
eddy and on moto_server (started on a free loopback port when it is on PATH),
and a plain loopback HTTP round trip, the floor of each API call. Without
--endpoint an eddy server is started in this process on a free port with a
temporary data directory. The command exits 0 whatever the figures.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if functions < 1 || runs < 1 {
				return errors.New("--functions and --runs must be at least 1")
			}
			ctx := cmd.Context()
			run, err := prepareBench(ctx, endpoint, "", Config{}, true)
			if err != nil {
				return err
			}
			defer run.close()
			dir, err := os.MkdirTemp("", "eddy-bench-deploy-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(dir)
			tmpl, err := writeDeployBenchApp(dir, run.zip, functions)
			if err != nil {
				return err
			}
			calls := &countingTransport{next: http.DefaultTransport}
			hc := &http.Client{Transport: calls}
			cf := clientFlags{endpoint: run.url, region: "us-east-1"}
			cfg := cf.config()
			cfg.HTTPClient = hc
			cfn := cloudformation.NewFromConfig(cfg)
			up := newS3Uploader(s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }), "eddy-deploy-artifacts-us-east-1", "us-east-1")

			fmt.Fprintf(os.Stderr, "bench: deploying %d × a template of %d functions\n", runs, functions)
			var sam, builds []time.Duration
			var perDeploy int64
			for i := range runs {
				name := fmt.Sprintf("bench-deploy-%d", i)
				before := calls.n.Load()
				start := time.Now()
				body, err := buildArtifacts(ctx, tmpl, up.upload)
				if err != nil {
					return err
				}
				builds = append(builds, time.Since(start))
				d := &deployer{cfn: cfn, out: io.Discard, poll: 20 * time.Millisecond}
				if err := d.deploy(ctx, name, body, nil, defaultCapabilities); err != nil {
					return fmt.Errorf("deploy %s: %w", name, err)
				}
				sam = append(sam, time.Since(start))
				perDeploy = calls.n.Load() - before
				if err := deleteStack(ctx, cfn, io.Discard, name, 20*time.Millisecond); err != nil {
					return err
				}
			}
			plain := plainFunctionsTemplate(functions)
			eddyPlain, err := timeCreateStacks(ctx, cfn, plain, runs)
			if err != nil {
				return fmt.Errorf("eddy: %w", err)
			}
			var motoPlain []time.Duration
			motoNote := "not measured (--no-moto)"
			if !noMoto {
				motoPlain, motoNote = timeMotoStacks(ctx, plain, runs)
			}
			floor, err := loopbackFloor(ctx, 200)
			if err != nil {
				return err
			}
			return renderDeployBench(os.Stdout, functions, sam, builds, perDeploy, eddyPlain, motoPlain, motoNote, floor)
		},
	}
	f := cmd.Flags()
	f.StringVar(&endpoint, "endpoint", "", "bench an eddy already running at this URL instead of one started in this process")
	f.IntVar(&functions, "functions", 10, "functions in the template")
	f.IntVar(&runs, "runs", 5, "deploys to time")
	f.BoolVar(&noMoto, "no-moto", false, "do not measure moto_server")
	return cmd
}

// writeDeployBenchApp writes the benchmark's application into dir: the
// echo function's bootstrap in fn/, and a SAM template of n functions using
// it, each with an HttpApi route. It returns the template's path.
func writeDeployBenchApp(dir string, echoZip []byte, n int) (string, error) {
	zr, err := zip.NewReader(bytes.NewReader(echoZip), int64(len(echoZip)))
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Join(dir, "fn"), 0o755); err != nil {
		return "", err
	}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			return "", err
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(dir, "fn", filepath.Base(f.Name)), data, 0o755); err != nil {
			return "", err
		}
	}
	var b strings.Builder
	b.WriteString("Transform: AWS::Serverless-2016-10-31\nGlobals:\n  Function:\n    Runtime: provided.al2023\n    Handler: bootstrap\n    CodeUri: fn\nResources:\n")
	for i := range n {
		fmt.Fprintf(&b, "  Fn%d:\n    Type: AWS::Serverless::Function\n    Properties:\n      Events:\n        Get:\n          Type: HttpApi\n          Properties:\n            Path: /fn%d\n            Method: GET\n", i, i)
	}
	b.WriteString("Outputs:\n  Api:\n    Value: !Sub \"https://${ServerlessHttpApi}.execute-api.${AWS::Region}.amazonaws.com/\"\n")
	path := filepath.Join(dir, "template.yaml")
	return path, os.WriteFile(path, []byte(b.String()), 0o644)
}

// plainFunctionsTemplate is a CloudFormation template of n Python
// functions with inline code and one role: what both eddy and moto create.
func plainFunctionsTemplate(n int) string {
	var b strings.Builder
	b.WriteString(`Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: "sts:AssumeRole"}]}
`)
	for i := range n {
		fmt.Fprintf(&b, "  Fn%d:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: python3.12\n      Handler: index.handler\n      Role: !GetAtt Role.Arn\n      Code:\n        ZipFile: \"def handler(event, context):\\n    return event\\n\"\n", i)
	}
	return b.String()
}

// timeCreateStacks times CreateStack of body until CREATE_COMPLETE, runs
// times, deleting each stack after (untimed).
func timeCreateStacks(ctx context.Context, cfn *cloudformation.Client, body string, runs int) ([]time.Duration, error) {
	var out []time.Duration
	for i := range runs {
		name := fmt.Sprintf("bench-plain-%d", i)
		start := time.Now()
		created, err := cfn.CreateStack(ctx, &cloudformation.CreateStackInput{
			StackName: aws.String(name), TemplateBody: aws.String(body), Capabilities: []types.Capability{types.CapabilityCapabilityIam},
		})
		if err != nil {
			return nil, err
		}
		for {
			st, err := describeStack(ctx, cfn, aws.ToString(created.StackId))
			if err != nil {
				return nil, err
			}
			if st.StackStatus == types.StackStatusCreateComplete {
				break
			}
			if stackSettled(st.StackStatus) {
				return nil, fmt.Errorf("stack %s: %s %s", name, st.StackStatus, aws.ToString(st.StackStatusReason))
			}
			if err := sleepCtx(ctx, 20*time.Millisecond); err != nil {
				return nil, err
			}
		}
		out = append(out, time.Since(start))
		if _, err := cfn.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: created.StackId}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// timeMotoStacks times the plain template on a moto_server of its own; the
// note says why there is no figure.
func timeMotoStacks(ctx context.Context, body string, runs int) ([]time.Duration, string) {
	if _, err := bench.MotoPath(); err != nil {
		return nil, "not measured: moto_server is not on PATH"
	}
	fmt.Fprintln(os.Stderr, "bench: starting moto_server")
	moto, err := bench.StartMoto(ctx)
	if err != nil {
		return nil, "not measured: " + err.Error()
	}
	defer moto.Close()
	cf := clientFlags{endpoint: moto.URL, region: "us-east-1"}
	d, err := timeCreateStacks(ctx, cloudformation.NewFromConfig(cf.config()), body, runs)
	if err != nil {
		return nil, "failed: " + err.Error()
	}
	return d, ""
}

// loopbackFloor times n plain HTTP round trips on loopback.
func loopbackFloor(ctx context.Context, n int) (bench.Latency, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return bench.Latency{}, err
	}
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("ok"))
	})}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	u := "http://" + ln.Addr().String() + "/"
	var ds []time.Duration
	for range n {
		start := time.Now()
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader("Action=DescribeStacks"))
		if err != nil {
			return bench.Latency{}, err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return bench.Latency{}, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		ds = append(ds, time.Since(start))
	}
	return bench.Summarize(ds), nil
}

// countingTransport counts the requests a client sends.
type countingTransport struct {
	next http.RoundTripper
	n    atomic.Int64
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.RoundTrip(r)
}

func renderDeployBench(w io.Writer, functions int, sam, builds []time.Duration, calls int64, eddyPlain, motoPlain []time.Duration, motoNote string, floor bench.Latency) error {
	s, ep := bench.Summarize(sam), bench.Summarize(eddyPlain)
	ms := func(d time.Duration) string { return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond)) }
	t := bench.Table{Header: []string{"deploy", "runs", "p50", "max", "vs floor", "vs moto"}, Right: []bool{false, true, true, true, true, true}}
	floorDeploy := time.Duration(calls) * floor.P50
	t.Rows = append(t.Rows, []string{fmt.Sprintf("floor: %d loopback round trips", calls), "", ms(floorDeploy), "", "", ""})
	t.Rows = append(t.Rows, []string{fmt.Sprintf("eddy deploy, SAM, %d functions + HttpApi", functions), fmt.Sprint(s.N), ms(s.P50), ms(s.Max),
		fmt.Sprintf("%.0f×", float64(s.P50)/float64(max(floorDeploy, 1))), ""})
	b := bench.Summarize(builds)
	t.Rows = append(t.Rows, []string{"  of which zip, hash and upload of the code", fmt.Sprint(b.N), ms(b.P50), ms(b.Max), "", ""})
	motoCol := "n/a"
	var mp bench.Latency
	if len(motoPlain) > 0 {
		mp = bench.Summarize(motoPlain)
		motoCol = fmt.Sprintf("%.2f×", float64(ep.P50)/float64(mp.P50))
	}
	t.Rows = append(t.Rows, []string{fmt.Sprintf("eddy CreateStack, %d plain functions", functions), fmt.Sprint(ep.N), ms(ep.P50), ms(ep.Max), "", motoCol})
	if len(motoPlain) > 0 {
		t.Rows = append(t.Rows, []string{fmt.Sprintf("moto CreateStack, %d plain functions", functions), fmt.Sprint(mp.N), ms(mp.P50), ms(mp.Max), "", "1.00×"})
	} else {
		t.Rows = append(t.Rows, []string{"moto: " + motoNote})
	}
	if err := t.Render(w); err != nil {
		return err
	}
	result := "PASS"
	if s.P50 > deployTarget {
		result = "MISS"
	}
	_, err := fmt.Fprintf(w, "\ntarget: deploy of %d built functions ≤ %v end to end: %s (p50 %s)\n", functions, deployTarget, result, ms(s.P50))
	return err
}
