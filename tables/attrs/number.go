package attrs

import (
	"math/big"
	"strings"

	"github.com/eddyserverless/eddy"
)

// Limits of DynamoDB's Number type.
const (
	// MaxDigits is the largest number of significant digits a Number holds.
	MaxDigits = 38
	// MaxExponent is the largest scientific exponent of a Number
	// (9.9999999999999999999999999999999999999E+125).
	MaxExponent = 125
	// MinExponent is the smallest scientific exponent of a non-zero Number (1E-130).
	MinExponent = -130
)

// Messages DynamoDB uses for numbers it cannot store.
const (
	msgNotANumber = "The parameter cannot be converted to a numeric value: %s"
	msgOverflow   = "Number overflow. Attempting to store a number with magnitude larger than supported range"
	msgUnderflow  = "Number underflow. Attempting to store a number with magnitude smaller than supported range"
	msgPrecision  = "Attempting to store more than 38 significant digits in a Number"
)

// Number is an exact DynamoDB decimal: Coef × 10^Exp, sign apart. The zero
// value is the number 0. Numbers are immutable and comparable with ==
// (canonical form is unique).
type Number struct {
	neg  bool
	coef string // significant digits, no leading or trailing zeros; "" for 0
	exp  int    // value = coef × 10^exp
}

func validationError(format string, args ...any) error {
	return eddy.TypedErrorf(eddy.EVALIDATE, "ValidationException", format, args...)
}

// ParseNumber parses s as DynamoDB does: an optional sign, digits with an
// optional decimal point, and an optional exponent. Leading and trailing
// zeros are not significant. It returns a ValidationException if s is not a
// number or is outside DynamoDB's range or precision.
func ParseNumber(s string) (Number, error) {
	var n Number
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		n.neg = s[i] == '-'
		i++
	}
	var digits strings.Builder
	seenDigit, seenPoint := false, false
	frac := 0
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			seenDigit = true
			if digits.Len() == 0 && c == '0' {
				// A leading zero: not significant, but a fractional one
				// still shifts the exponent.
				if seenPoint {
					frac++
				}
				continue
			}
			digits.WriteByte(c)
			if seenPoint {
				frac++
			}
		case c == '.' && !seenPoint:
			seenPoint = true
		default:
			goto exponent
		}
	}
exponent:
	if !seenDigit {
		return Number{}, validationError(msgNotANumber, s)
	}
	exp := 0
	if i < len(s) {
		if s[i] != 'e' && s[i] != 'E' {
			return Number{}, validationError(msgNotANumber, s)
		}
		i++
		eneg := false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			eneg = s[i] == '-'
			i++
		}
		if i == len(s) {
			return Number{}, validationError(msgNotANumber, s)
		}
		for ; i < len(s); i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return Number{}, validationError(msgNotANumber, s)
			}
			if exp < 1e6 { // saturate: anything this large is out of range anyway
				exp = exp*10 + int(c-'0')
			}
		}
		if eneg {
			exp = -exp
		}
	}
	coef := digits.String()
	exp -= frac
	// Strip trailing zeros into the exponent.
	for len(coef) > 0 && coef[len(coef)-1] == '0' {
		coef = coef[:len(coef)-1]
		exp++
	}
	if coef == "" {
		return Number{}, nil
	}
	n.coef, n.exp = coef, exp
	return n, n.check()
}

// check reports whether n is within DynamoDB's range and precision.
func (n Number) check() error {
	if n.coef == "" {
		return nil
	}
	sci := len(n.coef) + n.exp - 1
	if sci > MaxExponent {
		return validationError(msgOverflow)
	}
	if sci < MinExponent {
		return validationError(msgUnderflow)
	}
	if len(n.coef) > MaxDigits {
		return validationError(msgPrecision)
	}
	return nil
}

// MustParseNumber is ParseNumber for constants known to be valid; it panics
// otherwise. Use it in tests and for literals only.
func MustParseNumber(s string) Number {
	n, err := ParseNumber(s)
	if err != nil {
		panic(err)
	}
	return n
}

// IsZero reports whether n is 0.
func (n Number) IsZero() bool { return n.coef == "" }

// Sign returns -1, 0 or +1.
func (n Number) Sign() int {
	switch {
	case n.coef == "":
		return 0
	case n.neg:
		return -1
	}
	return 1
}

// Digits returns the number of significant digits of n (0 for zero).
func (n Number) Digits() int { return len(n.coef) }

// String returns the canonical text of n as DynamoDB returns it: plain
// decimal notation without exponent, leading or trailing zeros ("01.50"
// becomes "1.5", "1E+2" becomes "100", "-0" becomes "0").
func (n Number) String() string {
	if n.coef == "" {
		return "0"
	}
	var b strings.Builder
	if n.neg {
		b.WriteByte('-')
	}
	switch {
	case n.exp >= 0:
		b.WriteString(n.coef)
		b.WriteString(strings.Repeat("0", n.exp))
	case len(n.coef) > -n.exp:
		p := len(n.coef) + n.exp
		b.WriteString(n.coef[:p])
		b.WriteByte('.')
		b.WriteString(n.coef[p:])
	default:
		b.WriteString("0.")
		b.WriteString(strings.Repeat("0", -n.exp-len(n.coef)))
		b.WriteString(n.coef)
	}
	return b.String()
}

// Cmp compares n and m numerically and returns -1, 0 or +1.
func (n Number) Cmp(m Number) int {
	sn, sm := n.Sign(), m.Sign()
	if sn != sm {
		if sn < sm {
			return -1
		}
		return 1
	}
	if sn == 0 {
		return 0
	}
	c := cmpMagnitude(n, m)
	if sn < 0 {
		return -c
	}
	return c
}

// cmpMagnitude compares |n| and |m|, both non-zero.
func cmpMagnitude(n, m Number) int {
	en, em := len(n.coef)+n.exp, len(m.coef)+m.exp
	if en != em {
		if en < em {
			return -1
		}
		return 1
	}
	// Same scientific exponent: the digit strings compare as decimals
	// 0.d1d2…, which is lexicographic order (no trailing zeros).
	return strings.Compare(n.coef, m.coef)
}

// Neg returns -n.
func (n Number) Neg() Number {
	if n.coef != "" {
		n.neg = !n.neg
	}
	return n
}

// Add returns n + m exactly, or a ValidationException if the result is out
// of DynamoDB's range or needs more than 38 significant digits.
func (n Number) Add(m Number) (Number, error) {
	if n.coef == "" {
		return m, nil
	}
	if m.coef == "" {
		return n, nil
	}
	exp := min(n.exp, m.exp)
	r := new(big.Int).Add(n.scaled(exp), m.scaled(exp))
	return fromBig(r, exp)
}

// Sub returns n - m exactly, with Add's errors.
func (n Number) Sub(m Number) (Number, error) { return n.Add(m.Neg()) }

// scaled returns n's value × 10^-exp as an integer; exp <= n.exp.
func (n Number) scaled(exp int) *big.Int {
	v, _ := new(big.Int).SetString(n.coef, 10)
	if d := n.exp - exp; d > 0 {
		v.Mul(v, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(d)), nil))
	}
	if n.neg {
		v.Neg(v)
	}
	return v
}

func fromBig(r *big.Int, exp int) (Number, error) {
	if r.Sign() == 0 {
		return Number{}, nil
	}
	s := r.String()
	var n Number
	if s[0] == '-' {
		n.neg = true
		s = s[1:]
	}
	for len(s) > 0 && s[len(s)-1] == '0' {
		s = s[:len(s)-1]
		exp++
	}
	n.coef, n.exp = s, exp
	return n, n.check()
}

// appendText appends the text of n, as String returns it, to b.
func (n Number) appendText(b []byte) []byte {
	if n.coef == "" {
		return append(b, '0')
	}
	if n.neg {
		b = append(b, '-')
	}
	switch {
	case n.exp >= 0:
		b = append(b, n.coef...)
		for range n.exp {
			b = append(b, '0')
		}
	case len(n.coef) > -n.exp:
		p := len(n.coef) + n.exp
		b = append(b, n.coef[:p]...)
		b = append(b, '.')
		b = append(b, n.coef[p:]...)
	default:
		b = append(b, '0', '.')
		for range -n.exp - len(n.coef) {
			b = append(b, '0')
		}
		b = append(b, n.coef...)
	}
	return b
}
