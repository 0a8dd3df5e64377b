package queues

import (
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/eddyserverless/eddy"
)

// Message attributes as SQS checks and digests them. The clients check the
// digests: the Java and .NET SDKs compare MD5OfMessageAttributes with their
// own computation and fail the call on a mismatch, and every SDK compares
// MD5OfMessageBody, so both must be exactly AWS's.

// MaxMessageAttributes is how many message attributes (and, separately,
// message system attributes) one message may carry.
const MaxMessageAttributes = 10

// maxAttributeName is the longest attribute name and the longest data type.
const maxAttributeName = 256

// Transport types of the attribute digest: the byte written before a value.
const (
	transportString     = 1
	transportBinary     = 2
	transportStringList = 3
	transportBinaryList = 4
)

// MD5Hex returns the hex MD5 of s, as MD5OfMessageBody is.
func MD5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// MD5OfMessageAttributes returns the digest SQS reports as
// MD5OfMessageAttributes (and, over the system attributes, as
// MD5OfMessageSystemAttributes), or "" for no attributes.
//
// The attributes are taken in the order of their names' bytes. For each the
// digest reads the name and the data type, each as a 4-byte big-endian
// length and the UTF-8 bytes, then one transport byte and the value: 1 and
// the length-prefixed string for a StringValue, 2 and the length-prefixed
// bytes for a BinaryValue, 3 or 4 and each element length-prefixed for the
// list values. The first of those four that is set is the one taken, as the
// SDKs that check the digest do. Names sort the same by bytes as by UTF-16
// units (the Java SDK's order) because valid names hold no character beyond
// U+017F.
func MD5OfMessageAttributes(attrs map[string]MessageAttributeValue) string {
	if len(attrs) == 0 {
		return ""
	}
	names := make([]string, 0, len(attrs))
	for name := range attrs {
		names = append(names, name)
	}
	sort.Strings(names)
	h := md5.New()
	for _, name := range names {
		v := attrs[name]
		writeLengthPrefixed(h, []byte(name))
		writeLengthPrefixed(h, []byte(v.DataType))
		switch {
		case v.StringValue != nil:
			h.Write([]byte{transportString})
			writeLengthPrefixed(h, []byte(*v.StringValue))
		case v.BinaryValue != nil:
			h.Write([]byte{transportBinary})
			writeLengthPrefixed(h, v.BinaryValue)
		case len(v.StringListValues) > 0:
			h.Write([]byte{transportStringList})
			for _, s := range v.StringListValues {
				writeLengthPrefixed(h, []byte(s))
			}
		case len(v.BinaryListValues) > 0:
			h.Write([]byte{transportBinaryList})
			for _, b := range v.BinaryListValues {
				writeLengthPrefixed(h, b)
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

func writeLengthPrefixed(h hash.Hash, b []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(b)))
	h.Write(n[:])
	h.Write(b)
}

// MessageAttributesSize returns the bytes the attributes count toward the
// size of a message: each name, data type and value.
func MessageAttributesSize(attrs map[string]MessageAttributeValue) int {
	n := 0
	for name, v := range attrs {
		n += len(name) + len(v.DataType) + len(v.BinaryValue)
		if v.StringValue != nil {
			n += len(*v.StringValue)
		}
		for _, s := range v.StringListValues {
			n += len(s)
		}
		for _, b := range v.BinaryListValues {
			n += len(b)
		}
	}
	return n
}

// invalidContents is SQS's message about characters a message may not hold.
const invalidContents = "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF"

// ValidBody returns an InvalidMessageContents error if s is not UTF-8 or
// holds a character SQS does not allow in a message: only #x9, #xA, #xD,
// #x20 to #xD7FF, #xE000 to #xFFFD and #x10000 to #x10FFFF are.
func ValidBody(s string) error {
	if !validChars(s) {
		return eddy.TypedErrorf(eddy.EINVALID, "InvalidMessageContents", "%s", invalidContents)
	}
	return nil
}

// validChars reports whether s is UTF-8 made only of the characters SQS
// allows in a message (which are also the characters XML 1.0 can carry).
func validChars(s string) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			return false // invalid UTF-8; a literal U+FFFD decodes with size 3
		}
		if !validChar(r) {
			return false
		}
		i += size
	}
	return true
}

func validChar(r rune) bool {
	switch {
	case r == 0x9, r == 0xA, r == 0xD:
		return true
	case r >= 0x20 && r <= 0xD7FF:
		return true
	case r >= 0xE000 && r <= 0xFFFD:
		return true
	case r >= 0x10000 && r <= 0x10FFFF:
		return true
	}
	return false
}

// traceHeader is the one message system attribute a sender may set.
const traceHeader = "AWSTraceHeader"

// ValidateMessageAttributes returns an InvalidParameterValue error if attrs
// are not message attributes SQS accepts: at most ten; names of 1 to 256
// letters, digits, underscores, hyphens and periods that neither start with
// "AWS." or "Amazon." (in any case) nor start or end with a period nor hold
// two in a row; a data type of String, Number or Binary, optionally followed
// by a period and a custom label, at most 256 characters; a non-empty
// StringValue for String and Number (a Number that parses as one) and a
// non-empty BinaryValue for Binary. With system set, attrs are message
// system attributes instead, of which only AWSTraceHeader, a String, exists.
func ValidateMessageAttributes(attrs map[string]MessageAttributeValue, system bool) error {
	kind, what := "user", "message attributes"
	if system {
		kind, what = "system", "message system attributes"
	}
	if len(attrs) > MaxMessageAttributes {
		return invalidParameter("Number of %s [%d] exceeds the allowed maximum [%d].", what, len(attrs), MaxMessageAttributes)
	}
	names := make([]string, 0, len(attrs))
	for name := range attrs {
		names = append(names, name)
	}
	sort.Strings(names) // report the same attribute each time
	for _, name := range names {
		if err := validateAttribute(name, attrs[name], system, kind); err != nil {
			return err
		}
	}
	return nil
}

func validateAttribute(name string, v MessageAttributeValue, system bool, kind string) error {
	if system {
		if name != traceHeader {
			return invalidParameter("Message (system) attribute name '%s' is invalid. The only message system attribute a message can carry is %s.", name, traceHeader)
		}
	} else if err := validateAttributeName(name); err != nil {
		return err
	}
	if v.DataType == "" {
		return invalidParameter("The message (%s) attribute '%s' must contain a non-empty message attribute type.", kind, name)
	}
	if len(v.DataType) > maxAttributeName {
		return invalidParameter("Message (%s) attribute types must be shorter than %d bytes.", kind, maxAttributeName+1)
	}
	base, label, custom := strings.Cut(v.DataType, ".")
	if custom && !validChars(label) {
		return invalidParameter("The message (%s) attribute '%s' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.", kind, name)
	}
	if system && v.DataType != "String" {
		return invalidParameter("Message (system) attribute '%s' must be of type 'String'.", name)
	}
	empty := func() error {
		return invalidParameter("Message (%s) attribute '%s' must contain a non-empty value of type '%s'.", kind, name, base)
	}
	switch base {
	case "String", "Number":
		if v.StringValue == nil || *v.StringValue == "" {
			return empty()
		}
		if !validChars(*v.StringValue) {
			return invalidParameter("%s", invalidContents)
		}
		if base == "Number" && !validNumber(*v.StringValue) {
			return invalidParameter("Can't cast the value of message (%s) attribute '%s' to a number.", kind, name)
		}
	case "Binary":
		if len(v.BinaryValue) == 0 {
			return empty()
		}
	default:
		return invalidParameter("The message (%s) attribute '%s' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.", kind, name)
	}
	return nil
}

// validateAttributeName checks a message (user) attribute name. Besides the
// characters SQS documents it takes the Latin letters U+00C0 to U+017F, as
// SQS itself does.
func validateAttributeName(name string) error {
	if name == "" {
		return invalidParameter("The request must contain non-empty message (user) attribute names.")
	}
	if utf8.RuneCountInString(name) > maxAttributeName {
		return invalidParameter("Message (user) attribute names must be shorter than %d bytes.", maxAttributeName+1)
	}
	for _, r := range name {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
			r == '_' || r == '-' || r == '.' || r >= 0xC0 && r <= 0x17F
		if !ok {
			return invalidParameter("The message attribute name '%s' is invalid. Attribute name can contain A-Z, a-z, 0-9, underscore (_), hyphen (-), and period (.) characters.", printable(name))
		}
	}
	lower := strings.ToLower(name)
	if strings.HasPrefix(lower, "aws.") || strings.HasPrefix(lower, "amazon.") {
		return invalidParameter("You can't use message attribute names beginning with 'AWS.' or 'Amazon.'. These strings are reserved for internal use.")
	}
	if strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".") || strings.Contains(name, "..") {
		return invalidParameter("The message attribute name '%s' is invalid. A name can't start or end with a period (.) or have two periods in a row.", name)
	}
	return nil
}

// printable replaces what an error message cannot carry.
func printable(s string) string {
	if validChars(s) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r == utf8.RuneError || !validChar(r) {
			return '?'
		}
		return r
	}, strings.ToValidUTF8(s, "?"))
}

// validNumber reports whether s is a number SQS takes for a Number
// attribute: an optional sign, digits with an optional decimal point and an
// optional exponent, at most 38 significant digits and a magnitude between
// 10^-128 and 10^126 (or zero).
func validNumber(s string) bool {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	mantissa, exp, hasExp := strings.Cut(s, "e")
	if !hasExp {
		mantissa, exp, hasExp = strings.Cut(s, "E")
	}
	intPart, frac, _ := strings.Cut(mantissa, ".")
	if intPart == "" && frac == "" || !allDigits(intPart) || !allDigits(frac) {
		return false
	}
	e := 0
	if hasExp {
		if exp != "" && (exp[0] == '+' || exp[0] == '-') {
			if len(exp) == 1 || !allDigits(exp[1:]) {
				return false
			}
		} else if exp == "" || !allDigits(exp) {
			return false
		}
		digits := strings.TrimLeft(strings.TrimLeft(exp, "+-"), "0")
		if len(digits) > 6 {
			// Far beyond the range unless the mantissa is zero.
			return strings.Trim(intPart+frac, "0") == ""
		}
		for _, c := range digits {
			e = e*10 + int(c-'0')
		}
		if exp[0] == '-' {
			e = -e
		}
	}
	all := intPart + frac
	significant := strings.TrimLeft(all, "0")
	if significant == "" {
		return true // zero
	}
	if len(strings.TrimRight(significant, "0")) > 38 {
		return false
	}
	// The power of ten of the leading significant digit.
	magnitude := len(intPart) - (len(all) - len(significant)) - 1 + e
	return magnitude >= -128 && magnitude <= 126
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func invalidParameter(format string, args ...any) error {
	return eddy.TypedErrorf(eddy.EINVALID, "InvalidParameterValue", format, args...)
}
