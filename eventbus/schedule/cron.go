package schedule

import (
	"strings"
	"time"
)

// Years a cron expression may name.
const (
	minYear = 1970
	maxYear = 2199
)

// set is a set of small integers, stored relative to the field's minimum.
type set [4]uint64

func (s *set) add(v int)      { s[v/64] |= 1 << (v % 64) }
func (s *set) has(v int) bool { return v >= 0 && v < 256 && s[v/64]&(1<<(v%64)) != 0 }
func (s *set) empty() bool    { return s[0]|s[1]|s[2]|s[3] == 0 }

// field describes one of the six fields of a cron expression.
type field struct {
	min, max int
	names    []string // names[i] is the name of value min+i
}

var (
	minutesField = field{min: 0, max: 59}
	hoursField   = field{min: 0, max: 23}
	domField     = field{min: 1, max: 31}
	monthField   = field{min: 1, max: 12, names: []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}}
	dowField     = field{min: 1, max: 7, names: []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}}
	yearField    = field{min: minYear, max: maxYear}
)

// Cron is a cron() schedule:
// cron(Minutes Hours Day-of-month Month Day-of-week Year), with AWS's
// wildcards: , - * / ? L W #. Days of the week are numbered 1-7 from
// Sunday. It is evaluated on the wall clock of its location: a minute that
// a daylight saving change skips does not fire, and a minute that occurs
// twice fires once, the first time.
type Cron struct {
	loc                           *time.Location
	minutes, hours, months, years set // relative to each field's minimum
	dom, dow                      set // relative to 1
	domAny                        bool
	domLast, domLastWeekday       bool
	domWeekday                    int // N of "NW"
	dowLast                       int // weekday of "nL"
	dowNth, dowNthWeek            int // "n#k"
}

func parseCron(body string, loc *time.Location) (Schedule, bool) {
	f := strings.Fields(body)
	if len(f) != 6 {
		return nil, false
	}
	c := &Cron{loc: loc}
	var ok bool
	if c.minutes, ok = minutesField.parse(f[0]); !ok {
		return nil, false
	}
	if c.hours, ok = hoursField.parse(f[1]); !ok {
		return nil, false
	}
	if c.months, ok = monthField.parse(f[3]); !ok {
		return nil, false
	}
	if c.years, ok = yearField.parse(f[5]); !ok {
		return nil, false
	}
	domQ, dowQ := f[2] == "?", f[4] == "?"
	if domQ == dowQ {
		return nil, false
	}
	c.domAny = domQ
	if !domQ && !c.parseDOM(strings.ToUpper(f[2])) {
		return nil, false
	}
	if !dowQ && !c.parseDOW(strings.ToUpper(f[4])) {
		return nil, false
	}
	return c, true
}

func (c *Cron) parseDOM(s string) bool {
	switch {
	case s == "L":
		c.domLast = true
		return true
	case s == "LW":
		c.domLastWeekday = true
		return true
	case strings.HasSuffix(s, "W"):
		n, ok := number(s[:len(s)-1])
		if !ok || n < 1 || n > 31 {
			return false
		}
		c.domWeekday = n
		return true
	}
	var ok bool
	c.dom, ok = domField.parse(s)
	return ok
}

func (c *Cron) parseDOW(s string) bool {
	switch {
	case s == "L":
		c.dow.add(7 - 1)
		return true
	case strings.HasSuffix(s, "L"):
		d, ok := dowField.value(s[:len(s)-1])
		if !ok {
			return false
		}
		c.dowLast = d
		return true
	case strings.Contains(s, "#"):
		day, week, _ := strings.Cut(s, "#")
		d, ok := dowField.value(day)
		if !ok {
			return false
		}
		k, ok := number(week)
		if !ok || k < 1 || k > 5 {
			return false
		}
		c.dowNth, c.dowNthWeek = d, k
		return true
	}
	var ok bool
	c.dow, ok = dowField.parse(s)
	return ok
}

// value parses one value of f: a number or, for months and days of the
// week, a three-letter name.
func (f field) value(s string) (int, bool) {
	if n, ok := number(s); ok {
		return n, n >= f.min && n <= f.max
	}
	for i, name := range f.names {
		if strings.EqualFold(s, name) {
			return f.min + i, true
		}
	}
	return 0, false
}

// parse parses a comma-separated list of *, values, ranges a-b (which wrap
// around except for years) and steps (*/n, a/n, a-b/n).
func (f field) parse(s string) (set, bool) {
	var out set
	for _, part := range strings.Split(s, ",") {
		rng, stepText, hasStep := strings.Cut(part, "/")
		step := 1
		if hasStep {
			var ok bool
			step, ok = number(stepText)
			if !ok || step < 1 || step > f.max-f.min+1 {
				return set{}, false
			}
		}
		var lo, hi int
		switch {
		case rng == "*":
			lo, hi = f.min, f.max
		case strings.Contains(rng, "-"):
			a, b, _ := strings.Cut(rng, "-")
			var ok1, ok2 bool
			lo, ok1 = f.value(a)
			hi, ok2 = f.value(b)
			if !ok1 || !ok2 || (hi < lo && f.min == minYear) {
				return set{}, false
			}
		default:
			v, ok := f.value(rng)
			if !ok {
				return set{}, false
			}
			lo, hi = v, v
			if hasStep {
				hi = f.max
			}
		}
		size := f.max - f.min + 1
		span := (hi - lo + size) % size
		for k := 0; k <= span; k += step {
			out.add((lo - f.min + k) % size)
		}
	}
	return out, !out.empty()
}

// Next returns the first whole minute strictly after t that matches c, or
// the zero time when there is none before the end of 2199.
func (c *Cron) Next(t time.Time) time.Time {
	y, mo, d := t.In(c.loc).Date()
	if y < minYear {
		y, mo, d = minYear, time.January, 1
	}
	for ; y <= maxYear; y, mo, d = y+1, time.January, 1 {
		if !c.years.has(y - minYear) {
			continue
		}
		for ; mo <= time.December; mo, d = mo+1, 1 {
			if !c.months.has(int(mo) - 1) {
				continue
			}
			last := daysIn(y, mo)
			for ; d <= last; d++ {
				if !c.dayMatches(y, mo, d, last) {
					continue
				}
				for h := 0; h < 24; h++ {
					if !c.hours.has(h) {
						continue
					}
					for mi := 0; mi < 60; mi++ {
						if !c.minutes.has(mi) {
							continue
						}
						if e, ok := earliest(y, mo, d, h, mi, c.loc); ok && e.After(t) {
							return e
						}
					}
				}
			}
		}
	}
	return time.Time{}
}

func daysIn(y int, mo time.Month) int {
	return time.Date(y, mo+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// weekday returns the AWS day-of-week number of a date: 1 for Sunday
// through 7 for Saturday.
func weekday(y int, mo time.Month, d int) int {
	return int(time.Date(y, mo, d, 0, 0, 0, 0, time.UTC).Weekday()) + 1
}

func (c *Cron) dayMatches(y int, mo time.Month, d, last int) bool {
	if !c.domAny {
		switch {
		case c.domLast:
			return d == last
		case c.domLastWeekday:
			return d == nearestWeekday(y, mo, last, last)
		case c.domWeekday > 0:
			return c.domWeekday <= last && d == nearestWeekday(y, mo, c.domWeekday, last)
		}
		return c.dom.has(d - 1)
	}
	wd := weekday(y, mo, d)
	switch {
	case c.dowLast > 0:
		return wd == c.dowLast && d+7 > last
	case c.dowNth > 0:
		return wd == c.dowNth && (d-1)/7+1 == c.dowNthWeek
	}
	return c.dow.has(wd - 1)
}

// nearestWeekday returns the weekday (Monday to Friday) nearest to day n
// of the month, without leaving the month.
func nearestWeekday(y int, mo time.Month, n, last int) int {
	switch weekday(y, mo, n) {
	case 7: // Saturday
		if n == 1 {
			return 3
		}
		return n - 1
	case 1: // Sunday
		if n == last {
			return n - 2
		}
		return n + 1
	}
	return n
}
