package main

//lint:file-ignore SA1019 feature/s3/manager is deprecated for transfermanager, but it is what most programs that upload to S3 use today, and its multipart uploads are what these tests must serve.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// streamBody is an endless-looking body of a given length, made of one
// random block repeated, that reports how much of it was read.
type streamBody struct {
	block []byte
	left  int64
	read  atomic.Int64
}

func (s *streamBody) Read(p []byte) (int, error) {
	if s.left <= 0 {
		return 0, io.EOF
	}
	off := int(s.read.Load() % int64(len(s.block)))
	n := copy(p, s.block[off:])
	if int64(n) > s.left {
		n = int(s.left)
	}
	s.left -= int64(n)
	s.read.Add(int64(n))
	return n, nil
}

// TestS3SurvivesKill kills eddy (SIGKILL) while a 200 MB object streams
// in and small puts run beside it. After a restart on the same data
// directory every acknowledged object is intact, every acknowledged delete
// holds, an object whose put was under way is either absent or whole, and
// the interrupted key does not exist and is not listed.
func TestS3SurvivesKill(t *testing.T) {
	if testing.Short() || onMoto {
		t.Skip("builds and kills an eddy process")
	}
	t.Parallel()
	bin := MustBuildEddy(t)
	dir := t.TempDir()
	cmd, url := MustServe(t, bin, dir)
	c := MustS3(t, url)
	ctx := context.Background()
	const b = "crash-bkt"
	mustBucket(t, c, b)

	var (
		mu       sync.Mutex
		acked    = map[string][]byte{} // acknowledged puts
		deleted  = map[string]bool{}   // acknowledged deletes
		inFlight = map[string][]byte{} // puts under way at the kill
	)
	for i := range 30 {
		k := fmt.Sprintf("before/%02d", i)
		body := randomBytes(1000*i+1, uint64(100+i))
		mustPut(t, c, b, k, body)
		acked[k] = body
	}
	for i := range 5 {
		k := fmt.Sprintf("before/%02d", i)
		if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(b), Key: aws.String(k)}); err != nil {
			t.Fatal(err)
		}
		delete(acked, k)
		deleted[k] = true
	}
	big := randomBytes(11<<20, 7)
	if _, err := manager.NewUploader(c, func(u *manager.Uploader) { u.PartSize = 5 << 20 }).Upload(ctx, &s3.PutObjectInput{
		Bucket: aws.String(b), Key: aws.String("before/multipart"), Body: bytes.NewReader(big)}); err != nil {
		t.Fatal(err)
	}
	acked["before/multipart"] = big

	// Small puts beside the big one, until the kill stops them.
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 2000 {
				k := fmt.Sprintf("during/%d/%05d", w, i)
				body := randomBytes(500+i%3000, uint64(w*100000+i))
				mu.Lock()
				inFlight[k] = body
				mu.Unlock()
				if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String(k), Body: bytes.NewReader(body)}); err != nil {
					return
				}
				mu.Lock()
				delete(inFlight, k)
				acked[k] = body
				mu.Unlock()
			}
		}()
	}

	// The big one: a streamed PUT of 200 MB, signed with an unsigned
	// payload, as a client without the whole body at hand sends it.
	const size = 200 << 20
	stream := &streamBody{block: randomBytes(1<<20, 8), left: size}
	req, err := http.NewRequest("PUT", url+"/"+b+"/interrupted/big.bin", stream)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = size
	req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
	creds, err := c.Options().Credentials.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, "UNSIGNED-PAYLOAD", "s3", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			res.Body.Close()
			err = fmt.Errorf("the 200 MB put ended with %s before the kill", res.Status)
		}
		done <- err
	}()
	var early error
	waitFor(t, 60*time.Second, "64 MB of the big put on the wire", func() bool {
		select {
		case early = <-done:
			return true
		default:
			return stream.read.Load() >= 64<<20
		}
	})
	if early != nil {
		t.Fatalf("the big put ended before the kill, after %d bytes: %v", stream.read.Load(), early)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	wg.Wait()
	<-done
	t.Logf("killed with %d MB of 200 streamed, %d objects acknowledged, %d puts under way", stream.read.Load()>>20, len(acked), len(inFlight))

	_, url = MustServe(t, bin, dir)
	c = MustS3(t, url)
	for k, body := range acked {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String(k)})
		if err != nil {
			t.Errorf("acknowledged object %s after the restart: %v", k, err)
			continue
		}
		got, err := io.ReadAll(out.Body)
		out.Body.Close()
		if err != nil || !bytes.Equal(got, body) {
			t.Errorf("acknowledged object %s after the restart: got %d bytes (%v), want the %d put", k, len(got), err, len(body))
		}
	}
	for k := range deleted {
		_, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String(k)})
		mustS3Fail(t, err, "NotFound", 404)
	}
	for k, body := range inFlight {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String(k)})
		if err != nil {
			mustS3Fail(t, err, "NoSuchKey", 404)
			continue
		}
		got, _ := io.ReadAll(out.Body)
		out.Body.Close()
		if !bytes.Equal(got, body) {
			t.Errorf("object %s, put under way at the kill: got %d bytes, want none or the %d put", k, len(got), len(body))
		}
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("interrupted/big.bin")})
	mustS3Fail(t, err, "NoSuchKey", 404)

	listed := map[string]int64{}
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(b)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Contents {
			listed[aws.ToString(o.Key)] = aws.ToInt64(o.Size)
		}
	}
	if _, ok := listed["interrupted/big.bin"]; ok {
		t.Errorf("the interrupted key is listed after the restart")
	}
	for k, body := range acked {
		if n, ok := listed[k]; !ok || n != int64(len(body)) {
			t.Errorf("acknowledged object %s: listed %v with size %d, want listed with %d", k, ok, n, len(body))
		}
	}
	for k := range listed {
		if _, ok := acked[k]; !ok {
			if _, maybe := inFlight[k]; !maybe {
				t.Errorf("listed %s, which was never put or whose delete was acknowledged", k)
			}
		}
	}
	// The bucket still takes writes, the interrupted key included.
	mustPut(t, c, b, "interrupted/big.bin", []byte("small now"))
	if got := mustGet(t, c, b, "interrupted/big.bin"); string(got) != "small now" {
		t.Errorf("put after the restart: got %q", got)
	}
}
