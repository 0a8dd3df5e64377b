package awsapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/eddyserverless/eddy"
)

// S3's REST protocol. A request names its bucket in the host
// (virtual-hosted style: BUCKET.s3.<anything>, BUCKET.localhost,
// BUCKET.<one of Handler.S3Hosts>) or in the first path segment (path
// style), its key in the rest of the path, and its operation by method and
// sub-resource query flags (?uploads, ?tagging, ?list-type=2 …), as
// botocore's s3 2006-03-01 model lays out. Results and errors are XML in
// S3's namespace.

// s3Namespace is the namespace of S3's XML documents.
const s3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/"

// s3OwnerID is the canonical user id eddy's single account shows as owner.
const s3OwnerID = "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a"

// s3Req is a request decoded down to its bucket, key and query.
type s3Req struct {
	r      *http.Request
	bucket string
	key    string
	q      url.Values
}

// has reports whether the query carries a flag or parameter.
func (s *s3Req) has(name string) bool { _, ok := s.q[name]; return ok }

// serveS3 serves an S3 request.
func (h *Handler) serveS3(w http.ResponseWriter, r *http.Request) {
	id := requestID(r.Context())
	w.Header().Set("x-amz-request-id", id)
	w.Header().Set("x-amz-id-2", s3HostID(id))
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		// S3 is lenient with a stray '%' in a query; keep what parsed.
		q = tolerantQuery(r.URL.RawQuery)
	}
	s := &s3Req{r: r, q: q}
	s.bucket, s.key = h.s3Target(r)
	if h.Buckets == nil {
		h.writeS3Error(w, s, s3Errorf("NotImplemented", "eddy does not serve S3 here."))
		return
	}
	if err := checkPresigned(r, q, time.Now()); err != nil {
		h.writeS3Error(w, s, err)
		return
	}
	if s.bucket != "" {
		if r.Method == http.MethodOptions {
			h.serveS3Preflight(w, s)
			return
		}
		if r.Header.Get("Origin") != "" {
			h.applyCORS(w, s)
		}
	}
	var fn func(http.ResponseWriter, *s3Req) error
	switch {
	case s.bucket == "":
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			fn = h.s3ListBuckets
		}
	case s.key == "":
		fn = h.s3BucketOperation(s)
	default:
		fn = h.s3ObjectOperation(s)
	}
	if fn == nil {
		h.writeS3Error(w, s, s3Errorf("MethodNotAllowed", "The specified method is not allowed against this resource."))
		return
	}
	if err := fn(w, s); err != nil {
		h.writeS3Error(w, s, err)
	}
}

// tolerantQuery parses a query string, keeping undecodable parts as they are.
func tolerantQuery(raw string) url.Values {
	v := url.Values{}
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		k, val, _ := strings.Cut(pair, "=")
		if u, err := url.QueryUnescape(k); err == nil {
			k = u
		}
		if u, err := url.QueryUnescape(val); err == nil {
			val = u
		}
		v[k] = append(v[k], val)
	}
	return v
}

// s3HostID is the x-amz-id-2 of a request.
func s3HostID(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:16])
}

// s3Subresources are the bucket and object sub-resources S3 knows and
// eddy does not provide: a request naming one is NotImplemented. Other
// unknown query parameters (such as the SDKs' x-id) are ignored, as S3
// ignores them.
var s3Subresources = []string{
	"accelerate", "analytics", "attributes", "encryption", "intelligent-tiering",
	"inventory", "legal-hold", "lifecycle", "logging", "metrics", "metadataTable",
	"object-lock", "ownershipControls", "policyStatus", "publicAccessBlock",
	"replication", "requestPayment", "restore", "retention", "select", "torrent",
	"session", "renameObject", "metadataConfiguration",
}

func (s *s3Req) unimplemented() string {
	for _, name := range s3Subresources {
		if s.has(name) {
			return name
		}
	}
	return ""
}

func notImplemented(what string) error {
	return s3Errorf("NotImplemented", "A header or query you provided requested a function that is not implemented (%s).", what)
}

// s3BucketOperation picks the operation of a request on a bucket.
func (h *Handler) s3BucketOperation(s *s3Req) func(http.ResponseWriter, *s3Req) error {
	if s.r.Method == http.MethodGet && s.has("encryption") {
		return h.s3GetEncryption
	}
	if sub := s.unimplemented(); sub != "" {
		return func(http.ResponseWriter, *s3Req) error { return notImplemented("?" + sub) }
	}
	switch s.r.Method {
	case http.MethodGet:
		for _, c := range []string{"policy", "cors", "website", "notification", "tagging"} {
			if s.has(c) {
				return h.s3GetConfig(c)
			}
		}
		switch {
		case s.has("location"):
			return h.s3GetBucketLocation
		case s.has("versioning"):
			return h.s3GetBucketVersioning
		case s.has("acl"):
			return h.s3GetACL
		case s.has("uploads"):
			return h.s3ListUploads
		case s.has("versions"):
			return h.s3ListObjectVersions
		case s.q.Get("list-type") == "2":
			return h.s3ListObjectsV2
		}
		return h.s3ListObjectsV1
	case http.MethodHead:
		return h.s3HeadBucket
	case http.MethodPut:
		for _, c := range []string{"policy", "cors", "website", "notification", "tagging"} {
			if s.has(c) {
				return h.s3PutConfig(c)
			}
		}
		switch {
		case s.has("acl"):
			return h.s3PutACL
		case s.has("versioning"):
			return func(http.ResponseWriter, *s3Req) error { return notImplemented("bucket versioning") }
		}
		return h.s3CreateBucket
	case http.MethodDelete:
		for _, c := range []string{"policy", "cors", "website", "tagging"} {
			if s.has(c) {
				return h.s3DeleteConfig(c)
			}
		}
		return h.s3DeleteBucket
	case http.MethodPost:
		if s.has("delete") {
			return h.s3DeleteObjects
		}
		return h.s3PostObject
	}
	return nil
}

// s3ObjectOperation picks the operation of a request on an object.
func (h *Handler) s3ObjectOperation(s *s3Req) func(http.ResponseWriter, *s3Req) error {
	if sub := s.unimplemented(); sub != "" {
		return func(http.ResponseWriter, *s3Req) error { return notImplemented("?" + sub) }
	}
	switch s.r.Method {
	case http.MethodGet:
		switch {
		case s.has("tagging"):
			return h.s3GetObjectTagging
		case s.has("uploadId"):
			return h.s3ListParts
		case s.has("acl"):
			return h.s3GetACL
		}
		return h.s3GetObject
	case http.MethodHead:
		return h.s3GetObject
	case http.MethodPut:
		switch {
		case s.has("tagging"):
			return h.s3PutObjectTagging
		case s.has("acl"):
			return h.s3PutACL
		case s.has("uploadId") || s.has("partNumber"):
			if s.r.Header.Get("x-amz-copy-source") != "" {
				return h.s3UploadPartCopy
			}
			return h.s3UploadPart
		case s.r.Header.Get("x-amz-copy-source") != "":
			return h.s3CopyObject
		}
		return h.s3PutObject
	case http.MethodDelete:
		switch {
		case s.has("tagging"):
			return h.s3DeleteObjectTagging
		case s.has("uploadId"):
			return h.s3AbortUpload
		}
		return h.s3DeleteObject
	case http.MethodPost:
		switch {
		case s.has("uploads"):
			return h.s3CreateUpload
		case s.has("uploadId"):
			return h.s3CompleteUpload
		}
	}
	return nil
}

// s3Target returns the bucket and key a request names.
func (h *Handler) s3Target(r *http.Request) (bucket, key string) {
	if b, website := bucketOfHost(r.Host, h.S3Hosts); b != "" && !website {
		return b, strings.TrimPrefix(r.URL.Path, "/")
	}
	p := strings.TrimPrefix(r.URL.Path, "/")
	bucket, key, _ = strings.Cut(p, "/")
	return bucket, key
}

// bucketOfHost returns the bucket a virtual-hosted-style host names, and
// whether the host is a website endpoint's (BUCKET.s3-website.…,
// BUCKET.s3-website-REGION.…). A bare localhost, an IP address, s3.… and
// any host not ending in .localhost, one of hosts, or naming s3 is not
// virtual-hosted: bucket is "".
func bucketOfHost(host string, hosts []string) (bucket string, website bool) {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "" || net.ParseIP(strings.Trim(host, "[]")) != nil {
		return "", false
	}
	labels := strings.Split(host, ".")
	if labels[0] == "s3" || isS3RegionLabel(labels[0]) {
		return "", false // s3.localhost, s3.REGION.amazonaws.com: path style
	}
	for i := 1; i < len(labels); i++ {
		l := labels[i]
		if l == "s3-website" || strings.HasPrefix(l, "s3-website-") || strings.HasPrefix(l, "s3-website.") {
			return strings.Join(labels[:i], "."), true
		}
	}
	for i := 1; i < len(labels)-1; i++ {
		if labels[i] == "s3" || isS3RegionLabel(labels[i]) {
			return strings.Join(labels[:i], "."), false
		}
	}
	for _, suffix := range append([]string{"localhost"}, hosts...) {
		suffix = strings.ToLower(strings.TrimSuffix(suffix, "."))
		if h, _, err := net.SplitHostPort(suffix); err == nil {
			suffix = h
		}
		if suffix != "" && strings.HasSuffix(host, "."+suffix) {
			return strings.TrimSuffix(host, "."+suffix), false
		}
	}
	return "", false
}

// isS3RegionLabel reports whether a host label is a legacy regional S3
// endpoint's, such as s3-us-west-2 or s3-external-1.
func isS3RegionLabel(l string) bool {
	return strings.HasPrefix(l, "s3-") && len(l) > 4 && l[len(l)-1] >= '0' && l[len(l)-1] <= '9' && strings.Count(l, "-") >= 2
}

// checkPresigned rejects an expired presigned URL as S3 does.
func checkPresigned(r *http.Request, q url.Values, now time.Time) error {
	if r.Header.Get("Authorization") != "" {
		return nil
	}
	if q.Get("AWSAccessKeyId") != "" && q.Get("Signature") != "" {
		// SigV2 query authentication: Expires is a Unix time.
		exp, err := strconv.ParseInt(q.Get("Expires"), 10, 64)
		if err == nil && now.Unix() > exp {
			return s3Errorf("AccessDenied", "Request has expired")
		}
		return nil
	}
	if q.Get("X-Amz-Algorithm") == "" {
		return nil
	}
	date, exp := q.Get("X-Amz-Date"), q.Get("X-Amz-Expires")
	if date == "" || exp == "" {
		return nil
	}
	t, err := time.Parse("20060102T150405Z", date)
	if err != nil {
		return s3Errorf("AuthorizationQueryParametersError", "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
	}
	secs, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || secs < 0 {
		return s3Errorf("AuthorizationQueryParametersError", "X-Amz-Expires should be a number")
	}
	if secs > 604800 {
		return s3Errorf("AuthorizationQueryParametersError", "X-Amz-Expires must be less than a week (in seconds) that is 604800")
	}
	if now.After(t.Add(time.Duration(secs) * time.Second)) {
		return s3Errorf("AccessDenied", "Request has expired")
	}
	return nil
}

// s3Errorf returns an error of S3 code typ.
func s3Errorf(typ, format string, args ...any) error {
	code := eddy.EINVALID
	switch s3Status(typ) {
	case 404:
		code = eddy.ENOTFOUND
	case 409:
		code = eddy.ECONFLICT
	case 412:
		code = eddy.EPRECOND
	case 501:
		code = eddy.EUNSUPPORT
	case 500:
		code = eddy.EINTERNAL
	}
	return eddy.TypedErrorf(code, typ, format, args...)
}

// s3Statuses is the HTTP status of each S3 error code eddy returns.
var s3Statuses = map[string]int{
	"AccessDenied":                       403,
	"AuthorizationQueryParametersError":  400,
	"BadDigest":                          400,
	"BucketAlreadyExists":                409,
	"BucketAlreadyOwnedByYou":            409,
	"BucketNotEmpty":                     409,
	"CORSResponse":                       403,
	"EntityTooLarge":                     400,
	"EntityTooSmall":                     400,
	"IllegalLocationConstraintException": 400,
	"IncompleteBody":                     400,
	"InternalError":                      500,
	"InvalidArgument":                    400,
	"InvalidBucketName":                  400,
	"InvalidBucketState":                 409,
	"InvalidDigest":                      400,
	"InvalidLocationConstraint":          400,
	"InvalidObjectState":                 403,
	"InvalidPart":                        400,
	"InvalidPartOrder":                   400,
	"InvalidRange":                       416,
	"InvalidRequest":                     400,
	"InvalidStorageClass":                400,
	"InvalidTag":                         400,
	"InvalidToken":                       400,
	"KeyTooLongError":                    400,
	"MalformedPolicy":                    400,
	"MalformedXML":                       400,
	"MaxMessageLengthExceeded":           400,
	"MetadataTooLarge":                   400,
	"MethodNotAllowed":                   405,
	"MissingContentLength":               411,
	"MissingRequestBodyError":            400,
	"NoSuchBucket":                       404,
	"NoSuchBucketPolicy":                 404,
	"NoSuchCORSConfiguration":            404,
	"NoSuchKey":                          404,
	"NoSuchTagSet":                       404,
	"NoSuchUpload":                       404,
	"NoSuchWebsiteConfiguration":         404,
	"NoSuchLifecycleConfiguration":       404,
	"NotImplemented":                     501,
	"NotModified":                        304,
	"OperationAborted":                   409,
	"PreconditionFailed":                 412,
	"ConditionalRequestConflict":         409,
	"RequestTimeout":                     400,
	"ServiceUnavailable":                 503,
	"SlowDown":                           503,
	"TooManyBuckets":                     400,
	"XAmzContentSHA256Mismatch":          400,
	"InvalidChunkSizeError":              400,
	"UnexpectedContent":                  400,
	"UnresolvableGrantByEmailAddress":    400,
	"InvalidEncryptionAlgorithmError":    400,
	"AmbiguousGrantByEmailAddress":       400,
	"AccessControlListNotSupported":      400,
	"InvalidWriteOffset":                 400,
	"TooManyParts":                       400,
	"InvalidURI":                         400,
	"MissingSecurityHeader":              400,
	"NoSuchVersion":                      404,
	"ServerSideEncryptionConfigurationNotFoundError": 404,
}

// s3CodeStatus maps eddy's codes, for errors that name no S3 code.
var s3CodeStatus = map[string]errorClass{
	eddy.ENOTFOUND:  {404, "NoSuchKey"},
	eddy.ECONFLICT:  {409, "OperationAborted"},
	eddy.EINVALID:   {400, "InvalidArgument"},
	eddy.EMALFORMED: {400, "MalformedXML"},
	eddy.EVALIDATE:  {400, "InvalidArgument"},
	eddy.ETOOLARGE:  {400, "EntityTooLarge"},
	eddy.ETHROTTLED: {503, "SlowDown"},
	eddy.EUNSUPPORT: {501, "NotImplemented"},
	eddy.EPRECOND:   {412, "PreconditionFailed"},
	eddy.EUNAVAIL:   {503, "ServiceUnavailable"},
	eddy.EINTERNAL:  {500, "InternalError"},
}

func s3Status(code string) int {
	if s, ok := s3Statuses[code]; ok {
		return s
	}
	return 400
}

// s3ErrorOf returns the status, code and client message of err.
func s3ErrorOf(err error) (int, string, string) {
	e := eddy.AsError(err)
	if e == nil {
		return 500, "InternalError", "We encountered an internal error. Please try again."
	}
	if e.Type != "" {
		status, ok := s3Statuses[e.Type]
		if !ok {
			status = s3CodeStatus[e.Code].Status
			if status == 0 {
				status = 400
			}
		}
		return status, e.Type, e.Message
	}
	c, ok := s3CodeStatus[e.Code]
	if !ok {
		c = s3CodeStatus[eddy.EINTERNAL]
	}
	if c.Status == 500 {
		return 500, "InternalError", "We encountered an internal error. Please try again."
	}
	return c.Status, c.Type, e.Message
}

// writeS3Error renders err as S3 does: an <Error> document, or only the
// status for a HEAD request and for 304.
func (h *Handler) writeS3Error(w http.ResponseWriter, s *s3Req, err error) {
	status, code, msg := s3ErrorOf(err)
	h.logError(s.r, err, status)
	if status == http.StatusNotModified || s.r.Method == http.MethodHead {
		w.WriteHeader(status)
		return
	}
	body := s3ErrorBody{Code: code, Message: msg, RequestID: requestID(s.r.Context())}
	body.HostID = s3HostID(body.RequestID)
	switch code {
	case "NoSuchBucket", "BucketNotEmpty", "BucketAlreadyExists", "BucketAlreadyOwnedByYou",
		"NoSuchBucketPolicy", "NoSuchCORSConfiguration", "NoSuchWebsiteConfiguration", "NoSuchTagSet", "InvalidBucketName":
		body.BucketName = s.bucket
	case "NoSuchKey":
		body.Key = s.key
	case "NoSuchUpload":
		body.UploadID = s.q.Get("uploadId")
	case "MethodNotAllowed":
		body.Method = s.r.Method
		body.ResourceType = "OBJECT"
		if s.key == "" {
			body.ResourceType = "BUCKET"
		}
	}
	body.Resource = s.r.URL.Path
	if code == "InternalError" {
		body.Resource = ""
	}
	data, merr := xml.Marshal(body)
	if merr != nil {
		w.WriteHeader(status)
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(xmlHeader)+len(data)))
	w.WriteHeader(status)
	_, _ = w.Write([]byte(xmlHeader))
	_, _ = w.Write(data)
}

// s3ErrorBody is S3's <Error> document.
type s3ErrorBody struct {
	XMLName      xml.Name `xml:"Error"`
	Code         string
	Message      string
	BucketName   string `xml:",omitempty"`
	Key          string `xml:",omitempty"`
	UploadID     string `xml:"UploadId,omitempty"`
	Method       string `xml:",omitempty"`
	ResourceType string `xml:",omitempty"`
	Resource     string `xml:",omitempty"`
	RequestID    string `xml:"RequestId"`
	HostID       string `xml:"HostId"`
}

const xmlHeader = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"

// writeS3XML renders a result document.
func writeS3XML(w http.ResponseWriter, status int, v any) error {
	data, err := xml.Marshal(v)
	if err != nil {
		return eddy.Errorf(eddy.EINTERNAL, "rendering %T: %v", v, err)
	}
	// S3 writes the quotes of ETags as &quot;; encoding/xml as &#34;.
	data = bytes.ReplaceAll(data, []byte("&#34;"), []byte("&quot;"))
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(xmlHeader)+len(data)))
	w.WriteHeader(status)
	_, _ = w.Write([]byte(xmlHeader))
	_, _ = w.Write(data)
	return nil
}

// s3Time formats a time as S3's XML documents do.
func s3Time(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// decodeS3XML parses a request document; any syntax or root-element
// problem is MalformedXML.
func decodeS3XML(data []byte, v any) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return s3Errorf("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
	}
	if err := xml.Unmarshal(data, v); err != nil {
		return s3Errorf("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
	}
	return nil
}

// isS3Error reports whether err is an S3 error of code typ.
func isS3Error(err error, typ string) bool {
	var e *eddy.Error
	return errors.As(err, &e) && e.Type == typ
}
