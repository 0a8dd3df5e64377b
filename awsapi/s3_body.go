package awsapi

import (
	"bufio"
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/buckets"
)

// s3Body is a request body as the buckets service takes it: the decoded
// bytes, their length (-1 if unknown), and the checksum the client sent for
// them (a header, or an aws-chunked trailer known only after EOF).
type s3Body struct {
	Body      io.Reader
	Size      int64
	Algorithm string
	Checksum  func() string
}

// maxS3Object is the largest single PUT S3 accepts (5 GiB).
const maxS3Object = 5 << 30

// s3RequestBody decodes a request's body: aws-chunked (the streaming
// x-amz-content-sha256 values, or Content-Encoding: aws-chunked) with its
// trailers, or a plain body whose x-amz-content-sha256, when a hex digest,
// is checked at EOF.
func s3RequestBody(r *http.Request) (*s3Body, error) {
	sha := r.Header.Get("x-amz-content-sha256")
	b := &s3Body{Size: r.ContentLength}
	var raw io.Reader = clientReader{r.Body}
	trailer := strings.ToLower(strings.TrimSpace(r.Header.Get("x-amz-trailer")))
	if isChunked(r) {
		b.Size = -1
		if v := r.Header.Get("x-amz-decoded-content-length"); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return nil, s3Errorf("InvalidArgument", "x-amz-decoded-content-length is not a valid length")
			}
			b.Size = n
		}
		cr := newChunkedReader(raw)
		b.Body = cr
		if trailer != "" {
			if alg := buckets.AlgorithmOfHeader(trailer); alg != "" {
				b.Algorithm = alg
				b.Checksum = func() string {
					// A reader that stopped at the announced length has
					// not met the trailer yet: read on to it.
					_, _ = io.Copy(io.Discard, cr)
					return cr.Trailer(trailer)
				}
			}
		}
	} else {
		b.Body = raw
		if len(sha) == 64 {
			if _, err := hex.DecodeString(sha); err == nil {
				b.Body = &digestReader{r: raw, h: sha256.New(), want: strings.ToLower(sha), hexsum: true, remain: r.ContentLength,
					err: s3Errorf("XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.")}
			}
		}
	}
	if b.Checksum == nil {
		for _, alg := range buckets.Algorithms {
			if v := r.Header.Get(buckets.ChecksumHeader(alg)); v != "" {
				b.Algorithm = alg
				b.Checksum = func() string { return v }
				break
			}
		}
	}
	if b.Algorithm == "" {
		alg := r.Header.Get("x-amz-sdk-checksum-algorithm")
		if alg == "" {
			alg = r.Header.Get("x-amz-checksum-algorithm")
		}
		if alg != "" {
			if buckets.NewHash(alg) == nil {
				return nil, s3Errorf("InvalidRequest", "Value for x-amz-checksum-algorithm header is invalid.")
			}
			b.Algorithm = strings.ToUpper(alg)
		}
	}
	if b.Size > maxS3Object {
		return nil, s3Errorf("EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
	}
	return b, nil
}

// isChunked reports whether a request's body is aws-chunked.
func isChunked(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("x-amz-content-sha256"), "STREAMING-") || hasToken(r.Header.Get("Content-Encoding"), "aws-chunked")
}

// hasToken reports whether a comma-separated header value holds token.
func hasToken(v, token string) bool {
	for _, t := range strings.Split(v, ",") {
		if strings.EqualFold(strings.TrimSpace(t), token) {
			return true
		}
	}
	return false
}

// withoutToken removes token from a comma-separated header value.
func withoutToken(v, token string) string {
	var out []string
	for _, t := range strings.Split(v, ",") {
		if t = strings.TrimSpace(t); t != "" && !strings.EqualFold(t, token) {
			out = append(out, t)
		}
	}
	return strings.Join(out, ",")
}

// readS3Document reads a small request document (XML or a policy) whole,
// decoding aws-chunked, and checks Content-MD5 and any checksum the client
// sent. required makes a missing Content-MD5 and checksum an error, as S3
// requires one for DeleteObjects and the configuration PUTs.
func readS3Document(r *http.Request, limit int64, required bool) ([]byte, error) {
	b, err := s3RequestBody(r)
	if err != nil {
		return nil, err
	}
	if b.Size > limit {
		return nil, s3Errorf("MaxMessageLengthExceeded", "Your request was too big.")
	}
	data, err := io.ReadAll(io.LimitReader(b.Body, limit+1))
	if err != nil {
		return nil, bodyError(err)
	}
	if int64(len(data)) > limit {
		return nil, s3Errorf("MaxMessageLengthExceeded", "Your request was too big.")
	}
	md5h := r.Header.Get("Content-MD5")
	if md5h != "" {
		want, err := base64.StdEncoding.DecodeString(md5h)
		if err != nil || len(want) != md5.Size {
			return nil, s3Errorf("InvalidDigest", "The Content-MD5 you specified was invalid.")
		}
		got := md5.Sum(data)
		if !bytes.Equal(got[:], want) {
			return nil, s3Errorf("BadDigest", "The Content-MD5 you specified did not match what we received.")
		}
	}
	sent := ""
	if b.Checksum != nil {
		sent = b.Checksum()
	}
	if sent != "" {
		h := buckets.NewHash(b.Algorithm)
		h.Write(data)
		if buckets.Sum64(h) != sent {
			return nil, s3Errorf("BadDigest", "The %s you specified did not match the calculated checksum.", b.Algorithm)
		}
	}
	if required && md5h == "" && sent == "" {
		return nil, s3Errorf("InvalidRequest", "Missing required header for this request: Content-MD5 OR x-amz-checksum-*")
	}
	return data, nil
}

// bodyError turns a failure to read a request body into the error a
// client sees: the decoder's own S3 errors, else IncompleteBody.
func bodyError(err error) error {
	if eddy.AsError(err) != nil {
		return err
	}
	return s3Errorf("IncompleteBody", "The request body terminated unexpectedly")
}

// clientReader reads a request body and turns a failure to read it (the
// client went away, sent less than it announced) into IncompleteBody, so
// that the service can tell the client's faults from its own.
type clientReader struct{ r io.Reader }

func (c clientReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if err != nil && err != io.EOF && eddy.AsError(err) == nil {
		err = errTruncated()
	}
	return n, err
}

// digestReader checks the digest of what it reads at EOF and returns err
// instead of io.EOF on a mismatch.
type digestReader struct {
	r      io.Reader
	h      hash.Hash
	want   string
	hexsum bool
	// remain is what is left of the announced length (-1 if unknown): the
	// digest is checked when it reaches 0, even if the caller stops
	// reading there.
	remain int64
	err    error
	failed bool
	done   bool
}

func (d *digestReader) Read(p []byte) (int, error) {
	if d.failed {
		return 0, d.err
	}
	if d.done {
		return 0, io.EOF
	}
	n, err := d.r.Read(p)
	d.h.Write(p[:n])
	if d.remain >= 0 {
		d.remain -= int64(n)
		if d.remain <= 0 && err == nil {
			err = io.EOF
		}
	}
	if err == io.EOF {
		d.done = true
		got := base64.StdEncoding.EncodeToString(d.h.Sum(nil))
		if d.hexsum {
			got = hex.EncodeToString(d.h.Sum(nil))
		}
		if got != d.want {
			d.failed = true
			return n, d.err
		}
	}
	return n, err
}

// chunkedReader decodes an aws-chunked body:
//
//	SIZE-HEX[;chunk-signature=SIG]\r\n DATA \r\n … 0[;chunk-signature=SIG]\r\n
//	[trailer-name:value\r\n …] [x-amz-trailer-signature:SIG\r\n] \r\n
//
// Chunk and trailer signatures are read and not verified (eddy does not
// verify SigV4). Trailers are available once Read has returned io.EOF.
type chunkedReader struct {
	r        *bufio.Reader
	left     int64 // bytes of the current chunk not yet read
	started  bool  // a chunk has been read (its CRLF follows its data)
	trailers map[string]string
	err      error // sticky
}

func newChunkedReader(r io.Reader) *chunkedReader {
	return &chunkedReader{r: bufio.NewReaderSize(r, 64<<10)}
}

// Trailer returns the value of a trailer (lower-case name), "" if absent.
func (c *chunkedReader) Trailer(name string) string { return c.trailers[name] }

// maxChunkLine bounds a chunk header or trailer line.
const maxChunkLine = 4096

func malformedChunk() error {
	return s3Errorf("IncompleteBody", "The request body is not well-formed aws-chunked content.")
}

func (c *chunkedReader) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	if c.left == 0 {
		if err := c.next(); err != nil {
			c.err = err
			return 0, err
		}
		if c.left == 0 {
			c.err = io.EOF
			return 0, io.EOF
		}
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	if err == io.EOF {
		if c.left > 0 {
			c.err = errTruncated()
			return n, c.err
		}
		err = nil
	}
	if err != nil {
		c.err = bodyError(err)
		err = c.err
	}
	return n, err
}

// next reads the end of the previous chunk and the next chunk's header;
// for the final chunk it reads the trailers too.
func (c *chunkedReader) next() error {
	if c.started {
		line, err := c.line()
		if err != nil {
			return err
		}
		if line != "" {
			return malformedChunk()
		}
	}
	c.started = true
	line, err := c.line()
	if err != nil {
		return err
	}
	size, ext, _ := strings.Cut(line, ";")
	if ext != "" && !strings.HasPrefix(ext, "chunk-signature=") {
		return malformedChunk()
	}
	if size == "" || len(size) > 15 {
		return malformedChunk()
	}
	n, err := strconv.ParseInt(size, 16, 64)
	if err != nil || n < 0 {
		return malformedChunk()
	}
	c.left = n
	if n > 0 {
		return nil
	}
	c.trailers = map[string]string{}
	for i := 0; ; i++ {
		line, err := c.line()
		if err == errChunkEOF && i == 0 {
			return nil // no trailer section at all: tolerated
		}
		if err != nil {
			return err
		}
		if line == "" {
			return nil
		}
		if i > 64 {
			return malformedChunk()
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			return malformedChunk()
		}
		c.trailers[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
	}
}

// errChunkEOF is the end of the body where a line should start.
var errChunkEOF = eddy.TypedErrorf(eddy.EINVALID, "IncompleteBody", "The request body terminated unexpectedly")

func errTruncated() error {
	return s3Errorf("IncompleteBody", "The request body terminated unexpectedly")
}

// line reads one CRLF-terminated line (a bare LF is accepted).
func (c *chunkedReader) line() (string, error) {
	var buf []byte
	for {
		part, err := c.r.ReadSlice('\n')
		buf = append(buf, part...)
		if len(buf) > maxChunkLine {
			return "", malformedChunk()
		}
		if err == nil {
			break
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF {
			if len(buf) == 0 {
				return "", errChunkEOF
			}
			return "", errTruncated()
		}
		return "", bodyError(err)
	}
	return strings.TrimSuffix(strings.TrimSuffix(string(buf), "\n"), "\r"), nil
}
