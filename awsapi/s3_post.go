package awsapi

import (
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/eddyserverless/eddy/buckets"
)

// s3PostObject serves a browser-based upload: a POST of a
// multipart/form-data form to the bucket whose fields (key, Content-Type,
// x-amz-meta-*, success_action_status, success_action_redirect, policy …)
// precede the file, which is streamed into the bucket. The policy's
// signature is not verified (eddy verifies no signature); its expiration
// is.
func (h *Handler) s3PostObject(w http.ResponseWriter, s *s3Req) error {
	mt, _, _ := mime.ParseMediaType(s.r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		return s3Errorf("PreconditionFailed", "Bucket POST must be of the enclosure-type multipart/form-data")
	}
	mr, err := s.r.MultipartReader()
	if err != nil {
		return s3Errorf("MalformedPOSTRequest", "The body of your POST request is not well-formed multipart/form-data.")
	}
	fields := map[string]string{}
	total := 0
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return s3Errorf("InvalidArgument", "POST requires exactly one file upload per request.")
		}
		if err != nil {
			return s3Errorf("MalformedPOSTRequest", "The body of your POST request is not well-formed multipart/form-data.")
		}
		name := strings.ToLower(part.FormName())
		if name != "file" {
			v, err := io.ReadAll(io.LimitReader(part, 64<<10))
			total += len(v)
			if err != nil || total > 1<<20 {
				return s3Errorf("MaxPostPreDataLengthExceeded", "Your POST request fields preceding the upload file were too large.")
			}
			fields[name] = string(v)
			continue
		}
		return h.s3PostFile(w, s, fields, part.FileName(), part)
	}
}

func (h *Handler) s3PostFile(w http.ResponseWriter, s *s3Req, fields map[string]string, filename string, file io.Reader) error {
	key, ok := fields["key"]
	if !ok || key == "" {
		return s3Errorf("InvalidArgument", "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.")
	}
	key = strings.ReplaceAll(key, "${filename}", filename)
	if p := fields["policy"]; p != "" {
		if err := checkPostPolicy(p, time.Now()); err != nil {
			return err
		}
	}
	hd := buckets.Headers{
		ContentType: fields["content-type"], ContentEncoding: fields["content-encoding"],
		ContentDisposition: fields["content-disposition"], ContentLanguage: fields["content-language"],
		CacheControl: fields["cache-control"], Expires: fields["expires"],
		WebsiteRedirect: fields["x-amz-website-redirect-location"], StorageClass: fields["x-amz-storage-class"],
	}
	if hd.ContentType == "" {
		hd.ContentType = "binary/octet-stream"
	}
	for k, v := range fields {
		if strings.HasPrefix(k, "x-amz-meta-") && len(k) > len("x-amz-meta-") {
			if hd.Metadata == nil {
				hd.Metadata = map[string]string{}
			}
			hd.Metadata[strings.TrimPrefix(k, "x-amz-meta-")] = v
		}
	}
	if err := validStorageClass(hd.StorageClass); err != nil {
		return err
	}
	in := &buckets.PutObjectInput{Bucket: s.bucket, Key: key, Body: clientReader{file}, Size: -1, Headers: hd, Event: "Post"}
	for _, alg := range buckets.Algorithms {
		if v := fields[buckets.ChecksumHeader(alg)]; v != "" {
			in.ChecksumAlgorithm, in.Checksum = alg, func() string { return v }
		}
	}
	obj, err := h.Buckets.PutObject(s.r.Context(), in)
	if err != nil {
		return err
	}
	location := s3Scheme(s.r) + "://" + s.r.Host + "/" + s.bucket + "/" + s3URLEncode(key)
	w.Header().Set("ETag", obj.ETag)
	w.Header().Set("Location", location)
	w.Header().Set("x-amz-server-side-encryption", "AES256")
	if target := fields["success_action_redirect"]; target != "" {
		if u, err := url.Parse(target); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
			q := u.Query()
			q.Set("bucket", s.bucket)
			q.Set("key", key)
			q.Set("etag", obj.ETag)
			u.RawQuery = q.Encode()
			w.Header().Set("Location", u.String())
			w.WriteHeader(http.StatusSeeOther)
			return nil
		}
	}
	switch fields["success_action_status"] {
	case "200":
		w.WriteHeader(http.StatusOK)
	case "201":
		return writeS3XML(w, http.StatusCreated, struct {
			XMLName  xml.Name `xml:"PostResponse"`
			Location string
			Bucket   string
			Key      string
			ETag     string
		}{Location: location, Bucket: s.bucket, Key: key, ETag: obj.ETag})
	default:
		w.WriteHeader(http.StatusNoContent)
	}
	return nil
}

// checkPostPolicy checks that a POST policy (base64 JSON) has not expired.
func checkPostPolicy(p string, now time.Time) error {
	data, err := base64.StdEncoding.DecodeString(p)
	var doc struct {
		Expiration string `json:"expiration"`
	}
	if err != nil || json.Unmarshal(data, &doc) != nil {
		return s3Errorf("InvalidPolicyDocument", "Invalid Policy: Invalid JSON.")
	}
	if doc.Expiration == "" {
		return nil
	}
	exp, err := time.Parse(time.RFC3339, doc.Expiration)
	if err != nil {
		return s3Errorf("InvalidPolicyDocument", "Invalid Policy: Invalid 'expiration' value: '%s'", doc.Expiration)
	}
	if now.After(exp) {
		return s3Errorf("AccessDenied", "Invalid according to Policy: Policy expired.")
	}
	return nil
}
