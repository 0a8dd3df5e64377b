package handlers_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/eddyserverless/eddy/stacks/handlers"
)

func TestGeneratedName(t *testing.T) {
	for _, c := range []struct {
		stack, logical string
		max            int
		want           string // the part before the random suffix
	}{
		{"app", "Jobs", 80, "app-Jobs-"},
		{strings.Repeat("s", 60), strings.Repeat("L", 60), 64, strings.Repeat("s", 24) + "-" + strings.Repeat("L", 25) + "-"},
		{"ab", strings.Repeat("L", 80), 64, "ab-" + strings.Repeat("L", 47) + "-"},
		{strings.Repeat("s", 80), "Fn", 64, strings.Repeat("s", 47) + "-Fn-"},
	} {
		got := handlers.GeneratedName(c.stack, c.logical, c.max)
		if len(got) > c.max {
			t.Errorf("%q is longer than %d", got, c.max)
		}
		if !strings.HasPrefix(got, c.want) || !regexp.MustCompile(`^[A-Z0-9]{13}$`).MatchString(got[len(c.want):]) {
			t.Errorf("GeneratedName(%d, %d, %d) = %q, want %s and 13 random", len(c.stack), len(c.logical), c.max, got, c.want)
		}
	}
	if a, b := handlers.GeneratedName("app", "Jobs", 80), handlers.GeneratedName("app", "Jobs", 80); a == b {
		t.Errorf("two names are the same: %s", a)
	}
	if got := handlers.GeneratedName("app", "Jobs", 10); len(got) > 10 {
		t.Errorf("%q is longer than 10", got)
	}
}
