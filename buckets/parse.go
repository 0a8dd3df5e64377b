package buckets

import (
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ValidBucketName reports whether name follows S3's rules for general
// purpose bucket names.
func ValidBucketName(name string) bool {
	if len(name) < 3 || len(name) > 63 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return false
		}
	}
	first, last := name[0], name[len(name)-1]
	if first == '.' || first == '-' || last == '.' || last == '-' {
		return false
	}
	if strings.Contains(name, "..") || strings.Contains(name, ".-") || strings.Contains(name, "-.") {
		return false
	}
	if net.ParseIP(name) != nil {
		return false
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(name, p) {
			return false
		}
	}
	for _, s := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(name, s) {
			return false
		}
	}
	return true
}

// validKey checks an object key: 1 to 1024 bytes of UTF-8.
func validKey(key string) error {
	if key == "" {
		return invalidArgument("Object key must not be empty")
	}
	if len(key) > 1024 {
		return keyTooLong()
	}
	if !utf8.ValidString(key) {
		return invalidArgument("Object key is not valid UTF-8")
	}
	return nil
}

// ParseRange parses a Range header against an object of size bytes. ok is
// false when the whole object is to be served: no header, a header S3
// ignores (malformed, another unit) or several ranges. An unsatisfiable
// range is InvalidRange.
func ParseRange(h string, size int64) (start, end int64, ok bool, err error) {
	h = strings.TrimSpace(h)
	spec, found := strings.CutPrefix(h, "bytes=")
	if !found || strings.Contains(spec, ",") {
		return 0, 0, false, nil
	}
	a, b, found := strings.Cut(strings.TrimSpace(spec), "-")
	if !found {
		return 0, 0, false, nil
	}
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	num := func(s string) (int64, bool) {
		if s == "" || len(s) > 19 {
			return 0, false
		}
		for i := 0; i < len(s); i++ {
			if s[i] < '0' || s[i] > '9' {
				return 0, false
			}
		}
		n, err := strconv.ParseInt(s, 10, 64)
		return n, err == nil
	}
	switch {
	case a == "":
		n, good := num(b)
		if !good {
			return 0, 0, false, nil
		}
		if n == 0 {
			return 0, 0, false, invalidRange()
		}
		if size == 0 {
			// S3 serves an empty object whole for a suffix range (what
			// readers of a file's tail rely on); bytes=0- is unsatisfiable.
			return 0, 0, false, nil
		}
		if n > size {
			n = size
		}
		return size - n, size - 1, true, nil
	default:
		s, good := num(a)
		if !good {
			return 0, 0, false, nil
		}
		e := size - 1
		if b != "" {
			var good bool
			if e, good = num(b); !good || e < s {
				return 0, 0, false, nil
			}
		}
		if s >= size {
			return 0, 0, false, invalidRange()
		}
		if e >= size {
			e = size - 1
		}
		return s, e, true, nil
	}
}

// ParseTagging parses an x-amz-tagging header (URL query form) and checks
// S3's limits on tags.
func ParseTagging(q string) (map[string]string, error) {
	tags := map[string]string{}
	if q == "" {
		return tags, nil
	}
	for _, kv := range strings.Split(q, "&") {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		var err error
		if k, err = url.QueryUnescape(k); err != nil {
			return nil, invalidArgument("The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.")
		}
		if v, err = url.QueryUnescape(v); err != nil {
			return nil, invalidArgument("The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.")
		}
		if _, dup := tags[k]; dup {
			return nil, invalidTag("Cannot provide multiple Tags with the same key")
		}
		tags[k] = v
	}
	return tags, CheckTags(tags)
}

// CheckTags checks S3's limits on an object's tag set.
func CheckTags(tags map[string]string) error {
	if len(tags) > 10 {
		return invalidTag("Object tags cannot be greater than 10")
	}
	for k, v := range tags {
		if k == "" || !utf8.ValidString(k) {
			return invalidTag("The TagKey you have provided is invalid")
		}
		if utf8.RuneCountInString(k) > 128 {
			return invalidTag("The TagKey you have provided is too long, max 128")
		}
		if !utf8.ValidString(v) {
			return invalidTag("The TagValue you have provided is invalid")
		}
		if utf8.RuneCountInString(v) > 256 {
			return invalidTag("The TagValue you have provided is too long, max 256")
		}
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			return invalidTag("System tags cannot be added/updated by requester")
		}
	}
	return nil
}

// etagMatch reports whether an If-Match / If-None-Match list matches etag.
func etagMatch(list, etag string) bool {
	want := strings.Trim(etag, `"`)
	for _, t := range strings.Split(list, ",") {
		t = strings.TrimSpace(t)
		t = strings.TrimPrefix(t, "W/")
		if t == "*" || strings.Trim(t, `"`) == want {
			return true
		}
	}
	return false
}

// checkRead applies a GET or HEAD's conditions in S3's order: If-Match
// (412) wins over If-Unmodified-Since, If-None-Match (304) over
// If-Modified-Since. Times compare at whole seconds, as HTTP dates do.
func checkRead(c *Conditions, o *Object) error {
	mod := o.LastModified.Truncate(time.Second)
	if c.IfMatch != "" {
		if !etagMatch(c.IfMatch, o.ETag) {
			return preconditionFailed()
		}
	} else if c.IfUnmodifiedSince != nil && mod.After(*c.IfUnmodifiedSince) {
		return preconditionFailed()
	}
	if c.IfNoneMatch != "" {
		if etagMatch(c.IfNoneMatch, o.ETag) {
			return notModified()
		}
	} else if c.IfModifiedSince != nil && !mod.After(*c.IfModifiedSince) {
		return notModified()
	}
	return nil
}

// checkCopySource applies x-amz-copy-source-if-*: every failure is 412.
func checkCopySource(c *Conditions, o *Object) error {
	if err := checkRead(c, o); err != nil {
		return preconditionFailed()
	}
	return nil
}
