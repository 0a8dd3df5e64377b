// Package schedule parses schedule expressions — rate(), cron() and at() —
// and computes when they fire.
package schedule

import (
	"errors"
	"time"
)

// Schedule is a parsed schedule expression.
type Schedule interface {
	// Next returns the first time after t at which the schedule fires, or
	// the zero time when it never fires again.
	Next(t time.Time) time.Time
}

// Parse parses an EventBridge rule's ScheduleExpression: rate() or cron(),
// in UTC.
func Parse(expr string) (Schedule, error) { return nil, errors.New("not yet") }

// ParseIn parses an EventBridge Scheduler expression: rate(), cron() or
// at(), in loc.
func ParseIn(expr string, loc *time.Location) (Schedule, error) { return nil, errors.New("not yet") }
