package awsapi

import (
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/eddyserverless/eddy/buckets"
)

// s3Owner is an Owner or Initiator element.
type s3Owner struct {
	ID          string
	DisplayName string `xml:",omitempty"`
}

func (h *Handler) owner() *s3Owner { return &s3Owner{ID: s3OwnerID, DisplayName: "eddy"} }

type s3BucketEntry struct {
	Name         string
	CreationDate string
	BucketRegion string `xml:",omitempty"`
}

func (h *Handler) s3ListBuckets(w http.ResponseWriter, s *s3Req) error {
	all, err := h.Buckets.ListBuckets(s.r.Context())
	if err != nil {
		return err
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	prefix, region := s.q.Get("prefix"), s.q.Get("bucket-region")
	max := 0
	if v := s.q.Get("max-buckets"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			return s3Errorf("InvalidArgument", "Argument max-buckets must be an integer between 1 and 10000.")
		}
		max = n
	}
	after := ""
	if tok := s.q.Get("continuation-token"); tok != "" {
		b, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil {
			return s3Errorf("InvalidArgument", "The continuation token provided is incorrect")
		}
		after = string(b)
	}
	out := struct {
		XMLName           xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListAllMyBucketsResult"`
		Owner             *s3Owner
		Buckets           []s3BucketEntry `xml:"Buckets>Bucket"`
		ContinuationToken string          `xml:",omitempty"`
		Prefix            string          `xml:",omitempty"`
	}{Owner: h.owner(), Prefix: prefix}
	for _, b := range all {
		if !strings.HasPrefix(b.Name, prefix) || (region != "" && b.Region != region) || (after != "" && b.Name <= after) {
			continue
		}
		if max > 0 && len(out.Buckets) == max {
			out.ContinuationToken = base64.RawURLEncoding.EncodeToString([]byte(out.Buckets[max-1].Name))
			break
		}
		out.Buckets = append(out.Buckets, s3BucketEntry{Name: b.Name, CreationDate: s3Time(b.Created), BucketRegion: b.Region})
	}
	if s.r.Method == http.MethodHead {
		w.WriteHeader(http.StatusOK)
		return nil
	}
	return writeS3XML(w, http.StatusOK, out)
}

func (h *Handler) s3CreateBucket(w http.ResponseWriter, s *s3Req) error {
	data, err := readS3Document(s.r, 64<<10, false)
	if err != nil {
		return err
	}
	region := h.regionOf(s.r)
	if len(strings.TrimSpace(string(data))) > 0 {
		var cfg struct {
			XMLName            xml.Name `xml:"CreateBucketConfiguration"`
			LocationConstraint string
		}
		if err := decodeS3XML(data, &cfg); err != nil {
			return err
		}
		switch cfg.LocationConstraint {
		case "":
		case "EU":
			region = "eu-west-1"
		case "us-east-1":
			return s3Errorf("InvalidLocationConstraint", "The specified location-constraint is not valid")
		default:
			region = cfg.LocationConstraint
		}
	}
	if err := h.Buckets.CreateBucket(s.r.Context(), s.bucket, region); err != nil {
		return err
	}
	w.Header().Set("Location", "/"+s.bucket)
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
	return nil
}

func (h *Handler) s3HeadBucket(w http.ResponseWriter, s *s3Req) error {
	b, err := h.Buckets.HeadBucket(s.r.Context(), s.bucket)
	if err != nil {
		return err
	}
	w.Header().Set("x-amz-bucket-region", b.Region)
	w.Header().Set("x-amz-access-point-alias", "false")
	w.WriteHeader(http.StatusOK)
	return nil
}

func (h *Handler) s3DeleteBucket(w http.ResponseWriter, s *s3Req) error {
	if err := h.Buckets.DeleteBucket(s.r.Context(), s.bucket); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) s3GetBucketLocation(w http.ResponseWriter, s *s3Req) error {
	b, err := h.Buckets.HeadBucket(s.r.Context(), s.bucket)
	if err != nil {
		return err
	}
	region := b.Region
	if region == "us-east-1" {
		region = ""
	}
	return writeS3XML(w, http.StatusOK, struct {
		XMLName xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ LocationConstraint"`
		Region  string   `xml:",chardata"`
	}{Region: region})
}

func (h *Handler) s3GetBucketVersioning(w http.ResponseWriter, s *s3Req) error {
	if _, err := h.Buckets.HeadBucket(s.r.Context(), s.bucket); err != nil {
		return err
	}
	return writeS3XML(w, http.StatusOK, struct {
		XMLName xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ VersioningConfiguration"`
	}{})
}

// s3GetEncryption returns the default encryption every bucket has, as S3
// has encrypted new objects with SSE-S3 by default since 2023.
func (h *Handler) s3GetEncryption(w http.ResponseWriter, s *s3Req) error {
	if _, err := h.Buckets.HeadBucket(s.r.Context(), s.bucket); err != nil {
		return err
	}
	type rule struct {
		SSEAlgorithm     string `xml:"ApplyServerSideEncryptionByDefault>SSEAlgorithm"`
		BucketKeyEnabled bool
	}
	return writeS3XML(w, http.StatusOK, struct {
		XMLName xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ServerSideEncryptionConfiguration"`
		Rule    rule
	}{Rule: rule{SSEAlgorithm: "AES256"}})
}

// s3GetACL returns the one ACL eddy has: the owner's FULL_CONTROL.
func (h *Handler) s3GetACL(w http.ResponseWriter, s *s3Req) error {
	if err := h.exists(s); err != nil {
		return err
	}
	type grantee struct {
		XMLNSXSI    string `xml:"xmlns:xsi,attr"`
		Type        string `xml:"xsi:type,attr"`
		ID          string
		DisplayName string
	}
	type grant struct {
		Grantee    grantee
		Permission string
	}
	return writeS3XML(w, http.StatusOK, struct {
		XMLName xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ AccessControlPolicy"`
		Owner   *s3Owner
		Grants  []grant `xml:"AccessControlList>Grant"`
	}{Owner: h.owner(), Grants: []grant{{
		Grantee:    grantee{XMLNSXSI: "http://www.w3.org/2001/XMLSchema-instance", Type: "CanonicalUser", ID: s3OwnerID, DisplayName: "eddy"},
		Permission: "FULL_CONTROL",
	}}})
}

// s3PutACL accepts an ACL and keeps none: eddy has one account.
func (h *Handler) s3PutACL(w http.ResponseWriter, s *s3Req) error {
	if err := h.exists(s); err != nil {
		return err
	}
	if _, err := readS3Document(s.r, 64<<10, false); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// exists checks that the bucket, or the object, of a request exists.
func (h *Handler) exists(s *s3Req) error {
	if s.key == "" {
		_, err := h.Buckets.HeadBucket(s.r.Context(), s.bucket)
		return err
	}
	_, err := h.Buckets.GetObject(s.r.Context(), &buckets.GetObjectInput{Bucket: s.bucket, Key: s.key, Head: true})
	return err
}

// s3Contents is one object of a listing.
type s3Contents struct {
	Key               string
	LastModified      string
	ETag              string
	ChecksumAlgorithm string `xml:",omitempty"`
	ChecksumType      string `xml:",omitempty"`
	Size              int64
	Owner             *s3Owner `xml:",omitempty"`
	StorageClass      string
}

type s3Prefix struct {
	Prefix string
}

// listKeys parses max-keys.
func maxKeys(s *s3Req, name string) (int, error) {
	v := s.q.Get(name)
	if v == "" {
		return 1000, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, s3Errorf("InvalidArgument", "Provided %s not an integer or within integer range", name)
	}
	if n > 1000 {
		n = 1000
	}
	return n, nil
}

// encodingType returns the listing's encoder: S3's URL encoding when
// encoding-type=url, the identity otherwise.
func encodingType(s *s3Req) (func(string) string, error) {
	switch et := s.q.Get("encoding-type"); et {
	case "":
		return func(v string) string { return v }, nil
	case "url":
		return s3URLEncode, nil
	default:
		return nil, s3Errorf("InvalidArgument", "Invalid Encoding Method specified in Request")
	}
}

// s3URLEncode encodes a key as S3's encoding-type=url does: everything
// but unreserved characters and '/' is percent-encoded (a space as %20,
// which both url-decoding and form-decoding clients read back as a space).
func s3URLEncode(v string) string {
	const hexd = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '-', c == '_', c == '.', c == '~', c == '/':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hexd[c>>4])
			b.WriteByte(hexd[c&15])
		}
	}
	return b.String()
}

func (h *Handler) contents(objs []buckets.Object, enc func(string) string, owner bool) []s3Contents {
	out := make([]s3Contents, 0, len(objs))
	for _, o := range objs {
		c := s3Contents{Key: enc(o.Key), LastModified: s3Time(o.LastModified), ETag: o.ETag, Size: o.Size, StorageClass: o.StorageClass}
		if c.StorageClass == "" {
			c.StorageClass = "STANDARD"
		}
		if o.Checksum != nil {
			c.ChecksumAlgorithm, c.ChecksumType = o.Checksum.Algorithm, o.Checksum.Type
		}
		if owner {
			c.Owner = h.owner()
		}
		out = append(out, c)
	}
	return out
}

func prefixes(ps []string, enc func(string) string) []s3Prefix {
	out := make([]s3Prefix, 0, len(ps))
	for _, p := range ps {
		out = append(out, s3Prefix{enc(p)})
	}
	return out
}

func (h *Handler) s3ListObjectsV2(w http.ResponseWriter, s *s3Req) error {
	enc, err := encodingType(s)
	if err != nil {
		return err
	}
	max, err := maxKeys(s, "max-keys")
	if err != nil {
		return err
	}
	in := &buckets.ListInput{Bucket: s.bucket, Prefix: s.q.Get("prefix"), Delimiter: s.q.Get("delimiter"), MaxKeys: max, After: s.q.Get("start-after")}
	token := s.q.Get("continuation-token")
	if s.has("continuation-token") {
		b, err := base64.RawURLEncoding.DecodeString(token)
		if err != nil || token == "" {
			return s3Errorf("InvalidArgument", "The continuation token provided is incorrect")
		}
		in.After = string(b)
	}
	out, err := h.Buckets.ListObjects(s.r.Context(), in)
	if err != nil {
		return err
	}
	res := struct {
		XMLName               xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListBucketResult"`
		Name                  string
		Prefix                string
		ContinuationToken     string `xml:",omitempty"`
		NextContinuationToken string `xml:",omitempty"`
		StartAfter            string `xml:",omitempty"`
		KeyCount              int
		MaxKeys               int
		Delimiter             string `xml:",omitempty"`
		EncodingType          string `xml:",omitempty"`
		IsTruncated           bool
		Contents              []s3Contents
		CommonPrefixes        []s3Prefix
	}{
		Name: s.bucket, Prefix: enc(in.Prefix), ContinuationToken: token, StartAfter: enc(s.q.Get("start-after")),
		KeyCount: len(out.Objects) + len(out.CommonPrefixes), MaxKeys: max, Delimiter: enc(in.Delimiter),
		EncodingType: s.q.Get("encoding-type"), IsTruncated: out.Truncated,
		Contents:       h.contents(out.Objects, enc, s.q.Get("fetch-owner") == "true"),
		CommonPrefixes: prefixes(out.CommonPrefixes, enc),
	}
	if out.Truncated && out.Next != "" {
		res.NextContinuationToken = base64.RawURLEncoding.EncodeToString([]byte(out.Next))
	}
	return writeS3XML(w, http.StatusOK, res)
}

func (h *Handler) s3ListObjectsV1(w http.ResponseWriter, s *s3Req) error {
	enc, err := encodingType(s)
	if err != nil {
		return err
	}
	max, err := maxKeys(s, "max-keys")
	if err != nil {
		return err
	}
	in := &buckets.ListInput{Bucket: s.bucket, Prefix: s.q.Get("prefix"), Delimiter: s.q.Get("delimiter"), MaxKeys: max, After: s.q.Get("marker")}
	out, err := h.Buckets.ListObjects(s.r.Context(), in)
	if err != nil {
		return err
	}
	res := struct {
		XMLName        xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListBucketResult"`
		Name           string
		Prefix         string
		Marker         string
		NextMarker     string `xml:",omitempty"`
		MaxKeys        int
		Delimiter      string `xml:",omitempty"`
		EncodingType   string `xml:",omitempty"`
		IsTruncated    bool
		Contents       []s3Contents
		CommonPrefixes []s3Prefix
	}{
		Name: s.bucket, Prefix: enc(in.Prefix), Marker: enc(in.After), MaxKeys: max, Delimiter: enc(in.Delimiter),
		EncodingType: s.q.Get("encoding-type"), IsTruncated: out.Truncated,
		Contents:       h.contents(out.Objects, enc, true),
		CommonPrefixes: prefixes(out.CommonPrefixes, enc),
	}
	// S3 returns NextMarker only when a delimiter was given; without one
	// the client continues from the last key.
	if out.Truncated && in.Delimiter != "" {
		res.NextMarker = enc(out.Next)
	}
	return writeS3XML(w, http.StatusOK, res)
}

// s3ListObjectVersions lists an unversioned bucket as S3 does: every object
// is its only version, with version id "null".
func (h *Handler) s3ListObjectVersions(w http.ResponseWriter, s *s3Req) error {
	enc, err := encodingType(s)
	if err != nil {
		return err
	}
	max, err := maxKeys(s, "max-keys")
	if err != nil {
		return err
	}
	in := &buckets.ListInput{Bucket: s.bucket, Prefix: s.q.Get("prefix"), Delimiter: s.q.Get("delimiter"), MaxKeys: max, After: s.q.Get("key-marker")}
	out, err := h.Buckets.ListObjects(s.r.Context(), in)
	if err != nil {
		return err
	}
	type version struct {
		Key               string
		VersionID         string `xml:"VersionId"`
		IsLatest          bool
		LastModified      string
		ETag              string
		ChecksumAlgorithm string `xml:",omitempty"`
		ChecksumType      string `xml:",omitempty"`
		Size              int64
		Owner             *s3Owner
		StorageClass      string
	}
	res := struct {
		XMLName             xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListVersionsResult"`
		Name                string
		Prefix              string
		KeyMarker           string
		VersionIDMarker     string `xml:"VersionIdMarker"`
		NextKeyMarker       string `xml:",omitempty"`
		NextVersionIDMarker string `xml:"NextVersionIdMarker,omitempty"`
		MaxKeys             int
		Delimiter           string `xml:",omitempty"`
		EncodingType        string `xml:",omitempty"`
		IsTruncated         bool
		Versions            []version `xml:"Version"`
		CommonPrefixes      []s3Prefix
	}{
		Name: s.bucket, Prefix: enc(in.Prefix), KeyMarker: enc(in.After), VersionIDMarker: s.q.Get("version-id-marker"),
		MaxKeys: max, Delimiter: enc(in.Delimiter), EncodingType: s.q.Get("encoding-type"), IsTruncated: out.Truncated,
		CommonPrefixes: prefixes(out.CommonPrefixes, enc),
	}
	if out.Truncated {
		res.NextKeyMarker, res.NextVersionIDMarker = enc(out.Next), "null"
	}
	for _, c := range h.contents(out.Objects, enc, true) {
		res.Versions = append(res.Versions, version{Key: c.Key, VersionID: "null", IsLatest: true, LastModified: c.LastModified, ETag: c.ETag,
			ChecksumAlgorithm: c.ChecksumAlgorithm, ChecksumType: c.ChecksumType, Size: c.Size, Owner: c.Owner, StorageClass: c.StorageClass})
	}
	return writeS3XML(w, http.StatusOK, res)
}
