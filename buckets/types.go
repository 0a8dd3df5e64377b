// Package buckets is eddy's S3: buckets, objects, listing, multipart uploads
// and the stored bucket configurations (notifications, website, CORS,
// policy, tagging). The HTTP edge (awsapi/s3*.go) decodes S3's REST
// protocol into the types below and renders them back; the rules (names,
// limits, conditions, ETags, checksums) live here.
package buckets

import (
	"context"
	"io"
	"time"
)

// Bucket is one bucket as ListBuckets shows it.
type Bucket struct {
	Name    string    `json:"name"`
	Created time.Time `json:"created"`
	Region  string    `json:"region"`
}

// Headers are an object's stored content headers and user metadata.
type Headers struct {
	ContentType        string `json:"ct,omitempty"`
	ContentEncoding    string `json:"ce,omitempty"`
	ContentDisposition string `json:"cd,omitempty"`
	ContentLanguage    string `json:"cl,omitempty"`
	CacheControl       string `json:"cc,omitempty"`
	Expires            string `json:"ex,omitempty"`
	// WebsiteRedirect is x-amz-website-redirect-location.
	WebsiteRedirect string `json:"wr,omitempty"`
	StorageClass    string `json:"sc,omitempty"`
	// Metadata is the user metadata (x-amz-meta-*), names lower-cased and
	// without the prefix.
	Metadata map[string]string `json:"um,omitempty"`
}

// Checksum is an object's or a part's flexible checksum.
type Checksum struct {
	// Algorithm is CRC32, CRC32C, CRC64NVME, SHA1 or SHA256.
	Algorithm string `json:"alg"`
	// Value is the base64 checksum; for a multipart object of type
	// COMPOSITE it ends in "-N".
	Value string `json:"v"`
	// Type is FULL_OBJECT or COMPOSITE.
	Type string `json:"t,omitempty"`
}

// Object is an object's metadata.
type Object struct {
	Bucket       string    `json:"-"`
	Key          string    `json:"-"`
	Size         int64     `json:"size"`
	ETag         string    `json:"etag"` // quoted, as S3 sends it
	LastModified time.Time `json:"mtime"`
	Headers
	Checksum *Checksum `json:"ck,omitempty"`
	// Parts is the number of parts of a multipart object (0 otherwise);
	// PartSizes their sizes, for GetObject's partNumber.
	Parts     int     `json:"parts,omitempty"`
	PartSizes []int64 `json:"psz,omitempty"`
	// TagCount is the number of tags (x-amz-tagging-count).
	TagCount int `json:"tags,omitempty"`
	// Sequencer increases with every change of the key (hex, as the
	// notification's s3.object.sequencer).
	Sequencer string `json:"-"`
}

// PutObjectInput is PutObject, and the body of an UploadPart.
type PutObjectInput struct {
	Bucket, Key string
	// Body is read to EOF. Size is its length when known (-1 otherwise);
	// a body of another length is IncompleteBody.
	Body io.Reader
	Size int64
	Headers
	// Tagging is the x-amz-tagging header (URL query form).
	Tagging string
	// ContentMD5 is the Content-MD5 header (base64), "" for none: a body
	// with another MD5 is BadDigest.
	ContentMD5 string
	// ChecksumAlgorithm is the algorithm to compute and store (from
	// x-amz-sdk-checksum-algorithm, x-amz-checksum-algorithm, a checksum
	// header, or the trailer); "" for none.
	ChecksumAlgorithm string
	// Checksum returns the expected checksum (base64) of that algorithm,
	// called once Body is at EOF (a trailer arrives after the body); nil
	// or "" when the client sent none. A mismatch is BadDigest.
	Checksum func() string
	// IfMatch and IfNoneMatch are the conditional-write headers
	// (If-None-Match: * only creates).
	IfMatch, IfNoneMatch string
	// Event is the notification event name without "s3:ObjectCreated:":
	// "Put" (default) or "Post".
	Event string
}

// GetObjectInput is GetObject and HeadObject.
type GetObjectInput struct {
	Bucket, Key string
	// Range is the Range header ("bytes=…"), "" for the whole object.
	Range string
	// PartNumber selects one part of a multipart object (0 for none).
	PartNumber int
	Conditions
	// Head is true for HeadObject: no body is opened.
	Head bool
}

// Conditions are the preconditions of a read or of a copy's source.
type Conditions struct {
	IfMatch, IfNoneMatch               string
	IfModifiedSince, IfUnmodifiedSince *time.Time
}

// GetObjectOutput is an object and, unless the request was a HEAD, its
// body. Start/End are the inclusive byte range served when Ranged.
type GetObjectOutput struct {
	Object
	Body       io.ReadCloser
	Ranged     bool
	Start, End int64
}

// CopyObjectInput is CopyObject and UploadPartCopy's source.
type CopyObjectInput struct {
	Bucket, Key             string
	SourceBucket, SourceKey string
	// SourceRange is x-amz-copy-source-range (UploadPartCopy only).
	SourceRange string
	Source      Conditions
	// MetadataDirective is COPY (default) or REPLACE; Headers apply with
	// REPLACE. TaggingDirective likewise, with Tagging.
	MetadataDirective string
	Headers
	TaggingDirective  string
	Tagging           string
	ChecksumAlgorithm string
}

// DeleteObjectsInput is DeleteObjects.
type DeleteObjectsInput struct {
	Bucket string
	Keys   []string
	Quiet  bool
}

// DeleteResult is one key's outcome in DeleteObjects.
type DeleteResult struct {
	Key     string
	Code    string // "" when deleted
	Message string
}

// ListInput is ListObjectsV2 and ListObjects (v1).
type ListInput struct {
	Bucket    string
	Prefix    string
	Delimiter string
	MaxKeys   int // 0..1000; default 1000 applied by the edge
	// After is where the listing starts (exclusive): start-after, the
	// decoded continuation token, or the v1 marker.
	After string
}

// ListOutput is one page of a listing.
type ListOutput struct {
	Objects        []Object
	CommonPrefixes []string
	Truncated      bool
	// Next is the last key or common prefix returned, when Truncated:
	// the edge turns it into NextContinuationToken or NextMarker.
	Next string
}

// Upload is a multipart upload.
type Upload struct {
	Bucket    string    `json:"bucket"`
	Key       string    `json:"key"`
	UploadID  string    `json:"id"`
	Initiated time.Time `json:"init"`
	Headers
	Tagging           string `json:"tagging,omitempty"`
	ChecksumAlgorithm string `json:"alg,omitempty"`
	ChecksumType      string `json:"ctype,omitempty"`
}

// Part is an uploaded part.
type Part struct {
	Number       int       `json:"n"`
	ETag         string    `json:"etag"`
	Size         int64     `json:"size"`
	LastModified time.Time `json:"mtime"`
	Checksum     *Checksum `json:"ck,omitempty"`
}

// CompletePart is one entry of CompleteMultipartUpload's list.
type CompletePart struct {
	Number   int
	ETag     string
	Checksum string // the part's checksum the client lists, "" for none
}

// CompleteInput is CompleteMultipartUpload.
type CompleteInput struct {
	Bucket, Key, UploadID string
	Parts                 []CompletePart
	// Checksum is the full-object or composite checksum header the client
	// sent, "" for none.
	Checksum             string
	IfMatch, IfNoneMatch string
}

// ListUploadsInput is ListMultipartUploads.
type ListUploadsInput struct {
	Bucket, Prefix, Delimiter string
	KeyMarker, UploadIDMarker string
	MaxUploads                int
}

type ListUploadsOutput struct {
	Uploads                           []Upload
	CommonPrefixes                    []string
	Truncated                         bool
	NextKeyMarker, NextUploadIDMarker string
}

// ListPartsInput is ListParts.
type ListPartsInput struct {
	Bucket, Key, UploadID string
	Marker                int // part-number-marker
	MaxParts              int
}

type ListPartsOutput struct {
	Upload    Upload
	Parts     []Part
	Truncated bool
	Next      int
}

// Config names one of a bucket's stored configuration documents.
type Config string

const (
	ConfigPolicy       Config = "policy"       // JSON
	ConfigCORS         Config = "cors"         // CORSConfiguration XML
	ConfigWebsite      Config = "website"      // WebsiteConfiguration XML
	ConfigNotification Config = "notification" // NotificationConfiguration XML
	ConfigTagging      Config = "tagging"      // Tagging XML
)

// API is the buckets service as the edge and the triggers use it. Every
// error is an *eddy.Error whose Type is S3's error code (NoSuchBucket,
// NoSuchKey, BucketNotEmpty, BadDigest, InvalidRange, …).
type API interface {
	CreateBucket(ctx context.Context, name, region string) error
	HeadBucket(ctx context.Context, name string) (*Bucket, error)
	DeleteBucket(ctx context.Context, name string) error
	ListBuckets(ctx context.Context) ([]Bucket, error)

	PutObject(ctx context.Context, in *PutObjectInput) (*Object, error)
	GetObject(ctx context.Context, in *GetObjectInput) (*GetObjectOutput, error)
	CopyObject(ctx context.Context, in *CopyObjectInput) (*Object, error)
	// DeleteObject deletes a key; deleting a missing key succeeds.
	DeleteObject(ctx context.Context, bucket, key string) error
	DeleteObjects(ctx context.Context, in *DeleteObjectsInput) ([]DeleteResult, error)
	ListObjects(ctx context.Context, in *ListInput) (*ListOutput, error)

	GetObjectTagging(ctx context.Context, bucket, key string) (map[string]string, error)
	PutObjectTagging(ctx context.Context, bucket, key string, tags map[string]string) error
	DeleteObjectTagging(ctx context.Context, bucket, key string) error

	CreateMultipartUpload(ctx context.Context, in *Upload) (*Upload, error)
	// UploadPart stores part n of an upload (in.Bucket, in.Key name the
	// upload's object).
	UploadPart(ctx context.Context, uploadID string, n int, in *PutObjectInput) (*Part, error)
	UploadPartCopy(ctx context.Context, uploadID string, n int, in *CopyObjectInput) (*Part, error)
	CompleteMultipartUpload(ctx context.Context, in *CompleteInput) (*Object, error)
	AbortMultipartUpload(ctx context.Context, bucket, key, uploadID string) error
	ListParts(ctx context.Context, in *ListPartsInput) (*ListPartsOutput, error)
	ListMultipartUploads(ctx context.Context, in *ListUploadsInput) (*ListUploadsOutput, error)

	// GetConfig returns a stored configuration document; a missing one is
	// the error S3 returns for it (NoSuchBucketPolicy, NoSuchCORSConfiguration,
	// NoSuchWebsiteConfiguration, NoSuchTagSet; an empty notification
	// configuration is not an error).
	GetConfig(ctx context.Context, bucket string, c Config) ([]byte, error)
	// PutConfig stores one; nil deletes it. Validation of the document's
	// content is the caller's (the edge's, or the notifications' for
	// ConfigNotification).
	PutConfig(ctx context.Context, bucket string, c Config, doc []byte) error
}

// Change is one change of an object, in the order of the bucket's changes:
// what a notification is made from. Every acknowledged change produces
// exactly one Change, delivered at least once to the Notifier and never
// coalesced with another change of the same key.
type Change struct {
	Bucket string
	Key    string
	// Event is the event name without "s3:", e.g. "ObjectCreated:Put",
	// "ObjectCreated:Post", "ObjectCreated:Copy",
	// "ObjectCreated:CompleteMultipartUpload", "ObjectRemoved:Delete".
	Event string
	Time  time.Time
	// Object is the new object (created) or the deleted key (Size 0).
	Object Object
	// Sequencer is a hex string that increases per key with every change.
	Sequencer string
	// RequestID and SourceIP describe the request that made the change.
	RequestID string
	SourceIP  string
}

type reqKey struct{}

type requestInfo struct{ id, ip string }

// WithRequest returns ctx carrying the request id and source IP that the
// changes made under it report.
func WithRequest(ctx context.Context, requestID, sourceIP string) context.Context {
	return context.WithValue(ctx, reqKey{}, requestInfo{requestID, sourceIP})
}

// RequestOf returns what WithRequest stored, or empty strings.
func RequestOf(ctx context.Context) (requestID, sourceIP string) {
	r, _ := ctx.Value(reqKey{}).(requestInfo)
	return r.id, r.ip
}

// NotificationHook is what the bucket notifications (package triggers)
// lend the service: Check validates a NotificationConfiguration document
// before it is stored and returns the document to store (with the ids S3
// generates filled in); Stored is called after it is stored (to send
// s3:TestEvent to queues). Notify receives every change of every bucket, in
// each bucket's order; an error is retried later with the same Change, and
// the bucket's next changes wait for it.
type NotificationHook interface {
	Check(ctx context.Context, bucket string, doc []byte) ([]byte, error)
	Stored(ctx context.Context, bucket string, doc []byte)
	Notify(ctx context.Context, c Change) error
}
