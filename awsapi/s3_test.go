package awsapi_test

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"fmt"
	"hash/crc32"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/awsapi"
)

func TestS3BucketOfHost(t *testing.T) {
	for _, tc := range []struct {
		host, bucket string
		website      bool
	}{
		{"localhost:4566", "", false},
		{"localhost", "", false},
		{"127.0.0.1:4566", "", false},
		{"[::1]:4566", "", false},
		{"s3.localhost:4566", "", false},
		{"s3.amazonaws.com", "", false},
		{"bkt.localhost:4566", "bkt", false},
		{"my.dotted.bkt.localhost:4566", "my.dotted.bkt", false},
		{"bkt.s3.localhost:4566", "bkt", false},
		{"bkt.s3.us-west-2.amazonaws.com", "bkt", false},
		{"bkt.s3.eddy.internal:9000", "bkt", false},
		{"BKT.LOCALHOST:4566", "bkt", false},
		{"bkt.s3-website.localhost:4566", "bkt", true},
		{"bkt.s3-website-eu-west-1.localhost:4566", "bkt", true},
		{"bkt.s3-website.eu-west-1.localhost:4566", "bkt", true},
		{"bkt.eddy.example:4566", "bkt", false}, // configured below
		{"bkt.other.example:4566", "", false},
		{"example.com", "", false},
		{"s3-assets.localhost:4566", "s3-assets", false},
		{"bkt.s3-us-west-2.amazonaws.com", "bkt", false},
		{"s3-us-west-2.amazonaws.com", "", false},
	} {
		bucket, website := awsapi.BucketOfHost(tc.host, []string{"eddy.example"})
		if bucket != tc.bucket || website != tc.website {
			t.Errorf("BucketOfHost(%q): got %q %v, want %q %v", tc.host, bucket, website, tc.bucket, tc.website)
		}
	}
}

// chunkedBody encodes data as aws-sdk-go-v2 does (unsigned, one trailer)
// or, with signed, as SigV4 streaming does (chunk-signature extensions and
// an optional x-amz-trailer-signature).
func chunkedBody(data []byte, chunk int, signed bool, trailers map[string]string) string {
	var b strings.Builder
	sig := ";chunk-signature=" + strings.Repeat("ab", 32)
	for len(data) > 0 {
		n := min(chunk, len(data))
		fmt.Fprintf(&b, "%x", n)
		if signed {
			b.WriteString(sig)
		}
		b.WriteString("\r\n")
		b.Write(data[:n])
		b.WriteString("\r\n")
		data = data[n:]
	}
	b.WriteString("0")
	if signed {
		b.WriteString(sig)
	}
	b.WriteString("\r\n")
	for k, v := range trailers {
		b.WriteString(k + ":" + v + "\r\n")
	}
	if signed && len(trailers) > 0 {
		b.WriteString("x-amz-trailer-signature:" + strings.Repeat("cd", 32) + "\r\n")
	}
	b.WriteString("\r\n")
	return b.String()
}

func crc32Of(data []byte) string {
	sum := crc32.ChecksumIEEE(data)
	return base64.StdEncoding.EncodeToString([]byte{byte(sum >> 24), byte(sum >> 16), byte(sum >> 8), byte(sum)})
}

func TestS3ChunkedDecoder(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789"), 10000)
	for _, tc := range []struct {
		name     string
		signed   bool
		chunk    int
		trailers map[string]string
	}{
		{"unsigned-trailer", false, 64 << 10, map[string]string{"x-amz-checksum-crc32": crc32Of(data)}},
		{"unsigned-one-chunk", false, len(data), map[string]string{"x-amz-checksum-crc32": crc32Of(data)}},
		{"signed", true, 8192, nil},
		{"signed-trailer", true, 8192, map[string]string{"x-amz-checksum-crc32": crc32Of(data)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, trailer := awsapi.NewChunkedReader(strings.NewReader(chunkedBody(data, tc.chunk, tc.signed, tc.trailers)))
			got, err := io.ReadAll(r)
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			if !bytes.Equal(got, data) {
				t.Fatalf("got %d bytes, want %d", len(got), len(data))
			}
			if want := tc.trailers["x-amz-checksum-crc32"]; trailer("x-amz-checksum-crc32") != want {
				t.Fatalf("trailer: got %q, want %q", trailer("x-amz-checksum-crc32"), want)
			}
		})
	}
	for _, bad := range []string{
		"5\r\nhel",                        // truncated data
		"5\r\nhello",                      // no CRLF, no final chunk
		"zz\r\nhello\r\n0\r\n\r\n",        // bad size
		"5\r\nhelloXX0\r\n\r\n",           // data longer than its size
		"5;foo=bar\r\nhello\r\n0\r\n\r\n", // unknown extension
		"0\r\nno-colon\r\n\r\n",           // bad trailer
	} {
		r, _ := awsapi.NewChunkedReader(strings.NewReader(bad))
		_, err := io.ReadAll(r)
		if err == nil || eddy.AsError(err) == nil {
			t.Errorf("decode %q: got %v, want an S3 error", bad, err)
		}
	}
}

// TestS3BodyReadToLength: a reader that stops at the announced length
// still gets the trailer and the x-amz-content-sha256 check.
func TestS3BodyReadToLength(t *testing.T) {
	data := []byte("exactly these bytes")
	req := httptest.NewRequest("PUT", "/b/k", strings.NewReader(chunkedBody(data, 5, false, map[string]string{"x-amz-checksum-crc32": crc32Of(data)})))
	req.Header.Set("x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
	req.Header.Set("x-amz-decoded-content-length", fmt.Sprint(len(data)))
	req.Header.Set("x-amz-trailer", "x-amz-checksum-crc32")
	body, size, sum, err := awsapi.S3RequestBody(req)
	if err != nil || size != int64(len(data)) {
		t.Fatalf("got size %d, err %v", size, err)
	}
	buf := make([]byte, size)
	if _, err := io.ReadFull(body, buf); err != nil || string(buf) != string(data) {
		t.Fatalf("read %q %v", buf, err)
	}
	if got := sum(); got != crc32Of(data) {
		t.Fatalf("checksum: got %q, want %q", got, crc32Of(data))
	}

	req = httptest.NewRequest("PUT", "/b/k", strings.NewReader("abc"))
	req.Header.Set("x-amz-content-sha256", strings.Repeat("1", 64))
	body, _, _, _ = awsapi.S3RequestBody(req)
	buf = make([]byte, 3)
	io.ReadFull(body, buf)
	if _, err := body.Read(buf); eddy.AsError(err) == nil || eddy.AsError(err).Type != "XAmzContentSHA256Mismatch" {
		t.Fatalf("read past the length: got %v, want XAmzContentSHA256Mismatch", err)
	}
}

// TestS3ChunkedMemory streams 1 GiB through the decoder: the heap must not
// grow with the body.
func TestS3ChunkedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 1 GiB")
	}
	const total = 1 << 30
	chunk := bytes.Repeat([]byte{'x'}, 64<<10)
	head := []byte(fmt.Sprintf("%x;chunk-signature=%s\r\n", len(chunk), strings.Repeat("0", 64)))
	pr, pw := io.Pipe()
	go func() {
		for sent := 0; sent < total; sent += len(chunk) {
			pw.Write(head)
			pw.Write(chunk)
			pw.Write([]byte("\r\n"))
		}
		pw.Write([]byte("0;chunk-signature=" + strings.Repeat("0", 64) + "\r\n\r\n"))
		pw.Close()
	}()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	r, _ := awsapi.NewChunkedReader(pr)
	n, err := io.Copy(io.Discard, r)
	runtime.ReadMemStats(&after)
	if err != nil || n != total {
		t.Fatalf("copy: got %d %v, want %d", n, err, total)
	}
	if grew := int64(after.HeapInuse) - int64(before.HeapInuse); grew > 16<<20 {
		t.Fatalf("heap grew by %d bytes while streaming", grew)
	}
}

func TestS3URLEncode(t *testing.T) {
	for in, want := range map[string]string{
		"a/b c":     "a/b%20c",
		"a+b":       "a%2Bb",
		"ü&x=1":     "%C3%BC%26x%3D1",
		"safe-_.~9": "safe-_.~9",
		"\x01":      "%01",
	} {
		if got := awsapi.S3URLEncode(in); got != want {
			t.Errorf("S3URLEncode(%q): got %q, want %q", in, got, want)
		}
	}
}

func TestS3ParseCopySource(t *testing.T) {
	for _, tc := range []struct{ in, bucket, key string }{
		{"bkt/key", "bkt", "key"},
		{"/bkt/dir/a%20b%2Bc", "bkt", "dir/a b+c"},
		{"bkt/k%3Fq?versionId=abc", "bkt", "k?q"},
		{"bkt/a+b", "bkt", "a+b"},
	} {
		b, k, err := awsapi.ParseCopySource(tc.in)
		if err != nil || b != tc.bucket || k != tc.key {
			t.Errorf("ParseCopySource(%q): got %q %q %v, want %q %q", tc.in, b, k, err, tc.bucket, tc.key)
		}
	}
	for _, bad := range []string{"", "bkt", "/bkt/", "bkt/%zz"} {
		if _, _, err := awsapi.ParseCopySource(bad); err == nil {
			t.Errorf("ParseCopySource(%q): got no error", bad)
		}
	}
}

const corsDoc = `<CORSConfiguration>
 <CORSRule><AllowedOrigin>http://*.example.com</AllowedOrigin><AllowedMethod>PUT</AllowedMethod><AllowedMethod>GET</AllowedMethod>
  <AllowedHeader>x-amz-*</AllowedHeader><AllowedHeader>Content-Type</AllowedHeader><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>3000</MaxAgeSeconds></CORSRule>
 <CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule>
</CORSConfiguration>`

func TestS3CORSMatch(t *testing.T) {
	for _, tc := range []struct {
		origin, method string
		headers        []string
		want           int
	}{
		{"http://www.example.com", "PUT", []string{"x-amz-date", "content-type"}, 0},
		{"http://www.example.com", "GET", nil, 0},
		{"https://www.example.com", "GET", nil, 1},
		{"https://www.example.com", "PUT", nil, -1},
		{"http://www.example.com", "PUT", []string{"authorization"}, -1},
		{"http://example.com", "PUT", nil, -1},
		{"http://evil.com", "DELETE", nil, -1},
	} {
		got, err := awsapi.CORSMatch([]byte(corsDoc), tc.origin, tc.method, tc.headers)
		if err != nil || got != tc.want {
			t.Errorf("match %s %s %v: got %d %v, want %d", tc.origin, tc.method, tc.headers, got, err, tc.want)
		}
	}
	for _, bad := range []string{
		`<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>PATCH</AllowedMethod></CORSRule></CORSConfiguration>`,
		`<CORSConfiguration><CORSRule><AllowedOrigin>*.*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>`,
		`<CORSConfiguration></CORSConfiguration>`,
		`<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>`,
		`<NotCORS/>`,
		`<CORSConfiguration>`,
	} {
		if _, err := awsapi.CORSMatch([]byte(bad), "x", "GET", nil); err == nil {
			t.Errorf("parse %s: got no error", bad)
		}
	}
}

// s3Do sends one request to a handler over fake buckets.
func s3Do(t *testing.T, h http.Handler, method, target string, body string, hdr map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if body == "" {
		req.ContentLength = 0
	}
	for k, v := range hdr {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func md5Of(s string) string {
	sum := md5.Sum([]byte(s))
	return base64.StdEncoding.EncodeToString(sum[:])
}

func TestS3HTTP(t *testing.T) {
	fake := newFakeBuckets()
	h := &awsapi.Handler{Buckets: fake, Region: "us-east-1"}
	mustStatus := func(rec *httptest.ResponseRecorder, status int, contains ...string) {
		t.Helper()
		if rec.Code != status {
			t.Fatalf("got %d %s, want %d", rec.Code, rec.Body.String(), status)
		}
		for _, c := range contains {
			if !strings.Contains(rec.Body.String(), c) {
				t.Fatalf("body %s: want it to contain %s", rec.Body.String(), c)
			}
		}
		if rec.Header().Get("x-amz-request-id") == "" || rec.Header().Get("x-amz-id-2") == "" {
			t.Fatalf("no x-amz-request-id / x-amz-id-2")
		}
	}
	mustStatus(s3Do(t, h, "PUT", "/web", "", nil), 200)
	mustStatus(s3Do(t, h, "GET", "/", "", nil), 200, "<ListAllMyBucketsResult", "<Name>web</Name>")
	mustStatus(s3Do(t, h, "GET", "/nobucket/key", "", nil), 404, "<Code>NoSuchBucket</Code>", "<BucketName>nobucket</BucketName>", "<RequestId>", "<Resource>/nobucket/key</Resource>")
	rec := s3Do(t, h, "HEAD", "/web/missing", "", nil)
	mustStatus(rec, 404)
	if rec.Body.Len() != 0 {
		t.Fatalf("HEAD error: got body %q", rec.Body.String())
	}
	mustStatus(s3Do(t, h, "GET", "/web/missing", "", nil), 404, "<Code>NoSuchKey</Code>", "<Key>missing</Key>")
	mustStatus(s3Do(t, h, "GET", "/web?lifecycle", "", nil), 501, "<Code>NotImplemented</Code>")
	mustStatus(s3Do(t, h, "PATCH", "/web/k", "", nil), 405, "<Code>MethodNotAllowed</Code>")
	mustStatus(s3Do(t, h, "GET", "/web?versioning", "", nil), 200, "<VersioningConfiguration")
	mustStatus(s3Do(t, h, "GET", "/web?acl", "", nil), 200, "FULL_CONTROL", `xsi:type="CanonicalUser"`)
	mustStatus(s3Do(t, h, "GET", "/web?location", "", nil), 200, "<LocationConstraint")

	// Plain body with a wrong x-amz-content-sha256.
	mustStatus(s3Do(t, h, "PUT", "/web/k", "data", map[string]string{"x-amz-content-sha256": strings.Repeat("0", 64)}), 400, "<Code>XAmzContentSHA256Mismatch</Code>")
	// A SigV4 streaming body with a signed trailer.
	data := []byte(strings.Repeat("abc", 5000))
	body := chunkedBody(data, 8192, true, map[string]string{"x-amz-checksum-crc32": crc32Of(data)})
	mustStatus(s3Do(t, h, "PUT", "/web/chunked", body, map[string]string{
		"x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", "Content-Encoding": "aws-chunked,gzip",
		"x-amz-decoded-content-length": fmt.Sprint(len(data)), "x-amz-trailer": "x-amz-checksum-crc32",
	}), 200)
	if fake.lastSum != crc32Of(data) || fake.lastPut.ContentEncoding != "gzip" {
		t.Fatalf("chunked PUT: got checksum %q encoding %q", fake.lastSum, fake.lastPut.ContentEncoding)
	}
	rec = s3Do(t, h, "GET", "/web/chunked", "", map[string]string{"x-amz-checksum-mode": "ENABLED"})
	mustStatus(rec, 200)
	if rec.Body.String() != string(data) || rec.Header().Get("x-amz-checksum-crc32") != crc32Of(data) || rec.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("GET chunked: got %d bytes, headers %v", rec.Body.Len(), rec.Header())
	}
	// A bad trailer checksum is BadDigest.
	body = chunkedBody(data, 8192, false, map[string]string{"x-amz-checksum-crc32": "AAAAAA=="})
	mustStatus(s3Do(t, h, "PUT", "/web/bad", body, map[string]string{
		"x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "Content-Encoding": "aws-chunked",
		"x-amz-decoded-content-length": fmt.Sprint(len(data)), "x-amz-trailer": "x-amz-checksum-crc32",
	}), 400, "<Code>BadDigest</Code>")

	// Response overrides and ranges.
	rec = s3Do(t, h, "GET", "/web/chunked?response-content-type=text/csv&response-content-disposition=attachment", "", map[string]string{"Range": "bytes=0-2"})
	mustStatus(rec, 206)
	if rec.Body.String() != "abc" || rec.Header().Get("Content-Type") != "text/csv" || rec.Header().Get("Content-Disposition") != "attachment" ||
		rec.Header().Get("Content-Range") != fmt.Sprintf("bytes 0-2/%d", len(data)) {
		t.Fatalf("ranged GET: got %q %v", rec.Body.String(), rec.Header())
	}

	// DeleteObjects needs Content-MD5 or a checksum.
	del := `<Delete><Object><Key>bad</Key></Object><Quiet>true</Quiet></Delete>`
	mustStatus(s3Do(t, h, "POST", "/web?delete", del, nil), 400, "<Code>InvalidRequest</Code>")
	mustStatus(s3Do(t, h, "POST", "/web?delete", del, map[string]string{"Content-MD5": md5Of("x")}), 400, "<Code>BadDigest</Code>")
	mustStatus(s3Do(t, h, "POST", "/web?delete", "<Delete>", map[string]string{"Content-MD5": md5Of("<Delete>")}), 400, "<Code>MalformedXML</Code>")
	rec = s3Do(t, h, "POST", "/web?delete", del, map[string]string{"Content-MD5": md5Of(del)})
	mustStatus(rec, 200, "<DeleteResult")
	if strings.Contains(rec.Body.String(), "<Deleted>") {
		t.Fatalf("quiet DeleteObjects: got %s", rec.Body.String())
	}
	mustStatus(s3Do(t, h, "POST", "/web/k?uploadId=x", "not xml", nil), 400, "<Code>MalformedXML</Code>")

	// Listing with encoding-type=url.
	mustStatus(s3Do(t, h, "PUT", "/web/dir%20x/a+b", "1", nil), 200)
	mustStatus(s3Do(t, h, "GET", "/web?list-type=2&encoding-type=url&prefix=dir%20&delimiter=/", "", nil), 200,
		"<Prefix>dir%20</Prefix>", "<Prefix>dir%20x/</Prefix>", "<Delimiter>/</Delimiter>", "<EncodingType>url</EncodingType>", "<KeyCount>1</KeyCount>")
	mustStatus(s3Do(t, h, "GET", "/web?list-type=2&encoding-type=url&prefix=dir%20x/", "", nil), 200, "<Key>dir%20x/a%2Bb</Key>", "<ETag>&quot;c4ca4238a0b923820dcc509a6f75849b&quot;</ETag>")
	mustStatus(s3Do(t, h, "GET", "/web?list-type=2&continuation-token=!!", "", nil), 400, "<Code>InvalidArgument</Code>")
	mustStatus(s3Do(t, h, "GET", "/web?list-type=2&max-keys=x", "", nil), 400, "<Code>InvalidArgument</Code>")

	// Configurations.
	mustStatus(s3Do(t, h, "PUT", "/web?policy", "not json", nil), 400, "<Code>MalformedPolicy</Code>")
	mustStatus(s3Do(t, h, "PUT", "/web?policy", `{"Version":"2012-10-17","Statement":[]}`, nil), 204)
	mustStatus(s3Do(t, h, "GET", "/web?policy", "", nil), 200, `"Statement"`)
	mustStatus(s3Do(t, h, "GET", "/web?cors", "", nil), 404, "<Code>NoSuchCORSConfiguration</Code>")
	mustStatus(s3Do(t, h, "PUT", "/web?cors", `<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>PATCH</AllowedMethod></CORSRule></CORSConfiguration>`, nil), 400, "unsupported HTTP method")
	mustStatus(s3Do(t, h, "PUT", "/web?cors", corsDoc, nil), 200)
	mustStatus(s3Do(t, h, "GET", "/web?cors", "", nil), 200, "<AllowedOrigin>http://*.example.com</AllowedOrigin>")
	mustStatus(s3Do(t, h, "PUT", "/web?tagging", `<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag></TagSet></Tagging>`, nil), 204)
	mustStatus(s3Do(t, h, "GET", "/web?tagging", "", nil), 200, "<Key>a</Key>")
	mustStatus(s3Do(t, h, "GET", "/web?notification", "", nil), 200, "<NotificationConfiguration")
	mustStatus(s3Do(t, h, "PUT", "/web?notification", `<NotificationConfiguration><QueueConfiguration/></NotificationConfiguration>`, nil), 200)

	// CORS applied.
	rec = s3Do(t, h, "OPTIONS", "/web/chunked", "", map[string]string{"Origin": "http://app.example.com", "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "X-Amz-Date, Content-Type"})
	mustStatus(rec, 200)
	if rec.Header().Get("Access-Control-Allow-Origin") != "http://app.example.com" || rec.Header().Get("Access-Control-Allow-Methods") != "PUT, GET" ||
		rec.Header().Get("Access-Control-Allow-Headers") != "x-amz-date, content-type" || rec.Header().Get("Access-Control-Max-Age") != "3000" {
		t.Fatalf("preflight: got %v", rec.Header())
	}
	mustStatus(s3Do(t, h, "OPTIONS", "/web/chunked", "", map[string]string{"Origin": "http://evil.com", "Access-Control-Request-Method": "PUT"}), 403, "<Code>CORSResponse</Code>")
	rec = s3Do(t, h, "GET", "/web/chunked", "", map[string]string{"Origin": "https://any.org"})
	mustStatus(rec, 200)
	if rec.Header().Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("actual CORS request: got %v", rec.Header())
	}

	// Website, host form and path form.
	for _, site := range []struct{ host, prefix string }{{"web.s3-website.localhost:4566", ""}, {"localhost:4566", "/_eddy/website/web"}} {
		get := func(path string) *httptest.ResponseRecorder {
			return s3Do(t, h, "GET", site.prefix+path, "", map[string]string{"Host": site.host})
		}
		s3Do(t, h, "DELETE", "/web?website", "", nil)
		rec = get("/")
		if rec.Code != 404 || !strings.Contains(rec.Body.String(), "NoSuchWebsiteConfiguration") || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
			t.Fatalf("website without configuration: got %d %s", rec.Code, rec.Body.String())
		}
		mustStatus(s3Do(t, h, "PUT", "/web?website", `<WebsiteConfiguration><IndexDocument><Suffix>index.html</Suffix></IndexDocument><ErrorDocument><Key>err.html</Key></ErrorDocument></WebsiteConfiguration>`, nil), 200)
		s3Do(t, h, "PUT", "/web/index.html", "home", map[string]string{"Content-Type": "text/html"})
		s3Do(t, h, "PUT", "/web/docs/index.html", "docs", nil)
		s3Do(t, h, "PUT", "/web/err.html", "oops", nil)
		if rec = get("/"); rec.Code != 200 || rec.Body.String() != "home" {
			t.Fatalf("website /: got %d %q", rec.Code, rec.Body.String())
		}
		if rec = get("/docs/"); rec.Code != 200 || rec.Body.String() != "docs" {
			t.Fatalf("website /docs/: got %d %q", rec.Code, rec.Body.String())
		}
		if rec = get("/docs"); rec.Code != 302 || rec.Header().Get("Location") != site.prefix+"/docs/" {
			t.Fatalf("website /docs: got %d %v", rec.Code, rec.Header())
		}
		if rec = get("/nope"); rec.Code != 404 || rec.Body.String() != "oops" {
			t.Fatalf("website /nope: got %d %q", rec.Code, rec.Body.String())
		}
		if rec = s3Do(t, h, "POST", site.prefix+"/", "", map[string]string{"Host": site.host}); rec.Code != 405 {
			t.Fatalf("website POST: got %d", rec.Code)
		}
		mustStatus(s3Do(t, h, "PUT", "/web?website", `<WebsiteConfiguration><RedirectAllRequestsTo><HostName>example.org</HostName><Protocol>https</Protocol></RedirectAllRequestsTo></WebsiteConfiguration>`, nil), 200)
		if rec = get("/a/b"); rec.Code != 301 || rec.Header().Get("Location") != "https://example.org/a/b" {
			t.Fatalf("website redirect all: got %d %v", rec.Code, rec.Header())
		}
	}
	mustStatus(s3Do(t, h, "PUT", "/web?website", `<WebsiteConfiguration><IndexDocument><Suffix>a/b</Suffix></IndexDocument></WebsiteConfiguration>`, nil), 400, "<Code>InvalidArgument</Code>")
	mustStatus(s3Do(t, h, "PUT", "/web?website", `<WebsiteConfiguration><IndexDocument><Suffix>index.html</Suffix></IndexDocument><RoutingRules>
<RoutingRule><Condition><KeyPrefixEquals>old/</KeyPrefixEquals></Condition><Redirect><ReplaceKeyPrefixWith>new/</ReplaceKeyPrefixWith></Redirect></RoutingRule>
<RoutingRule><Condition><HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals></Condition><Redirect><HostName>fallback.example</HostName><HttpRedirectCode>302</HttpRedirectCode></Redirect></RoutingRule>
</RoutingRules></WebsiteConfiguration>`, nil), 200)
	site := map[string]string{"Host": "web.s3-website-us-east-1.localhost:4566"}
	if rec = s3Do(t, h, "GET", "/old/page.html", "", site); rec.Code != 301 || rec.Header().Get("Location") != "http://web.s3-website-us-east-1.localhost:4566/new/page.html" {
		t.Fatalf("routing rule by prefix: got %d %v", rec.Code, rec.Header())
	}
	if rec = s3Do(t, h, "GET", "/gone", "", site); rec.Code != 302 || rec.Header().Get("Location") != "http://fallback.example/gone" {
		t.Fatalf("routing rule on 404: got %d %v", rec.Code, rec.Header())
	}
	if rec = s3Do(t, h, "HEAD", "/", "", site); rec.Code != 200 || rec.Body.Len() != 0 {
		t.Fatalf("website HEAD: got %d %q", rec.Code, rec.Body.String())
	}

	// Copying an object onto itself needs a change; If-None-Match: * only creates.
	mustStatus(s3Do(t, h, "PUT", "/web/chunked", "", map[string]string{"x-amz-copy-source": "/web/chunked"}), 400, "<Code>InvalidRequest</Code>")
	mustStatus(s3Do(t, h, "PUT", "/web/chunked", "", map[string]string{"x-amz-copy-source": "/web/chunked", "x-amz-metadata-directive": "REPLACE"}), 200, "<CopyObjectResult")
	mustStatus(s3Do(t, h, "PUT", "/web/chunked", "x", map[string]string{"If-None-Match": "*"}), 412, "<Code>PreconditionFailed</Code>")
	mustStatus(s3Do(t, h, "PUT", "/web/k?partNumber=1&uploadId=nope", "x", nil), 404, "<Code>NoSuchUpload</Code>", "<UploadId>nope</UploadId>")
	mustStatus(s3Do(t, h, "PUT", "/web/k?partNumber=0&uploadId=nope", "x", nil), 400, "<Code>InvalidArgument</Code>")

	// Browser-based POST uploads.
	post := func(fields map[string]string, file string) *httptest.ResponseRecorder {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for _, k := range []string{"key", "policy", "success_action_redirect", "Content-Type", "x-amz-meta-who"} {
			if v, ok := fields[k]; ok {
				mw.WriteField(k, v)
			}
		}
		fw, _ := mw.CreateFormFile("file", "up.txt")
		io.WriteString(fw, file)
		mw.Close()
		return s3Do(t, h, "POST", "/web", buf.String(), map[string]string{"Content-Type": mw.FormDataContentType()})
	}
	rec = post(map[string]string{"key": "posted/${filename}", "success_action_redirect": "http://app.example/done", "Content-Type": "text/plain", "x-amz-meta-who": "me"}, "posted body")
	if rec.Code != 303 || !strings.HasPrefix(rec.Header().Get("Location"), "http://app.example/done?") || !strings.Contains(rec.Header().Get("Location"), "key=posted%2Fup.txt") {
		t.Fatalf("POST upload: got %d %v", rec.Code, rec.Header())
	}
	if fake.lastPut.Key != "posted/up.txt" || fake.lastPut.ContentType != "text/plain" || fake.lastPut.Metadata["who"] != "me" || fake.lastPut.Event != "Post" {
		t.Fatalf("POST upload stored %+v", fake.lastPut)
	}
	expired := base64.StdEncoding.EncodeToString([]byte(`{"expiration":"2020-01-01T00:00:00Z","conditions":[]}`))
	mustStatus(post(map[string]string{"key": "k", "policy": expired}, "x"), 403, "Policy expired")
	mustStatus(post(map[string]string{}, "x"), 400, "<Code>InvalidArgument</Code>")
	mustStatus(s3Do(t, h, "POST", "/web", "a=b", map[string]string{"Content-Type": "text/plain"}), 412)

	// Virtual-hosted style on the main port.
	mustStatus(s3Do(t, h, "GET", "/chunked", "", map[string]string{"Host": "web.localhost:4566"}), 200)
	mustStatus(s3Do(t, h, "GET", "/?list-type=2", "", map[string]string{"Host": "web.s3.localhost:4566"}), 200, "<Name>web</Name>")

	// Presigned URL past its expiry.
	mustStatus(s3Do(t, h, "GET", "/web/chunked?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20200101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20200101T000000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=00", "", nil),
		403, "<Code>AccessDenied</Code>", "Request has expired")
	mustStatus(s3Do(t, h, "GET", "/web/chunked?AWSAccessKeyId=AKID&Expires=1577836800&Signature=x", "", nil), 403, "Request has expired")
	mustStatus(s3Do(t, h, "GET", "/web/chunked?AWSAccessKeyId=AKID&Expires=4102444800&Signature=x", "", nil), 200)
}

func FuzzS3Chunked(f *testing.F) {
	data := []byte("hello world")
	f.Add(chunkedBody(data, 4, false, map[string]string{"x-amz-checksum-crc32": crc32Of(data)}))
	f.Add(chunkedBody(data, 5, true, map[string]string{"x-amz-checksum-crc32": crc32Of(data)}))
	f.Add(chunkedBody(data, 100, true, nil))
	f.Add("ffffffffffffffff\r\n")
	f.Fuzz(func(t *testing.T, body string) {
		r, trailer := awsapi.NewChunkedReader(strings.NewReader(body))
		n, err := io.Copy(io.Discard, r)
		if n > int64(len(body)) {
			t.Fatalf("decoded %d bytes from %d", n, len(body))
		}
		if err != nil && eddy.AsError(err) == nil {
			t.Fatalf("error %v is not an S3 error", err)
		}
		_ = trailer("x-amz-checksum-crc32")
	})
}

func FuzzS3CopySource(f *testing.F) {
	for _, s := range []string{"bkt/key", "/bkt/a%20b?versionId=1", "%", "/", "b/%2F"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, k, err := awsapi.ParseCopySource(s)
		if err == nil && (b == "" || k == "") {
			t.Fatalf("ParseCopySource(%q): got %q %q without error", s, b, k)
		}
	})
}

func FuzzS3Host(f *testing.F) {
	for _, s := range []string{"localhost:4566", "b.s3.localhost", "b.s3-website-eu-west-1.x", "[::1]:1", "..", "s3.", ".localhost"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, host string) {
		b, _ := awsapi.BucketOfHost(host, []string{"eddy.example", ""})
		if len(b) > len(host) {
			t.Fatalf("BucketOfHost(%q): got %q", host, b)
		}
	})
}

func FuzzS3XML(f *testing.F) {
	for _, s := range []string{corsDoc,
		`<WebsiteConfiguration><IndexDocument><Suffix>i.html</Suffix></IndexDocument><RoutingRules><RoutingRule><Condition><KeyPrefixEquals>a</KeyPrefixEquals></Condition><Redirect><ReplaceKeyPrefixWith>b</ReplaceKeyPrefixWith></Redirect></RoutingRule></RoutingRules></WebsiteConfiguration>`,
		`<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"x"</ETag><ChecksumCRC32>AAAAAA==</ChecksumCRC32></Part></CompleteMultipartUpload>`,
		`<Delete><Object><Key>k</Key></Object><Quiet>true</Quiet></Delete>`,
		`<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>`,
		`<x`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		check := func(what string, err error) {
			if err != nil && eddy.AsError(err) == nil {
				t.Fatalf("%s: error %v is not an S3 error", what, err)
			}
		}
		_, err := awsapi.CORSMatch(doc, "http://a.example.com", "GET", []string{"x-amz-date"})
		check("cors", err)
		check("website", awsapi.ParseWebsite(doc))
		parts, err := awsapi.ParseComplete(doc)
		check("complete", err)
		if err == nil && len(parts) == 0 {
			t.Fatalf("complete: no parts without error")
		}
		_, _, err = awsapi.ParseDelete(doc)
		check("delete", err)
		_, err = awsapi.ParseTagging(doc)
		check("tagging", err)
	})
}

// TestS3XMLRendering pins whole documents (times and ids blanked).
func TestS3XMLRendering(t *testing.T) {
	h := &awsapi.Handler{Buckets: newFakeBuckets(), Region: "us-east-1"}
	s3Do(t, h, "PUT", "/xml", "", nil)
	s3Do(t, h, "PUT", "/xml/a/b%20c", "1", nil)
	s3Do(t, h, "PUT", "/xml/z", "22", map[string]string{"x-amz-storage-class": "STANDARD_IA"})
	blank := regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z|<RequestId>[^<]*</RequestId>|<HostId>[^<]*</HostId>`)
	for _, tc := range []struct{ method, target, want string }{
		{"GET", "/xml?list-type=2&delimiter=/&encoding-type=url&fetch-owner=true", `<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>xml</Name><Prefix></Prefix><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys><Delimiter>/</Delimiter><EncodingType>url</EncodingType><IsTruncated>false</IsTruncated><Contents><Key>z</Key><LastModified>T</LastModified><ETag>&quot;b6d767d2f8ed5d21a44b0e5886680cb9&quot;</ETag><Size>2</Size><Owner><ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID><DisplayName>eddy</DisplayName></Owner><StorageClass>STANDARD_IA</StorageClass></Contents><CommonPrefixes><Prefix>a/</Prefix></CommonPrefixes></ListBucketResult>`},
		{"GET", "/xml?max-keys=1", `<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>xml</Name><Prefix></Prefix><Marker></Marker><MaxKeys>1</MaxKeys><IsTruncated>true</IsTruncated><Contents><Key>a/b c</Key><LastModified>T</LastModified><ETag>&quot;c4ca4238a0b923820dcc509a6f75849b&quot;</ETag><Size>1</Size><Owner><ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID><DisplayName>eddy</DisplayName></Owner><StorageClass>STANDARD</StorageClass></Contents></ListBucketResult>`},
		{"DELETE", "/xml", `<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>BucketNotEmpty</Code><Message>The bucket you tried to delete is not empty</Message><BucketName>xml</BucketName><Resource>/xml</Resource>TT</Error>`},
	} {
		rec := s3Do(t, h, tc.method, tc.target, "", nil)
		if got := blank.ReplaceAllString(rec.Body.String(), "T"); got != tc.want {
			t.Errorf("%s %s:\ngot  %s\nwant %s", tc.method, tc.target, got, tc.want)
		}
		if ct := rec.Header().Get("Content-Type"); ct != "application/xml" {
			t.Errorf("%s %s: got Content-Type %q", tc.method, tc.target, ct)
		}
	}
}

// FuzzS3Handler sends arbitrary requests: bad input is never a 5xx.
func FuzzS3Handler(f *testing.F) {
	f.Add(uint8(0), "/b/k", "list-type=2&max-keys=1", "", "", "x")
	f.Add(uint8(1), "/b/k", "uploadId=1&partNumber=2", "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "x-amz-checksum-crc32", "5\r\nhello\r\n0\r\n\r\n")
	f.Add(uint8(2), "/b", "delete", "", "", "<Delete><Object><Key>k</Key></Object></Delete>")
	f.Add(uint8(3), "/b/k", "tagging", "", "", "")
	f.Add(uint8(1), "/b", "cors", "", "", corsDoc)
	f.Add(uint8(2), "/b/k", "uploadId=1", "", "", "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber></Part></CompleteMultipartUpload>")
	methods := []string{"GET", "PUT", "POST", "DELETE", "HEAD", "OPTIONS"}
	f.Fuzz(func(t *testing.T, m uint8, path, query, sha, trailer, body string) {
		if !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		u := &url.URL{Path: path, RawQuery: query}
		req := httptest.NewRequest(methods[int(m)%len(methods)], "http://localhost:4566/", strings.NewReader(body))
		req.URL = u
		req.RequestURI = u.RequestURI()
		req.Header.Set("x-amz-content-sha256", sha)
		req.Header.Set("x-amz-trailer", trailer)
		req.Header.Set("Content-MD5", md5Of(body))
		req.Header.Set("Origin", "http://a.example.com")
		req.Header.Set("Access-Control-Request-Method", "GET")
		req.Header.Set("x-amz-copy-source", query)
		fake := newFakeBuckets()
		fake.CreateBucket(req.Context(), "b", "us-east-1")
		h := &awsapi.Handler{Buckets: fake, Region: "us-east-1"}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 && rec.Code != 501 {
			t.Fatalf("%s %s?%s: got %d %s", req.Method, path, query, rec.Code, rec.Body.String())
		}
	})
}
