package awsapi

import (
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/eddyserverless/eddy/buckets"
)

// requestHeaders reads an object's content headers and user metadata from
// a PUT, a copy with REPLACE, or CreateMultipartUpload.
func requestHeaders(r *http.Request) buckets.Headers {
	hd := buckets.Headers{
		ContentType:        r.Header.Get("Content-Type"),
		ContentEncoding:    withoutToken(r.Header.Get("Content-Encoding"), "aws-chunked"),
		ContentDisposition: r.Header.Get("Content-Disposition"),
		ContentLanguage:    r.Header.Get("Content-Language"),
		CacheControl:       r.Header.Get("Cache-Control"),
		Expires:            r.Header.Get("Expires"),
		WebsiteRedirect:    r.Header.Get("x-amz-website-redirect-location"),
		StorageClass:       r.Header.Get("x-amz-storage-class"),
	}
	if hd.ContentType == "" {
		hd.ContentType = "binary/octet-stream"
	}
	for name, vs := range r.Header {
		lower := strings.ToLower(name)
		if strings.HasPrefix(lower, "x-amz-meta-") && len(lower) > len("x-amz-meta-") {
			if hd.Metadata == nil {
				hd.Metadata = map[string]string{}
			}
			hd.Metadata[strings.TrimPrefix(lower, "x-amz-meta-")] = strings.Join(vs, ",")
		}
	}
	return hd
}

func validStorageClass(sc string) error {
	switch sc {
	case "", "STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING",
		"GLACIER", "DEEP_ARCHIVE", "OUTPOSTS", "GLACIER_IR", "SNOW", "EXPRESS_ONEZONE":
		return nil
	}
	return s3Errorf("InvalidStorageClass", "The storage class you specified is not valid")
}

// putInput builds a PutObjectInput from a request.
func putInput(s *s3Req) (*buckets.PutObjectInput, error) {
	r := s.r
	// S3 requires the length of a plain body; an aws-chunked body of
	// unknown length (the Go SDK sends one for an unseekable stream) is
	// accepted, as the service reads any body to its end.
	if r.ContentLength < 0 && !isChunked(r) {
		return nil, s3Errorf("MissingContentLength", "You must provide the Content-Length HTTP header.")
	}
	body, err := s3RequestBody(r)
	if err != nil {
		return nil, err
	}
	in := &buckets.PutObjectInput{
		Bucket: s.bucket, Key: s.key, Body: body.Body, Size: body.Size,
		Headers: requestHeaders(r), Tagging: r.Header.Get("x-amz-tagging"),
		ContentMD5: r.Header.Get("Content-MD5"), ChecksumAlgorithm: body.Algorithm, Checksum: body.Checksum,
		IfMatch: r.Header.Get("If-Match"), IfNoneMatch: r.Header.Get("If-None-Match"),
	}
	if err := validStorageClass(in.StorageClass); err != nil {
		return nil, err
	}
	return in, nil
}

// writeChecksum sets the x-amz-checksum-* headers of a checksum.
func writeChecksum(w http.ResponseWriter, c *buckets.Checksum) {
	if c == nil || c.Algorithm == "" {
		return
	}
	w.Header().Set(buckets.ChecksumHeader(c.Algorithm), c.Value)
	if c.Type != "" {
		w.Header().Set("x-amz-checksum-type", c.Type)
	}
}

func (h *Handler) s3PutObject(w http.ResponseWriter, s *s3Req) error {
	in, err := putInput(s)
	if err != nil {
		return err
	}
	obj, err := h.Buckets.PutObject(s.r.Context(), in)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", obj.ETag)
	w.Header().Set("x-amz-server-side-encryption", "AES256")
	writeChecksum(w, obj.Checksum)
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
	return nil
}

// httpDate parses a conditional header's date; S3 ignores one it cannot
// parse.
func httpDate(v string) *time.Time {
	if v == "" {
		return nil
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return nil
	}
	return &t
}

// responseOverrides are GetObject's response-* query parameters and the
// headers they set.
var responseOverrides = [][2]string{
	{"response-content-type", "Content-Type"},
	{"response-content-language", "Content-Language"},
	{"response-expires", "Expires"},
	{"response-cache-control", "Cache-Control"},
	{"response-content-disposition", "Content-Disposition"},
	{"response-content-encoding", "Content-Encoding"},
}

// writeObjectHeaders sets the headers of GetObject and HeadObject.
func writeObjectHeaders(w http.ResponseWriter, o *buckets.Object, checksums bool) {
	hd := w.Header()
	hd.Set("Last-Modified", o.LastModified.UTC().Format(http.TimeFormat))
	hd.Set("ETag", o.ETag)
	ct := o.ContentType
	if ct == "" {
		ct = "binary/octet-stream"
	}
	hd.Set("Content-Type", ct)
	for _, kv := range [][2]string{
		{"Content-Encoding", o.ContentEncoding}, {"Content-Disposition", o.ContentDisposition},
		{"Content-Language", o.ContentLanguage}, {"Cache-Control", o.CacheControl}, {"Expires", o.Expires},
		{"x-amz-website-redirect-location", o.WebsiteRedirect},
	} {
		if kv[1] != "" {
			hd.Set(kv[0], kv[1])
		}
	}
	if o.StorageClass != "" && o.StorageClass != "STANDARD" {
		hd.Set("x-amz-storage-class", o.StorageClass)
	}
	for k, v := range o.Metadata {
		hd["X-Amz-Meta-"+k] = []string{v}
	}
	hd.Set("Accept-Ranges", "bytes")
	hd.Set("x-amz-server-side-encryption", "AES256")
	if o.TagCount > 0 {
		hd.Set("x-amz-tagging-count", strconv.Itoa(o.TagCount))
	}
	if checksums {
		writeChecksum(w, o.Checksum)
	}
}

func (h *Handler) s3GetObject(w http.ResponseWriter, s *s3Req) error {
	r := s.r
	in := &buckets.GetObjectInput{
		Bucket: s.bucket, Key: s.key, Range: r.Header.Get("Range"), Head: r.Method == http.MethodHead,
		Conditions: buckets.Conditions{
			IfMatch: r.Header.Get("If-Match"), IfNoneMatch: r.Header.Get("If-None-Match"),
			IfModifiedSince: httpDate(r.Header.Get("If-Modified-Since")), IfUnmodifiedSince: httpDate(r.Header.Get("If-Unmodified-Since")),
		},
	}
	if v := s.q.Get("partNumber"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			return s3Errorf("InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive")
		}
		if in.Range != "" {
			return s3Errorf("InvalidRequest", "Cannot specify both Range header and partNumber query parameter")
		}
		in.PartNumber = n
	}
	out, err := h.Buckets.GetObject(r.Context(), in)
	if err != nil {
		if isS3Error(err, "NotModified") {
			w.Header().Set("ETag", notModifiedETag(r))
		}
		return err
	}
	if out.Body != nil {
		defer out.Body.Close()
	}
	checksums := strings.EqualFold(r.Header.Get("x-amz-checksum-mode"), "ENABLED") && (!out.Ranged || in.PartNumber > 0)
	writeObjectHeaders(w, &out.Object, checksums)
	if in.PartNumber > 0 && out.Parts > 0 {
		w.Header().Set("x-amz-mp-parts-count", strconv.Itoa(out.Parts))
	}
	if r.Method == http.MethodGet {
		for _, o := range responseOverrides {
			if v := s.q.Get(o[0]); v != "" {
				w.Header().Set(o[1], v)
			}
		}
	}
	status, length := http.StatusOK, out.Size
	if out.Ranged {
		status, length = http.StatusPartialContent, out.End-out.Start+1
		w.Header().Set("Content-Range", "bytes "+strconv.FormatInt(out.Start, 10)+"-"+strconv.FormatInt(out.End, 10)+"/"+strconv.FormatInt(out.Size, 10))
	}
	w.Header().Set("Content-Length", strconv.FormatInt(length, 10))
	w.WriteHeader(status)
	if out.Body != nil && r.Method != http.MethodHead {
		if _, err := copyBody(w, out.Body); err != nil {
			h.Logger.Warn("object body copy failed", "request_id", requestID(r.Context()), "bucket", s.bucket, "err", err)
		}
	}
	return nil
}

var copyBuffers = sync.Pool{New: func() any { return new([32 << 10]byte) }}

// copyBody writes an object's body through the response's own buffer, so
// that a small object leaves with its headers in one write rather than
// after them in a second (io.Copy would take http's ReadFrom path, which
// flushes the headers first).
func copyBody(w io.Writer, body io.Reader) (int64, error) {
	buf := copyBuffers.Get().(*[32 << 10]byte)
	defer copyBuffers.Put(buf)
	return io.CopyBuffer(struct{ io.Writer }{w}, body, buf[:])
}

// notModifiedETag is the ETag a 304 carries: the one the client holds.
func notModifiedETag(r *http.Request) string {
	v := r.Header.Get("If-None-Match")
	if v == "*" {
		return ""
	}
	return v
}

func (h *Handler) s3DeleteObject(w http.ResponseWriter, s *s3Req) error {
	if err := h.Buckets.DeleteObject(s.r.Context(), s.bucket, s.key); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// s3DeleteRequest is DeleteObjects' document.
type s3DeleteRequest struct {
	XMLName xml.Name `xml:"Delete"`
	Objects []struct {
		Key       string
		VersionID string `xml:"VersionId"`
	} `xml:"Object"`
	Quiet bool
}

// parseDeleteRequest parses and checks DeleteObjects' document.
func parseDeleteRequest(data []byte) (*s3DeleteRequest, error) {
	var req s3DeleteRequest
	if err := decodeS3XML(data, &req); err != nil {
		return nil, err
	}
	if len(req.Objects) == 0 || len(req.Objects) > 1000 {
		return nil, s3Errorf("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
	}
	return &req, nil
}

func (h *Handler) s3DeleteObjects(w http.ResponseWriter, s *s3Req) error {
	data, err := readS3Document(s.r, 2<<20, true)
	if err != nil {
		return err
	}
	req, err := parseDeleteRequest(data)
	if err != nil {
		return err
	}
	in := &buckets.DeleteObjectsInput{Bucket: s.bucket, Quiet: req.Quiet}
	for _, o := range req.Objects {
		in.Keys = append(in.Keys, o.Key)
	}
	results, err := h.Buckets.DeleteObjects(s.r.Context(), in)
	if err != nil {
		return err
	}
	type deleted struct {
		Key string
	}
	type failed struct {
		Key     string
		Code    string
		Message string
	}
	out := struct {
		XMLName xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ DeleteResult"`
		Deleted []deleted
		Error   []failed
	}{}
	for _, res := range results {
		if res.Code != "" {
			out.Error = append(out.Error, failed{res.Key, res.Code, res.Message})
		} else if !req.Quiet {
			out.Deleted = append(out.Deleted, deleted{res.Key})
		}
	}
	return writeS3XML(w, http.StatusOK, out)
}

// parseCopySource parses x-amz-copy-source: "BUCKET/KEY" or "/BUCKET/KEY",
// URL-encoded, with an optional "?versionId=…" (which eddy, without
// versions, ignores).
func parseCopySource(v string) (bucket, key string, err error) {
	raw, _, _ := strings.Cut(v, "?")
	dec, uerr := url.PathUnescape(raw)
	if uerr != nil {
		return "", "", s3Errorf("InvalidArgument", "Invalid copy source encoding")
	}
	dec = strings.TrimPrefix(dec, "/")
	bucket, key, _ = strings.Cut(dec, "/")
	if bucket == "" || key == "" {
		return "", "", s3Errorf("InvalidArgument", "Copy Source must mention the source bucket and key: sourcebucket/sourcekey")
	}
	return bucket, key, nil
}

// copyInput builds a CopyObjectInput from a request.
func copyInput(s *s3Req) (*buckets.CopyObjectInput, error) {
	r := s.r
	sb, sk, err := parseCopySource(r.Header.Get("x-amz-copy-source"))
	if err != nil {
		return nil, err
	}
	in := &buckets.CopyObjectInput{
		Bucket: s.bucket, Key: s.key, SourceBucket: sb, SourceKey: sk,
		SourceRange: r.Header.Get("x-amz-copy-source-range"),
		Source: buckets.Conditions{
			IfMatch: r.Header.Get("x-amz-copy-source-if-match"), IfNoneMatch: r.Header.Get("x-amz-copy-source-if-none-match"),
			IfModifiedSince:   httpDate(r.Header.Get("x-amz-copy-source-if-modified-since")),
			IfUnmodifiedSince: httpDate(r.Header.Get("x-amz-copy-source-if-unmodified-since")),
		},
		MetadataDirective: strings.ToUpper(r.Header.Get("x-amz-metadata-directive")),
		TaggingDirective:  strings.ToUpper(r.Header.Get("x-amz-tagging-directive")),
		Tagging:           r.Header.Get("x-amz-tagging"),
		ChecksumAlgorithm: strings.ToUpper(r.Header.Get("x-amz-checksum-algorithm")),
	}
	for _, d := range []*string{&in.MetadataDirective, &in.TaggingDirective} {
		switch *d {
		case "":
			*d = "COPY"
		case "COPY", "REPLACE":
		default:
			return nil, s3Errorf("InvalidArgument", "Unknown directive %s", *d)
		}
	}
	if in.ChecksumAlgorithm != "" && buckets.NewHash(in.ChecksumAlgorithm) == nil {
		return nil, s3Errorf("InvalidRequest", "Value for x-amz-checksum-algorithm header is invalid.")
	}
	in.Headers = requestHeaders(r)
	if in.MetadataDirective == "COPY" {
		// Only the storage class and redirect apply without REPLACE.
		in.Headers = buckets.Headers{StorageClass: in.StorageClass, WebsiteRedirect: in.WebsiteRedirect}
	}
	if err := validStorageClass(in.StorageClass); err != nil {
		return nil, err
	}
	return in, nil
}

// copyChecksum renders a checksum as the Checksum* elements of
// CopyObjectResult, CopyPartResult and CompleteMultipartUploadResult.
type xmlChecksums struct {
	ChecksumCRC32     string `xml:",omitempty"`
	ChecksumCRC32C    string `xml:",omitempty"`
	ChecksumCRC64NVME string `xml:",omitempty"`
	ChecksumSHA1      string `xml:",omitempty"`
	ChecksumSHA256    string `xml:",omitempty"`
	ChecksumType      string `xml:",omitempty"`
}

func checksumsOf(c *buckets.Checksum, withType bool) xmlChecksums {
	var x xmlChecksums
	if c == nil {
		return x
	}
	switch c.Algorithm {
	case buckets.CRC32:
		x.ChecksumCRC32 = c.Value
	case buckets.CRC32C:
		x.ChecksumCRC32C = c.Value
	case buckets.CRC64NVME:
		x.ChecksumCRC64NVME = c.Value
	case buckets.SHA1:
		x.ChecksumSHA1 = c.Value
	case buckets.SHA256:
		x.ChecksumSHA256 = c.Value
	}
	if withType {
		x.ChecksumType = c.Type
	}
	return x
}

func (h *Handler) s3CopyObject(w http.ResponseWriter, s *s3Req) error {
	in, err := copyInput(s)
	if err != nil {
		return err
	}
	if in.SourceBucket == in.Bucket && in.SourceKey == in.Key && in.MetadataDirective != "REPLACE" &&
		in.StorageClass == "" && in.WebsiteRedirect == "" && in.ChecksumAlgorithm == "" {
		return s3Errorf("InvalidRequest", "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.")
	}
	obj, err := h.Buckets.CopyObject(s.r.Context(), in)
	if err != nil {
		return err
	}
	w.Header().Set("x-amz-server-side-encryption", "AES256")
	return writeS3XML(w, http.StatusOK, struct {
		XMLName      xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ CopyObjectResult"`
		ETag         string
		LastModified string
		xmlChecksums
	}{ETag: obj.ETag, LastModified: s3Time(obj.LastModified), xmlChecksums: checksumsOf(obj.Checksum, true)})
}

// s3Tagging is the Tagging document of objects and buckets.
type s3Tagging struct {
	XMLName xml.Name `xml:"Tagging"`
	Xmlns   string   `xml:"xmlns,attr,omitempty"`
	Tags    []s3Tag  `xml:"TagSet>Tag"`
}

type s3Tag struct {
	Key   string
	Value string
}

// parseTagging parses and checks a Tagging document of at most max tags.
func parseTagging(data []byte, max int) (*s3Tagging, error) {
	var t s3Tagging
	if err := decodeS3XML(data, &t); err != nil {
		return nil, err
	}
	if len(t.Tags) > max {
		return nil, s3Errorf("InvalidTag", "Object tags cannot be greater than %d", max)
	}
	seen := map[string]bool{}
	for _, tag := range t.Tags {
		switch {
		case tag.Key == "" || len([]rune(tag.Key)) > 128:
			return nil, s3Errorf("InvalidTag", "The TagKey you have provided is invalid")
		case len([]rune(tag.Value)) > 256:
			return nil, s3Errorf("InvalidTag", "The TagValue you have provided is invalid")
		case seen[tag.Key]:
			return nil, s3Errorf("InvalidTag", "Cannot provide multiple Tags with the same key")
		case strings.HasPrefix(tag.Key, "aws:"):
			return nil, s3Errorf("InvalidTag", "System tags cannot be added/updated by requester")
		}
		seen[tag.Key] = true
	}
	t.Xmlns = s3Namespace
	return &t, nil
}

func (h *Handler) s3GetObjectTagging(w http.ResponseWriter, s *s3Req) error {
	tags, err := h.Buckets.GetObjectTagging(s.r.Context(), s.bucket, s.key)
	if err != nil {
		return err
	}
	out := s3Tagging{Xmlns: s3Namespace, Tags: []s3Tag{}}
	for k, v := range tags {
		out.Tags = append(out.Tags, s3Tag{k, v})
	}
	sortTags(out.Tags)
	return writeS3XML(w, http.StatusOK, out)
}

func sortTags(tags []s3Tag) {
	for i := 1; i < len(tags); i++ {
		for j := i; j > 0 && tags[j].Key < tags[j-1].Key; j-- {
			tags[j], tags[j-1] = tags[j-1], tags[j]
		}
	}
}

func (h *Handler) s3PutObjectTagging(w http.ResponseWriter, s *s3Req) error {
	data, err := readS3Document(s.r, 64<<10, false)
	if err != nil {
		return err
	}
	t, err := parseTagging(data, 10)
	if err != nil {
		return err
	}
	tags := map[string]string{}
	for _, tag := range t.Tags {
		tags[tag.Key] = tag.Value
	}
	if err := h.Buckets.PutObjectTagging(s.r.Context(), s.bucket, s.key, tags); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

func (h *Handler) s3DeleteObjectTagging(w http.ResponseWriter, s *s3Req) error {
	if err := h.Buckets.DeleteObjectTagging(s.r.Context(), s.bucket, s.key); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
