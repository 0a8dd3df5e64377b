package awsapi_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/buckets"
)

// fakeBuckets is a small in-memory buckets.API: enough rules to exercise
// the edge's wire format, none of the service's.
type fakeBuckets struct {
	mu      sync.Mutex // guards everything below
	buckets map[string]*fakeBucket
	uploads map[string]*fakeUpload
	// lastPut is the last PutObject or UploadPart input seen (its body read).
	lastPut *buckets.PutObjectInput
	lastSum string // what lastPut.Checksum returned after EOF
	n       int
}

type fakeBucket struct {
	info    buckets.Bucket
	objects map[string]*fakeObject
	configs map[buckets.Config][]byte
}

type fakeObject struct {
	meta buckets.Object
	data []byte
	tags map[string]string
}

type fakeUpload struct {
	up    buckets.Upload
	parts map[int][]byte
}

func newFakeBuckets() *fakeBuckets {
	return &fakeBuckets{buckets: map[string]*fakeBucket{}, uploads: map[string]*fakeUpload{}}
}

func s3err(typ, msg string) error { return eddy.TypedErrorf(eddy.EINVALID, typ, "%s", msg) }

func (f *fakeBuckets) bucket(name string) (*fakeBucket, error) {
	b, ok := f.buckets[name]
	if !ok {
		return nil, s3err("NoSuchBucket", "The specified bucket does not exist")
	}
	return b, nil
}

func (f *fakeBuckets) CreateBucket(_ context.Context, name, region string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(name) < 3 || strings.ToLower(name) != name {
		return s3err("InvalidBucketName", "The specified bucket is not valid.")
	}
	if _, ok := f.buckets[name]; ok {
		return s3err("BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded and you already own it.")
	}
	f.buckets[name] = &fakeBucket{info: buckets.Bucket{Name: name, Created: time.Now(), Region: region},
		objects: map[string]*fakeObject{}, configs: map[buckets.Config][]byte{}}
	return nil
}

func (f *fakeBuckets) HeadBucket(_ context.Context, name string) (*buckets.Bucket, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, err := f.bucket(name)
	if err != nil {
		return nil, err
	}
	info := b.info
	return &info, nil
}

func (f *fakeBuckets) DeleteBucket(_ context.Context, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, err := f.bucket(name)
	if err != nil {
		return err
	}
	if len(b.objects) > 0 {
		return s3err("BucketNotEmpty", "The bucket you tried to delete is not empty")
	}
	delete(f.buckets, name)
	return nil
}

func (f *fakeBuckets) ListBuckets(context.Context) ([]buckets.Bucket, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []buckets.Bucket
	for _, b := range f.buckets {
		out = append(out, b.info)
	}
	return out, nil
}

// read reads a body, checking its size, MD5 and checksum as the service would.
func (f *fakeBuckets) read(in *buckets.PutObjectInput) ([]byte, *buckets.Checksum, error) {
	data, err := io.ReadAll(in.Body)
	if err != nil {
		return nil, nil, err
	}
	if in.Size >= 0 && int64(len(data)) != in.Size {
		return nil, nil, s3err("IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header.")
	}
	if in.ContentMD5 != "" {
		sum := md5.Sum(data)
		if base64.StdEncoding.EncodeToString(sum[:]) != in.ContentMD5 {
			return nil, nil, s3err("BadDigest", "The Content-MD5 you specified did not match what we received.")
		}
	}
	sent := ""
	if in.Checksum != nil {
		sent = in.Checksum()
	}
	f.mu.Lock()
	f.lastPut, f.lastSum = in, sent
	f.mu.Unlock()
	var ck *buckets.Checksum
	if in.ChecksumAlgorithm != "" {
		h := buckets.NewHash(in.ChecksumAlgorithm)
		h.Write(data)
		got := buckets.Sum64(h)
		if sent != "" && sent != got {
			return nil, nil, s3err("BadDigest", "The "+in.ChecksumAlgorithm+" you specified did not match the calculated checksum.")
		}
		ck = &buckets.Checksum{Algorithm: in.ChecksumAlgorithm, Value: got, Type: "FULL_OBJECT"}
	}
	return data, ck, nil
}

func etagOf(data []byte) string {
	sum := md5.Sum(data)
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

func parseTags(q string) map[string]string {
	tags := map[string]string{}
	for _, kv := range strings.Split(q, "&") {
		if k, v, _ := strings.Cut(kv, "="); k != "" {
			tags[k] = v
		}
	}
	return tags
}

func (f *fakeBuckets) PutObject(_ context.Context, in *buckets.PutObjectInput) (*buckets.Object, error) {
	data, ck, err := f.read(in)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	b, err := f.bucket(in.Bucket)
	if err != nil {
		return nil, err
	}
	if in.IfNoneMatch == "*" && b.objects[in.Key] != nil {
		return nil, s3err("PreconditionFailed", "At least one of the pre-conditions you specified did not hold")
	}
	o := &fakeObject{data: data, meta: buckets.Object{Bucket: in.Bucket, Key: in.Key, Size: int64(len(data)), ETag: etagOf(data),
		LastModified: time.Now().UTC().Truncate(time.Second), Headers: in.Headers, Checksum: ck}}
	if in.Tagging != "" {
		o.tags = parseTags(in.Tagging)
		o.meta.TagCount = len(o.tags)
	}
	b.objects[in.Key] = o
	meta := o.meta
	return &meta, nil
}

func (f *fakeBuckets) object(bucket, key string) (*fakeObject, error) {
	b, err := f.bucket(bucket)
	if err != nil {
		return nil, err
	}
	o, ok := b.objects[key]
	if !ok {
		return nil, s3err("NoSuchKey", "The specified key does not exist.")
	}
	return o, nil
}

func (f *fakeBuckets) GetObject(_ context.Context, in *buckets.GetObjectInput) (*buckets.GetObjectOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, err := f.object(in.Bucket, in.Key)
	if err != nil {
		return nil, err
	}
	if in.IfMatch != "" && in.IfMatch != o.meta.ETag {
		return nil, s3err("PreconditionFailed", "At least one of the pre-conditions you specified did not hold")
	}
	if in.IfNoneMatch != "" && (in.IfNoneMatch == o.meta.ETag || in.IfNoneMatch == "*") {
		return nil, eddy.TypedErrorf(eddy.EPRECOND, "NotModified", "Not Modified")
	}
	out := &buckets.GetObjectOutput{Object: o.meta}
	out.TagCount = len(o.tags)
	data := o.data
	if in.Range != "" {
		size := int64(len(data))
		spec, ok := strings.CutPrefix(in.Range, "bytes=")
		a, z, _ := strings.Cut(spec, "-")
		start, err1 := strconv.ParseInt(a, 10, 64)
		end, err2 := strconv.ParseInt(z, 10, 64)
		switch {
		case !ok:
		case a == "" && err2 == nil:
			start, end = size-end, size-1
		case err1 == nil && z == "":
			end = size - 1
		case err1 != nil || err2 != nil:
			ok = false
		}
		if ok {
			if start < 0 {
				start = 0
			}
			if end >= size {
				end = size - 1
			}
			if start >= size || start > end {
				return nil, s3err("InvalidRange", "The requested range is not satisfiable")
			}
			out.Ranged, out.Start, out.End = true, start, end
			data = data[start : end+1]
		}
	}
	if !in.Head {
		out.Body = io.NopCloser(bytes.NewReader(data))
	}
	return out, nil
}

func (f *fakeBuckets) CopyObject(_ context.Context, in *buckets.CopyObjectInput) (*buckets.Object, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	src, err := f.object(in.SourceBucket, in.SourceKey)
	if err != nil {
		return nil, err
	}
	if in.Source.IfMatch != "" && in.Source.IfMatch != src.meta.ETag {
		return nil, s3err("PreconditionFailed", "At least one of the pre-conditions you specified did not hold")
	}
	dst, err := f.bucket(in.Bucket)
	if err != nil {
		return nil, err
	}
	o := &fakeObject{data: src.data, meta: src.meta, tags: src.tags}
	o.meta.Bucket, o.meta.Key, o.meta.LastModified = in.Bucket, in.Key, time.Now().UTC().Truncate(time.Second)
	if in.MetadataDirective == "REPLACE" {
		o.meta.Headers = in.Headers
	}
	dst.objects[in.Key] = o
	meta := o.meta
	return &meta, nil
}

func (f *fakeBuckets) DeleteObject(_ context.Context, bucket, key string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, err := f.bucket(bucket)
	if err != nil {
		return err
	}
	delete(b.objects, key)
	return nil
}

func (f *fakeBuckets) DeleteObjects(_ context.Context, in *buckets.DeleteObjectsInput) ([]buckets.DeleteResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, err := f.bucket(in.Bucket)
	if err != nil {
		return nil, err
	}
	var out []buckets.DeleteResult
	for _, k := range in.Keys {
		delete(b.objects, k)
		out = append(out, buckets.DeleteResult{Key: k})
	}
	return out, nil
}

func (f *fakeBuckets) ListObjects(_ context.Context, in *buckets.ListInput) (*buckets.ListOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, err := f.bucket(in.Bucket)
	if err != nil {
		return nil, err
	}
	var keys []string
	for k := range b.objects {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := &buckets.ListOutput{}
	seen := map[string]bool{}
	for _, k := range keys {
		if !strings.HasPrefix(k, in.Prefix) || k <= in.After {
			continue
		}
		entry, isPrefix := k, false
		if in.Delimiter != "" {
			if i := strings.Index(k[len(in.Prefix):], in.Delimiter); i >= 0 {
				entry, isPrefix = k[:len(in.Prefix)+i+len(in.Delimiter)], true
				if seen[entry] || entry <= in.After {
					continue
				}
			}
		}
		if len(out.Objects)+len(out.CommonPrefixes) == in.MaxKeys {
			out.Truncated = true
			break
		}
		out.Next = entry
		if isPrefix {
			seen[entry] = true
			out.CommonPrefixes = append(out.CommonPrefixes, entry)
		} else {
			out.Objects = append(out.Objects, b.objects[k].meta)
		}
	}
	if !out.Truncated {
		out.Next = ""
	}
	return out, nil
}

func (f *fakeBuckets) GetObjectTagging(_ context.Context, bucket, key string) (map[string]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, err := f.object(bucket, key)
	if err != nil {
		return nil, err
	}
	return o.tags, nil
}

func (f *fakeBuckets) PutObjectTagging(_ context.Context, bucket, key string, tags map[string]string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, err := f.object(bucket, key)
	if err != nil {
		return err
	}
	o.tags = tags
	return nil
}

func (f *fakeBuckets) DeleteObjectTagging(ctx context.Context, bucket, key string) error {
	return f.PutObjectTagging(ctx, bucket, key, nil)
}

func (f *fakeBuckets) CreateMultipartUpload(_ context.Context, in *buckets.Upload) (*buckets.Upload, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := f.bucket(in.Bucket); err != nil {
		return nil, err
	}
	f.n++
	up := *in
	up.UploadID = fmt.Sprintf("upload-%d", f.n)
	up.Initiated = time.Now()
	f.uploads[up.UploadID] = &fakeUpload{up: up, parts: map[int][]byte{}}
	return &up, nil
}

func (f *fakeBuckets) upload(id string) (*fakeUpload, error) {
	u, ok := f.uploads[id]
	if !ok {
		return nil, s3err("NoSuchUpload", "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.")
	}
	return u, nil
}

func (f *fakeBuckets) UploadPart(_ context.Context, id string, n int, in *buckets.PutObjectInput) (*buckets.Part, error) {
	data, ck, err := f.read(in)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	u, err := f.upload(id)
	if err != nil {
		return nil, err
	}
	u.parts[n] = data
	return &buckets.Part{Number: n, ETag: etagOf(data), Size: int64(len(data)), LastModified: time.Now(), Checksum: ck}, nil
}

func (f *fakeBuckets) UploadPartCopy(_ context.Context, id string, n int, in *buckets.CopyObjectInput) (*buckets.Part, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	u, err := f.upload(id)
	if err != nil {
		return nil, err
	}
	src, err := f.object(in.SourceBucket, in.SourceKey)
	if err != nil {
		return nil, err
	}
	u.parts[n] = src.data
	return &buckets.Part{Number: n, ETag: etagOf(src.data), Size: int64(len(src.data)), LastModified: time.Now()}, nil
}

func (f *fakeBuckets) CompleteMultipartUpload(_ context.Context, in *buckets.CompleteInput) (*buckets.Object, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	u, err := f.upload(in.UploadID)
	if err != nil {
		return nil, err
	}
	var data []byte
	for i, p := range in.Parts {
		if i > 0 && p.Number <= in.Parts[i-1].Number {
			return nil, s3err("InvalidPartOrder", "The list of parts was not in ascending order.")
		}
		part, ok := u.parts[p.Number]
		if !ok || etagOf(part) != p.ETag {
			return nil, s3err("InvalidPart", "One or more of the specified parts could not be found.")
		}
		data = append(data, part...)
	}
	b, err := f.bucket(in.Bucket)
	if err != nil {
		return nil, err
	}
	o := &fakeObject{data: data, meta: buckets.Object{Bucket: in.Bucket, Key: in.Key, Size: int64(len(data)),
		ETag: fmt.Sprintf(`"%x-%d"`, md5.Sum(data), len(in.Parts)), LastModified: time.Now().UTC(), Headers: u.up.Headers, Parts: len(in.Parts)}}
	b.objects[in.Key] = o
	delete(f.uploads, in.UploadID)
	meta := o.meta
	return &meta, nil
}

func (f *fakeBuckets) AbortMultipartUpload(_ context.Context, bucket, key, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := f.upload(id); err != nil {
		return err
	}
	delete(f.uploads, id)
	return nil
}

func (f *fakeBuckets) ListParts(_ context.Context, in *buckets.ListPartsInput) (*buckets.ListPartsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	u, err := f.upload(in.UploadID)
	if err != nil {
		return nil, err
	}
	out := &buckets.ListPartsOutput{Upload: u.up}
	for n := 1; n <= 10000; n++ {
		if d, ok := u.parts[n]; ok && n > in.Marker {
			out.Parts = append(out.Parts, buckets.Part{Number: n, ETag: etagOf(d), Size: int64(len(d)), LastModified: time.Now()})
		}
	}
	return out, nil
}

func (f *fakeBuckets) ListMultipartUploads(_ context.Context, in *buckets.ListUploadsInput) (*buckets.ListUploadsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := &buckets.ListUploadsOutput{}
	for _, u := range f.uploads {
		if u.up.Bucket == in.Bucket {
			out.Uploads = append(out.Uploads, u.up)
		}
	}
	return out, nil
}

func (f *fakeBuckets) GetConfig(_ context.Context, bucket string, c buckets.Config) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, err := f.bucket(bucket)
	if err != nil {
		return nil, err
	}
	doc, ok := b.configs[c]
	if !ok {
		switch c {
		case buckets.ConfigPolicy:
			return nil, s3err("NoSuchBucketPolicy", "The bucket policy does not exist")
		case buckets.ConfigCORS:
			return nil, s3err("NoSuchCORSConfiguration", "The CORS configuration does not exist")
		case buckets.ConfigWebsite:
			return nil, s3err("NoSuchWebsiteConfiguration", "The specified bucket does not have a website configuration")
		case buckets.ConfigTagging:
			return nil, s3err("NoSuchTagSet", "The TagSet does not exist")
		}
	}
	return doc, nil
}

func (f *fakeBuckets) PutConfig(_ context.Context, bucket string, c buckets.Config, doc []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, err := f.bucket(bucket)
	if err != nil {
		return err
	}
	if doc == nil {
		delete(b.configs, c)
	} else {
		b.configs[c] = doc
	}
	return nil
}

var _ buckets.API = (*fakeBuckets)(nil)
