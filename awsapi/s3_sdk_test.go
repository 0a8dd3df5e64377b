package awsapi_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/eddyserverless/eddy/awsapi"
)

// s3Env is an edge over fakeBuckets and an S3 client pointed at it.
type s3Env struct {
	fake   *fakeBuckets
	srv    *httptest.Server
	client *s3.Client
}

// MustS3Env starts the edge; tls makes the SDK send aws-chunked bodies with
// checksum trailers (it does so only over HTTPS); pathStyle picks the
// addressing (virtual-hosted style reaches the server through a dialer that
// sends every host to it).
func MustS3Env(tb testing.TB, tls, pathStyle bool) *s3Env {
	tb.Helper()
	fake := newFakeBuckets()
	h := &awsapi.Handler{Buckets: fake, Region: "us-east-1"}
	var srv *httptest.Server
	if tls {
		srv = httptest.NewTLSServer(h)
	} else {
		srv = httptest.NewServer(h)
	}
	tb.Cleanup(srv.Close)
	httpClient := srv.Client()
	tr := httpClient.Transport.(*http.Transport).Clone()
	if tr.TLSClientConfig != nil {
		tr.TLSClientConfig.InsecureSkipVerify = true // the test certificate names no localhost
	}
	addr := srv.Listener.Addr().String()
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	httpClient = &http.Client{Transport: tr}
	_, port, _ := net.SplitHostPort(addr)
	scheme := "http"
	if tls {
		scheme = "https"
	}
	client := s3.New(s3.Options{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		BaseEndpoint:     aws.String(scheme + "://localhost:" + port),
		UsePathStyle:     pathStyle,
		HTTPClient:       httpClient,
		RetryMaxAttempts: 1,
		// What config.LoadDefaultConfig sets: checksums on every upload.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenSupported,
	})
	return &s3Env{fake: fake, srv: srv, client: client}
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func TestS3SDKBucketsAndObjects(t *testing.T) {
	for _, tc := range []struct {
		name           string
		tls, pathStyle bool
	}{{"http-path", false, true}, {"http-vhost", false, false}, {"https-path-trailer", true, true}, {"https-vhost-trailer", true, false}} {
		t.Run(tc.name, func(t *testing.T) {
			env := MustS3Env(t, tc.tls, tc.pathStyle)
			ctx := context.Background()
			c := env.client
			if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bkt")}); err != nil {
				t.Fatalf("CreateBucket: %v", err)
			}
			_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bkt")})
			if got := apiCode(err); got != "BucketAlreadyOwnedByYou" {
				t.Fatalf("CreateBucket again: got %q (%v), want BucketAlreadyOwnedByYou", got, err)
			}
			if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("eub"),
				CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: "eu-west-1"}}); err != nil {
				t.Fatalf("CreateBucket eu: %v", err)
			}
			hb, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("eub")})
			if err != nil || aws.ToString(hb.BucketRegion) != "eu-west-1" {
				t.Fatalf("HeadBucket: got %v %v, want eu-west-1", hb, err)
			}
			loc, err := c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("eub")})
			if err != nil || loc.LocationConstraint != "eu-west-1" {
				t.Fatalf("GetBucketLocation: got %v %v", loc, err)
			}
			lb, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
			if err != nil || len(lb.Buckets) != 2 || aws.ToString(lb.Buckets[0].Name) != "bkt" {
				t.Fatalf("ListBuckets: got %+v %v", lb, err)
			}

			body := strings.Repeat("hello world ", 1000)
			put, err := c.PutObject(ctx, &s3.PutObjectInput{
				Bucket: aws.String("bkt"), Key: aws.String("dir/a b+c.txt"), Body: strings.NewReader(body),
				ContentType: aws.String("text/plain"), Metadata: map[string]string{"Color": "blue"},
				Tagging: aws.String("k=v&x=y"),
			})
			if err != nil {
				t.Fatalf("PutObject: %v", err)
			}
			if aws.ToString(put.ETag) == "" {
				t.Fatalf("PutObject: no ETag")
			}
			env.fake.mu.Lock()
			alg, sum := env.fake.lastPut.ChecksumAlgorithm, env.fake.lastSum
			env.fake.mu.Unlock()
			if alg != "CRC32" || sum == "" {
				t.Fatalf("PutObject checksum: got alg %q sum %q, want CRC32 and a value", alg, sum)
			}
			get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("dir/a b+c.txt"), ChecksumMode: s3types.ChecksumModeEnabled})
			if err != nil {
				t.Fatalf("GetObject: %v", err)
			}
			data, _ := io.ReadAll(get.Body)
			get.Body.Close()
			if string(data) != body || aws.ToString(get.ContentType) != "text/plain" || get.Metadata["color"] != "blue" ||
				aws.ToInt32(get.TagCount) != 2 || aws.ToString(get.ChecksumCRC32) == "" || get.ServerSideEncryption != "AES256" {
				t.Fatalf("GetObject: got %d bytes, type %q, meta %v, tags %v, crc %q", len(data), aws.ToString(get.ContentType), get.Metadata, get.TagCount, aws.ToString(get.ChecksumCRC32))
			}
			rng, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("dir/a b+c.txt"), Range: aws.String("bytes=6-10")})
			if err != nil {
				t.Fatalf("GetObject range: %v", err)
			}
			data, _ = io.ReadAll(rng.Body)
			rng.Body.Close()
			if string(data) != "world" || aws.ToString(rng.ContentRange) != "bytes 6-10/12000" {
				t.Fatalf("GetObject range: got %q %q", data, aws.ToString(rng.ContentRange))
			}
			_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("dir/a b+c.txt"), Range: aws.String("bytes=20000-")})
			if got := apiCode(err); got != "InvalidRange" {
				t.Fatalf("GetObject bad range: got %q, want InvalidRange", got)
			}
			_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("dir/a b+c.txt"), IfNoneMatch: put.ETag})
			var re interface{ HTTPStatusCode() int }
			if !errors.As(err, &re) || re.HTTPStatusCode() != 304 {
				t.Fatalf("GetObject If-None-Match: got %v, want 304", err)
			}
			head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("bkt"), Key: aws.String("dir/a b+c.txt")})
			if err != nil || aws.ToInt64(head.ContentLength) != int64(len(body)) || aws.ToString(head.ETag) != aws.ToString(put.ETag) {
				t.Fatalf("HeadObject: got %+v %v", head, err)
			}
			_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("bkt"), Key: aws.String("missing")})
			var nf *s3types.NotFound
			if !errors.As(err, &nf) {
				t.Fatalf("HeadObject missing: got %v, want NotFound", err)
			}
			_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("missing")})
			var nk *s3types.NoSuchKey
			if !errors.As(err, &nk) {
				t.Fatalf("GetObject missing: got %v, want NoSuchKey", err)
			}
			_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("nobucket"), Key: aws.String("k")})
			if got := apiCode(err); got != "NoSuchBucket" {
				t.Fatalf("GetObject no bucket: got %q", got)
			}

			cp, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("bkt"), Key: aws.String("copy"), CopySource: aws.String("bkt/dir/a%20b%2Bc.txt")})
			if err != nil || cp.CopyObjectResult == nil || aws.ToString(cp.CopyObjectResult.ETag) != aws.ToString(put.ETag) {
				t.Fatalf("CopyObject: got %+v %v", cp, err)
			}
			tg, err := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("bkt"), Key: aws.String("copy")})
			if err != nil || len(tg.TagSet) != 2 || aws.ToString(tg.TagSet[0].Key) != "k" {
				t.Fatalf("GetObjectTagging: got %+v %v", tg, err)
			}
			if _, err := c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("bkt"), Key: aws.String("copy"),
				Tagging: &s3types.Tagging{TagSet: []s3types.Tag{{Key: aws.String("a"), Value: aws.String("1")}}}}); err != nil {
				t.Fatalf("PutObjectTagging: %v", err)
			}
			for _, k := range []string{"dir/x", "dir/sub/y", "top"} {
				if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String(k), Body: strings.NewReader(k)}); err != nil {
					t.Fatalf("PutObject %s: %v", k, err)
				}
			}
			var keys []string
			p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String("bkt"), MaxKeys: aws.Int32(2)})
			for p.HasMorePages() {
				page, err := p.NextPage(ctx)
				if err != nil {
					t.Fatalf("ListObjectsV2: %v", err)
				}
				for _, o := range page.Contents {
					keys = append(keys, aws.ToString(o.Key))
				}
			}
			if got, want := strings.Join(keys, ","), "copy,dir/a b+c.txt,dir/sub/y,dir/x,top"; got != want {
				t.Fatalf("ListObjectsV2 keys: got %s, want %s", got, want)
			}
			lo, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("bkt"), Prefix: aws.String("dir/"), Delimiter: aws.String("/")})
			if err != nil || len(lo.CommonPrefixes) != 1 || aws.ToString(lo.CommonPrefixes[0].Prefix) != "dir/sub/" || len(lo.Contents) != 2 || aws.ToInt32(lo.KeyCount) != 3 {
				t.Fatalf("ListObjectsV2 delimiter: got %+v %v", lo, err)
			}
			l1, err := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("bkt"), Delimiter: aws.String("/"), MaxKeys: aws.Int32(1)})
			if err != nil || !aws.ToBool(l1.IsTruncated) || aws.ToString(l1.NextMarker) != "copy" {
				t.Fatalf("ListObjects: got %+v %v", l1, err)
			}

			lv, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("bkt"), Prefix: aws.String("dir/")})
			if err != nil || len(lv.Versions) != 3 || aws.ToString(lv.Versions[0].VersionId) != "null" || !aws.ToBool(lv.Versions[0].IsLatest) {
				t.Fatalf("ListObjectVersions: got %+v %v", lv, err)
			}
			_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("bkt")})
			if got := apiCode(err); got != "BucketNotEmpty" {
				t.Fatalf("DeleteBucket non-empty: got %q", got)
			}
			del, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("bkt"), Delete: &s3types.Delete{Objects: []s3types.ObjectIdentifier{
				{Key: aws.String("dir/x")}, {Key: aws.String("dir/sub/y")}, {Key: aws.String("top")}, {Key: aws.String("copy")}}}})
			if err != nil || len(del.Deleted) != 4 {
				t.Fatalf("DeleteObjects: got %+v %v", del, err)
			}
			if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("bkt"), Key: aws.String("dir/a b+c.txt")}); err != nil {
				t.Fatalf("DeleteObject: %v", err)
			}
			if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("bkt")}); err != nil {
				t.Fatalf("DeleteBucket: %v", err)
			}
		})
	}
}

func TestS3SDKMultipartAndPresign(t *testing.T) {
	for _, tlsOn := range []bool{false, true} {
		env := MustS3Env(t, tlsOn, true)
		ctx := context.Background()
		c := env.client
		if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("mpb")}); err != nil {
			t.Fatalf("CreateBucket: %v", err)
		}
		body := bytes.Repeat([]byte("0123456789abcdef"), (12<<20)/16+7)
		// The upload manager is deprecated but is what deployed Go code uses.
		//lint:ignore SA1019 the manager's wire behaviour is what is tested
		up := manager.NewUploader(c, func(u *manager.Uploader) { u.PartSize = 5 << 20 })
		// An io.Reader that is not seekable makes the manager stream parts.
		//lint:ignore SA1019 the manager's wire behaviour is what is tested
		res, err := up.Upload(ctx, &s3.PutObjectInput{Bucket: aws.String("mpb"), Key: aws.String("big"), Body: struct{ io.Reader }{bytes.NewReader(body)}})
		if err != nil {
			t.Fatalf("tls=%v Upload: %v", tlsOn, err)
		}
		if !strings.HasSuffix(aws.ToString(res.ETag), `-3"`) {
			t.Fatalf("Upload ETag: got %s, want a 3-part ETag", aws.ToString(res.ETag))
		}
		get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mpb"), Key: aws.String("big")})
		if err != nil {
			t.Fatalf("GetObject: %v", err)
		}
		got, _ := io.ReadAll(get.Body)
		get.Body.Close()
		if !bytes.Equal(got, body) {
			t.Fatalf("multipart object: got %d bytes, want %d", len(got), len(body))
		}

		cu, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mpb"), Key: aws.String("k")})
		if err != nil {
			t.Fatalf("CreateMultipartUpload: %v", err)
		}
		if _, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpb"), Key: aws.String("k"), UploadId: cu.UploadId,
			PartNumber: aws.Int32(1), Body: strings.NewReader("part one")}); err != nil {
			t.Fatalf("UploadPart: %v", err)
		}
		if _, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("mpb"), Key: aws.String("k"), UploadId: cu.UploadId,
			PartNumber: aws.Int32(2), CopySource: aws.String("/mpb/big")}); err != nil {
			t.Fatalf("UploadPartCopy: %v", err)
		}
		lp, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("mpb"), Key: aws.String("k"), UploadId: cu.UploadId})
		if err != nil || len(lp.Parts) != 2 {
			t.Fatalf("ListParts: got %+v %v", lp, err)
		}
		lu, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("mpb")})
		if err != nil || len(lu.Uploads) != 1 {
			t.Fatalf("ListMultipartUploads: got %+v %v", lu, err)
		}
		_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpb"), Key: aws.String("k"), UploadId: cu.UploadId,
			MultipartUpload: &s3types.CompletedMultipartUpload{Parts: []s3types.CompletedPart{{PartNumber: aws.Int32(1), ETag: aws.String(`"nope"`)}}}})
		if got := apiCode(err); got != "InvalidPart" {
			t.Fatalf("CompleteMultipartUpload bad part: got %q", got)
		}
		if _, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("mpb"), Key: aws.String("k"), UploadId: cu.UploadId}); err != nil {
			t.Fatalf("AbortMultipartUpload: %v", err)
		}
		_, err = c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("mpb"), Key: aws.String("k"), UploadId: cu.UploadId})
		if got := apiCode(err); got != "NoSuchUpload" {
			t.Fatalf("AbortMultipartUpload again: got %q", got)
		}

		ps := s3.NewPresignClient(c)
		preq, err := ps.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("mpb"), Key: aws.String("pre")})
		if err != nil {
			t.Fatalf("PresignPutObject: %v", err)
		}
		hc := env.srv.Client()
		req, _ := http.NewRequest(http.MethodPut, strings.Replace(preq.URL, "localhost", "127.0.0.1", 1), strings.NewReader("presigned body"))
		resp, err := hc.Do(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("presigned PUT: got %v %v", resp, err)
		}
		resp.Body.Close()
		greq, err := ps.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mpb"), Key: aws.String("pre")})
		if err != nil {
			t.Fatalf("PresignGetObject: %v", err)
		}
		resp, err = hc.Get(strings.Replace(greq.URL, "localhost", "127.0.0.1", 1))
		if err != nil {
			t.Fatalf("presigned GET: %v", err)
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(data) != "presigned body" {
			t.Fatalf("presigned GET: got %d %q", resp.StatusCode, data)
		}
		old, err := ps.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mpb"), Key: aws.String("pre")}, func(o *s3.PresignOptions) {
			o.Expires = time.Second
		})
		if err != nil {
			t.Fatalf("PresignGetObject: %v", err)
		}
		expired := strings.Replace(strings.Replace(old.URL, "localhost", "127.0.0.1", 1), "X-Amz-Date=2", "X-Amz-Date=1", 1)
		resp, err = hc.Get(expired)
		if err != nil {
			t.Fatalf("expired GET: %v", err)
		}
		data, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 403 || !strings.Contains(string(data), "<Code>AccessDenied</Code>") || !strings.Contains(string(data), "Request has expired") {
			t.Fatalf("expired GET: got %d %s", resp.StatusCode, data)
		}
	}
}
