package bench

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// Table is a Markdown pipe table, padded so that it also reads well in a
// terminal.
type Table struct {
	Header []string
	Rows   [][]string
	// Right marks the columns to align right (numbers).
	Right []bool
}

// Render writes the table to w. Rows shorter than the header are padded
// with empty cells.
func (t Table) Render(w io.Writer) error {
	n := len(t.Header)
	for _, r := range t.Rows {
		n = max(n, len(r))
	}
	width := make([]int, n)
	cell := func(row []string, i int) string {
		if i < len(row) {
			return row[i]
		}
		return ""
	}
	for i := range width {
		width[i] = max(3, utf8.RuneCountInString(cell(t.Header, i)))
		for _, r := range t.Rows {
			width[i] = max(width[i], utf8.RuneCountInString(cell(r, i)))
		}
	}
	right := func(i int) bool { return i < len(t.Right) && t.Right[i] }
	var b strings.Builder
	line := func(row []string) {
		b.WriteString("|")
		for i := range width {
			c := cell(row, i)
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(c))
			if right(i) {
				b.WriteString(" " + pad + c + " |")
			} else {
				b.WriteString(" " + c + pad + " |")
			}
		}
		b.WriteString("\n")
	}
	line(t.Header)
	b.WriteString("|")
	for i := range width {
		if right(i) {
			b.WriteString(" " + strings.Repeat("-", width[i]-1) + ": |")
		} else {
			b.WriteString(" " + strings.Repeat("-", width[i]) + " |")
		}
	}
	b.WriteString("\n")
	for _, r := range t.Rows {
		line(r)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// ms formats a duration in milliseconds with three decimals.
func ms(d time.Duration) string { return fmt.Sprintf("%.3f ms", float64(d)/float64(time.Millisecond)) }

// us formats a duration in microseconds.
func us(d time.Duration) string { return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond)) }

// mib formats a byte count in MiB.
func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// ratio formats a/b as "N.NN×", or "–" if b is zero.
func ratio(a, b float64) string {
	if b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f×", a/b)
}
