package schedule_test

import (
	"errors"
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/eddyserverless/eddy/eventbus/schedule"
)

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func mustLoad(tb testing.TB, name string) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		tb.Fatal(err)
	}
	return loc
}

// 2022-11-14 is a Monday.
const monday = "2022-11-14T09:07:30Z"

func TestNextUTC(t *testing.T) {
	tests := []struct {
		expr, after, want string // want "" is the zero time
	}{
		// The examples of "Creating an Amazon EventBridge rule that runs
		// on a schedule" (eb-scheduled-rule-pattern).
		{"cron(0 10 * * ? *)", monday, "2022-11-14T10:00:00Z"},
		{"cron(0 10 * * ? *)", "2022-11-14T10:00:00Z", "2022-11-15T10:00:00Z"},
		{"cron(15 12 * * ? *)", monday, "2022-11-14T12:15:00Z"},
		{"cron(0 18 ? * MON-FRI *)", monday, "2022-11-14T18:00:00Z"},
		{"cron(0 18 ? * MON-FRI *)", "2022-11-18T19:00:00Z", "2022-11-21T18:00:00Z"},
		{"cron(0 8 1 * ? *)", monday, "2022-12-01T08:00:00Z"},
		{"cron(0/15 * * * ? *)", monday, "2022-11-14T09:15:00Z"},
		{"cron(0/15 * * * ? *)", "2022-11-14T23:45:00Z", "2022-11-15T00:00:00Z"},
		{"cron(0/10 * ? * MON-FRI *)", monday, "2022-11-14T09:10:00Z"},
		{"cron(0/10 * ? * MON-FRI *)", "2022-11-18T23:55:00Z", "2022-11-21T00:00:00Z"},
		{"cron(0/5 8-17 ? * MON-FRI *)", monday, "2022-11-14T09:10:00Z"},
		{"cron(0/5 8-17 ? * MON-FRI *)", "2022-11-14T17:55:00Z", "2022-11-15T08:00:00Z"},
		{"cron(0/30 20-2 ? * MON-FRI *)", monday, "2022-11-14T20:00:00Z"},
		{"cron(0/30 20-2 ? * MON-FRI *)", "2022-11-15T02:00:00Z", "2022-11-15T02:30:00Z"},
		{"cron(0/30 20-2 ? * MON-FRI *)", "2022-11-15T02:30:00Z", "2022-11-15T20:00:00Z"},
		{"cron(0/30 20-2 ? * MON-FRI *)", "2022-11-18T23:30:00Z", "2022-11-21T00:00:00Z"},
		{"cron(0 9 ? * 2#1 *)", monday, "2022-12-05T09:00:00Z"},
		{"cron(0 20 * * ? *)", monday, "2022-11-14T20:00:00Z"},
		// The wildcards the same page describes.
		{"cron(1/10 * * * ? *)", monday, "2022-11-14T09:11:00Z"},
		{"cron(*/5 * * * ? *)", monday, "2022-11-14T09:10:00Z"},
		{"cron(0 0 1-15 * ? *)", "2022-11-15T00:00:00Z", "2022-12-01T00:00:00Z"},
		{"cron(0 0 1 JAN,FEB,MAR ? *)", monday, "2023-01-01T00:00:00Z"},
		{"cron(0 0 1 jun-aug ? *)", monday, "2023-06-01T00:00:00Z"},
		{"cron(0 12 ? JAN,JUL SUN *)", monday, "2023-01-01T12:00:00Z"},
		{"cron(0 5 L * ? *)", monday, "2022-11-30T05:00:00Z"},
		{"cron(0 5 L * ? *)", "2024-02-01T00:00:00Z", "2024-02-29T05:00:00Z"},
		{"cron(0 0 3W * ? *)", "2022-10-01T00:00:00Z", "2022-10-03T00:00:00Z"},
		{"cron(0 0 15W * ? *)", "2022-10-01T00:00:00Z", "2022-10-14T00:00:00Z"}, // 15th is a Saturday
		{"cron(0 0 1W * ? *)", "2022-09-30T00:00:00Z", "2022-10-03T00:00:00Z"},  // 1st is a Saturday
		{"cron(0 0 30W * ? *)", "2023-04-01T00:00:00Z", "2023-04-28T00:00:00Z"}, // 30th is a Sunday
		{"cron(0 0 31W * ? *)", "2022-11-01T00:00:00Z", "2022-12-30T00:00:00Z"}, // no 31 November; 31 December is a Saturday
		{"cron(0 0 LW * ? *)", "2022-10-01T00:00:00Z", "2022-10-31T00:00:00Z"},
		{"cron(0 0 LW * ? *)", "2023-04-01T00:00:00Z", "2023-04-28T00:00:00Z"},
		{"cron(0 12 ? * 3#2 *)", monday, "2022-12-13T12:00:00Z"}, // second Tuesday
		{"cron(0 12 ? * 5L *)", monday, "2022-11-24T12:00:00Z"},  // last Thursday
		{"cron(0 12 ? * L *)", monday, "2022-11-19T12:00:00Z"},   // L alone is Saturday
		{"cron(0 0 ? * FRI-MON *)", "2022-11-15T00:00:00Z", "2022-11-18T00:00:00Z"},
		{"cron(0 0 ? * 6-2 *)", "2022-11-19T00:00:00Z", "2022-11-20T00:00:00Z"},
		{"cron(0 0 1 1 ? 2030)", monday, "2030-01-01T00:00:00Z"},
		{"cron(0 0 1 1 ? 2030-2040/5)", "2030-01-01T00:00:00Z", "2035-01-01T00:00:00Z"},
		{"cron(59 23 31 12 ? 2199)", monday, "2199-12-31T23:59:00Z"},
		{"cron(59 23 31 12 ? 2199)", "2199-12-31T23:59:00Z", ""},
		{"cron(0 0 1 1 ? 2020)", monday, ""},
		{"cron(0 0 30 2 ? *)", monday, ""},
		{"cron(0 0 1 1 ? *)", "1900-06-01T00:00:00Z", "1970-01-01T00:00:00Z"},
		// Rates have no phase.
		{"rate(5 minutes)", monday, "2022-11-14T09:12:30Z"},
		{"rate(1 minute)", monday, "2022-11-14T09:08:30Z"},
		{"rate(1 hour)", monday, "2022-11-14T10:07:30Z"},
		{"rate(12 hours)", monday, "2022-11-14T21:07:30Z"},
		{"rate(1 day)", monday, "2022-11-15T09:07:30Z"},
		{"rate(7 days)", monday, "2022-11-21T09:07:30Z"},
	}
	for _, tt := range tests {
		s, err := schedule.Parse(tt.expr)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.expr, err)
			continue
		}
		got := s.Next(utc(tt.after))
		var want time.Time
		if tt.want != "" {
			want = utc(tt.want)
		}
		if !got.Equal(want) {
			t.Errorf("Parse(%q).Next(%s): got %v, want %v", tt.expr, tt.after, got, want)
		}
	}
}

func TestNextIn(t *testing.T) {
	ny := mustLoad(t, "America/New_York")
	la := mustLoad(t, "America/Los_Angeles")
	tests := []struct {
		expr  string
		loc   *time.Location
		after string
		want  string
	}{
		// The examples of "Schedule types on EventBridge Scheduler".
		{"rate(5 minutes)", ny, monday, "2022-11-14T09:12:30Z"},
		{"cron(15 10 ? * 6L 2022-2023)", time.UTC, monday, "2022-11-25T10:15:00Z"},
		{"cron(15 10 ? * 6L 2022-2023)", time.UTC, "2023-12-29T10:15:00Z", ""},
		{"cron(15 10 ? * 6L 2022-2023)", la, monday, "2022-11-25T18:15:00Z"},
		{"at(2022-11-20T13:00:00)", la, monday, "2022-11-20T21:00:00Z"},
		{"at(2022-11-20T13:00:00)", la, "2022-11-20T21:00:00Z", ""},
		{"at(2022-11-20T13:00:00)", time.UTC, monday, "2022-11-20T13:00:00Z"},
		{"at(2022-11-20T13:00:30)", time.UTC, monday, "2022-11-20T13:00:30Z"},
		// cron on a wall clock: 10:00 in New York is 15:00 UTC in winter and
		// 14:00 UTC in summer.
		{"cron(0 10 * * ? *)", ny, monday, "2022-11-14T15:00:00Z"},
		{"cron(0 10 * * ? *)", ny, "2023-06-01T00:00:00Z", "2023-06-01T14:00:00Z"},
		// Spring forward, 2023-03-12: 02:30 does not exist and is skipped.
		{"cron(30 2 * * ? *)", ny, "2023-03-11T08:00:00Z", "2023-03-13T06:30:00Z"},
		{"cron(0 3 * * ? *)", ny, "2023-03-11T09:00:00Z", "2023-03-12T07:00:00Z"},
		// Fall back, 2023-11-05: 01:30 occurs twice and fires once, the
		// first time (EDT).
		{"cron(30 1 * * ? *)", ny, "2023-11-04T12:00:00Z", "2023-11-05T05:30:00Z"},
		{"cron(30 1 * * ? *)", ny, "2023-11-05T05:30:00Z", "2023-11-06T06:30:00Z"},
		{"cron(0/30 * * * ? *)", ny, "2023-11-05T05:30:00Z", "2023-11-05T07:00:00Z"},
		{"cron(0/30 * * * ? *)", ny, "2023-11-05T06:10:00Z", "2023-11-05T07:00:00Z"},
	}
	for _, tt := range tests {
		s, err := schedule.ParseIn(tt.expr, tt.loc)
		if err != nil {
			t.Errorf("ParseIn(%q): %v", tt.expr, err)
			continue
		}
		got := s.Next(utc(tt.after))
		var want time.Time
		if tt.want != "" {
			want = utc(tt.want)
		}
		if !got.Equal(want) {
			t.Errorf("ParseIn(%q, %v).Next(%s): got %v, want %v", tt.expr, tt.loc, tt.after, got, want)
		}
	}
}

func TestRatePeriod(t *testing.T) {
	s, err := schedule.Parse("rate(7 days)")
	if err != nil {
		t.Fatal(err)
	}
	r, ok := s.(schedule.Rate)
	if !ok || r.Period != 7*24*time.Hour {
		t.Errorf("got %#v, want Rate{Period: 168h}", s)
	}
}

func TestInvalid(t *testing.T) {
	invalid := []string{
		"", "rate", "rate()", "cron()", "at()", "every(5 minutes)", " rate(5 minutes)", "RATE(5 minutes)",
		"rate(1 minutes)", "rate(5 minute)", "rate(1 hours)", "rate(2 hour)", "rate(1 days)", "rate(3 day)",
		"rate(0 minutes)", "rate(-1 minutes)", "rate(+5 minutes)", "rate(1.5 hours)", "rate(5 seconds)",
		"rate(5 weeks)", "rate(x minutes)", "rate(5)", "rate(5 minutes extra)", "rate(99999999999 days)",
		"cron(0 10 * * * *)",       // both days *
		"cron(7 20 * * 1-7 *)",     // both days given
		"cron(0 10 ? * ? *)",       // both days ?
		"cron(*/1 * * * *)",        // five fields
		"cron(0/10 * ? * MON-FRI)", // five fields
		"cron(0 0 1 * ? * *)",      // seven fields
		"cron(0/5, 9-18, ?, *, MON-FRI, *)",
		"cron(15 12 ? * -1 *)",
		"cron(60 * * * ? *)", "cron(0 24 * * ? *)", "cron(0 0 0 * ? *)", "cron(0 0 32 * ? *)",
		"cron(0 0 * 0 ? *)", "cron(0 0 * 13 ? *)", "cron(0 0 ? * 0 *)", "cron(0 0 ? * 8 *)",
		"cron(0 0 * * ? 1969)", "cron(0 0 * * ? 2200)", "cron(0 0 * * ? 2030-2020)",
		"cron(0 0 ? * 3#1,6#3 *)", "cron(0 0 ? * 3#0 *)", "cron(0 0 ? * 3#6 *)", "cron(0 0 ? * 8#1 *)",
		"cron(0 0 0W * ? *)", "cron(0 0 32W * ? *)", "cron(0 0 1,L * ? *)", "cron(0 0 ? * 8L *)",
		"cron(0 0 * JANUARY ? *)", "cron(0 0 ? * SUNDAY *)", "cron(0/0 * * * ? *)", "cron(0/61 * * * ? *)",
		"cron(1,,2 * * * ? *)", "cron(a * * * ? *)", "cron(L * * * ? *)", "cron(0 0 ? * 2W *)",
		"cron(? 0 * * ? *)", "cron(0 0 * ? ? *)",
	}
	for _, expr := range invalid {
		_, err := schedule.Parse(expr)
		var e *schedule.Error
		if !errors.As(err, &e) || e.Message != "Parameter ScheduleExpression is not valid." {
			t.Errorf("Parse(%q): got %v, want the rule's ValidationException", expr, err)
		}
		_, err = schedule.ParseIn(expr, time.UTC)
		if !errors.As(err, &e) || e.Message != "Invalid Schedule Expression "+expr+"." {
			t.Errorf("ParseIn(%q): got %v, want the Scheduler's ValidationException", expr, err)
		}
	}
	for _, expr := range []string{"at(2022-11-20T13:00:00)", "at(2022-11-20 13:00:00)", "at(2022-02-30T13:00:00)", "at(2022-11-20T13:00)", "at(2022-11-20T25:00:00)"} {
		if _, err := schedule.Parse(expr); err == nil {
			t.Errorf("Parse(%q): got nil error, want one (rules have no at())", expr)
		}
	}
	for _, expr := range []string{"at(2022-11-20 13:00:00)", "at(2022-02-30T13:00:00)", "at(2022-11-20T13:00)", "at(2022-11-20T25:00:00)", "at(22-11-20T13:00:00)"} {
		if _, err := schedule.ParseIn(expr, time.UTC); err == nil {
			t.Errorf("ParseIn(%q): got nil error, want one", expr)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"rate(5 minutes)", "rate(1 day)", "cron(0 10 * * ? *)", "cron(0/5 8-17 ? * MON-FRI *)",
		"cron(0 9 ? * 2#1 *)", "cron(15 10 ? * 6L 2022-2023)", "cron(0 0 LW * ? *)", "cron(0 0 15W * ? *)",
		"cron(0/30 20-2 ? * FRI-MON *)", "at(2022-11-20T13:00:00)", "cron(0 0 30 2 ? *)",
	} {
		f.Add(s, int64(1668416850), int64(3600))
	}
	ny := mustLoad(f, "America/New_York")
	f.Fuzz(func(t *testing.T, expr string, sec, delta int64) {
		sec %= 8_000_000_000 // about 1716 to 2223
		if delta < 0 {
			delta = -delta
		}
		delta %= 400 * 24 * 3600
		t0 := time.Unix(sec, 0).UTC()
		t1 := t0.Add(time.Duration(delta) * time.Second)
		for _, loc := range []*time.Location{nil, time.UTC, ny} {
			var s schedule.Schedule
			var err error
			if loc == nil {
				s, err = schedule.Parse(expr)
			} else {
				s, err = schedule.ParseIn(expr, loc)
			}
			if err != nil {
				if e := (*schedule.Error)(nil); !errors.As(err, &e) {
					t.Fatalf("Parse(%q): error %T, want *schedule.Error", expr, err)
				}
				continue
			}
			n0, n1 := s.Next(t0), s.Next(t1)
			if !n0.IsZero() && !n0.After(t0) {
				t.Fatalf("%q.Next(%v) = %v, not after", expr, t0, n0)
			}
			if !n1.IsZero() && !n1.After(t1) {
				t.Fatalf("%q.Next(%v) = %v, not after", expr, t1, n1)
			}
			if _, rate := s.(schedule.Rate); rate {
				continue
			}
			// Not a rate: Next is monotonic, and the zero time means never.
			if n0.IsZero() && !n1.IsZero() {
				t.Fatalf("%q: Next(%v) is zero but Next(%v) = %v", expr, t0, t1, n1)
			}
			if !n1.IsZero() && n1.Before(n0) {
				t.Fatalf("%q: Next(%v) = %v after Next(%v) = %v", expr, t0, n0, t1, n1)
			}
			if !n0.IsZero() && n0.After(t1) && !n1.Equal(n0) {
				t.Fatalf("%q: Next(%v) = %v but Next(%v) = %v", expr, t0, n0, t1, n1)
			}
		}
	})
}
