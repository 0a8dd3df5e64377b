package invoke_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/eddyserverless/eddy/invoke"
)

func TestDeadLetterErrorMessage(t *testing.T) {
	long := strings.Repeat("é", 600) // 1200 bytes
	for _, tc := range []struct {
		payload, want string
	}{
		{`{"errorMessage":"boom","errorType":"errorString"}`, "boom"},
		{`{"errorType":"Sandbox.Timedout"}`, `{"errorType":"Sandbox.Timedout"}`},
		{`not json`, "not json"},
		{`{"errorMessage":"` + long + `"}`, long[:1024]},
		{`{"errorMessage":"x` + long + `"}`, ("x" + long)[:1023]},
	} {
		got := invoke.ErrorMessage([]byte(tc.payload))
		if got != tc.want || !utf8.ValidString(got) || len(got) > 1024 {
			t.Errorf("%.40s: got %q (%d bytes), want %q", tc.payload, got, len(got), tc.want)
		}
	}
}
