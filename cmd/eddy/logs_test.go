package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// MustFilterAll pages through FilterLogEvents and returns every event.
func MustFilterAll(tb testing.TB, c *cloudwatchlogs.Client, in *cloudwatchlogs.FilterLogEventsInput) []cwtypes.FilteredLogEvent {
	tb.Helper()
	var out []cwtypes.FilteredLogEvent
	p := cloudwatchlogs.NewFilterLogEventsPaginator(c, in)
	for pages := 0; p.HasMorePages(); pages++ {
		if pages > 1000 {
			tb.Fatal("FilterLogEvents: paging does not end")
		}
		page, err := p.NextPage(context.Background())
		if err != nil {
			tb.Fatalf("FilterLogEvents(%s): %v", aws.ToString(in.LogGroupName), err)
		}
		out = append(out, page.Events...)
	}
	return out
}

// waitForEvents polls FilterLogEvents of the group until pattern matches
// want events, and returns every event of the group.
func waitForEvents(tb testing.TB, c *cloudwatchlogs.Client, group, pattern string, want int) []cwtypes.FilteredLogEvent {
	tb.Helper()
	waitFor(tb, 20*time.Second, fmt.Sprintf("%d events matching %q in %s", want, pattern, group), func() bool {
		out, err := c.FilterLogEvents(context.Background(), &cloudwatchlogs.FilterLogEventsInput{
			LogGroupName: aws.String(group), FilterPattern: aws.String(pattern)})
		return err == nil && len(out.Events) == want && out.NextToken == nil
	})
	return MustFilterAll(tb, c, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(group)})
}

func filteredMessages(evs []cwtypes.FilteredLogEvent) []string {
	out := make([]string, 0, len(evs))
	for _, e := range evs {
		out = append(out, strings.TrimSuffix(aws.ToString(e.Message), "\n"))
	}
	return out
}

func outputMessages(evs []cwtypes.OutputLogEvent) []string {
	out := make([]string, 0, len(evs))
	for _, e := range evs {
		out = append(out, strings.TrimSuffix(aws.ToString(e.Message), "\n"))
	}
	return out
}

func streamNames(streams []cwtypes.LogStream) []string {
	var out []string
	for _, s := range streams {
		out = append(out, aws.ToString(s.LogStreamName))
	}
	return out
}

func TestLogsAPI(t *testing.T) {
	m := MustStartMain(t, Config{})
	c := MustLambda(t, m)
	cw := MustLogs(t, m)
	ctx := context.Background()
	MustCreateEcho(t, c, "logfn", 3)
	const group = "/aws/lambda/logfn"
	// Three invocations print "line i of N" for N = 2, 3, 4.
	for n := 2; n <= 4; n++ {
		MustInvoke(t, c, "logfn", map[string]any{"action": "log", "lines": n})
	}
	all := waitForEvents(t, cw, group, "REPORT", 3)
	if len(all) != 3*3+2+3+4 { // START, END, REPORT and the lines
		t.Fatalf("got %d events %q, want %d", len(all), filteredMessages(all), 18)
	}
	fnStream := aws.ToString(all[0].LogStreamName)
	if !strings.Contains(fnStream, "/[$LATEST]") {
		t.Fatalf("got stream name %q, want Lambda's YYYY/MM/DD/[$LATEST]id", fnStream)
	}

	// DescribeLogGroups.
	groups, err := cw.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/aws/lambda/")})
	if err != nil {
		t.Fatal(err)
	}
	if len(groups.LogGroups) != 1 || aws.ToString(groups.LogGroups[0].LogGroupName) != group || groups.LogGroups[0].RetentionInDays != nil {
		t.Fatalf("DescribeLogGroups: got %+v", groups.LogGroups)
	}
	if got, want := aws.ToString(groups.LogGroups[0].Arn), "arn:aws:logs:us-east-1:000000000000:log-group:"+group+":*"; got != want {
		t.Fatalf("group ARN: got %s, want %s", got, want)
	}

	// A second stream, written by a client, with older events.
	old := time.Now().Add(-3 * 24 * time.Hour).UnixMilli()
	if _, err := cw.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String("manual")}); err != nil {
		t.Fatal(err)
	}
	_, err = cw.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String("manual"),
		LogEvents: []cwtypes.InputLogEvent{
			{Timestamp: aws.Int64(old), Message: aws.String("old one")},
			{Timestamp: aws.Int64(old + 1), Message: aws.String("old two")},
		}})
	if err != nil {
		t.Fatal(err)
	}
	waitForEvents(t, cw, group, "old", 2)

	// DescribeLogStreams by name and by last event time, both ways.
	describe := func(in cloudwatchlogs.DescribeLogStreamsInput) []cwtypes.LogStream {
		t.Helper()
		in.LogGroupName = aws.String(group)
		var out []cwtypes.LogStream
		p := cloudwatchlogs.NewDescribeLogStreamsPaginator(cw, &in)
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatalf("DescribeLogStreams: %v", err)
			}
			out = append(out, page.LogStreams...)
		}
		return out
	}
	for _, tt := range []struct {
		in   cloudwatchlogs.DescribeLogStreamsInput
		want []string
	}{
		{cloudwatchlogs.DescribeLogStreamsInput{}, []string{fnStream, "manual"}},
		{cloudwatchlogs.DescribeLogStreamsInput{Descending: aws.Bool(true), Limit: aws.Int32(1)}, []string{"manual", fnStream}},
		{cloudwatchlogs.DescribeLogStreamsInput{OrderBy: cwtypes.OrderByLastEventTime}, []string{"manual", fnStream}},
		{cloudwatchlogs.DescribeLogStreamsInput{OrderBy: cwtypes.OrderByLastEventTime, Descending: aws.Bool(true), Limit: aws.Int32(1)}, []string{fnStream, "manual"}},
		{cloudwatchlogs.DescribeLogStreamsInput{LogStreamNamePrefix: aws.String("man")}, []string{"manual"}},
	} {
		if got := streamNames(describe(tt.in)); !slices.Equal(got, tt.want) {
			t.Errorf("DescribeLogStreams(orderBy %q, descending %v): got %v, want %v", tt.in.OrderBy, aws.ToBool(tt.in.Descending), got, tt.want)
		}
	}
	streams := describe(cloudwatchlogs.DescribeLogStreamsInput{})
	if s := streams[1]; aws.ToInt64(s.FirstEventTimestamp) != old || aws.ToInt64(s.LastEventTimestamp) != old+1 || aws.ToInt64(s.LastIngestionTime) < time.Now().Add(-time.Minute).UnixMilli() {
		t.Errorf("manual stream: got first %d last %d ingestion %d, want %d %d and now",
			aws.ToInt64(s.FirstEventTimestamp), aws.ToInt64(s.LastEventTimestamp), aws.ToInt64(s.LastIngestionTime), old, old+1)
	}
	_, err = cw.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String(group),
		OrderBy: cwtypes.OrderByLastEventTime, LogStreamNamePrefix: aws.String("man")})
	mustFailWith(t, err, "InvalidParameterException", 400)

	// GetLogEvents forward from the head, three at a time, until the
	// forward token repeats.
	var fnMessages []string
	for _, e := range all {
		if aws.ToString(e.LogStreamName) == fnStream {
			fnMessages = append(fnMessages, strings.TrimSuffix(aws.ToString(e.Message), "\n"))
		}
	}
	in := &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String(fnStream),
		StartFromHead: aws.Bool(true), Limit: aws.Int32(3)}
	var forward []string
	for calls := 0; ; calls++ {
		if calls > 20 {
			t.Fatal("GetLogEvents: forward paging does not end")
		}
		out, err := cw.GetLogEvents(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		forward = append(forward, outputMessages(out.Events)...)
		if aws.ToString(out.NextForwardToken) == aws.ToString(in.NextToken) {
			break
		}
		in.NextToken = out.NextForwardToken
	}
	if !slices.Equal(forward, fnMessages) {
		t.Fatalf("GetLogEvents forward: got %q, want %q", forward, fnMessages)
	}
	// Backward from the newest, three at a time, until a page is empty.
	in = &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String(fnStream), Limit: aws.Int32(3)}
	var backward []string
	for calls := 0; ; calls++ {
		if calls > 20 {
			t.Fatal("GetLogEvents: backward paging does not end")
		}
		out, err := cw.GetLogEvents(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if calls == 0 && !slices.Equal(outputMessages(out.Events), fnMessages[len(fnMessages)-3:]) {
			t.Fatalf("GetLogEvents: got newest %q, want %q", outputMessages(out.Events), fnMessages[len(fnMessages)-3:])
		}
		if len(out.Events) == 0 {
			break
		}
		backward = append(outputMessages(out.Events), backward...)
		in.NextToken = out.NextBackwardToken
	}
	if !slices.Equal(backward, fnMessages) {
		t.Fatalf("GetLogEvents backward: got %q, want %q", backward, fnMessages)
	}

	// FilterLogEvents: patterns, streams, a time window, paging.
	filter := func(in cloudwatchlogs.FilterLogEventsInput) []string {
		t.Helper()
		in.LogGroupName = aws.String(group)
		return filteredMessages(MustFilterAll(t, cw, &in))
	}
	for _, tt := range []struct {
		name string
		in   cloudwatchlogs.FilterLogEventsInput
		want []string
	}{
		{"phrase", cloudwatchlogs.FilterLogEventsInput{FilterPattern: aws.String(`"line 3 of 3"`)}, []string{"line 3 of 3"}},
		{"either", cloudwatchlogs.FilterLogEventsInput{FilterPattern: aws.String(`?"line 2 of 2" ?"line 4 of 4"`)}, []string{"line 2 of 2", "line 4 of 4"}},
		{"and not", cloudwatchlogs.FilterLogEventsInput{FilterPattern: aws.String(`line "of 4" -"line 1" -"line 2"`)}, []string{"line 3 of 4", "line 4 of 4"}},
		{"stream names", cloudwatchlogs.FilterLogEventsInput{LogStreamNames: []string{"manual"}}, []string{"old one", "old two"}},
		{"stream prefix", cloudwatchlogs.FilterLogEventsInput{LogStreamNamePrefix: aws.String("man")}, []string{"old one", "old two"}},
		{"old window", cloudwatchlogs.FilterLogEventsInput{StartTime: aws.Int64(old), EndTime: aws.Int64(old)}, []string{"old one"}},
		{"start time", cloudwatchlogs.FilterLogEventsInput{StartTime: aws.Int64(old + 1), FilterPattern: aws.String("old")}, []string{"old two"}},
	} {
		if got := filter(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("FilterLogEvents %s: got %q, want %q", tt.name, got, tt.want)
		}
	}
	// The window of the second invocation: from its START to its REPORT,
	// both included.
	var starts, reports []int64
	for _, e := range all {
		switch msg := aws.ToString(e.Message); {
		case strings.HasPrefix(msg, "START "):
			starts = append(starts, aws.ToInt64(e.Timestamp))
		case strings.HasPrefix(msg, "REPORT "):
			reports = append(reports, aws.ToInt64(e.Timestamp))
		}
	}
	var window []string
	for _, e := range all {
		if ts := aws.ToInt64(e.Timestamp); ts >= starts[1] && ts <= reports[1] {
			window = append(window, strings.TrimSuffix(aws.ToString(e.Message), "\n"))
		}
	}
	got := filter(cloudwatchlogs.FilterLogEventsInput{StartTime: aws.Int64(starts[1]), EndTime: aws.Int64(reports[1])})
	// (Events of a neighbouring invocation in the same millisecond belong to
	// the window too, so the window is computed, not assumed.)
	if !slices.Equal(got, window) || !slices.Contains(got, "line 3 of 3") {
		t.Errorf("FilterLogEvents time window: got %q, want %q", got, window)
	}
	// Pages of two give the same events as one call.
	paged := MustFilterAll(t, cw, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(group), Limit: aws.Int32(2)})
	whole := MustFilterAll(t, cw, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(group)})
	if len(paged) != len(whole) || len(whole) != len(all)+2 {
		t.Fatalf("paged FilterLogEvents: got %d events, want %d", len(paged), len(whole))
	}
	for i := range paged {
		if aws.ToString(paged[i].EventId) != aws.ToString(whole[i].EventId) {
			t.Fatalf("paged FilterLogEvents: event %d is %s, want %s", i, aws.ToString(paged[i].EventId), aws.ToString(whole[i].EventId))
		}
	}
	_, err = cw.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(group),
		LogStreamNames: []string{"manual"}, LogStreamNamePrefix: aws.String("man")})
	mustFailWith(t, err, "InvalidParameterException", 400)
	_, err = cw.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(group), FilterPattern: aws.String(`{ $.x = `)})
	mustFailWith(t, err, "InvalidParameterException", 400)

	// Retention: put, describe, bad values, delete.
	retention := func() *int32 {
		t.Helper()
		out, err := cw.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(group)})
		if err != nil || len(out.LogGroups) != 1 {
			t.Fatalf("DescribeLogGroups: got %v %v", out, err)
		}
		return out.LogGroups[0].RetentionInDays
	}
	if _, err := cw.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String(group), RetentionInDays: aws.Int32(14)}); err != nil {
		t.Fatal(err)
	}
	if got := retention(); aws.ToInt32(got) != 14 {
		t.Fatalf("retentionInDays: got %v, want 14", got)
	}
	_, err = cw.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String(group), RetentionInDays: aws.Int32(2)})
	mustFailWith(t, err, "InvalidParameterException", 400)
	_, err = cw.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String("/aws/lambda/none"), RetentionInDays: aws.Int32(1)})
	mustFailWith(t, err, "ResourceNotFoundException", 400)
	_, err = cw.DeleteRetentionPolicy(ctx, &cloudwatchlogs.DeleteRetentionPolicyInput{LogGroupName: aws.String("/aws/lambda/none")})
	mustFailWith(t, err, "ResourceNotFoundException", 400)
	if _, err := cw.DeleteRetentionPolicy(ctx, &cloudwatchlogs.DeleteRetentionPolicyInput{LogGroupName: aws.String(group)}); err != nil {
		t.Fatal(err)
	}
	if got := retention(); got != nil {
		t.Fatalf("retentionInDays after delete: got %d, want none", *got)
	}

	// Enforcement: with one day, the three-day-old events go and the
	// function's stay. The store's job runs every few minutes; the test
	// runs it now.
	if _, err := cw.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String(group), RetentionInDays: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	if err := m.Logs.EnforceRetention(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "the expired events to go", func() bool {
		return len(filter(cloudwatchlogs.FilterLogEventsInput{LogStreamNames: []string{"manual"}})) == 0
	})
	if got := filter(cloudwatchlogs.FilterLogEventsInput{}); !slices.Equal(got, filteredMessages(all)) {
		t.Fatalf("after expiry: got %q, want the function's events", got)
	}

	// Unknown groups and streams.
	_, err = cw.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String("none")})
	mustFailWith(t, err, "ResourceNotFoundException", 400)
	_, err = cw.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String("/aws/lambda/none")})
	mustFailWith(t, err, "ResourceNotFoundException", 400)
	_, err = cw.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/none")})
	mustFailWith(t, err, "ResourceNotFoundException", 400)

	// DeleteLogGroup: gone, then created again by the next invocation.
	if _, err := cw.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String(group)}); err != nil {
		t.Fatal(err)
	}
	_, err = cw.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String(group)})
	mustFailWith(t, err, "ResourceNotFoundException", 400)
	_, err = cw.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String(fnStream)})
	mustFailWith(t, err, "ResourceNotFoundException", 400)
	_, err = cw.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String(group)})
	mustFailWith(t, err, "ResourceNotFoundException", 400)
	MustInvoke(t, c, "logfn", map[string]any{"action": "log", "lines": 1})
	again := waitForEvents(t, cw, group, "REPORT", 1)
	if got := filteredMessages(again); !slices.Contains(got, "line 1 of 1") || slices.Contains(got, "line 3 of 3") {
		t.Fatalf("after DeleteLogGroup: got %q, want only the new invocation", got)
	}
	if got := retention(); got != nil {
		t.Fatalf("the new group has retention %d, want none", *got)
	}
}

// awsCLIEnv is the environment of an aws CLI child: test credentials, no
// user configuration, unbuffered output.
func awsCLIEnv(home string) []string {
	return append(os.Environ(), "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test",
		"AWS_DEFAULT_REGION=us-east-1", "HOME="+home, "AWS_CONFIG_FILE="+filepath.Join(home, "none"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(home, "none"), "AWS_PAGER=", "PYTHONUNBUFFERED=1")
}

// TestLogsAWSCLIFilter reads a function's logs with the machine's aws CLI,
// v1 or v2. CI sets EDDY_REQUIRE_AWSCLI=1 so that a missing CLI fails.
func TestLogsAWSCLIFilter(t *testing.T) {
	skipExternalInShort(t)
	awsPath, err := exec.LookPath("aws")
	if err != nil {
		if os.Getenv("EDDY_REQUIRE_AWSCLI") == "1" {
			t.Fatal("the aws CLI is not installed")
		}
		t.Skip("the aws CLI is not installed")
	}
	m := MustStartMain(t, Config{})
	c := MustLambda(t, m)
	cw := MustLogs(t, m)
	MustCreateEcho(t, c, "clilogs", 3)
	const group = "/aws/lambda/clilogs"
	for n := 1; n <= 3; n++ {
		MustInvoke(t, c, "clilogs", map[string]any{"action": "log", "lines": n})
	}
	all := waitForEvents(t, cw, group, "REPORT", 3)

	home := t.TempDir()
	run := func(args ...string) (string, error) {
		t.Helper()
		cmd := exec.Command(awsPath, append([]string{"--endpoint-url", m.URL(), "--output", "json"}, args...)...)
		cmd.Env = awsCLIEnv(home)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	version, err := run("--version")
	if err != nil {
		t.Fatalf("aws --version: %v\n%s", err, version)
	}
	t.Logf("using %s", strings.TrimSpace(version))
	filter := func(args ...string) []string {
		t.Helper()
		out, err := run(append([]string{"logs", "filter-log-events", "--log-group-name", group}, args...)...)
		if err != nil {
			t.Fatalf("aws logs filter-log-events %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		var res struct {
			Events []struct {
				LogStreamName, Message, EventID string
				Timestamp, IngestionTime        int64
			}
			NextToken *string
		}
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("filter-log-events output %q: %v", out, err)
		}
		if res.NextToken != nil {
			t.Fatalf("filter-log-events: the CLI left a token: %s", out)
		}
		var msgs []string
		for _, e := range res.Events {
			if e.LogStreamName == "" || e.EventID == "" || e.Timestamp == 0 || e.IngestionTime == 0 {
				t.Fatalf("filter-log-events: incomplete event %+v", e)
			}
			msgs = append(msgs, strings.TrimSuffix(e.Message, "\n"))
		}
		return msgs
	}
	// Everything, with the CLI paging two events at a time.
	if got := filter("--page-size", "2"); !slices.Equal(got, filteredMessages(all)) {
		t.Errorf("all events: got %q, want %q", got, filteredMessages(all))
	}
	if got := filter("--filter-pattern", `"line 2 of 3"`, "--interleaved"); !slices.Equal(got, []string{"line 2 of 3"}) {
		t.Errorf("pattern: got %q", got)
	}
	stream := aws.ToString(all[0].LogStreamName)
	last := aws.ToInt64(all[len(all)-1].Timestamp)
	if got := filter("--log-stream-names", stream, "--start-time", fmt.Sprint(last), "--end-time", fmt.Sprint(last)); len(got) == 0 || !strings.HasPrefix(got[len(got)-1], "REPORT ") {
		t.Errorf("time window: got %q, want the last REPORT", got)
	}
	if got := filter("--log-stream-name-prefix", "nope"); len(got) != 0 {
		t.Errorf("prefix: got %q, want nothing", got)
	}

	// Retention through the CLI.
	if out, err := run("logs", "put-retention-policy", "--log-group-name", group, "--retention-in-days", "30"); err != nil {
		t.Fatalf("put-retention-policy: %v\n%s", err, out)
	}
	out, err := run("logs", "describe-log-groups", "--log-group-name-prefix", group)
	if err != nil || !strings.Contains(out, `"retentionInDays": 30`) {
		t.Fatalf("describe-log-groups: %v\n%s", err, out)
	}
	out, err = run("logs", "put-retention-policy", "--log-group-name", group, "--retention-in-days", "31")
	if err == nil || !strings.Contains(out, "InvalidParameterException") {
		t.Fatalf("put-retention-policy 31: got %v\n%s, want InvalidParameterException", err, out)
	}
	out, err = run("logs", "filter-log-events", "--log-group-name", "/aws/lambda/none")
	if err == nil || !strings.Contains(out, "ResourceNotFoundException") {
		t.Fatalf("filter-log-events of no group: got %v\n%s, want ResourceNotFoundException", err, out)
	}
}

// lockedBuffer collects a child's output while the test reads it.
type lockedBuffer struct {
	mu    sync.Mutex // guards lines
	lines []string
}

func (b *lockedBuffer) add(line string) {
	b.mu.Lock()
	b.lines = append(b.lines, line)
	b.mu.Unlock()
}

// count returns how many lines end with suffix.
func (b *lockedBuffer) count(suffix string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, l := range b.lines {
		if strings.HasSuffix(strings.TrimRight(l, " \r"), suffix) {
			n++
		}
	}
	return n
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Join(b.lines, "\n")
}

// lockedWriter is an io.Writer for a child's stderr that the test may read
// while the child runs.
type lockedWriter struct {
	mu sync.Mutex // guards b
	b  strings.Builder
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *lockedWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// TestLogsTailFollowV2 follows a function's logs with `aws logs tail
// --follow` of the aws CLI v2 (Debian's awscli package, /usr/bin/aws),
// which polls FilterLogEvents. EDDY_REQUIRE_AWSCLI_V2=1 makes a missing v2
// CLI fail instead of skipping.
func TestLogsTailFollowV2(t *testing.T) {
	skipExternalInShort(t)
	const awsV2 = "/usr/bin/aws"
	home := t.TempDir()
	version, err := exec.Command(awsV2, "--version").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(version), "aws-cli/2") {
		if os.Getenv("EDDY_REQUIRE_AWSCLI_V2") == "1" {
			t.Fatalf("the aws CLI v2 is not at %s: %v %s", awsV2, err, version)
		}
		t.Skipf("the aws CLI v2 is not at %s", awsV2)
	}
	t.Logf("using %s", strings.TrimSpace(string(version)))
	m := MustStartMain(t, Config{})
	c := MustLambda(t, m)
	cw := MustLogs(t, m)
	MustCreateEcho(t, c, "tailed", 3)
	const group = "/aws/lambda/tailed"
	// The group must exist before tail starts, or it exits at once.
	MustInvoke(t, c, "tailed", map[string]any{"action": "log", "lines": 1})
	waitForEvents(t, cw, group, "REPORT", 1)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := exec.CommandContext(ctx, awsV2, "--endpoint-url", m.URL(), "--color", "off",
		"logs", "tail", group, "--follow", "--since", "1h", "--format", "short")
	cmd.Env = awsCLIEnv(home)
	cmd.WaitDelay = 5 * time.Second
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr lockedWriter
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var out lockedBuffer
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			out.add(sc.Text())
		}
	}()
	// exited is closed when the child has exited; exitErr is then set.
	exited := make(chan struct{})
	var exitErr error
	go func() {
		<-readDone
		exitErr = cmd.Wait()
		close(exited)
	}()
	defer func() {
		cancel()
		<-exited
	}()
	wait := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second) // tail polls every 5 s
		for !cond() {
			select {
			case <-exited:
				t.Fatalf("aws logs tail exited while waiting for %s: %v\nstdout:\n%s\nstderr:\n%s", what, exitErr, out.String(), stderr.String())
			case <-time.After(50 * time.Millisecond): // polling interval
			}
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s\nstdout:\n%s\nstderr:\n%s", what, out.String(), stderr.String())
			}
		}
	}

	// The event from before tail started, then the new ones as they come.
	wait("the earlier event", func() bool { return out.count(" line 1 of 1") == 1 })
	for n := 5; n <= 7; n++ {
		MustInvoke(t, c, "tailed", map[string]any{"action": "log", "lines": n})
	}
	wait("the new events", func() bool {
		return out.count(" line 5 of 5") == 1 && out.count(" line 6 of 6") == 1 && out.count(" line 7 of 7") == 1
	})
	// One more invocation shows that tail has polled again since: nothing
	// seen before is printed twice.
	MustInvoke(t, c, "tailed", map[string]any{"action": "log", "lines": 8})
	wait("the last event", func() bool { return out.count(" line 8 of 8") == 1 })
	for _, line := range []string{" line 1 of 1", " line 5 of 5", " line 7 of 7", " line 1 of 7"} {
		if n := out.count(line); n != 1 {
			t.Errorf("%q printed %d times, want once\n%s", line, n, out.String())
		}
	}
	if n := strings.Count(out.String(), "START RequestId:"); n != 5 {
		t.Errorf("got %d START lines, want 5\n%s", n, out.String())
	}
}
