package main

//lint:file-ignore SA1019 feature/s3/manager is deprecated for transfermanager, but it is what most programs that upload to S3 use today, and its multipart uploads are what these tests must serve.

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"hash/crc64"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// EDDY_S3_ENDPOINT runs the S3 tests of this file against another S3 (a
// moto_server, `moto_server -p 5000` and EDDY_S3_ENDPOINT=http://127.0.0.1:5000)
// instead of a fresh eddy, to check that the tests ask what AWS's clients
// ask. The checks follow AWS's documentation; where moto differs, they are
// skipped against it (see onMoto) and say how.
var s3Endpoint = os.Getenv("EDDY_S3_ENDPOINT")

// onMoto is true when the S3 tests run against EDDY_S3_ENDPOINT.
var onMoto = s3Endpoint != ""

// s3URL returns the endpoint of the S3 under test: a fresh eddy server, or
// EDDY_S3_ENDPOINT.
func s3URL(tb testing.TB) string {
	tb.Helper()
	if s3Endpoint != "" {
		return strings.TrimRight(s3Endpoint, "/")
	}
	return MustStartMain(tb, Config{}).URL()
}

// MustS3 returns a path-style S3 client of the server at url, with the
// SDK's default checksum behaviour (CRC32 on every request that takes a
// checksum, validation of the checksums of responses).
func MustS3(tb testing.TB, url string) *s3.Client {
	tb.Helper()
	return s3.NewFromConfig(awsConfig(url), func(o *s3.Options) {
		o.UsePathStyle = true
		o.RetryMaxAttempts = 1
	})
}

// mustBucket creates a bucket and fails the test on error.
func mustBucket(tb testing.TB, c *s3.Client, name string) {
	tb.Helper()
	if _, err := c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		tb.Fatalf("create bucket %s: %v", name, err)
	}
}

// mustPut puts an object and returns its ETag.
func mustPut(tb testing.TB, c *s3.Client, bucket, key string, body []byte) string {
	tb.Helper()
	out, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)})
	if err != nil {
		tb.Fatalf("put %s/%s: %v", bucket, key, err)
	}
	return aws.ToString(out.ETag)
}

// mustGet returns an object's body.
func mustGet(tb testing.TB, c *s3.Client, bucket, key string) []byte {
	tb.Helper()
	out, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		tb.Fatalf("get %s/%s: %v", bucket, key, err)
	}
	defer out.Body.Close()
	data, err := io.ReadAll(out.Body)
	if err != nil {
		tb.Fatalf("read %s/%s: %v", bucket, key, err)
	}
	return data
}

// mustS3Fail asserts that err is the S3 error code with the status, and
// that the response carried a request id, as every S3 error does.
func mustS3Fail(tb testing.TB, err error, code string, status int) {
	tb.Helper()
	mustFailWith(tb, err, code, status)
	var re *awshttp.ResponseError
	// moto sends no request id with a HEAD's error or a 304.
	if errors.As(err, &re) && re.ServiceRequestID() == "" && !onMoto {
		tb.Fatalf("error %s has no request id: %v", code, err)
	}
}

// randomBytes returns n reproducible pseudo-random bytes.
func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := 0; i+8 <= n; i += 8 {
		binary.LittleEndian.PutUint64(b[i:], r.Uint64())
	}
	for i := n &^ 7; i < n; i++ {
		b[i] = byte(r.Uint32())
	}
	return b
}

// etagOf is S3's ETag of a single-part object: its quoted hex MD5.
func etagOf(b []byte) string {
	sum := md5.Sum(b)
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

// multipartETag is S3's ETag of a multipart object: the MD5 of the
// concatenated binary MD5s of its parts, then "-" and the number of parts.
func multipartETag(parts ...[]byte) string {
	h := md5.New()
	for _, p := range parts {
		sum := md5.Sum(p)
		h.Write(sum[:])
	}
	return fmt.Sprintf(`"%s-%d"`, hex.EncodeToString(h.Sum(nil)), len(parts))
}

// TestS3Buckets creates, heads, lists, locates and deletes buckets, with
// the errors S3 documents for each.
func TestS3Buckets(t *testing.T) {
	t.Parallel()
	url := s3URL(t)
	c := MustS3(t, url)
	ctx := context.Background()

	created, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("alpha-bkt")})
	if err != nil {
		t.Fatal(err)
	}
	if loc := aws.ToString(created.Location); loc != "/alpha-bkt" {
		t.Errorf("CreateBucket: got Location %q, want /alpha-bkt", loc)
	}
	// In us-east-1, creating a bucket one already owns succeeds (S3's
	// legacy behaviour there); in any other region it is
	// BucketAlreadyOwnedByYou.
	// moto answers BucketAlreadyOwnedByYou there too.
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("alpha-bkt")}); err != nil && !onMoto {
		t.Errorf("CreateBucket again in us-east-1: got %v, want success", err)
	}
	eu := s3.NewFromConfig(awsConfig(url), func(o *s3.Options) { o.UsePathStyle = true; o.RetryMaxAttempts = 1; o.Region = "eu-west-1" })
	euCfg := &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraintEuWest1}
	_, err = eu.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("alpha-bkt"), CreateBucketConfiguration: euCfg})
	mustS3Fail(t, err, "BucketAlreadyOwnedByYou", 409)
	if _, err := eu.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("beta-bkt-eu"), CreateBucketConfiguration: euCfg}); err != nil {
		t.Fatal(err)
	}

	head, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("alpha-bkt")})
	if err != nil {
		t.Fatal(err)
	}
	if r := aws.ToString(head.BucketRegion); r != "us-east-1" {
		t.Errorf("HeadBucket: got region %q, want us-east-1", r)
	}
	_, err = c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("missing-bkt")})
	mustS3Fail(t, err, "NotFound", 404) // a HEAD has no body: the SDK names the status
	loc, err := c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("alpha-bkt")})
	if err != nil || loc.LocationConstraint != "" {
		t.Errorf("GetBucketLocation of a us-east-1 bucket: got %+v, %v, want an empty constraint", loc, err)
	}
	loc, err = c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("beta-bkt-eu")})
	if err != nil || loc.LocationConstraint != s3types.BucketLocationConstraintEuWest1 {
		t.Errorf("GetBucketLocation of an eu-west-1 bucket: got %+v, %v, want eu-west-1", loc, err)
	}
	_, err = c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("missing-bkt")})
	mustS3Fail(t, err, "NoSuchBucket", 404)

	list, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range list.Buckets {
		names = append(names, aws.ToString(b.Name))
		if b.CreationDate == nil || time.Since(*b.CreationDate) > time.Hour {
			t.Errorf("ListBuckets: bucket %s created %v, want just now", aws.ToString(b.Name), b.CreationDate)
		}
	}
	// moto lists buckets in the order they were made; S3 sorts them.
	if (!slices.IsSorted(names) && !onMoto) || !slices.Contains(names, "alpha-bkt") || !slices.Contains(names, "beta-bkt-eu") {
		t.Errorf("ListBuckets: got %v, want alpha-bkt and beta-bkt-eu, sorted", names)
	}
	if list.Owner == nil || aws.ToString(list.Owner.ID) == "" {
		t.Errorf("ListBuckets: got owner %+v, want one with an ID", list.Owner)
	}

	for _, bad := range []string{"Bad_Name", "ab", "-leading-dash", "has..dots", "192.168.5.4", strings.Repeat("a", 64)} {
		if onMoto {
			break // moto takes upper case and underscores in us-east-1, as S3 did before 2018
		}
		_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bad)})
		mustS3Fail(t, err, "InvalidBucketName", 400)
	}

	mustPut(t, c, "alpha-bkt", "k", []byte("v"))
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("alpha-bkt")})
	mustS3Fail(t, err, "BucketNotEmpty", 409)
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("alpha-bkt"), Key: aws.String("k")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("alpha-bkt")}); err != nil {
		t.Fatalf("DeleteBucket of an emptied bucket: %v", err)
	}
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("alpha-bkt")})
	mustS3Fail(t, err, "NoSuchBucket", 404)
	_, err = c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("alpha-bkt")})
	mustS3Fail(t, err, "NotFound", 404)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("alpha-bkt"), Key: aws.String("k"), Body: strings.NewReader("v")})
	mustS3Fail(t, err, "NoSuchBucket", 404)
	_, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("alpha-bkt")})
	mustS3Fail(t, err, "NoSuchBucket", 404)
}

// TestS3Objects puts, gets, heads, copies, tags and deletes objects: bodies
// byte for byte, user metadata and content headers, ranges, conditional
// requests, response-* overrides, conditional copies and DeleteObjects.
func TestS3Objects(t *testing.T) {
	t.Parallel()
	c := MustS3(t, s3URL(t))
	ctx := context.Background()
	const b = "objects-bkt"
	mustBucket(t, c, b)
	body := randomBytes(1<<20+17, 1)
	key := "dir/a file+ü.bin"
	expires := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	put, err := c.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(b), Key: aws.String(key), Body: bytes.NewReader(body),
		ContentType: aws.String("application/x-test"), ContentDisposition: aws.String(`attachment; filename="a.bin"`),
		ContentLanguage: aws.String("fr"), CacheControl: aws.String("max-age=60"), Expires: aws.Time(expires),
		Metadata: map[string]string{"Color": "blue", "two-words": "x y"}, Tagging: aws.String("team=a&env=dev"),
	})
	if err != nil {
		t.Fatal(err)
	}
	etag := etagOf(body)
	if aws.ToString(put.ETag) != etag {
		t.Errorf("PutObject: got ETag %s, want %s", aws.ToString(put.ETag), etag)
	}

	get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(get.Body)
	get.Body.Close()
	if !bytes.Equal(got, body) {
		t.Fatalf("GetObject: got %d bytes, want the %d put, byte for byte", len(got), len(body))
	}
	checkHeaders := func(what string, o *s3.HeadObjectOutput) {
		t.Helper()
		if aws.ToString(o.ETag) != etag || aws.ToInt64(o.ContentLength) != int64(len(body)) ||
			aws.ToString(o.ContentType) != "application/x-test" || aws.ToString(o.ContentDisposition) != `attachment; filename="a.bin"` ||
			aws.ToString(o.ContentLanguage) != "fr" || aws.ToString(o.CacheControl) != "max-age=60" ||
			aws.ToString(o.ExpiresString) != expires.Format(http.TimeFormat) || aws.ToString(o.AcceptRanges) != "bytes" {
			t.Errorf("%s: got ETag %s, length %d, type %q, disposition %q, language %q, cache %q, expires %q, accept-ranges %q",
				what, aws.ToString(o.ETag), aws.ToInt64(o.ContentLength), aws.ToString(o.ContentType), aws.ToString(o.ContentDisposition),
				aws.ToString(o.ContentLanguage), aws.ToString(o.CacheControl), aws.ToString(o.ExpiresString), aws.ToString(o.AcceptRanges))
		}
		// S3 lower-cases the names of user metadata.
		if len(o.Metadata) != 2 || o.Metadata["color"] != "blue" || o.Metadata["two-words"] != "x y" {
			t.Errorf("%s: got metadata %v, want color=blue and two-words=x y", what, o.Metadata)
		}
		if o.LastModified == nil || time.Since(*o.LastModified) > time.Hour {
			t.Errorf("%s: got LastModified %v, want just now", what, o.LastModified)
		}
	}
	checkHeaders("GetObject", &s3.HeadObjectOutput{ETag: get.ETag, ContentLength: get.ContentLength, ContentType: get.ContentType,
		ContentDisposition: get.ContentDisposition, ContentLanguage: get.ContentLanguage, CacheControl: get.CacheControl,
		ExpiresString: get.ExpiresString, AcceptRanges: get.AcceptRanges, Metadata: get.Metadata, LastModified: get.LastModified})
	if aws.ToInt32(get.TagCount) != 2 {
		t.Errorf("GetObject: got TagCount %d, want 2 (x-amz-tagging-count)", aws.ToInt32(get.TagCount))
	}
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	checkHeaders("HeadObject", head)

	t.Run("range", func(t *testing.T) {
		n := int64(len(body))
		for _, tc := range []struct {
			rng        string
			start, end int64
		}{
			{"bytes=100-199", 100, 199},
			{"bytes=0-0", 0, 0},
			{"bytes=-10", n - 10, n - 1},
			{fmt.Sprintf("bytes=%d-", n-5), n - 5, n - 1},
			{fmt.Sprintf("bytes=%d-%d", n-5, n+100), n - 5, n - 1}, // an end past the object is cut
		} {
			out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String(key), Range: aws.String(tc.rng)})
			if err != nil {
				t.Fatalf("GetObject %s: %v", tc.rng, err)
			}
			part, _ := io.ReadAll(out.Body)
			out.Body.Close()
			wantRange := fmt.Sprintf("bytes %d-%d/%d", tc.start, tc.end, n)
			if !bytes.Equal(part, body[tc.start:tc.end+1]) || aws.ToString(out.ContentRange) != wantRange || aws.ToInt64(out.ContentLength) != tc.end-tc.start+1 {
				t.Errorf("GetObject %s: got %d bytes, Content-Range %q, want bytes %d-%d and %q", tc.rng, len(part), aws.ToString(out.ContentRange), tc.start, tc.end, wantRange)
			}
		}
		_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String(key), Range: aws.String(fmt.Sprintf("bytes=%d-", n))})
		mustS3Fail(t, err, "InvalidRange", 416)
		// The status is 206 (checked on the wire: the SDK hides it).
		status, h, _ := rawS3(t, c, "GET", "/"+b+"/"+url.PathEscape("dir")+"/"+url.PathEscape("a file+ü.bin"), nil, map[string]string{"Range": "bytes=1-2"})
		if status != 206 || h.Get("Content-Range") != fmt.Sprintf("bytes 1-2/%d", n) {
			t.Errorf("ranged GET: got %d and Content-Range %q, want 206 and bytes 1-2/%d", status, h.Get("Content-Range"), n)
		}
	})

	t.Run("conditions", func(t *testing.T) {
		past, future := time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
		for _, tc := range []struct {
			name   string
			in     s3.GetObjectInput
			status int // 0 for 200
			code   string
		}{
			{"If-Match", s3.GetObjectInput{IfMatch: aws.String(etag)}, 0, ""},
			{"If-Match other", s3.GetObjectInput{IfMatch: aws.String(`"0123"`)}, 412, "PreconditionFailed"},
			{"If-None-Match", s3.GetObjectInput{IfNoneMatch: aws.String(etag)}, 304, "NotModified"},
			{"If-None-Match other", s3.GetObjectInput{IfNoneMatch: aws.String(`"0123"`)}, 0, ""},
			{"If-Modified-Since future", s3.GetObjectInput{IfModifiedSince: &future}, 304, "NotModified"},
			{"If-Modified-Since past", s3.GetObjectInput{IfModifiedSince: &past}, 0, ""},
			{"If-Unmodified-Since past", s3.GetObjectInput{IfUnmodifiedSince: &past}, 412, "PreconditionFailed"},
			{"If-Unmodified-Since future", s3.GetObjectInput{IfUnmodifiedSince: &future}, 0, ""},
			// RFC 7232 as S3 documents it: If-Match true wins over
			// If-Unmodified-Since false, and If-None-Match false over
			// If-Modified-Since true.
			{"If-Match and If-Unmodified-Since past", s3.GetObjectInput{IfMatch: aws.String(etag), IfUnmodifiedSince: &past}, 0, ""},
			{"If-None-Match and If-Modified-Since past", s3.GetObjectInput{IfNoneMatch: aws.String(etag), IfModifiedSince: &past}, 304, "NotModified"},
		} {
			if onMoto && strings.Contains(tc.name, " and ") {
				continue // moto fails a request if any condition fails
			}
			in := tc.in
			in.Bucket, in.Key = aws.String(b), aws.String(key)
			out, err := c.GetObject(ctx, &in)
			if tc.status == 0 {
				if err != nil {
					t.Errorf("GetObject %s: %v", tc.name, err)
				} else {
					out.Body.Close()
				}
			} else {
				mustS3Fail(t, err, tc.code, tc.status)
			}
			_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String(key),
				IfMatch: in.IfMatch, IfNoneMatch: in.IfNoneMatch, IfModifiedSince: in.IfModifiedSince, IfUnmodifiedSince: in.IfUnmodifiedSince})
			if tc.status == 0 && err != nil {
				t.Errorf("HeadObject %s: %v", tc.name, err)
			} else if tc.status != 0 {
				mustFailWith(t, err, tc.code, tc.status)
			}
		}
	})

	t.Run("response overrides", func(t *testing.T) {
		if onMoto {
			t.Skip("moto ignores response-* parameters")
		}
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String(key),
			ResponseContentType: aws.String("text/plain"), ResponseContentDisposition: aws.String("inline"),
			ResponseContentLanguage: aws.String("de"), ResponseCacheControl: aws.String("no-store"),
			ResponseContentEncoding: aws.String("identity"), ResponseExpires: aws.Time(expires.Add(24 * time.Hour))})
		if err != nil {
			t.Fatal(err)
		}
		out.Body.Close()
		if aws.ToString(out.ContentType) != "text/plain" || aws.ToString(out.ContentDisposition) != "inline" ||
			aws.ToString(out.ContentLanguage) != "de" || aws.ToString(out.CacheControl) != "no-store" ||
			aws.ToString(out.ContentEncoding) != "identity" || aws.ToString(out.ExpiresString) != expires.Add(24*time.Hour).Format(http.TimeFormat) {
			t.Errorf("GetObject with response-*: got type %q, disposition %q, language %q, cache %q, encoding %q, expires %q",
				aws.ToString(out.ContentType), aws.ToString(out.ContentDisposition), aws.ToString(out.ContentLanguage),
				aws.ToString(out.CacheControl), aws.ToString(out.ContentEncoding), aws.ToString(out.ExpiresString))
		}
	})

	t.Run("copy", func(t *testing.T) {
		src := b + "/" + url.PathEscape("dir") + "/" + url.PathEscape("a file+ü.bin")
		cp, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String("copy/same"), CopySource: aws.String(src)})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(cp.CopyObjectResult.ETag) != etag {
			t.Errorf("CopyObject: got ETag %s, want the source's %s", aws.ToString(cp.CopyObjectResult.ETag), etag)
		}
		h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("copy/same")})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(h.ContentType) != "application/x-test" || h.Metadata["color"] != "blue" || aws.ToString(h.CacheControl) != "max-age=60" {
			t.Errorf("CopyObject COPY: got type %q, metadata %v, cache %q, want the source's", aws.ToString(h.ContentType), h.Metadata, aws.ToString(h.CacheControl))
		}
		if !bytes.Equal(mustGet(t, c, b, "copy/same"), body) {
			t.Errorf("CopyObject: the copy's body differs from the source's")
		}
		if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String("copy/replaced"), CopySource: aws.String(src),
			MetadataDirective: s3types.MetadataDirectiveReplace, ContentType: aws.String("text/csv"), Metadata: map[string]string{"shape": "round"}}); err != nil {
			t.Fatal(err)
		}
		h, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("copy/replaced")})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(h.ContentType) != "text/csv" || len(h.Metadata) != 1 || h.Metadata["shape"] != "round" || aws.ToString(h.CacheControl) != "" {
			t.Errorf("CopyObject REPLACE: got type %q, metadata %v, cache %q, want text/csv, shape=round and no cache control",
				aws.ToString(h.ContentType), h.Metadata, aws.ToString(h.CacheControl))
		}
		if onMoto {
			return // moto copies onto itself without a change and takes no copy-source conditions
		}
		// Copying an object onto itself must change something.
		_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String("copy/same"), CopySource: aws.String(b + "/copy/same")})
		mustS3Fail(t, err, "InvalidRequest", 400)
		if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String("copy/same"), CopySource: aws.String(b + "/copy/same"),
			MetadataDirective: s3types.MetadataDirectiveReplace, Metadata: map[string]string{"v": "2"}}); err != nil {
			t.Errorf("CopyObject onto itself with REPLACE: %v", err)
		}
		// Conditional copies: every failed condition is 412.
		past := time.Now().Add(-time.Hour)
		for _, in := range []s3.CopyObjectInput{
			{CopySourceIfMatch: aws.String(`"0123"`)},
			{CopySourceIfNoneMatch: aws.String(etag)},
			{CopySourceIfUnmodifiedSince: &past},
		} {
			in.Bucket, in.Key, in.CopySource = aws.String(b), aws.String("copy/cond"), aws.String(src)
			_, err := c.CopyObject(ctx, &in)
			mustS3Fail(t, err, "PreconditionFailed", 412)
		}
		if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String("copy/cond"), CopySource: aws.String(src),
			CopySourceIfMatch: aws.String(etag), CopySourceIfModifiedSince: &past}); err != nil {
			t.Errorf("CopyObject with conditions that hold: %v", err)
		}
		_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String("copy/x"), CopySource: aws.String(b + "/missing")})
		mustS3Fail(t, err, "NoSuchKey", 404)
		_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String("copy/x"), CopySource: aws.String("missing-bkt/k")})
		mustS3Fail(t, err, "NoSuchBucket", 404)
	})

	t.Run("tagging", func(t *testing.T) {
		tags, err := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String(b), Key: aws.String(key)})
		if err != nil {
			t.Fatal(err)
		}
		if got := tagMap(tags.TagSet); len(got) != 2 || got["team"] != "a" || got["env"] != "dev" {
			t.Errorf("GetObjectTagging: got %v, want team=a env=dev", got)
		}
		if _, err := c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String(b), Key: aws.String(key),
			Tagging: &s3types.Tagging{TagSet: []s3types.Tag{{Key: aws.String("k1"), Value: aws.String("v1")}}}}); err != nil {
			t.Fatal(err)
		}
		tags, err = c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String(b), Key: aws.String(key)})
		if err != nil || len(tags.TagSet) != 1 || tagMap(tags.TagSet)["k1"] != "v1" {
			t.Errorf("GetObjectTagging after PutObjectTagging: got %v, %v, want k1=v1 alone", tags, err)
		}
		if _, err := c.DeleteObjectTagging(ctx, &s3.DeleteObjectTaggingInput{Bucket: aws.String(b), Key: aws.String(key)}); err != nil {
			t.Fatal(err)
		}
		tags, err = c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String(b), Key: aws.String(key)})
		if err != nil || len(tags.TagSet) != 0 {
			t.Errorf("GetObjectTagging after DeleteObjectTagging: got %v, %v, want no tags", tags, err)
		}
		_, err = c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String(b), Key: aws.String("missing")})
		mustS3Fail(t, err, "NoSuchKey", 404)
		// Bucket tagging.
		_, err = c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(b)})
		mustS3Fail(t, err, "NoSuchTagSet", 404)
		if _, err := c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(b),
			Tagging: &s3types.Tagging{TagSet: []s3types.Tag{{Key: aws.String("owner"), Value: aws.String("me")}}}}); err != nil {
			t.Fatal(err)
		}
		bt, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(b)})
		if err != nil || tagMap(bt.TagSet)["owner"] != "me" {
			t.Errorf("GetBucketTagging: got %v, %v, want owner=me", bt, err)
		}
	})

	t.Run("delete", func(t *testing.T) {
		for _, k := range []string{"del/1", "del/2", "del/3"} {
			mustPut(t, c, b, k, []byte(k))
		}
		// Deleting a missing key succeeds.
		if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(b), Key: aws.String("del/never")}); err != nil {
			t.Errorf("DeleteObject of a missing key: %v", err)
		}
		if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(b), Key: aws.String("del/3")}); err != nil {
			t.Fatal(err)
		}
		_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("del/3")})
		mustS3Fail(t, err, "NoSuchKey", 404)
		_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("del/3")})
		mustS3Fail(t, err, "NotFound", 404)

		out, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(b), Delete: &s3types.Delete{Objects: []s3types.ObjectIdentifier{
			{Key: aws.String("del/1")}, {Key: aws.String("del/2")}, {Key: aws.String("del/missing")},
		}}})
		if err != nil {
			t.Fatal(err)
		}
		var deleted []string
		for _, d := range out.Deleted {
			deleted = append(deleted, aws.ToString(d.Key))
		}
		slices.Sort(deleted)
		// S3 reports a key that was not there as deleted.
		if !slices.Equal(deleted, []string{"del/1", "del/2", "del/missing"}) || len(out.Errors) != 0 {
			t.Errorf("DeleteObjects: got deleted %v and errors %v, want del/1 del/2 del/missing and no errors", deleted, out.Errors)
		}
		list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(b), Prefix: aws.String("del/")})
		if err != nil || len(list.Contents) != 0 {
			t.Errorf("ListObjectsV2 after DeleteObjects: got %v, %v, want nothing", list, err)
		}
		mustPut(t, c, b, "del/q", []byte("q"))
		out, err = c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(b), Delete: &s3types.Delete{Quiet: aws.Bool(true),
			Objects: []s3types.ObjectIdentifier{{Key: aws.String("del/q")}}}})
		// moto lists the deleted keys even when quiet.
		if err != nil || (len(out.Deleted) != 0 && !onMoto) || len(out.Errors) != 0 {
			t.Errorf("DeleteObjects quietly: got %+v, %v, want an empty result", out, err)
		}
		_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("del/q")})
		mustS3Fail(t, err, "NotFound", 404)
	})

	t.Run("empty and overwrite", func(t *testing.T) {
		if e := mustPut(t, c, b, "empty", nil); e != etagOf(nil) {
			t.Errorf("PutObject of an empty body: got ETag %s, want %s", e, etagOf(nil))
		}
		if got := mustGet(t, c, b, "empty"); len(got) != 0 {
			t.Errorf("GetObject of an empty object: got %d bytes", len(got))
		}
		mustPut(t, c, b, "over", []byte("first"))
		mustPut(t, c, b, "over", []byte("second, longer"))
		if got := mustGet(t, c, b, "over"); string(got) != "second, longer" {
			t.Errorf("GetObject after an overwrite: got %q", got)
		}
		// Conditional writes: If-None-Match: * only creates.
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("over"), Body: strings.NewReader("x"), IfNoneMatch: aws.String("*")})
		mustS3Fail(t, err, "PreconditionFailed", 412)
	})
}

func tagMap(ts []s3types.Tag) map[string]string {
	m := map[string]string{}
	for _, t := range ts {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

// TestS3Listing lists with ListObjectsV2 (prefix, delimiter, pages of
// max-keys by continuation token, start-after, encoding-type=url,
// fetch-owner) and ListObjects v1 (marker, NextMarker).
func TestS3Listing(t *testing.T) {
	t.Parallel()
	c := MustS3(t, s3URL(t))
	ctx := context.Background()
	const b = "listing-bkt"
	mustBucket(t, c, b)
	keys := []string{"a/1", "a/2", "a/b/3", "a/b/4", "a/c/5", "b/6", "c", "d e/ü+=", "z"}
	for i := range 16 {
		keys = append(keys, fmt.Sprintf("many/%02d", i))
	}
	for _, k := range keys {
		mustPut(t, c, b, k, []byte(k))
	}
	slices.Sort(keys)
	keysOf := func(os []s3types.Object) []string {
		var out []string
		for _, o := range os {
			out = append(out, aws.ToString(o.Key))
		}
		return out
	}
	prefixesOf := func(ps []s3types.CommonPrefix) []string {
		var out []string
		for _, p := range ps {
			out = append(out, aws.ToString(p.Prefix))
		}
		return out
	}

	all, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(b)})
	if err != nil {
		t.Fatal(err)
	}
	if got := keysOf(all.Contents); !slices.Equal(got, keys) || aws.ToInt32(all.KeyCount) != int32(len(keys)) || aws.ToBool(all.IsTruncated) {
		t.Fatalf("ListObjectsV2: got %v (KeyCount %d), want %v", got, aws.ToInt32(all.KeyCount), keys)
	}
	for _, o := range all.Contents {
		if aws.ToInt64(o.Size) != int64(len(aws.ToString(o.Key))) || aws.ToString(o.ETag) != etagOf([]byte(aws.ToString(o.Key))) ||
			o.StorageClass != s3types.ObjectStorageClassStandard || o.LastModified == nil || o.Owner != nil {
			t.Errorf("ListObjectsV2: got %s size %d ETag %s class %s owner %v, want its size, ETag, STANDARD and no owner",
				aws.ToString(o.Key), aws.ToInt64(o.Size), aws.ToString(o.ETag), o.StorageClass, o.Owner)
		}
	}

	out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(b), Prefix: aws.String("a/"), Delimiter: aws.String("/")})
	if err != nil {
		t.Fatal(err)
	}
	if k, p := keysOf(out.Contents), prefixesOf(out.CommonPrefixes); !slices.Equal(k, []string{"a/1", "a/2"}) || !slices.Equal(p, []string{"a/b/", "a/c/"}) ||
		aws.ToInt32(out.KeyCount) != 4 || aws.ToString(out.Prefix) != "a/" || aws.ToString(out.Delimiter) != "/" {
		t.Errorf("ListObjectsV2 prefix a/ delimiter /: got keys %v, prefixes %v, KeyCount %d, want [a/1 a/2], [a/b/ a/c/], 4", k, p, aws.ToInt32(out.KeyCount))
	}
	out, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(b), Delimiter: aws.String("/")})
	if err != nil {
		t.Fatal(err)
	}
	if k, p := keysOf(out.Contents), prefixesOf(out.CommonPrefixes); !slices.Equal(k, []string{"c", "z"}) || !slices.Equal(p, []string{"a/", "b/", "d e/", "many/"}) {
		t.Errorf("ListObjectsV2 delimiter /: got keys %v, prefixes %v, want [c z], [a/ b/ d e/ many/]", k, p)
	}

	// Pages of 4, keys and common prefixes counting alike.
	for _, tc := range []struct {
		delimiter string
		want      []string
	}{
		{"", keys},
		{"/", []string{"a/", "b/", "c", "d e/", "many/", "z"}},
	} {
		var got []string
		pages := 0
		in := &s3.ListObjectsV2Input{Bucket: aws.String(b), MaxKeys: aws.Int32(4)}
		if tc.delimiter != "" {
			in.Delimiter = aws.String(tc.delimiter)
		}
		p := s3.NewListObjectsV2Paginator(c, in)
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			n := len(page.Contents) + len(page.CommonPrefixes)
			if n > 4 || aws.ToInt32(page.KeyCount) != int32(n) || aws.ToInt32(page.MaxKeys) != 4 {
				t.Errorf("ListObjectsV2 page %d: got %d entries, KeyCount %d, MaxKeys %d, want at most 4", pages, n, aws.ToInt32(page.KeyCount), aws.ToInt32(page.MaxKeys))
			}
			if aws.ToBool(page.IsTruncated) != (aws.ToString(page.NextContinuationToken) != "") {
				t.Errorf("ListObjectsV2 page %d: IsTruncated %v with NextContinuationToken %q", pages, aws.ToBool(page.IsTruncated), aws.ToString(page.NextContinuationToken))
			}
			got = append(got, keysOf(page.Contents)...)
			got = append(got, prefixesOf(page.CommonPrefixes)...)
		}
		slices.Sort(got)
		if wantPages := (len(tc.want) + 3) / 4; !slices.Equal(got, tc.want) || pages != wantPages {
			t.Errorf("ListObjectsV2 in pages of 4 with delimiter %q: got %v in %d pages, want %v in %d", tc.delimiter, got, pages, tc.want, wantPages)
		}
	}

	out, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(b), StartAfter: aws.String("many/13"), MaxKeys: aws.Int32(3)})
	if err != nil {
		t.Fatal(err)
	}
	if k := keysOf(out.Contents); !slices.Equal(k, []string{"many/14", "many/15", "z"}) || aws.ToString(out.StartAfter) != "many/13" {
		t.Errorf("ListObjectsV2 start-after many/13: got %v, want [many/14 many/15 z]", k)
	}
	out, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(b), MaxKeys: aws.Int32(0)})
	if err != nil || len(out.Contents) != 0 {
		t.Errorf("ListObjectsV2 max-keys 0: got %v, %v, want no keys", out, err)
	}

	// encoding-type=url: S3 URL-encodes keys and prefixes; the Go SDK
	// hands them over as they came.
	out, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(b), Prefix: aws.String("d e/"), EncodingType: s3types.EncodingTypeUrl})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Contents) != 1 || out.EncodingType != s3types.EncodingTypeUrl {
		t.Fatalf("ListObjectsV2 encoding-type url: got %+v, want one key", out)
	}
	raw := aws.ToString(out.Contents[0].Key)
	if dec, err := url.QueryUnescape(raw); err != nil || dec != "d e/ü+=" || strings.ContainsAny(raw, " ü") {
		t.Errorf("ListObjectsV2 encoding-type url: got key %q (decoded %q, %v), want d e/ü+= URL-encoded", raw, dec, err)
	}
	if p, err := url.QueryUnescape(aws.ToString(out.Prefix)); err != nil || p != "d e/" {
		t.Errorf("ListObjectsV2 encoding-type url: got prefix %q, want d e/ URL-encoded", aws.ToString(out.Prefix))
	}

	out, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(b), Prefix: aws.String("c"), FetchOwner: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Contents) != 1 || out.Contents[0].Owner == nil || aws.ToString(out.Contents[0].Owner.ID) == "" {
		t.Errorf("ListObjectsV2 fetch-owner: got %+v, want the key with its owner", out.Contents)
	}

	// ListObjects (v1): marker, and NextMarker only with a delimiter.
	v1, err := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String(b), Marker: aws.String("a/c/5"), MaxKeys: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	if k := keysOf(v1.Contents); !slices.Equal(k, []string{"b/6", "c"}) || !aws.ToBool(v1.IsTruncated) || (aws.ToString(v1.Marker) != "a/c/5" && !onMoto) {
		t.Errorf("ListObjects marker a/c/5 max-keys 2: got %v truncated %v marker %q, want [b/6 c] truncated", k, aws.ToBool(v1.IsTruncated), aws.ToString(v1.Marker))
	}
	if v1.Contents[0].Owner == nil {
		t.Errorf("ListObjects: got no owner, want one (v1 always lists owners)")
	}
	var got []string
	marker := ""
	for range 20 {
		v1, err := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String(b), Marker: aws.String(marker), MaxKeys: aws.Int32(5), Delimiter: aws.String("/")})
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, keysOf(v1.Contents)...)
		got = append(got, prefixesOf(v1.CommonPrefixes)...)
		if !aws.ToBool(v1.IsTruncated) {
			break
		}
		if aws.ToString(v1.NextMarker) == "" {
			t.Fatalf("ListObjects with a delimiter: truncated without NextMarker")
		}
		marker = aws.ToString(v1.NextMarker)
	}
	slices.Sort(got)
	if !slices.Equal(got, []string{"a/", "b/", "c", "d e/", "many/", "z"}) {
		t.Errorf("ListObjects in pages of 5 by NextMarker: got %v", got)
	}
	if !onMoto { // moto answers 500
		_, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(b), ContinuationToken: aws.String("not a token")})
		mustS3Fail(t, err, "InvalidArgument", 400)
	}
}

// TestS3Multipart uploads through the SDK's upload manager (a 21 MB body in
// 5 MiB parts) and part by part (UploadPart, UploadPartCopy, ListParts,
// ListMultipartUploads, Complete, Abort), with the errors of a bad
// completion.
func TestS3Multipart(t *testing.T) {
	t.Parallel()
	c := MustS3(t, s3URL(t))
	ctx := context.Background()
	const b = "multipart-bkt"
	mustBucket(t, c, b)
	const mib = 1 << 20

	t.Run("upload manager", func(t *testing.T) {
		body := randomBytes(21*mib+123, 2)
		up := manager.NewUploader(c, func(u *manager.Uploader) { u.PartSize = 5 * mib; u.Concurrency = 3 })
		// A plain reader: the manager splits it into parts.
		res, err := up.Upload(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("big/file.bin"), Body: io.LimitReader(bytes.NewReader(body), int64(len(body)))})
		if err != nil {
			t.Fatal(err)
		}
		var parts [][]byte
		for off := 0; off < len(body); off += 5 * mib {
			parts = append(parts, body[off:min(off+5*mib, len(body))])
		}
		want := multipartETag(parts...)
		if aws.ToString(res.ETag) != want || res.UploadID == "" {
			t.Errorf("Upload: got ETag %s, upload id %q, want %s", aws.ToString(res.ETag), res.UploadID, want)
		}
		if got := mustGet(t, c, b, "big/file.bin"); !bytes.Equal(got, body) {
			t.Fatalf("GetObject of a multipart object: got %d bytes, want the %d uploaded, byte for byte", len(got), len(body))
		}
		head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("big/file.bin")})
		if err != nil || aws.ToString(head.ETag) != want || aws.ToInt64(head.ContentLength) != int64(len(body)) {
			t.Errorf("HeadObject: got %v, %v, want ETag %s and length %d", head, err, want, len(body))
		}
		// A range across a part boundary.
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("big/file.bin"), Range: aws.String(fmt.Sprintf("bytes=%d-%d", 5*mib-10, 5*mib+9))})
		if err != nil {
			t.Fatal(err)
		}
		across, _ := io.ReadAll(out.Body)
		out.Body.Close()
		if !bytes.Equal(across, body[5*mib-10:5*mib+10]) {
			t.Errorf("GetObject of a range across parts: got %d bytes that differ", len(across))
		}
		// The downloader reads it back in ranged parts.
		buf := manager.NewWriteAtBuffer(make([]byte, 0, len(body)))
		n, err := manager.NewDownloader(c, func(d *manager.Downloader) { d.PartSize = 5 * mib }).Download(ctx, buf, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("big/file.bin")})
		if err != nil || n != int64(len(body)) || !bytes.Equal(buf.Bytes(), body) {
			t.Errorf("Download: got %d bytes, %v, want the %d uploaded", n, err, len(body))
		}
	})

	t.Run("parts", func(t *testing.T) {
		src := randomBytes(6*mib, 3)
		mustPut(t, c, b, "src", src)
		p1, p3 := randomBytes(5*mib, 4), []byte("the small last part")
		create, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(b), Key: aws.String("mp/low"),
			ContentType: aws.String("application/x-parts"), Metadata: map[string]string{"m": "1"}})
		if err != nil {
			t.Fatal(err)
		}
		id := create.UploadId
		if aws.ToString(id) == "" || aws.ToString(create.Key) != "mp/low" || aws.ToString(create.Bucket) != b {
			t.Fatalf("CreateMultipartUpload: got %+v", create)
		}
		u1, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(b), Key: aws.String("mp/low"), UploadId: id, PartNumber: aws.Int32(1), Body: bytes.NewReader(p1)})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(u1.ETag) != etagOf(p1) {
			t.Errorf("UploadPart: got ETag %s, want %s", aws.ToString(u1.ETag), etagOf(p1))
		}
		u2, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String(b), Key: aws.String("mp/low"), UploadId: id, PartNumber: aws.Int32(2),
			CopySource: aws.String(b + "/src"), CopySourceRange: aws.String(fmt.Sprintf("bytes=0-%d", 5*mib-1))})
		if err != nil {
			t.Fatal(err)
		}
		p2 := src[:5*mib]
		if aws.ToString(u2.CopyPartResult.ETag) != etagOf(p2) {
			t.Errorf("UploadPartCopy: got ETag %s, want %s", aws.ToString(u2.CopyPartResult.ETag), etagOf(p2))
		}
		u3, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(b), Key: aws.String("mp/low"), UploadId: id, PartNumber: aws.Int32(3), Body: bytes.NewReader(p3)})
		if err != nil {
			t.Fatal(err)
		}

		lp, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String(b), Key: aws.String("mp/low"), UploadId: id})
		if err != nil {
			t.Fatal(err)
		}
		if len(lp.Parts) != 3 {
			t.Fatalf("ListParts: got %d parts, want 3", len(lp.Parts))
		}
		for i, want := range [][]byte{p1, p2, p3} {
			p := lp.Parts[i]
			if aws.ToInt32(p.PartNumber) != int32(i+1) || aws.ToString(p.ETag) != etagOf(want) || aws.ToInt64(p.Size) != int64(len(want)) || p.LastModified == nil {
				t.Errorf("ListParts: got part %d ETag %s size %d, want %d, %s, %d", aws.ToInt32(p.PartNumber), aws.ToString(p.ETag), aws.ToInt64(p.Size), i+1, etagOf(want), len(want))
			}
		}
		lp, err = c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String(b), Key: aws.String("mp/low"), UploadId: id, MaxParts: aws.Int32(2)})
		if err != nil || len(lp.Parts) != 2 || !aws.ToBool(lp.IsTruncated) || aws.ToString(lp.NextPartNumberMarker) != "2" {
			t.Errorf("ListParts max-parts 2: got %+v, %v, want parts 1 and 2, truncated, next marker 2", lp, err)
		}
		lu, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(b)})
		if err != nil {
			t.Fatal(err)
		}
		if len(lu.Uploads) != 1 || aws.ToString(lu.Uploads[0].UploadId) != aws.ToString(id) || aws.ToString(lu.Uploads[0].Key) != "mp/low" {
			t.Errorf("ListMultipartUploads: got %+v, want the upload of mp/low", lu.Uploads)
		}

		complete := func(parts ...s3types.CompletedPart) error {
			_, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(b), Key: aws.String("mp/low"), UploadId: id,
				MultipartUpload: &s3types.CompletedMultipartUpload{Parts: parts}})
			return err
		}
		part := func(n int32, etag *string) s3types.CompletedPart {
			return s3types.CompletedPart{PartNumber: aws.Int32(n), ETag: etag}
		}
		if !onMoto { // moto sorts the parts
			mustS3Fail(t, complete(part(2, u2.CopyPartResult.ETag), part(1, u1.ETag), part(3, u3.ETag)), "InvalidPartOrder", 400)
		}
		mustS3Fail(t, complete(part(1, u1.ETag), part(2, aws.String(`"00000000000000000000000000000000"`)), part(3, u3.ETag)), "InvalidPart", 400)
		mustS3Fail(t, complete(part(1, u1.ETag), part(4, u3.ETag)), "InvalidPart", 400) // no part 4 was uploaded

		done, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(b), Key: aws.String("mp/low"), UploadId: id,
			MultipartUpload: &s3types.CompletedMultipartUpload{Parts: []s3types.CompletedPart{part(1, u1.ETag), part(2, u2.CopyPartResult.ETag), part(3, u3.ETag)}}})
		if err != nil {
			t.Fatal(err)
		}
		want := multipartETag(p1, p2, p3)
		if aws.ToString(done.ETag) != want || aws.ToString(done.Key) != "mp/low" || aws.ToString(done.Bucket) != b {
			t.Errorf("CompleteMultipartUpload: got %+v, want ETag %s", done, want)
		}
		if got := mustGet(t, c, b, "mp/low"); !bytes.Equal(got, slices.Concat(p1, p2, p3)) {
			t.Errorf("GetObject of the completed upload: got %d bytes that differ from the parts", len(got))
		}
		head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("mp/low")})
		if err != nil || aws.ToString(head.ContentType) != "application/x-parts" || head.Metadata["m"] != "1" || aws.ToString(head.ETag) != want {
			t.Errorf("HeadObject of the completed upload: got %+v, %v, want the upload's content type and metadata", head, err)
		}
		_, err = c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String(b), Key: aws.String("mp/low"), UploadId: id})
		mustS3Fail(t, err, "NoSuchUpload", 404)
	})

	t.Run("too small and abort", func(t *testing.T) {
		create, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(b), Key: aws.String("mp/small")})
		if err != nil {
			t.Fatal(err)
		}
		id := create.UploadId
		var parts []s3types.CompletedPart
		for n := int32(1); n <= 2; n++ {
			u, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(b), Key: aws.String("mp/small"), UploadId: id, PartNumber: aws.Int32(n), Body: strings.NewReader("tiny")})
			if err != nil {
				t.Fatal(err)
			}
			parts = append(parts, s3types.CompletedPart{PartNumber: aws.Int32(n), ETag: u.ETag})
		}
		_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(b), Key: aws.String("mp/small"), UploadId: id,
			MultipartUpload: &s3types.CompletedMultipartUpload{Parts: parts}})
		mustS3Fail(t, err, "EntityTooSmall", 400)
		// A single small part is a whole object.
		if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(b), Key: aws.String("mp/small"), UploadId: id,
			MultipartUpload: &s3types.CompletedMultipartUpload{Parts: parts[:1]}}); err != nil {
			t.Fatalf("CompleteMultipartUpload of one small part: %v", err)
		}
		if got := mustGet(t, c, b, "mp/small"); string(got) != "tiny" {
			t.Errorf("GetObject: got %q, want tiny", got)
		}

		create, err = c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(b), Key: aws.String("mp/aborted")})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(b), Key: aws.String("mp/aborted"), UploadId: create.UploadId,
			PartNumber: aws.Int32(1), Body: strings.NewReader("part")}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(b), Key: aws.String("mp/aborted"), UploadId: create.UploadId}); err != nil {
			t.Fatal(err)
		}
		if !onMoto { // moto answers 500
			_, err = c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(b), Key: aws.String("mp/aborted"), UploadId: create.UploadId,
				PartNumber: aws.Int32(2), Body: strings.NewReader("part")})
			mustS3Fail(t, err, "NoSuchUpload", 404)
			_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(b), Key: aws.String("mp/aborted"), UploadId: create.UploadId,
				MultipartUpload: &s3types.CompletedMultipartUpload{Parts: []s3types.CompletedPart{{PartNumber: aws.Int32(1), ETag: aws.String(etagOf([]byte("part")))}}}})
			mustS3Fail(t, err, "NoSuchUpload", 404)
		}
		_, err = c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String(b), Key: aws.String("mp/aborted"), UploadId: aws.String("no-such-upload")})
		mustS3Fail(t, err, "NoSuchUpload", 404)
		_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("mp/aborted")})
		mustS3Fail(t, err, "NotFound", 404)
		lu, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(b), Prefix: aws.String("mp/")})
		if err != nil || len(lu.Uploads) != 0 {
			t.Errorf("ListMultipartUploads after complete and abort: got %+v, %v, want none", lu, err)
		}
	})
}

// crc64NVME is the CRC-64/NVME table (the reflected polynomial): Go's
// crc64 with it computes S3's CRC64NVME.
var crc64NVME = crc64.MakeTable(0x9a6c9329ac4bc9b5)

// TestS3Checksums puts objects with each flexible checksum algorithm, reads
// the checksums back with ChecksumMode ENABLED, and sends wrong checksums
// and a wrong Content-MD5.
func TestS3Checksums(t *testing.T) {
	t.Parallel()
	c := MustS3(t, s3URL(t))
	ctx := context.Background()
	const b = "checksums-bkt"
	mustBucket(t, c, b)
	body := randomBytes(300_001, 5)
	b64 := base64.StdEncoding.EncodeToString
	crc32c := crc32.Checksum(body, crc32.MakeTable(crc32.Castagnoli))
	sha1sum, sha256sum := sha1.Sum(body), sha256.Sum256(body)
	want := map[s3types.ChecksumAlgorithm]string{
		s3types.ChecksumAlgorithmCrc32:     b64(binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE(body))),
		s3types.ChecksumAlgorithmCrc32c:    b64(binary.BigEndian.AppendUint32(nil, crc32c)),
		s3types.ChecksumAlgorithmCrc64nvme: b64(binary.BigEndian.AppendUint64(nil, crc64.Checksum(body, crc64NVME))),
		s3types.ChecksumAlgorithmSha1:      b64(sha1sum[:]),
		s3types.ChecksumAlgorithmSha256:    b64(sha256sum[:]),
	}
	pick := func(alg s3types.ChecksumAlgorithm, crc32, crc32c, crc64, sha1, sha256 *string) string {
		return aws.ToString(map[s3types.ChecksumAlgorithm]*string{"CRC32": crc32, "CRC32C": crc32c, "CRC64NVME": crc64, "SHA1": sha1, "SHA256": sha256}[alg])
	}
	for alg, sum := range want {
		key := "sum/" + string(alg)
		put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String(key), Body: bytes.NewReader(body), ChecksumAlgorithm: alg})
		if err != nil {
			t.Fatalf("PutObject with %s: %v", alg, err)
		}
		if got := pick(alg, put.ChecksumCRC32, put.ChecksumCRC32C, put.ChecksumCRC64NVME, put.ChecksumSHA1, put.ChecksumSHA256); got != sum {
			t.Errorf("PutObject with %s: got checksum %q, want %q", alg, got, sum)
		}
		get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String(key), ChecksumMode: s3types.ChecksumModeEnabled})
		if err != nil {
			t.Fatalf("GetObject with ChecksumMode ENABLED: %v", err)
		}
		data, err := io.ReadAll(get.Body) // the SDK validates the checksum as it reads
		get.Body.Close()
		if err != nil || !bytes.Equal(data, body) {
			t.Errorf("GetObject of %s: got %d bytes, %v", key, len(data), err)
		}
		if got := pick(alg, get.ChecksumCRC32, get.ChecksumCRC32C, get.ChecksumCRC64NVME, get.ChecksumSHA1, get.ChecksumSHA256); got != sum || (get.ChecksumType != s3types.ChecksumTypeFullObject && !onMoto) {
			t.Errorf("GetObject of %s with ChecksumMode ENABLED: got checksum %q type %q, want %q FULL_OBJECT", key, got, get.ChecksumType, sum)
		}
		head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String(key), ChecksumMode: s3types.ChecksumModeEnabled})
		if err != nil {
			t.Fatal(err)
		}
		if got := pick(alg, head.ChecksumCRC32, head.ChecksumCRC32C, head.ChecksumCRC64NVME, head.ChecksumSHA1, head.ChecksumSHA256); got != sum {
			t.Errorf("HeadObject of %s with ChecksumMode ENABLED: got checksum %q, want %q", key, got, sum)
		}
	}

	// A multipart upload with SHA256: each part's checksum, and the
	// object's COMPOSITE checksum, the SHA256 of the parts' digests, "-2".
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(b), Key: aws.String("sum/multipart"), ChecksumAlgorithm: s3types.ChecksumAlgorithmSha256})
	if err != nil {
		t.Fatal(err)
	}
	parts := [][]byte{randomBytes(5<<20, 9), []byte("the last part")}
	var completed []s3types.CompletedPart
	composite := sha256.New()
	for i, p := range parts {
		sum := sha256.Sum256(p)
		composite.Write(sum[:])
		out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(b), Key: aws.String("sum/multipart"), UploadId: up.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p), ChecksumAlgorithm: s3types.ChecksumAlgorithmSha256})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.ChecksumSHA256) != b64(sum[:]) {
			t.Errorf("UploadPart %d with SHA256: got checksum %q, want %q", i+1, aws.ToString(out.ChecksumSHA256), b64(sum[:]))
		}
		completed = append(completed, s3types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.ETag, ChecksumSHA256: out.ChecksumSHA256})
	}
	done, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(b), Key: aws.String("sum/multipart"), UploadId: up.UploadId,
		MultipartUpload: &s3types.CompletedMultipartUpload{Parts: completed}})
	if err != nil {
		t.Fatal(err)
	}
	wantComposite := b64(composite.Sum(nil)) + "-2"
	// moto returns no checksum from the completion, and one without
	// the "-2" from HeadObject.
	if aws.ToString(done.ChecksumSHA256) != wantComposite && !onMoto {
		t.Errorf("CompleteMultipartUpload with SHA256: got checksum %q, want %q", aws.ToString(done.ChecksumSHA256), wantComposite)
	}
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("sum/multipart"), ChecksumMode: s3types.ChecksumModeEnabled})
	if err != nil {
		t.Fatal(err)
	}
	if (aws.ToString(head.ChecksumSHA256) != wantComposite || head.ChecksumType != s3types.ChecksumTypeComposite) && !onMoto {
		t.Errorf("HeadObject of the multipart object: got checksum %q type %q, want %q COMPOSITE", aws.ToString(head.ChecksumSHA256), head.ChecksumType, wantComposite)
	}
	if got := mustGet(t, c, b, "sum/multipart"); !bytes.Equal(got, slices.Concat(parts...)) {
		t.Errorf("GetObject of the multipart object: got %d bytes that differ", len(got))
	}

	if onMoto {
		return // moto takes any x-amz-checksum-* and Content-MD5
	}
	// A checksum the client computed that the body does not match.
	wrong := sha256.Sum256([]byte("another body"))
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("sum/wrong"), Body: bytes.NewReader(body),
		ChecksumAlgorithm: s3types.ChecksumAlgorithmSha256, ChecksumSHA256: aws.String(b64(wrong[:]))})
	mustS3Fail(t, err, "BadDigest", 400)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("sum/wrong"), Body: bytes.NewReader(body),
		ChecksumAlgorithm: s3types.ChecksumAlgorithmCrc32, ChecksumCRC32: aws.String(b64([]byte{1, 2, 3, 4}))})
	mustS3Fail(t, err, "BadDigest", 400)
	otherMD5 := md5.Sum([]byte("another body"))
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("sum/wrong"), Body: bytes.NewReader(body), ContentMD5: aws.String(b64(otherMD5[:]))})
	mustS3Fail(t, err, "BadDigest", 400)
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("sum/wrong")})
	mustS3Fail(t, err, "NotFound", 404)
	rightMD5 := md5.Sum(body)
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("sum/md5"), Body: bytes.NewReader(body), ContentMD5: aws.String(b64(rightMD5[:]))}); err != nil {
		t.Errorf("PutObject with the right Content-MD5: %v", err)
	}
}

// TestS3Presigned uses presigned PUT and GET URLs with net/http.
func TestS3Presigned(t *testing.T) {
	t.Parallel()
	c := MustS3(t, s3URL(t))
	ctx := context.Background()
	const b = "presign-bkt"
	mustBucket(t, c, b)
	ps := s3.NewPresignClient(c)
	body := randomBytes(70_000, 6)

	put, err := ps.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("pre/signed.bin")}, s3.WithPresignExpires(5*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(put.Method, put.URL, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range put.SignedHeader {
		if !strings.EqualFold(k, "host") {
			req.Header[k] = vs
		}
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("ETag") != etagOf(body) {
		t.Fatalf("presigned PUT: got %d and ETag %q, want 200 and %s", res.StatusCode, res.Header.Get("ETag"), etagOf(body))
	}
	if got := mustGet(t, c, b, "pre/signed.bin"); !bytes.Equal(got, body) {
		t.Fatalf("GetObject after a presigned PUT: got %d bytes that differ", len(got))
	}

	get, err := ps.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("pre/signed.bin")})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(get.URL, "X-Amz-Signature=") {
		t.Errorf("presigned URL %s has no signature", get.URL)
	}
	res, err = http.Get(get.URL)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !bytes.Equal(got, body) {
		t.Errorf("presigned GET: got %d and %d bytes, want 200 and the object", res.StatusCode, len(got))
	}
	miss, err := ps.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("pre/missing")})
	if err != nil {
		t.Fatal(err)
	}
	res, err = http.Get(miss.URL)
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 404 || !strings.Contains(string(doc), "<Code>NoSuchKey</Code>") {
		t.Errorf("presigned GET of a missing key: got %d %s, want 404 NoSuchKey", res.StatusCode, doc)
	}
}

// localhostDialer dials every host name under .localhost at 127.0.0.1, as
// browsers and systemd-resolved do (Go's resolver does not).
func localhostDialer() func(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		if host == "localhost" || strings.HasSuffix(host, ".localhost") {
			addr = net.JoinHostPort("127.0.0.1", port)
		}
		return d.DialContext(ctx, network, addr)
	}
}

// localhostClient is an HTTP client that reaches *.localhost.
func localhostClient() *http.Client {
	return &http.Client{Transport: &http.Transport{DialContext: localhostDialer()}}
}

// TestS3VirtualHosted addresses buckets by host name (BUCKET.s3.localhost),
// as the SDK does when path-style is off.
func TestS3VirtualHosted(t *testing.T) {
	t.Parallel()
	u, err := url.Parse(s3URL(t))
	if err != nil {
		t.Fatal(err)
	}
	// http://s3.localhost:PORT: the SDK sends BUCKET.s3.localhost:PORT.
	endpoint := "http://s3.localhost:" + u.Port()
	ctx := context.Background()
	var hosts []string
	c := s3.NewFromConfig(awsConfig(endpoint), func(o *s3.Options) {
		o.UsePathStyle = false
		o.RetryMaxAttempts = 1
		o.HTTPClient = recordingClient{c: localhostClient(), hosts: &hosts}
	})
	mustBucket(t, c, "vhost-bkt")
	mustPut(t, c, "vhost-bkt", "dir/key one", []byte("virtually hosted"))
	if got := mustGet(t, c, "vhost-bkt", "dir/key one"); string(got) != "virtually hosted" {
		t.Errorf("GetObject: got %q", got)
	}
	list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("vhost-bkt")})
	if err != nil || len(list.Contents) != 1 || aws.ToString(list.Contents[0].Key) != "dir/key one" {
		t.Errorf("ListObjectsV2: got %+v, %v, want dir/key one", list, err)
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("vhost-bkt"), Key: aws.String("missing")})
	mustS3Fail(t, err, "NoSuchKey", 404)
	if !slices.Contains(hosts, "vhost-bkt.s3.localhost:"+u.Port()) {
		t.Errorf("requests went to %v, want vhost-bkt.s3.localhost:%s", hosts, u.Port())
	}
	// The same object, path-style.
	if got := mustGet(t, MustS3(t, u.String()), "vhost-bkt", "dir/key one"); string(got) != "virtually hosted" {
		t.Errorf("GetObject path-style of a virtually hosted put: got %q", got)
	}
}

// recordingClient records the hosts it sends requests to.
type recordingClient struct {
	c     *http.Client
	hosts *[]string
}

func (r recordingClient) Do(req *http.Request) (*http.Response, error) {
	*r.hosts = append(*r.hosts, req.URL.Host)
	return r.c.Do(req)
}

// TestS3BucketConfigurations stores a website (and serves it), a policy and
// a CORS configuration (and answers preflights by it).
func TestS3BucketConfigurations(t *testing.T) {
	t.Parallel()
	base := s3URL(t)
	c := MustS3(t, base)
	ctx := context.Background()
	const b = "config-bkt"
	mustBucket(t, c, b)

	t.Run("website", func(t *testing.T) {
		_, err := c.GetBucketWebsite(ctx, &s3.GetBucketWebsiteInput{Bucket: aws.String(b)})
		mustS3Fail(t, err, "NoSuchWebsiteConfiguration", 404)
		if _, err := c.PutBucketWebsite(ctx, &s3.PutBucketWebsiteInput{Bucket: aws.String(b), WebsiteConfiguration: &s3types.WebsiteConfiguration{
			IndexDocument: &s3types.IndexDocument{Suffix: aws.String("index.html")},
			ErrorDocument: &s3types.ErrorDocument{Key: aws.String("error.html")},
		}}); err != nil {
			t.Fatal(err)
		}
		w, err := c.GetBucketWebsite(ctx, &s3.GetBucketWebsiteInput{Bucket: aws.String(b)})
		if err != nil || w.IndexDocument == nil || aws.ToString(w.IndexDocument.Suffix) != "index.html" || w.ErrorDocument == nil || aws.ToString(w.ErrorDocument.Key) != "error.html" {
			t.Fatalf("GetBucketWebsite: got %+v, %v, want index.html and error.html", w, err)
		}
		for k, v := range map[string]string{"index.html": "<h1>home</h1>", "docs/index.html": "<h1>docs</h1>", "error.html": "<h1>oops</h1>", "page.html": "<p>page</p>"} {
			if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String(k), Body: strings.NewReader(v), ContentType: aws.String("text/html")}); err != nil {
				t.Fatal(err)
			}
		}
		if onMoto {
			return // moto serves no website endpoint
		}
		// The website endpoint is BUCKET.s3-website.localhost:PORT, or
		// the path form /_eddy/website/BUCKET/ on the main port, used here
		// (and the host form once, below); like S3's, it takes unsigned
		// requests.
		site := base + "/_eddy/website/" + b
		u, err := url.Parse(base)
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct{ url, body string }{
			{site + "/", "<h1>home</h1>"}, {site + "/docs/", "<h1>docs</h1>"}, {site + "/page.html", "<p>page</p>"},
			{"http://" + b + ".s3-website.localhost:" + u.Port() + "/docs/", "<h1>docs</h1>"},
		} {
			res, err := localhostClient().Get(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != 200 || string(got) != tc.body || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
				t.Errorf("website GET %s: got %d %q (%s), want 200 %q", tc.url, res.StatusCode, got, res.Header.Get("Content-Type"), tc.body)
			}
		}
		res, err := http.Get(site + "/missing.html")
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 404 || string(got) != "<h1>oops</h1>" {
			t.Errorf("website GET of a missing page: got %d %q, want 404 and the error document", res.StatusCode, got)
		}
		// A folder without its index document redirects to the slash.
		noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		res, err = noRedirect.Get(site + "/docs")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 302 || !strings.HasSuffix(res.Header.Get("Location"), "/docs/") {
			t.Errorf("website GET /docs: got %d to %q, want 302 to /docs/", res.StatusCode, res.Header.Get("Location"))
		}
		if _, err := c.DeleteBucketWebsite(ctx, &s3.DeleteBucketWebsiteInput{Bucket: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
		_, err = c.GetBucketWebsite(ctx, &s3.GetBucketWebsiteInput{Bucket: aws.String(b)})
		mustS3Fail(t, err, "NoSuchWebsiteConfiguration", 404)
	})

	t.Run("policy", func(t *testing.T) {
		_, err := c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(b)})
		mustS3Fail(t, err, "NoSuchBucketPolicy", 404)
		policy := `{"Version":"2012-10-17","Statement":[{"Sid":"PublicRead","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + b + `/*"}]}`
		if _, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(b), Policy: aws.String(policy)}); err != nil {
			t.Fatal(err)
		}
		out, err := c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(b)})
		if err != nil {
			t.Fatal(err)
		}
		var got, want any
		_ = json.Unmarshal([]byte(policy), &want)
		if err := json.Unmarshal([]byte(aws.ToString(out.Policy)), &got); err != nil || !jsonEqual(got, want) {
			t.Errorf("GetBucketPolicy: got %s, want %s", aws.ToString(out.Policy), policy)
		}
		if !onMoto { // moto stores any text
			_, err = c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(b), Policy: aws.String(`{"Version":`)})
			mustS3Fail(t, err, "MalformedPolicy", 400)
		}
		if _, err := c.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
		_, err = c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(b)})
		mustS3Fail(t, err, "NoSuchBucketPolicy", 404)
	})

	t.Run("cors", func(t *testing.T) {
		_, err := c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String(b)})
		mustS3Fail(t, err, "NoSuchCORSConfiguration", 404)
		if _, err := c.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: aws.String(b), CORSConfiguration: &s3types.CORSConfiguration{CORSRules: []s3types.CORSRule{{
			AllowedOrigins: []string{"https://app.example.com"}, AllowedMethods: []string{"GET", "PUT"},
			AllowedHeaders: []string{"*"}, ExposeHeaders: []string{"ETag"}, MaxAgeSeconds: aws.Int32(300),
		}}}}); err != nil {
			t.Fatal(err)
		}
		cors, err := c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String(b)})
		if err != nil || len(cors.CORSRules) != 1 || !slices.Equal(cors.CORSRules[0].AllowedMethods, []string{"GET", "PUT"}) ||
			!slices.Equal(cors.CORSRules[0].AllowedOrigins, []string{"https://app.example.com"}) || aws.ToInt32(cors.CORSRules[0].MaxAgeSeconds) != 300 {
			t.Fatalf("GetBucketCors: got %+v, %v, want the rule put", cors, err)
		}
		if onMoto {
			return // moto answers a preflight with 500
		}
		preflight := func(origin, method string) *http.Response {
			t.Helper()
			req, _ := http.NewRequest("OPTIONS", base+"/"+b+"/page.html", nil)
			req.Header.Set("Origin", origin)
			req.Header.Set("Access-Control-Request-Method", method)
			req.Header.Set("Access-Control-Request-Headers", "content-type")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			return res
		}
		res := preflight("https://app.example.com", "PUT")
		if res.StatusCode != 200 || res.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" ||
			!strings.Contains(res.Header.Get("Access-Control-Allow-Methods"), "PUT") ||
			!strings.Contains(strings.ToLower(res.Header.Get("Access-Control-Allow-Headers")), "content-type") ||
			res.Header.Get("Access-Control-Max-Age") != "300" {
			t.Errorf("CORS preflight: got %d %v, want 200 allowing https://app.example.com to PUT for 300 s", res.StatusCode, res.Header)
		}
		for _, tc := range []struct{ origin, method string }{{"https://evil.example.com", "GET"}, {"https://app.example.com", "DELETE"}} {
			if res := preflight(tc.origin, tc.method); res.StatusCode != 403 || res.Header.Get("Access-Control-Allow-Origin") != "" {
				t.Errorf("CORS preflight of %s %s: got %d %v, want 403", tc.origin, tc.method, res.StatusCode, res.Header)
			}
		}
		// A request with an Origin gets the CORS headers of the rule.
		_, h, _ := rawS3(t, c, "GET", "/"+b+"/page.html", nil, map[string]string{"Origin": "https://app.example.com"})
		if h.Get("Access-Control-Allow-Origin") != "https://app.example.com" || !strings.Contains(h.Get("Access-Control-Expose-Headers"), "ETag") {
			t.Errorf("GET with an Origin: got headers %v, want Access-Control-Allow-Origin and Expose-Headers ETag", h)
		}
		if _, err := c.DeleteBucketCors(ctx, &s3.DeleteBucketCorsInput{Bucket: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
		if res := preflight("https://app.example.com", "PUT"); res.StatusCode != 403 {
			t.Errorf("CORS preflight without a CORS configuration: got %d, want 403", res.StatusCode)
		}
	})
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// rawS3 sends a request signed as c would sign it, with any body, and
// returns the status, the headers and the body.
func rawS3(tb testing.TB, c *s3.Client, method, path string, body []byte, header map[string]string) (int, http.Header, []byte) {
	tb.Helper()
	o := c.Options()
	req, err := http.NewRequest(method, aws.ToString(o.BaseEndpoint)+path, bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	if len(body) > 0 && req.Header.Get("Content-MD5") == "" {
		sum := md5.Sum(body)
		req.Header.Set("Content-MD5", base64.StdEncoding.EncodeToString(sum[:]))
	}
	sum := sha256.Sum256(body)
	payload := hex.EncodeToString(sum[:])
	req.Header.Set("X-Amz-Content-Sha256", payload)
	creds, err := o.Credentials.Retrieve(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, payload, "s3", o.Region, time.Now()); err != nil {
		tb.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, data
}

var (
	errorCodeRe  = regexp.MustCompile(`<Code>([^<]+)</Code>`)
	requestIDRe  = regexp.MustCompile(`<RequestId>[^<]+</RequestId>`)
	xmlPrologRe  = regexp.MustCompile(`^<\?xml`)
	errorDocRoot = "<Error>"
)

// TestS3BadInput sends malformed XML and bad arguments: each gets S3's
// error code in an XML error with a request id, and nothing gets a 500.
func TestS3BadInput(t *testing.T) {
	t.Parallel()
	if onMoto {
		t.Skip("moto answers malformed XML and bad arguments with 500")
	}
	c := MustS3(t, s3URL(t))
	const b = "badinput-bkt"
	mustBucket(t, c, b)
	mustPut(t, c, b, "k", []byte("v"))
	for _, tc := range []struct {
		name, method, path, body string
		header                   map[string]string
		status                   int
		code                     string
	}{
		{"malformed tagging XML", "PUT", "/" + b + "/k?tagging", "<Tagging><TagSet><Tag>", nil, 400, "MalformedXML"},
		{"malformed delete XML", "POST", "/" + b + "?delete", "<Delete><Object><Key>k</Key>", nil, 400, "MalformedXML"},
		{"delete of no keys", "POST", "/" + b + "?delete", "<Delete></Delete>", nil, 400, "MalformedXML"},
		{"malformed CORS XML", "PUT", "/" + b + "?cors", "not xml at all", nil, 400, "MalformedXML"},
		{"malformed website XML", "PUT", "/" + b + "?website", "<WebsiteConfiguration><IndexDocument>", nil, 400, "MalformedXML"},
		{"malformed notification XML", "PUT", "/" + b + "?notification", "<NotificationConfiguration><QueueConfiguration>", nil, 400, "MalformedXML"},
		{"max-keys not a number", "GET", "/" + b + "?list-type=2&max-keys=abc", "", nil, 400, "InvalidArgument"},
		{"max-keys negative", "GET", "/" + b + "?list-type=2&max-keys=-1", "", nil, 400, "InvalidArgument"},
		{"unsatisfiable range", "GET", "/" + b + "/k", "", map[string]string{"Range": "bytes=5-9"}, 416, "InvalidRange"},
		{"bad Content-MD5", "PUT", "/" + b + "/k2", "x", map[string]string{"Content-MD5": "not base64!"}, 400, "InvalidDigest"},
		{"missing key", "GET", "/" + b + "/nope", "", nil, 404, "NoSuchKey"},
		{"missing bucket", "GET", "/no-such-bkt/k", "", nil, 404, "NoSuchBucket"},
		{"bad storage class", "PUT", "/" + b + "/k3", "x", map[string]string{"X-Amz-Storage-Class": "WARM"}, 400, "InvalidStorageClass"},
	} {
		status, h, body := rawS3(t, c, tc.method, tc.path, []byte(tc.body), tc.header)
		m := errorCodeRe.FindSubmatch(body)
		if status != tc.status || m == nil || string(m[1]) != tc.code {
			t.Errorf("%s: got %d %s, want %d %s", tc.name, status, body, tc.status, tc.code)
			continue
		}
		if !requestIDRe.Match(body) || h.Get("X-Amz-Request-Id") == "" || !strings.Contains(string(body), errorDocRoot) || !xmlPrologRe.Match(body) {
			t.Errorf("%s: got headers %v and body %s, want an XML <Error> with a RequestId and x-amz-request-id", tc.name, h, body)
		}
	}
	// Whatever the request, never a 500.
	for _, p := range []string{"/" + b + "?uploads&max-uploads=x", "/" + b + "/k?partNumber=99999", "/" + b + "?list-type=3",
		"/" + b + "?continuation-token=%ff", "/" + b + "/k?versionId=zzz", "/" + b + "?location&tagging", "/%00/%00", "/" + b + "/" + strings.Repeat("k", 1100),
		"/" + b + "/k?partNumber=0&uploadId=nope"} {
		if status, _, body := rawS3(t, c, "GET", p, nil, nil); status >= 500 {
			t.Errorf("GET %s: got %d %s, want no server error", p, status, body)
		}
	}
}
