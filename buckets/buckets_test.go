package buckets_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/buckets"
	"github.com/eddyserverless/eddy/engine"
)

func openEngine(tb testing.TB, dir string) *engine.Engine {
	tb.Helper()
	e := engine.New(engine.Config{DataDir: dir})
	if err := e.Open(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return e
}

func openService(tb testing.TB, e *engine.Engine, hook buckets.NotificationHook) *buckets.Service {
	tb.Helper()
	// As eddy serve on its embedded engine: the only writer, so reads come
	// from the record cache. The node tests share an engine without it.
	s := buckets.NewService(buckets.ServiceConfig{Engine: e, NodeID: "test", LeaseTTL: 3 * time.Second, TombstoneGrace: time.Second, SoleWriter: true})
	s.SetNotifications(hook)
	if err := s.Open(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return s
}

func newService(tb testing.TB, hook buckets.NotificationHook) *buckets.Service {
	tb.Helper()
	e := openEngine(tb, tb.TempDir())
	s := openService(tb, e, hook)
	tb.Cleanup(func() { _ = s.Close(); _ = e.Close() })
	return s
}

func MustCreateBucket(tb testing.TB, s *buckets.Service, name string) {
	tb.Helper()
	if err := s.CreateBucket(context.Background(), name, "eu-west-1"); err != nil {
		tb.Fatal(err)
	}
}

func MustPut(tb testing.TB, s *buckets.Service, bucket, key string, body []byte) *buckets.Object {
	tb.Helper()
	o, err := s.PutObject(context.Background(), &buckets.PutObjectInput{Bucket: bucket, Key: key, Body: bytes.NewReader(body), Size: int64(len(body))})
	if err != nil {
		tb.Fatal(err)
	}
	return o
}

func MustGet(tb testing.TB, s *buckets.Service, in *buckets.GetObjectInput) (*buckets.GetObjectOutput, []byte) {
	tb.Helper()
	out, err := s.GetObject(context.Background(), in)
	if err != nil {
		tb.Fatal(err)
	}
	if out.Body == nil {
		return out, nil
	}
	defer out.Body.Close()
	data, err := io.ReadAll(out.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return out, data
}

func errType(err error) string {
	if e := eddy.AsError(err); e != nil {
		return e.Type
	}
	if err == nil {
		return ""
	}
	return err.Error()
}

func wantErr(tb testing.TB, err error, typ string) {
	tb.Helper()
	if got := errType(err); got != typ {
		tb.Fatalf("got error %v, want %s", err, typ)
	}
}

func etagOf(b []byte) string {
	s := md5.Sum(b)
	return `"` + hex.EncodeToString(s[:]) + `"`
}

// recorder is a NotificationHook that records the changes.
type recorder struct {
	mu      sync.Mutex
	changes []buckets.Change
	fail    int // fail the next fail calls
}

func (r *recorder) Check(ctx context.Context, bucket string, doc []byte) ([]byte, error) {
	return doc, nil
}
func (r *recorder) Stored(ctx context.Context, bucket string, doc []byte) {}
func (r *recorder) Notify(ctx context.Context, c buckets.Change) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail > 0 {
		r.fail--
		return errors.New("not now")
	}
	r.changes = append(r.changes, c)
	return nil
}

func (r *recorder) waitN(tb testing.TB, n int) []buckets.Change {
	tb.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		r.mu.Lock()
		got := append([]buckets.Change(nil), r.changes...)
		r.mu.Unlock()
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			tb.Fatalf("got %d changes, want %d", len(got), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestBuckets(t *testing.T) {
	s := newService(t, nil)
	ctx := context.Background()
	for _, bad := range []string{"ab", "Abc", "a..b", "-abc", "abc-", "192.168.1.1", "xn--abc", "abc-s3alias", strings.Repeat("a", 64), "a_b"} {
		wantErr(t, s.CreateBucket(ctx, bad, ""), "InvalidBucketName")
	}
	MustCreateBucket(t, s, "photos")
	wantErr(t, s.CreateBucket(ctx, "photos", "eu-west-1"), "BucketAlreadyOwnedByYou")
	if err := s.CreateBucket(ctx, "photos", "us-east-1"); err != nil {
		t.Fatalf("got %v, want nil in us-east-1", err)
	}
	MustCreateBucket(t, s, "alpha")
	bs, _ := s.ListBuckets(ctx)
	if len(bs) != 2 || bs[0].Name != "alpha" || bs[1].Name != "photos" || bs[1].Region != "eu-west-1" {
		t.Fatalf("got %+v", bs)
	}
	if _, err := s.HeadBucket(ctx, "nope"); errType(err) != "NoSuchBucket" {
		t.Fatalf("got %v, want NoSuchBucket", err)
	}
	MustPut(t, s, "photos", "a.jpg", []byte("x"))
	wantErr(t, s.DeleteBucket(ctx, "photos"), "BucketNotEmpty")
	if err := s.DeleteObject(ctx, "photos", "a.jpg"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateMultipartUpload(ctx, &buckets.Upload{Bucket: "photos", Key: "big"}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteBucket(ctx, "photos"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.HeadBucket(ctx, "photos"); errType(err) != "NoSuchBucket" {
		t.Fatalf("got %v, want NoSuchBucket", err)
	}
	wantErr(t, s.DeleteBucket(ctx, "photos"), "NoSuchBucket")
	// Configs.
	_, err := s.GetConfig(ctx, "alpha", buckets.ConfigPolicy)
	wantErr(t, err, "NoSuchBucketPolicy")
	_, err = s.GetConfig(ctx, "alpha", buckets.ConfigTagging)
	wantErr(t, err, "NoSuchTagSet")
	if err := s.PutConfig(ctx, "alpha", buckets.ConfigCORS, []byte("<CORSConfiguration/>")); err != nil {
		t.Fatal(err)
	}
	if doc, err := s.GetConfig(ctx, "alpha", buckets.ConfigCORS); err != nil || string(doc) != "<CORSConfiguration/>" {
		t.Fatalf("got %q %v", doc, err)
	}
	if err := s.PutConfig(ctx, "alpha", buckets.ConfigCORS, nil); err != nil {
		t.Fatal(err)
	}
	_, err = s.GetConfig(ctx, "alpha", buckets.ConfigCORS)
	wantErr(t, err, "NoSuchCORSConfiguration")
	if _, err := s.GetConfig(ctx, "alpha", buckets.ConfigNotification); err != nil {
		t.Fatal(err)
	}
}

func TestObjects(t *testing.T) {
	s := newService(t, nil)
	ctx := context.Background()
	MustCreateBucket(t, s, "bkt1")
	body := []byte("hello, world")
	o := MustPut(t, s, "bkt1", "greet.txt", body)
	if o.ETag != etagOf(body) || o.Size != int64(len(body)) || o.Sequencer == "" {
		t.Fatalf("got %+v", o)
	}
	out, data := MustGet(t, s, &buckets.GetObjectInput{Bucket: "bkt1", Key: "greet.txt"})
	if string(data) != string(body) || out.ETag != o.ETag || out.StorageClass != "STANDARD" {
		t.Fatalf("got %q %+v", data, out.Object)
	}
	_, err := s.GetObject(ctx, &buckets.GetObjectInput{Bucket: "bkt1", Key: "nope"})
	wantErr(t, err, "NoSuchKey")
	_, err = s.GetObject(ctx, &buckets.GetObjectInput{Bucket: "nope", Key: "nope"})
	wantErr(t, err, "NoSuchBucket")
	// Overwrite.
	o2 := MustPut(t, s, "bkt1", "greet.txt", []byte("bye"))
	if o2.Sequencer <= o.Sequencer {
		t.Fatalf("got sequencer %s after %s", o2.Sequencer, o.Sequencer)
	}
	if _, data := MustGet(t, s, &buckets.GetObjectInput{Bucket: "bkt1", Key: "greet.txt"}); string(data) != "bye" {
		t.Fatalf("got %q", data)
	}
	// Headers and metadata.
	_, err = s.PutObject(ctx, &buckets.PutObjectInput{Bucket: "bkt1", Key: "h", Body: strings.NewReader("x"), Size: 1,
		Headers: buckets.Headers{ContentType: "text/plain", Metadata: map[string]string{"a": "b"}}})
	if err != nil {
		t.Fatal(err)
	}
	if out, _ := MustGet(t, s, &buckets.GetObjectInput{Bucket: "bkt1", Key: "h", Head: true}); out.ContentType != "text/plain" || out.Metadata["a"] != "b" || out.Body != nil {
		t.Fatalf("got %+v", out)
	}
	// An empty object, with no body reader at all.
	if o, err := s.PutObject(ctx, &buckets.PutObjectInput{Bucket: "bkt1", Key: "empty", Size: 0}); err != nil || o.Size != 0 || o.ETag != etagOf(nil) {
		t.Fatalf("got %+v %v", o, err)
	}
	if out, data := MustGet(t, s, &buckets.GetObjectInput{Bucket: "bkt1", Key: "empty"}); len(data) != 0 || out.Size != 0 {
		t.Fatalf("got %q %+v", data, out.Object)
	}
	// Conditional writes.
	_, err = s.PutObject(ctx, &buckets.PutObjectInput{Bucket: "bkt1", Key: "greet.txt", Body: strings.NewReader("z"), Size: 1, IfNoneMatch: "*"})
	wantErr(t, err, "PreconditionFailed")
	if _, err := s.PutObject(ctx, &buckets.PutObjectInput{Bucket: "bkt1", Key: "new", Body: strings.NewReader("z"), Size: 1, IfNoneMatch: "*"}); err != nil {
		t.Fatal(err)
	}
	_, err = s.PutObject(ctx, &buckets.PutObjectInput{Bucket: "bkt1", Key: "new", Body: strings.NewReader("y"), Size: 1, IfMatch: `"abc"`})
	wantErr(t, err, "PreconditionFailed")
	if _, err := s.PutObject(ctx, &buckets.PutObjectInput{Bucket: "bkt1", Key: "new", Body: strings.NewReader("y"), Size: 1, IfMatch: etagOf([]byte("z"))}); err != nil {
		t.Fatal(err)
	}
	// Digests and sizes.
	_, err = s.PutObject(ctx, &buckets.PutObjectInput{Bucket: "bkt1", Key: "bad", Body: strings.NewReader("abc"), Size: 3, ContentMD5: base64.StdEncoding.EncodeToString(make([]byte, 16))})
	wantErr(t, err, "BadDigest")
	_, err = s.PutObject(ctx, &buckets.PutObjectInput{Bucket: "bkt1", Key: "bad", Body: strings.NewReader("abc"), Size: 3, ContentMD5: "nope"})
	wantErr(t, err, "InvalidDigest")
	_, err = s.PutObject(ctx, &buckets.PutObjectInput{Bucket: "bkt1", Key: "bad", Body: strings.NewReader("abc"), Size: 5})
	wantErr(t, err, "IncompleteBody")
	_, err = s.PutObject(ctx, &buckets.PutObjectInput{Bucket: "bkt1", Key: "bad", Body: strings.NewReader("abc"), Size: 3,
		ChecksumAlgorithm: "CRC32", Checksum: func() string { return "AAAAAA==" }})
	wantErr(t, err, "BadDigest")
	if !strings.Contains(eddy.ErrorMessage(err), "CRC32") {
		t.Fatalf("got message %q", eddy.ErrorMessage(err))
	}
	_, err = s.GetObject(ctx, &buckets.GetObjectInput{Bucket: "bkt1", Key: "bad"})
	wantErr(t, err, "NoSuchKey")
	h := buckets.NewHash("CRC32C")
	h.Write([]byte("abc"))
	want := buckets.Sum64(h)
	o, err = s.PutObject(ctx, &buckets.PutObjectInput{Bucket: "bkt1", Key: "ck", Body: strings.NewReader("abc"), Size: -1,
		ChecksumAlgorithm: "crc32c", Checksum: func() string { return want }})
	if err != nil || o.Checksum == nil || o.Checksum.Value != want || o.Checksum.Algorithm != "CRC32C" {
		t.Fatalf("got %+v %v", o, err)
	}
	if out, err := s.ListObjects(ctx, &buckets.ListInput{Bucket: "bkt1", Prefix: "ck", MaxKeys: 1}); err != nil || out.Objects[0].Checksum == nil ||
		out.Objects[0].Checksum.Algorithm != "CRC32C" || out.Objects[0].Checksum.Type != "FULL_OBJECT" {
		t.Fatalf("got %+v %v", out, err)
	}
	// Delete.
	if err := s.DeleteObject(ctx, "bkt1", "greet.txt"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteObject(ctx, "bkt1", "greet.txt"); err != nil {
		t.Fatal(err)
	}
	_, err = s.GetObject(ctx, &buckets.GetObjectInput{Bucket: "bkt1", Key: "greet.txt"})
	wantErr(t, err, "NoSuchKey")
	res, err := s.DeleteObjects(ctx, &buckets.DeleteObjectsInput{Bucket: "bkt1", Keys: []string{"h", "new", "missing"}})
	if err != nil || len(res) != 3 || res[0].Code != "" {
		t.Fatalf("got %+v %v", res, err)
	}
}

func TestRangeAndConditions(t *testing.T) {
	s := newService(t, nil)
	ctx := context.Background()
	MustCreateBucket(t, s, "bkt1")
	body := make([]byte, 3*512<<10+1000) // several chunks
	for i := range body {
		body[i] = byte(i * 7)
	}
	o := MustPut(t, s, "bkt1", "k", body)
	size := int64(len(body))
	for _, c := range []struct {
		h      string
		a, b   int64
		ranged bool
	}{
		{"bytes=0-9", 0, 9, true},
		{"bytes=10-", 10, size - 1, true},
		{"bytes=-5", size - 5, size - 1, true},
		{"bytes=524280-524300", 524280, 524300, true},
		{"bytes=1000000-99999999", 1000000, size - 1, true},
		{"bytes=0-1,5-6", 0, size - 1, false},
		{"items=0-1", 0, size - 1, false},
	} {
		out, data := MustGet(t, s, &buckets.GetObjectInput{Bucket: "bkt1", Key: "k", Range: c.h})
		if out.Ranged != c.ranged || out.Start != c.a || out.End != c.b || !bytes.Equal(data, body[c.a:c.b+1]) {
			t.Fatalf("%s: got ranged %v %d-%d (%d bytes), want %v %d-%d", c.h, out.Ranged, out.Start, out.End, len(data), c.ranged, c.a, c.b)
		}
	}
	_, err := s.GetObject(ctx, &buckets.GetObjectInput{Bucket: "bkt1", Key: "k", Range: fmt.Sprintf("bytes=%d-", size)})
	wantErr(t, err, "InvalidRange")
	past := o.LastModified.Add(-time.Hour)
	future := o.LastModified.Add(time.Hour)
	for _, c := range []struct {
		cond buckets.Conditions
		want string
	}{
		{buckets.Conditions{IfMatch: o.ETag}, ""},
		{buckets.Conditions{IfMatch: `"x"`}, "PreconditionFailed"},
		{buckets.Conditions{IfNoneMatch: o.ETag}, "NotModified"},
		{buckets.Conditions{IfNoneMatch: `"x"`}, ""},
		{buckets.Conditions{IfModifiedSince: &future}, "NotModified"},
		{buckets.Conditions{IfModifiedSince: &past}, ""},
		{buckets.Conditions{IfUnmodifiedSince: &past}, "PreconditionFailed"},
		{buckets.Conditions{IfMatch: o.ETag, IfUnmodifiedSince: &past}, ""},
		{buckets.Conditions{IfNoneMatch: `"x"`, IfModifiedSince: &future}, ""},
	} {
		_, err := s.GetObject(ctx, &buckets.GetObjectInput{Bucket: "bkt1", Key: "k", Conditions: c.cond, Head: true})
		if errType(err) != c.want {
			t.Fatalf("%+v: got %v, want %q", c.cond, err, c.want)
		}
	}
}

func TestCopyAndTagging(t *testing.T) {
	s := newService(t, nil)
	ctx := context.Background()
	MustCreateBucket(t, s, "bkt1")
	MustCreateBucket(t, s, "bkt2")
	_, err := s.PutObject(ctx, &buckets.PutObjectInput{Bucket: "bkt1", Key: "src", Body: strings.NewReader("data"), Size: 4,
		Tagging: "a=1&b=two%20words", Headers: buckets.Headers{ContentType: "text/x", Metadata: map[string]string{"m": "1"}}})
	if err != nil {
		t.Fatal(err)
	}
	tags, err := s.GetObjectTagging(ctx, "bkt1", "src")
	if err != nil || len(tags) != 2 || tags["b"] != "two words" {
		t.Fatalf("got %v %v", tags, err)
	}
	o, err := s.CopyObject(ctx, &buckets.CopyObjectInput{Bucket: "bkt2", Key: "dst", SourceBucket: "bkt1", SourceKey: "src"})
	if err != nil || o.ETag != etagOf([]byte("data")) {
		t.Fatalf("got %+v %v", o, err)
	}
	out, data := MustGet(t, s, &buckets.GetObjectInput{Bucket: "bkt2", Key: "dst"})
	if string(data) != "data" || out.ContentType != "text/x" || out.Metadata["m"] != "1" || out.TagCount != 2 {
		t.Fatalf("got %q %+v", data, out.Object)
	}
	_, err = s.CopyObject(ctx, &buckets.CopyObjectInput{Bucket: "bkt1", Key: "src", SourceBucket: "bkt1", SourceKey: "src"})
	wantErr(t, err, "InvalidRequest")
	if _, err := s.CopyObject(ctx, &buckets.CopyObjectInput{Bucket: "bkt1", Key: "src", SourceBucket: "bkt1", SourceKey: "src",
		MetadataDirective: "REPLACE", Headers: buckets.Headers{ContentType: "text/y"}, TaggingDirective: "REPLACE", Tagging: "c=3"}); err != nil {
		t.Fatal(err)
	}
	out, _ = MustGet(t, s, &buckets.GetObjectInput{Bucket: "bkt1", Key: "src", Head: true})
	if out.ContentType != "text/y" || out.Metadata != nil || out.TagCount != 1 {
		t.Fatalf("got %+v", out.Object)
	}
	_, err = s.CopyObject(ctx, &buckets.CopyObjectInput{Bucket: "bkt2", Key: "x", SourceBucket: "bkt1", SourceKey: "src", Source: buckets.Conditions{IfMatch: `"nope"`}})
	wantErr(t, err, "PreconditionFailed")
	_, err = s.CopyObject(ctx, &buckets.CopyObjectInput{Bucket: "bkt2", Key: "x", SourceBucket: "bkt1", SourceKey: "src", Source: buckets.Conditions{IfNoneMatch: etagOf([]byte("data"))}})
	wantErr(t, err, "PreconditionFailed")
	_, err = s.CopyObject(ctx, &buckets.CopyObjectInput{Bucket: "bkt2", Key: "x", SourceBucket: "bkt1", SourceKey: "missing"})
	wantErr(t, err, "NoSuchKey")
	// Tagging.
	if err := s.PutObjectTagging(ctx, "bkt2", "dst", map[string]string{"k": "v"}); err != nil {
		t.Fatal(err)
	}
	if tags, _ := s.GetObjectTagging(ctx, "bkt2", "dst"); len(tags) != 1 || tags["k"] != "v" {
		t.Fatalf("got %v", tags)
	}
	if _, data := MustGet(t, s, &buckets.GetObjectInput{Bucket: "bkt2", Key: "dst"}); string(data) != "data" {
		t.Fatalf("got %q after tagging", data)
	}
	if err := s.DeleteObjectTagging(ctx, "bkt2", "dst"); err != nil {
		t.Fatal(err)
	}
	if tags, _ := s.GetObjectTagging(ctx, "bkt2", "dst"); len(tags) != 0 {
		t.Fatalf("got %v", tags)
	}
	many := map[string]string{}
	for i := range 11 {
		many[fmt.Sprint(i)] = "v"
	}
	wantErr(t, s.PutObjectTagging(ctx, "bkt2", "dst", many), "InvalidTag")
	wantErr(t, s.PutObjectTagging(ctx, "bkt2", "dst", map[string]string{strings.Repeat("k", 129): "v"}), "InvalidTag")
	wantErr(t, s.PutObjectTagging(ctx, "bkt2", "dst", map[string]string{"k": strings.Repeat("v", 257)}), "InvalidTag")
	wantErr(t, s.PutObjectTagging(ctx, "bkt2", "missing", map[string]string{"k": "v"}), "NoSuchKey")
	_, err = s.PutObject(ctx, &buckets.PutObjectInput{Bucket: "bkt1", Key: "t", Body: strings.NewReader(""), Size: 0, Tagging: "a=1&a=2"})
	wantErr(t, err, "InvalidTag")
}

func TestMultipart(t *testing.T) {
	s := newService(t, nil)
	ctx := context.Background()
	MustCreateBucket(t, s, "bkt1")
	u, err := s.CreateMultipartUpload(ctx, &buckets.Upload{Bucket: "bkt1", Key: "big", Headers: buckets.Headers{ContentType: "app/x"}, ChecksumAlgorithm: "CRC32"})
	if err != nil {
		t.Fatal(err)
	}
	p1 := bytes.Repeat([]byte("a"), 5<<20)
	p2 := bytes.Repeat([]byte("b"), 5<<20)
	p3 := []byte("tail")
	var parts []buckets.CompletePart
	var md5s []byte
	for i, b := range [][]byte{p1, p2, p3} {
		p, err := s.UploadPart(ctx, u.UploadID, i+1, &buckets.PutObjectInput{Bucket: "bkt1", Key: "big", Body: bytes.NewReader(b), Size: int64(len(b))})
		if err != nil {
			t.Fatal(err)
		}
		if p.ETag != etagOf(b) || p.Checksum == nil {
			t.Fatalf("got part %+v", p)
		}
		sum := md5.Sum(b)
		md5s = append(md5s, sum[:]...)
		parts = append(parts, buckets.CompletePart{Number: i + 1, ETag: p.ETag})
	}
	lp, err := s.ListParts(ctx, &buckets.ListPartsInput{Bucket: "bkt1", Key: "big", UploadID: u.UploadID, MaxParts: 2})
	if err != nil || len(lp.Parts) != 2 || !lp.Truncated || lp.Next != 2 {
		t.Fatalf("got %+v %v", lp, err)
	}
	lu, err := s.ListMultipartUploads(ctx, &buckets.ListUploadsInput{Bucket: "bkt1"})
	if err != nil || len(lu.Uploads) != 1 || lu.Uploads[0].UploadID != u.UploadID {
		t.Fatalf("got %+v %v", lu, err)
	}
	_, err = s.CompleteMultipartUpload(ctx, &buckets.CompleteInput{Bucket: "bkt1", Key: "big", UploadID: u.UploadID,
		Parts: []buckets.CompletePart{parts[1], parts[0]}})
	wantErr(t, err, "InvalidPartOrder")
	_, err = s.CompleteMultipartUpload(ctx, &buckets.CompleteInput{Bucket: "bkt1", Key: "big", UploadID: u.UploadID,
		Parts: []buckets.CompletePart{parts[0], {Number: 2, ETag: `"00"`}}})
	wantErr(t, err, "InvalidPart")
	_, err = s.CompleteMultipartUpload(ctx, &buckets.CompleteInput{Bucket: "bkt1", Key: "big", UploadID: u.UploadID,
		Parts: []buckets.CompletePart{parts[0], {Number: 7, ETag: parts[0].ETag}}})
	wantErr(t, err, "InvalidPart")
	_, err = s.CompleteMultipartUpload(ctx, &buckets.CompleteInput{Bucket: "bkt1", Key: "big", UploadID: u.UploadID,
		Parts: []buckets.CompletePart{parts[2], {Number: 4, ETag: parts[0].ETag}}})
	wantErr(t, err, "InvalidPart")
	o, err := s.CompleteMultipartUpload(ctx, &buckets.CompleteInput{Bucket: "bkt1", Key: "big", UploadID: u.UploadID, Parts: parts})
	if err != nil {
		t.Fatal(err)
	}
	sum := md5.Sum(md5s)
	if want := fmt.Sprintf(`"%s-3"`, hex.EncodeToString(sum[:])); o.ETag != want {
		t.Fatalf("got ETag %s, want %s", o.ETag, want)
	}
	if o.Checksum == nil || o.Checksum.Type != "COMPOSITE" || !strings.HasSuffix(o.Checksum.Value, "-3") {
		t.Fatalf("got checksum %+v", o.Checksum)
	}
	whole := append(append(append([]byte{}, p1...), p2...), p3...)
	out, data := MustGet(t, s, &buckets.GetObjectInput{Bucket: "bkt1", Key: "big"})
	if !bytes.Equal(data, whole) || out.Parts != 3 || out.ContentType != "app/x" {
		t.Fatalf("got %d bytes, %+v", len(data), out.Object)
	}
	out, data = MustGet(t, s, &buckets.GetObjectInput{Bucket: "bkt1", Key: "big", PartNumber: 2})
	if !bytes.Equal(data, p2) || !out.Ranged || out.Start != 5<<20 {
		t.Fatalf("got part 2: %d bytes from %d", len(data), out.Start)
	}
	_, data = MustGet(t, s, &buckets.GetObjectInput{Bucket: "bkt1", Key: "big", Range: fmt.Sprintf("bytes=%d-%d", 5<<20-2, 5<<20+1)})
	if string(data) != "aabb" {
		t.Fatalf("got %q across parts", data)
	}
	_, err = s.CompleteMultipartUpload(ctx, &buckets.CompleteInput{Bucket: "bkt1", Key: "big", UploadID: u.UploadID, Parts: parts})
	wantErr(t, err, "NoSuchUpload")

	// EntityTooSmall, abort, copy parts, full-object CRC.
	u2, _ := s.CreateMultipartUpload(ctx, &buckets.Upload{Bucket: "bkt1", Key: "small", ChecksumAlgorithm: "CRC32C", ChecksumType: "FULL_OBJECT"})
	pa, err := s.UploadPart(ctx, u2.UploadID, 1, &buckets.PutObjectInput{Bucket: "bkt1", Key: "small", Body: strings.NewReader("abc"), Size: 3})
	if err != nil {
		t.Fatal(err)
	}
	pb, err := s.UploadPartCopy(ctx, u2.UploadID, 2, &buckets.CopyObjectInput{Bucket: "bkt1", Key: "small", SourceBucket: "bkt1", SourceKey: "big", SourceRange: "bytes=0-5"})
	if err != nil || pb.Size != 6 {
		t.Fatalf("got %+v %v", pb, err)
	}
	_, err = s.CompleteMultipartUpload(ctx, &buckets.CompleteInput{Bucket: "bkt1", Key: "small", UploadID: u2.UploadID,
		Parts: []buckets.CompletePart{{Number: 1, ETag: pa.ETag}, {Number: 2, ETag: pb.ETag}}})
	wantErr(t, err, "EntityTooSmall")
	o, err = s.CompleteMultipartUpload(ctx, &buckets.CompleteInput{Bucket: "bkt1", Key: "small", UploadID: u2.UploadID,
		Parts: []buckets.CompletePart{{Number: 2, ETag: pb.ETag}}})
	if err != nil {
		t.Fatal(err)
	}
	h := buckets.NewHash("CRC32C")
	h.Write([]byte("aaaaaa"))
	if o.Checksum == nil || o.Checksum.Value != buckets.Sum64(h) || o.Checksum.Type != "FULL_OBJECT" {
		t.Fatalf("got %+v, want %s", o.Checksum, buckets.Sum64(h))
	}
	u3, _ := s.CreateMultipartUpload(ctx, &buckets.Upload{Bucket: "bkt1", Key: "gone"})
	if _, err := s.UploadPart(ctx, u3.UploadID, 1, &buckets.PutObjectInput{Bucket: "bkt1", Key: "gone", Body: strings.NewReader("abc"), Size: 3}); err != nil {
		t.Fatal(err)
	}
	if err := s.AbortMultipartUpload(ctx, "bkt1", "gone", u3.UploadID); err != nil {
		t.Fatal(err)
	}
	_, err = s.ListParts(ctx, &buckets.ListPartsInput{Bucket: "bkt1", Key: "gone", UploadID: u3.UploadID})
	wantErr(t, err, "NoSuchUpload")
	_, err = s.UploadPart(ctx, u3.UploadID, 1, &buckets.PutObjectInput{Bucket: "bkt1", Key: "gone", Body: strings.NewReader("abc"), Size: 3})
	wantErr(t, err, "NoSuchUpload")
	wantErr(t, s.AbortMultipartUpload(ctx, "bkt1", "gone", "nope"), "NoSuchUpload")
}

func TestCRCCombine(t *testing.T) {
	a, b := []byte("hello, "), []byte("multipart world")
	for _, alg := range []string{"CRC32", "CRC32C", "CRC64NVME"} {
		s := buckets.ExportCombine(alg, a, b)
		h := buckets.NewHash(alg)
		h.Write(append(append([]byte{}, a...), b...))
		if want := buckets.Sum64(h); s != want {
			t.Fatalf("%s: got %s, want %s", alg, s, want)
		}
	}
}

// TestReadYourWrites overwrites and deletes keys from many goroutines at
// once (reads come from the record cache) and checks that every read
// after an acknowledged write sees it or a later one.
func TestReadYourWrites(t *testing.T) {
	s := newService(t, nil)
	ctx := context.Background()
	MustCreateBucket(t, s, "ryw")
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			key := fmt.Sprintf("k%d", w%4) // four writers a key
			for i := range 40 {
				body := fmt.Sprintf("%d-%d", w, i)
				o, err := s.PutObject(ctx, &buckets.PutObjectInput{Bucket: "ryw", Key: key, Body: strings.NewReader(body), Size: int64(len(body))})
				if err != nil {
					errs <- err
					return
				}
				out, err := s.GetObject(ctx, &buckets.GetObjectInput{Bucket: "ryw", Key: key})
				if err != nil {
					errs <- fmt.Errorf("get after put %s: %w", o.Sequencer, err)
					return
				}
				data, _ := io.ReadAll(out.Body)
				_ = out.Body.Close()
				if out.Sequencer < o.Sequencer || (out.Sequencer == o.Sequencer && string(data) != body) {
					errs <- fmt.Errorf("put %s (%q), then got %s (%q)", o.Sequencer, body, out.Sequencer, data)
					return
				}
				if i%10 == 9 && w%4 == 0 {
					// A delete, and a put that needs the key to be absent.
					dkey := fmt.Sprintf("d%d", w)
					if err := s.DeleteObject(ctx, "ryw", dkey); err != nil {
						errs <- err
						return
					}
					if _, err := s.PutObject(ctx, &buckets.PutObjectInput{Bucket: "ryw", Key: dkey, Body: strings.NewReader("x"), Size: 1, IfNoneMatch: "*"}); err != nil {
						errs <- fmt.Errorf("put if none match after delete: %w", err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
