// Package schedule parses schedule expressions — rate(), cron() and at() —
// and computes when they fire.
//
// Parse accepts what an EventBridge rule's ScheduleExpression accepts:
// rate() and cron(), evaluated in UTC. ParseIn accepts what an EventBridge
// Scheduler schedule accepts: rate(), cron() and at(), evaluated in a time
// zone. Schedules have one-minute precision: cron and at schedules fire on
// whole minutes.
package schedule

import (
	"strconv"
	"strings"
	"time"
)

// Schedule is a parsed schedule expression.
type Schedule interface {
	// Next returns the first time after t at which the schedule fires, or
	// the zero time when it never fires again.
	Next(t time.Time) time.Time
}

// Error is a schedule expression that does not parse. Message is the
// message of the ValidationException AWS returns for it: for a rule,
// "Parameter ScheduleExpression is not valid."; for a Scheduler schedule,
// "Invalid Schedule Expression <expr>.".
type Error struct {
	Message string
}

func (e *Error) Error() string { return e.Message }

// RuleMessage is the ValidationException message of PutRule for a
// ScheduleExpression that does not parse.
const RuleMessage = "Parameter ScheduleExpression is not valid."

// SchedulerMessage returns the ValidationException message of
// EventBridge Scheduler's CreateSchedule and UpdateSchedule for an
// expression that does not parse.
func SchedulerMessage(expr string) string {
	return "Invalid Schedule Expression " + expr + "."
}

// Parse parses an EventBridge rule's ScheduleExpression: rate() or cron(),
// in UTC. Its error is an *Error whose Message is RuleMessage.
func Parse(expr string) (Schedule, error) {
	s, ok := parse(expr, time.UTC, false)
	if !ok {
		return nil, &Error{Message: RuleMessage}
	}
	return s, nil
}

// ParseIn parses an EventBridge Scheduler expression: rate(), cron() or
// at(), in loc (UTC when loc is nil). Its error is an *Error whose Message
// is SchedulerMessage(expr).
func ParseIn(expr string, loc *time.Location) (Schedule, error) {
	if loc == nil {
		loc = time.UTC
	}
	s, ok := parse(expr, loc, true)
	if !ok {
		return nil, &Error{Message: SchedulerMessage(expr)}
	}
	return s, nil
}

func parse(expr string, loc *time.Location, allowAt bool) (Schedule, bool) {
	open := strings.IndexByte(expr, '(')
	if open < 0 || !strings.HasSuffix(expr, ")") {
		return nil, false
	}
	kind, body := expr[:open], expr[open+1:len(expr)-1]
	switch kind {
	case "rate":
		return parseRate(body)
	case "cron":
		return parseCron(body, loc)
	case "at":
		if !allowAt {
			return nil, false
		}
		return parseAt(body, loc)
	}
	return nil, false
}

// Rate is a rate() schedule. It has no wall-clock phase: Next(t) is
// t + Period, where t is the schedule's last firing (or, before the first,
// the time the rule or schedule was created or its start date).
type Rate struct {
	Period time.Duration
}

// Next returns t + r.Period.
func (r Rate) Next(t time.Time) time.Time { return t.Add(r.Period) }

// maxRateValue keeps value*unit well inside time.Duration (about 292
// years); AWS does not document a maximum.
const maxRateValue = 1_000_000

func parseRate(body string) (Schedule, bool) {
	f := strings.Split(body, " ")
	if len(f) != 2 {
		return nil, false
	}
	n, ok := number(f[0])
	if !ok || n < 1 || n > maxRateValue {
		return nil, false
	}
	unit := f[1]
	if n == 1 {
		unit += "s"
	} else if !strings.HasSuffix(unit, "s") {
		return nil, false
	}
	var d time.Duration
	switch unit {
	case "minutes":
		d = time.Minute
	case "hours":
		d = time.Hour
	case "days":
		d = 24 * time.Hour
	default:
		return nil, false
	}
	return Rate{Period: time.Duration(n) * d}, true
}

// number parses a non-empty string of ASCII digits.
func number(s string) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// At is a one-time at() schedule.
type At struct {
	Time time.Time
}

// Next returns a.Time when it is after t, else the zero time.
func (a At) Next(t time.Time) time.Time {
	if a.Time.After(t) {
		return a.Time
	}
	return time.Time{}
}

func parseAt(body string, loc *time.Location) (Schedule, bool) {
	if len(body) != len("2006-01-02T15:04:05") {
		return nil, false
	}
	wall, err := time.ParseInLocation("2006-01-02T15:04:05", body, time.UTC)
	if err != nil {
		return nil, false
	}
	t, ok := earliest(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), loc)
	if !ok {
		// A wall-clock time that a daylight saving change skips is taken
		// as the instant Go's time.Date normalizes it to.
		t = time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), 0, 0, loc)
	}
	return At{Time: t.Add(time.Duration(wall.Second()) * time.Second)}, true
}

// earliest returns the first instant at which loc's wall clock reads the
// given minute, and false when a daylight saving change skips it.
func earliest(y int, mo time.Month, d, h, mi int, loc *time.Location) (time.Time, bool) {
	c := time.Date(y, mo, d, h, mi, 0, 0, loc)
	if !sameWall(c, y, mo, d, h, mi) {
		return time.Time{}, false
	}
	// When the clock is set back the minute occurs twice; time.Date may
	// return either.
	for _, back := range []time.Duration{3 * time.Hour, 2 * time.Hour, 90 * time.Minute, time.Hour, 30 * time.Minute} {
		if e := c.Add(-back); sameWall(e, y, mo, d, h, mi) {
			return e, true
		}
	}
	return c, true
}

func sameWall(t time.Time, y int, mo time.Month, d, h, mi int) bool {
	ty, tmo, td := t.Date()
	return ty == y && tmo == mo && td == d && t.Hour() == h && t.Minute() == mi
}
