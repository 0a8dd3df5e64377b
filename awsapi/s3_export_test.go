package awsapi

import (
	"io"
	"net/http"

	"github.com/eddyserverless/eddy/buckets"
)

// The S3 edge's parsers, exposed to the tests.

func BucketOfHost(host string, hosts []string) (string, bool) { return bucketOfHost(host, hosts) }

// NewChunkedReader returns an aws-chunked decoder and its trailers.
func NewChunkedReader(r io.Reader) (io.Reader, func(name string) string) {
	c := newChunkedReader(r)
	return c, c.Trailer
}

func ParseCopySource(v string) (string, string, error) { return parseCopySource(v) }

func S3URLEncode(v string) string { return s3URLEncode(v) }

// CORSMatch parses a CORSConfiguration and returns the index of the rule
// matching a request (-1 for none).
func CORSMatch(doc []byte, origin, method string, headers []string) (int, error) {
	c, err := parseCORS(doc)
	if err != nil {
		return -1, err
	}
	r := c.match(origin, method, headers)
	for i := range c.Rules {
		if &c.Rules[i] == r {
			return i, nil
		}
	}
	return -1, nil
}

func ParseWebsite(doc []byte) error { _, err := parseWebsite(doc); return err }

func ParseComplete(doc []byte) ([]buckets.CompletePart, error) { return parseCompleteRequest(doc) }

func ParseDelete(doc []byte) ([]string, bool, error) {
	d, err := parseDeleteRequest(doc)
	if err != nil {
		return nil, false, err
	}
	var keys []string
	for _, o := range d.Objects {
		keys = append(keys, o.Key)
	}
	return keys, d.Quiet, nil
}

func ParseTagging(doc []byte) (int, error) {
	t, err := parseTagging(doc, 10)
	if err != nil {
		return 0, err
	}
	return len(t.Tags), nil
}

// S3RequestBody exposes the body decoder: the body, its size and the
// checksum the client sent (read after the body).
func S3RequestBody(r *http.Request) (io.Reader, int64, func() string, error) {
	b, err := s3RequestBody(r)
	if err != nil {
		return nil, 0, nil, err
	}
	return b.Body, b.Size, b.Checksum, nil
}
