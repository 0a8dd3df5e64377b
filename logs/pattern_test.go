package logs_test

import (
	"strings"
	"testing"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/logs"
)

func TestParsePattern(t *testing.T) {
	const (
		report = "REPORT RequestId: 8f5e Duration: 2.05 ms Billed Duration: 3 ms"
		errLn  = "[ERROR] 2024-01-01 Something failed: timeout"
		warn   = "[WARN] disk almost full"
		apache = `127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 404 1534`
		doc    = `{"eventType":"UpdateTrail","level":"ERROR","latency":250,"user":{"id":7,"name":"ann","tags":["a","b"]},"ok":true,"gone":null,"code":"200"}`
	)
	tests := []struct {
		pattern string
		msg     string
		want    bool
	}{
		// Text.
		{"", report, true},
		{"   ", "", true},
		{"ERROR", errLn, true},
		{"ERROR", warn, false},
		{"error", errLn, false}, // case-sensitive
		{"ERROR timeout", errLn, true},
		{"ERROR disk", errLn, false},
		{`"Something failed"`, errLn, true},
		{`"something failed"`, errLn, false},
		{`"failed: timeout"`, errLn, true},
		{`"say \"hi\""`, `they say "hi"`, true},
		{"?ERROR ?WARN", warn, true},
		{"?ERROR ?WARN", errLn, true},
		{"?ERROR ?WARN", report, false},
		{"ERROR -timeout", errLn, false},
		{"ERROR -disk", errLn, true},
		{"-ERROR", warn, true},
		{"REPORT ?Init ?Billed", report, true},
		{"REPORT ?Init ?Cold", report, false},
		{"%Duration: [0-9.]+ ms%", report, true},
		{"%^\\[ERROR\\]%", errLn, true},
		{"%^\\[ERROR\\]%", warn, false},
		{"RequestId:", report, true},
		{"-", "a - b", true},

		// JSON.
		{`{ $.eventType = "UpdateTrail" }`, doc, true},
		{`{$.eventType="UpdateTrail"}`, doc, true},
		{`{ $.eventType = UpdateTrail }`, doc, true},
		{`{ $.eventType = "Update*" }`, doc, true},
		{`{ $.eventType = "*Trail" }`, doc, true},
		{`{ $.eventType = "*date*" }`, doc, true},
		{`{ $.eventType = "Delete*" }`, doc, false},
		{`{ $.eventType != "DeleteTrail" }`, doc, true},
		{`{ $.eventType = %^Up.*l$% }`, doc, true},
		{`{ $.latency > 200 }`, doc, true},
		{`{ $.latency > 250 }`, doc, false},
		{`{ $.latency >= 250 }`, doc, true},
		{`{ $.latency < 1e3 }`, doc, true},
		{`{ $.latency <= -1 }`, doc, false},
		{`{ $.latency = 250 }`, doc, true},
		{`{ $.latency = 250.0 }`, doc, true},
		{`{ $.latency != 250 }`, doc, false},
		{`{ $.user.id = 7 }`, doc, true},
		{`{ $.user.name = "ann" }`, doc, true},
		{`{ $.user.tags[1] = "b" }`, doc, true},
		{`{ $.user.tags[2] = "b" }`, doc, false},
		{`{ $.code = 200 }`, doc, true},
		{`{ $.code = "200" }`, doc, true},
		{`{ $.level = "ERROR" && $.latency > 100 }`, doc, true},
		{`{ $.level = "ERROR" && $.latency > 300 }`, doc, false},
		{`{ $.level = "WARN" || $.latency > 100 }`, doc, true},
		{`{ ($.level = "WARN" || $.latency > 100) && $.user.id = 8 }`, doc, false},
		{`{ $.level = "WARN" || ($.latency > 100 && $.user.id = 7) }`, doc, true},
		{`{ $.ok IS TRUE }`, doc, true},
		{`{ $.ok IS FALSE }`, doc, false},
		{`{ $.gone IS NULL }`, doc, true},
		{`{ $.level IS NULL }`, doc, false},
		{`{ $.missing NOT EXISTS }`, doc, true},
		{`{ $.level NOT EXISTS }`, doc, false},
		{`{ $.missing = "x" }`, doc, false},
		{`{ $.missing != "x" }`, doc, false},
		{`{ $.user = "x" }`, doc, false},
		{`{ $.level = "ERROR" }`, "ERROR not json", false},
		{`{ $.level = "ERROR" }`, `{"level":"ERROR"} trailing`, false},

		// Space-delimited.
		{"[ip, user, username, timestamp, request, status_code, bytes]", apache, true},
		{"[ip, user, username, timestamp, request, status_code]", apache, false},
		{"[ip, user, username, timestamp, request, status_code = 404, bytes]", apache, true},
		{"[ip, user, username, timestamp, request, status_code = 4*, bytes]", apache, true},
		{"[ip, user, username, timestamp, request, status_code = 2*, bytes]", apache, false},
		{"[ip, user, username, timestamp, request, status_code != 2*, bytes > 1000]", apache, true},
		{"[ip, user, username, timestamp, request = *gif*, status_code, bytes]", apache, true},
		{"[ip, user, username, timestamp = *2000*, ...]", apache, true},
		{"[..., status_code = 404, bytes]", apache, true},
		{"[ip = 127.0.0.1, ..., bytes < 100]", apache, false},
		{"[ip, ..., status_code = 200 || status_code = 404, bytes]", apache, true},
		{"[ip, ..., status_code >= 400 && status_code < 500, bytes]", apache, true},
		{"[...]", apache, true},
		{"[..., user = frank, ...]", apache, true},
		{"[..., user = bob, ...]", apache, false},
	}
	for _, tt := range tests {
		p, err := logs.ParsePattern(tt.pattern)
		if err != nil {
			t.Errorf("ParsePattern(%q): %v", tt.pattern, err)
			continue
		}
		if got := p.Match(tt.msg); got != tt.want {
			t.Errorf("ParsePattern(%q).Match(%q): got %v, want %v", tt.pattern, tt.msg, got, tt.want)
		}
	}
}

func TestParsePatternInvalid(t *testing.T) {
	for _, pattern := range []string{
		`"unterminated`,
		`abc"def`,
		`%unterminated`,
		`%[%`,
		`""`,
		`{ $.a = }`,
		`{ $.a }`,
		`{ $.a = "x"`,
		`{ $.a = "x" } extra`,
		`{ a = "x" }`,
		`{ $ = "x" }`,
		`{ $.a > "x" }`,
		`{ $.a > abc }`,
		`{ $.a = 1 & $.b = 2 }`,
		`{ $.a = 1 && }`,
		`{ ($.a = 1 }`,
		`{ $.a IS MAYBE }`,
		`{ $.a NOT THERE }`,
		`{ $.a[x] = 1 }`,
		`{ $.a ! 1 }`,
		`[a, b`,
		`[a b]`,
		`[a, a]`,
		`[a = 1 || b = 2]`,
		`[a, = 1]`,
		`[a,]`,
		`[]`,
		strings.Repeat("a", 1025),
		"\xff",
		"{" + strings.Repeat("(", 100) + "$.a = 1" + strings.Repeat(")", 100) + "}",
	} {
		_, err := logs.ParsePattern(pattern)
		e := eddy.AsError(err)
		if e == nil || e.Code != eddy.EINVALID || e.Type != "InvalidParameterException" || e.Message != "Invalid filter pattern" {
			t.Errorf("ParsePattern(%q): got %v, want an invalid filter pattern error", pattern, err)
		}
	}
}

func FuzzParsePattern(f *testing.F) {
	for _, s := range []string{
		"", "ERROR", `"a b" ?c -d`, "%a+%", `{ $.a = "x*" && ($.b > 1 || $.c IS NULL) }`,
		`{ $.a[0].b NOT EXISTS }`, "[ip, ..., status = 4* || status = 5*, bytes > 10]",
	} {
		f.Add(s, `{"a":"xy","b":2,"c":null} 1.2.3.4 - - [x] "GET /" 404 12`)
	}
	f.Fuzz(func(t *testing.T, pattern, msg string) {
		p, err := logs.ParsePattern(pattern)
		if err != nil {
			if e := eddy.AsError(err); e == nil || e.Code != eddy.EINVALID {
				t.Fatalf("ParsePattern(%q): got %v, want an EINVALID error", pattern, err)
			}
			return
		}
		p.Match(msg)
		p.Match(pattern)
	})
}
