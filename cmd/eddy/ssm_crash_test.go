package main

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	stypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// TestSSMSurvivesKill kills eddy (SIGKILL) during a burst of puts, label
// moves and tag changes. After a restart every acknowledged version is in
// its parameter's history with its value (SecureStrings decrypt with the
// key file the first run made), the versions have no gaps, and every
// acknowledged label and tag is there.
func TestSSMSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills an eddy process")
	}
	bin := MustBuildEddy(t)
	dir := t.TempDir()
	cmd, url := MustServe(t, bin, dir)
	c := mustSSMAt(t, url, "us-east-1")
	ctx := context.Background()

	type acked struct {
		values map[int64]string // acknowledged versions
		label  map[string]int64 // acknowledged label moves, the last of each
		tags   map[string]bool
	}
	var (
		mu    sync.Mutex
		state = map[string]*acked{}
		count atomic.Int64
	)
	const writers = 6
	for w := range writers {
		name := fmt.Sprintf("/crash/w%d", w)
		typ := stypes.ParameterTypeString
		if w%2 == 0 {
			typ = stypes.ParameterTypeSecureString
		}
		ssmPut(t, c, &ssm.PutParameterInput{Name: aws.String(name), Value: aws.String("v1"), Type: typ})
		state[name] = &acked{values: map[int64]string{1: "v1"}, label: map[string]int64{}, tags: map[string]bool{}}
	}
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := fmt.Sprintf("/crash/w%d", w)
			for i := 2; ; i++ {
				val := fmt.Sprintf("w%d-value-%d", w, i)
				out, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String(name), Value: aws.String(val), Overwrite: aws.Bool(true)})
				if err != nil {
					return
				}
				mu.Lock()
				state[name].values[out.Version] = val
				mu.Unlock()
				count.Add(1)
				if i%5 == 0 {
					label := fmt.Sprintf("l%d", i%3)
					if _, err := c.LabelParameterVersion(ctx, &ssm.LabelParameterVersionInput{Name: aws.String(name), ParameterVersion: aws.Int64(out.Version), Labels: []string{label}}); err != nil {
						return
					}
					mu.Lock()
					state[name].label[label] = out.Version
					mu.Unlock()
				}
				if i%7 == 0 {
					tag := fmt.Sprintf("t%d", i)
					if _, err := c.AddTagsToResource(ctx, &ssm.AddTagsToResourceInput{ResourceType: stypes.ResourceTypeForTaggingParameter, ResourceId: aws.String(name),
						Tags: []stypes.Tag{{Key: aws.String(tag), Value: aws.String("x")}}}); err != nil {
						return
					}
					mu.Lock()
					state[name].tags[tag] = true
					mu.Unlock()
				}
			}
		}()
	}
	// Enough to wrap the 100 versions kept of some parameters.
	waitFor(t, 60*time.Second, "a burst of puts", func() bool { return count.Load() >= 900 })
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	_ = cmd.Wait()

	_, url = MustServe(t, bin, dir)
	c = mustSSMAt(t, url, "us-east-1")
	for name, st := range state {
		var hist []stypes.ParameterHistory
		p := ssm.NewGetParameterHistoryPaginator(c, &ssm.GetParameterHistoryInput{Name: aws.String(name), WithDecryption: aws.Bool(true)})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatalf("history of %s: %v", name, err)
			}
			hist = append(hist, page.Parameters...)
		}
		if len(hist) == 0 || len(hist) > 100 {
			t.Fatalf("%s: %d versions", name, len(hist))
		}
		got := map[int64]string{}
		for i, h := range hist {
			if i > 0 && h.Version != hist[i-1].Version+1 {
				t.Fatalf("%s: version %d follows %d", name, h.Version, hist[i-1].Version)
			}
			got[h.Version] = aws.ToString(h.Value)
		}
		first, last := hist[0].Version, hist[len(hist)-1].Version
		var maxAcked int64
		for v, val := range st.values {
			maxAcked = max(maxAcked, v)
			if v < first {
				continue // dropped: more than 100 versions since
			}
			if got[v] != val {
				t.Fatalf("%s: acknowledged version %d was %q, history has %q", name, v, val, got[v])
			}
		}
		if last < maxAcked || last > maxAcked+1 {
			t.Fatalf("%s: latest version %d, last acknowledged %d", name, last, maxAcked)
		}
		if cur := ssmGet(t, c, name, true); cur.Version != last || aws.ToString(cur.Value) != got[last] {
			t.Fatalf("%s: GetParameter %+v, history's latest %d", name, cur, last)
		}
		for label, v := range st.label {
			if v < first {
				continue
			}
			if p := ssmGet(t, c, name+":"+label, true); p.Version < v {
				t.Fatalf("%s: label %s on version %d, acknowledged on %d", name, label, p.Version, v)
			}
		}
		tags, err := c.ListTagsForResource(ctx, &ssm.ListTagsForResourceInput{ResourceType: stypes.ResourceTypeForTaggingParameter, ResourceId: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		have := map[string]bool{}
		for _, tg := range tags.TagList {
			have[aws.ToString(tg.Key)] = true
		}
		for tag := range st.tags {
			if !have[tag] {
				t.Fatalf("%s: acknowledged tag %s is gone", name, tag)
			}
		}
		t.Logf("%s: versions %d..%d, %d acknowledged", name, first, last, len(st.values))
	}
	// The store takes writes again.
	ssmPut(t, c, &ssm.PutParameterInput{Name: aws.String("/crash/w0"), Value: aws.String("after"), Overwrite: aws.Bool(true)})
}
