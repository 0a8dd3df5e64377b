package logs_test

import (
	"context"
	"encoding/base64"
	"testing"
	"time"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/engine"
	"github.com/eddyserverless/eddy/logs"
)

// FuzzPagingTokens sends arbitrary NextToken values to every paged read:
// each must answer or refuse the token with InvalidParameterException —
// never panic, never fail internally.
func FuzzPagingTokens(f *testing.F) {
	for _, seed := range []string{
		"", "n/", "t/", "f/", "b/", "x",
		base64.RawURLEncoding.EncodeToString([]byte("n/stream")),
		base64.RawURLEncoding.EncodeToString([]byte("t/123/stream")),
		base64.RawURLEncoding.EncodeToString([]byte("t/-9223372036854775808/")),
		base64.RawURLEncoding.EncodeToString([]byte("e/1/0")),
		base64.RawURLEncoding.EncodeToString([]byte("e/18446744073709551615/99999")),
		"f/00000000000000000000000000000000000000010000000000000000/s",
		"b/99999999999999999999999999999999999999999999999999999999/s",
	} {
		f.Add(seed)
	}
	ctx := context.Background()
	e := engine.New(engine.Config{DataDir: f.TempDir()})
	if err := e.Open(ctx); err != nil {
		f.Fatal(err)
	}
	defer e.Close()
	st := logs.NewStore(logs.Config{Engine: e})
	if err := st.Open(ctx); err != nil {
		f.Fatal(err)
	}
	defer st.Close()
	now := time.Now().UnixMilli()
	for i, stream := range []string{"s", "t", "u"} {
		if err := st.WriteLogs(ctx, "g", stream, []eddy.LogEvent{{Timestamp: now + int64(i), Message: "hello " + stream}}); err != nil {
			f.Fatal(err)
		}
	}
	check := func(t *testing.T, what string, err error) {
		t.Helper()
		if code := eddy.ErrorCode(err); err != nil && code != eddy.EINVALID && code != eddy.EVALIDATE {
			t.Fatalf("%s: got %v (code %s), want a result or an invalid-parameter error", what, err, code)
		}
	}
	f.Fuzz(func(t *testing.T, token string) {
		_, _, err := st.DescribeLogGroups(ctx, "", token, 0)
		check(t, "DescribeLogGroups", err)
		for _, order := range []string{eddy.OrderByLogStreamName, eddy.OrderByLastEventTime} {
			_, _, err = st.DescribeLogStreams(ctx, &eddy.LogStreamQuery{Group: "g", OrderBy: order, NextToken: token})
			check(t, "DescribeLogStreams "+order, err)
		}
		for _, head := range []bool{false, true} {
			_, _, _, err = st.GetLogEvents(ctx, &eddy.LogQuery{Group: "g", Streams: []string{"s"}, NextToken: token, FromHead: head})
			check(t, "GetLogEvents", err)
		}
		_, _, err = st.FilterLogEvents(ctx, &eddy.LogQuery{Group: "g", NextToken: token, FromHead: true})
		check(t, "FilterLogEvents", err)
	})
}
