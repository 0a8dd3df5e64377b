package serverlessrepo

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/eddyserverless/eddy/engine"
)

// mustSearchService opens a service on a new engine, closed at the end of
// the test.
func mustSearchService(t *testing.T) (*Service, *engine.Engine) {
	t.Helper()
	ctx := context.Background()
	e := engine.New(engine.Config{DataDir: t.TempDir()})
	if err := e.Open(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	s := NewService(Config{Engine: e, Endpoint: "http://eddy"})
	if err := s.Open(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s, e
}

// names returns the names of results.
func names(rs []SearchResult) []string {
	out := []string{}
	for _, r := range rs {
		out = append(out, r.Name)
	}
	return out
}

// mustSearch searches s and fails the test on an error.
func mustSearch(t *testing.T, s *Service, in SearchInput) []SearchResult {
	t.Helper()
	rs, _, err := s.Search(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func TestTokenize(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"Queue-App v2", []string{"queue", "app", "v2"}},
		{"a b cd", []string{"cd"}},
		{"S3→Lambda, DynamoDB_streams!", []string{"s3", "lambda", "dynamodb", "streams"}},
		{"Ünïcode ÉTÉ é", []string{"ünïcode", "été"}},
	} {
		if got := Tokenize(c.in); !slices.Equal(got, c.want) {
			t.Errorf("Tokenize(%q): got %q, want %q", c.in, got, c.want)
		}
	}
	if got := parseQuery("queue Queue app queue"); !slices.Equal(got, []string{"queue", "app"}) {
		t.Errorf("parseQuery: got %q, want [queue app]", got)
	}
}

func TestSearch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := mustSearchService(t)
	for _, in := range []CreateApplicationInput{
		{Name: "thumbnailer", Author: "alice", Description: "makes thumbnails of images", Labels: []string{"s3", "images"},
			ReadmeBody: "Resizes every image put in a bucket.", SemanticVersion: "1.2.0", TemplateBody: queueTemplate},
		{Name: "queue-worker", Author: "bob", Description: "drains a queue into a function", Labels: []string{"sqs"},
			ReadmeBody: "Works with any thumbnail producer upstream."},
		{Name: "image-tools", Author: "bob", Description: "a toolbox", Labels: []string{"images", "python"},
			ReadmeBody: "Crops and rotates."},
		{Name: "queue", Author: "carol", Description: "just a queue", Labels: []string{"sqs"}},
		{Name: "audit-log", Author: "carol", Description: "writes an audit log of every change, of images too", Labels: []string{"logs"}},
	} {
		if _, err := s.CreateApplication(ctx, in); err != nil {
			t.Fatal(err)
		}
	}

	// A name match beats a README match; a prefix matches.
	rs := mustSearch(t, s, SearchInput{Terms: "thumbnail"})
	if got := names(rs); !slices.Equal(got, []string{"thumbnailer", "queue-worker"}) {
		t.Fatalf("thumbnail: got %q, want [thumbnailer queue-worker]", got)
	}
	if rs[0].Score <= rs[1].Score || rs[0].SemanticVersion != "1.2.0" || rs[1].SemanticVersion != "" {
		t.Errorf("thumbnail: got %+v", rs)
	}
	// The application named exactly as the query comes first.
	if got := names(mustSearch(t, s, SearchInput{Terms: "queue"})); len(got) != 2 || got[0] != "queue" {
		t.Errorf("queue: got %q, want queue first of 2", got)
	}
	if got := names(mustSearch(t, s, SearchInput{Terms: "QUEUE worker"})); len(got) == 0 || got[0] != "queue-worker" {
		t.Errorf("QUEUE worker: got %q, want queue-worker first", got)
	}
	// A label counts more than a description, both more than either.
	if got := names(mustSearch(t, s, SearchInput{Terms: "images"})); !slices.Equal(got, []string{"thumbnailer", "image-tools", "audit-log"}) {
		t.Errorf("images: got %q, want [thumbnailer image-tools audit-log]", got)
	}
	// Filters: every label, the author in any case.
	if got := names(mustSearch(t, s, SearchInput{Labels: []string{"images"}})); !slices.Equal(got, []string{"image-tools", "thumbnailer"}) {
		t.Errorf("label images: got %q", got)
	}
	if got := names(mustSearch(t, s, SearchInput{Labels: []string{"images", "python"}})); !slices.Equal(got, []string{"image-tools"}) {
		t.Errorf("labels images, python: got %q", got)
	}
	if got := names(mustSearch(t, s, SearchInput{Author: "BOB"})); !slices.Equal(got, []string{"image-tools", "queue-worker"}) {
		t.Errorf("author BOB: got %q", got)
	}
	if got := names(mustSearch(t, s, SearchInput{Terms: "queue", Author: "bob"})); !slices.Equal(got, []string{"queue-worker"}) {
		t.Errorf("queue by bob: got %q", got)
	}
	if got := names(mustSearch(t, s, SearchInput{Terms: "nothing-like-this"})); len(got) != 0 {
		t.Errorf("no match: got %q", got)
	}
	if got := names(mustSearch(t, s, SearchInput{})); len(got) != 5 || got[0] != "audit-log" {
		t.Errorf("everything: got %q", got)
	}

	// Paging.
	var all []string
	token := ""
	for range 5 {
		rs, next, err := s.Search(ctx, SearchInput{MaxItems: 2, NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, names(rs)...)
		if token = next; token == "" {
			break
		}
	}
	if want := []string{"audit-log", "image-tools", "queue", "queue-worker", "thumbnailer"}; !slices.Equal(all, want) {
		t.Errorf("pages: got %q, want %q", all, want)
	}
	for _, bad := range []SearchInput{{NextToken: "x"}, {MaxItems: 101}, {Terms: strings.Repeat("a", maxQuery+1)}} {
		if _, _, err := s.Search(ctx, bad); errType(err) != "BadRequestException" {
			t.Errorf("maxItems %d, nextToken %q: got %v, want BadRequestException", bad.MaxItems, bad.NextToken, err)
		}
	}

	// Updates show at once; deletes vanish.
	desc := "now about kangaroos"
	if _, err := s.UpdateApplication(ctx, UpdateApplicationInput{ApplicationID: "audit-log", Description: &desc}); err != nil {
		t.Fatal(err)
	}
	if got := names(mustSearch(t, s, SearchInput{Terms: "kangaroo"})); !slices.Equal(got, []string{"audit-log"}) {
		t.Errorf("after update: got %q", got)
	}
	if _, err := s.CreateApplicationVersion(ctx, CreateApplicationVersionInput{ApplicationID: "audit-log", SemanticVersion: "2.0.0", TemplateBody: queueTemplate}); err != nil {
		t.Fatal(err)
	}
	if rs := mustSearch(t, s, SearchInput{Terms: "audit"}); len(rs) != 1 || rs[0].SemanticVersion != "2.0.0" {
		t.Errorf("after a new version: got %+v", rs)
	}
	if err := s.DeleteApplication(ctx, "thumbnailer"); err != nil {
		t.Fatal(err)
	}
	if got := names(mustSearch(t, s, SearchInput{Terms: "thumbnail"})); !slices.Equal(got, []string{"queue-worker"}) {
		t.Errorf("after delete: got %q", got)
	}
}

// TestSearchWatch checks that a service sees the writes of another sharing
// its engine, deletes included, and builds its index of what is there.
func TestSearchWatch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, e := mustSearchService(t)
	if _, err := a.CreateApplication(ctx, CreateApplicationInput{Name: "before", Author: "x", Description: "made before the other opened"}); err != nil {
		t.Fatal(err)
	}
	b := NewService(Config{Engine: e})
	if err := b.Open(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	if got := names(mustSearch(t, b, SearchInput{Terms: "before"})); !slices.Equal(got, []string{"before"}) {
		t.Fatalf("initial index: got %q", got)
	}
	if _, err := a.CreateApplication(ctx, CreateApplicationInput{Name: "after", Author: "x", Description: "made after"}); err != nil {
		t.Fatal(err)
	}
	waitSearch(t, b, "after", []string{"after"})
	if err := a.DeleteApplication(ctx, "before"); err != nil {
		t.Fatal(err)
	}
	waitSearch(t, b, "before", []string{})
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
}

// waitSearch polls s until a search of terms finds want.
func waitSearch(t *testing.T, s *Service, terms string, want []string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := names(mustSearch(t, s, SearchInput{Terms: terms}))
		if slices.Equal(got, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("search %q: got %q, want %q", terms, got, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func FuzzSearchQuery(f *testing.F) {
	for _, seed := range []string{"", "queue", "Queue-App v2", "a", "日本語 テスト", "\xff\xfe", "x y z " + strings.Repeat("ab ", 50), "thumb*", "\u0301\u0301"} {
		f.Add(seed)
	}
	ix := newIndex()
	for i, name := range []string{"queue-app", "thumbnailer", "image-tools"} {
		ix.put("a."+name, uint64(i+1), &record{App: Application{Name: name, Author: "me", Description: "an app of " + name, Labels: []string{"x"}}, ReadmeBody: "readme " + name})
	}
	f.Fuzz(func(t *testing.T, q string) {
		for _, tok := range Tokenize(q) {
			if len([]rune(tok)) < 2 || tok != strings.Map(unicode.ToLower, tok) {
				t.Fatalf("token %q of %q: short or not lower case", tok, q)
			}
			for _, r := range tok {
				if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
					t.Fatalf("token %q of %q: has %q", tok, q, r)
				}
			}
		}
		if terms := parseQuery(q); len(terms) > maxQueryTerms {
			t.Fatalf("%q: %d terms", q, len(terms))
		}
		rs := ix.search(SearchInput{Terms: q})
		for i := 1; i < len(rs); i++ {
			if rs[i].Score > rs[i-1].Score {
				t.Fatalf("%q: results out of order: %+v", q, rs)
			}
		}
	})
}

// TestIndexRevisions checks that a late update of the watch does not undo
// a newer write, nor bring back a deleted application.
func TestIndexRevisions(t *testing.T) {
	t.Parallel()
	ix := newIndex()
	rec := func(desc string) *record {
		return &record{App: Application{Name: "app", Author: "me", Description: desc}}
	}
	find := func(terms string) []string { return names(ix.search(SearchInput{Terms: terms})) }
	ix.put("a.app", 5, rec("newer words"))
	ix.put("a.app", 3, rec("older words"))
	if got := find("older"); len(got) != 0 {
		t.Errorf("after a stale put: older found: %q", got)
	}
	if got := find("newer"); !slices.Equal(got, []string{"app"}) {
		t.Errorf("after a stale put: newer: got %q, want [app]", got)
	}
	ix.remove("a.app", 6)
	ix.put("a.app", 5, rec("newer words"))
	if got := find("newer"); len(got) != 0 {
		t.Errorf("after a delete, a stale put: got %q, want nothing", got)
	}
	ix.put("a.app", 7, rec("again"))
	if got := find("again"); !slices.Equal(got, []string{"app"}) {
		t.Errorf("created again: got %q, want [app]", got)
	}
	if got := find("newer"); len(got) != 0 || len(ix.postings["newer"]) != 0 {
		t.Errorf("the words of the replaced version remain: %q %v", got, ix.postings["newer"])
	}
}
