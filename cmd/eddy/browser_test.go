package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// browserScript is the Playwright script that drives Chromium; its
// node_modules (playwright-core) are installed next to it by
// `npm ci --prefix cmd/eddy/testdata/browser`.
const browserScript = "testdata/browser/leaderboard.mjs"

// chromium returns the system Chromium, skipping the test without it
// unless EDDY_REQUIRE_BROWSER is set (CI installs it).
func chromium(t *testing.T) string {
	t.Helper()
	path := os.Getenv("CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	_, errChrome := os.Stat(path)
	_, errNode := exec.LookPath("node")
	_, errPW := os.Stat(filepath.Join(filepath.Dir(browserScript), "node_modules", "playwright-core"))
	if errChrome != nil || errNode != nil || errPW != nil {
		if os.Getenv("EDDY_REQUIRE_BROWSER") != "" {
			t.Fatalf("the browser test needs Chromium (%v), node (%v) and playwright-core (%v)", errChrome, errNode, errPW)
		}
		t.Skip("no Chromium, node or playwright-core (apt-get install chromium; npm ci --prefix cmd/eddy/testdata/browser)")
	}
	return path
}

// TestLeaderboardInBrowser loads the leaderboard page in headless
// Chromium while the simulator produces tweets and the search is polled:
// the table fills, changes, and marks ranks 1 to 3. The screenshot goes
// to EDDY_SCREENSHOT when set (docs/leaderboard.png is made so).
func TestLeaderboardInBrowser(t *testing.T) {
	t.Parallel()
	browser := chromium(t)
	m := MustStartMain(t, Config{BundledApps: true})
	ctx := context.Background()
	g := startGame(t, m, 7, 40, nil)
	page := eddyURL(m.URL(), g.pageURL)

	// The game goes on while the browser looks: a minute of tweets per
	// poll, a poll a second.
	pctx, stop := context.WithCancel(ctx)
	defer stop()
	go func() {
		lc := MustLambda(t, m)
		for pctx.Err() == nil {
			g.advance(time.Minute)
			_, _ = lc.Invoke(pctx, &lambda.InvokeInput{FunctionName: aws.String(g.poller), InvocationType: lambdatypes.InvocationTypeRequestResponse, Payload: []byte(`{}`)})
			_ = sleepCtx(pctx, time.Second)
		}
	}()

	shot := os.Getenv("EDDY_SCREENSHOT")
	if shot == "" {
		shot = filepath.Join(t.TempDir(), "leaderboard.png")
	}
	cmd := exec.CommandContext(ctx, "node", browserScript, page, shot)
	cmd.Env = append(os.Environ(), "CHROMIUM="+browser)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	got, err := cmd.Output()
	if err != nil {
		t.Fatalf("the browser: %v\n%s\n%s", err, got, stderr.String())
	}
	var seen struct {
		First, Last []string
		Medals      []string
		Changed     bool
	}
	if err := json.Unmarshal(got, &seen); err != nil {
		t.Fatalf("the browser printed %q: %v", got, err)
	}
	if !seen.Changed || len(seen.First) == 0 {
		t.Fatalf("the table never changed: %+v", seen)
	}
	for i, cls := range seen.Medals {
		if !strings.Contains(cls, "rank-"+string(rune('1'+i))) {
			t.Errorf("row %d is not marked as rank %d: %q", i+1, i+1, cls)
		}
	}
	if fi, err := os.Stat(shot); err != nil || fi.Size() == 0 {
		t.Fatalf("no screenshot: %v", err)
	}
	t.Logf("first %q\nlast %q", seen.First, seen.Last)
}
