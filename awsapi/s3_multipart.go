package awsapi

import (
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"

	"github.com/eddyserverless/eddy/buckets"
)

func (h *Handler) s3CreateUpload(w http.ResponseWriter, s *s3Req) error {
	r := s.r
	in := &buckets.Upload{
		Bucket: s.bucket, Key: s.key, Headers: requestHeaders(r), Tagging: r.Header.Get("x-amz-tagging"),
		ChecksumAlgorithm: strings.ToUpper(r.Header.Get("x-amz-checksum-algorithm")),
		ChecksumType:      strings.ToUpper(r.Header.Get("x-amz-checksum-type")),
	}
	if in.ChecksumAlgorithm != "" && buckets.NewHash(in.ChecksumAlgorithm) == nil {
		return s3Errorf("InvalidRequest", "Value for x-amz-checksum-algorithm header is invalid.")
	}
	switch in.ChecksumType {
	case "", "COMPOSITE", "FULL_OBJECT":
	default:
		return s3Errorf("InvalidRequest", "Value for x-amz-checksum-type header is invalid.")
	}
	if err := validStorageClass(in.StorageClass); err != nil {
		return err
	}
	up, err := h.Buckets.CreateMultipartUpload(r.Context(), in)
	if err != nil {
		return err
	}
	w.Header().Set("x-amz-server-side-encryption", "AES256")
	if up.ChecksumAlgorithm != "" {
		w.Header().Set("x-amz-checksum-algorithm", up.ChecksumAlgorithm)
		if up.ChecksumType != "" {
			w.Header().Set("x-amz-checksum-type", up.ChecksumType)
		}
	}
	return writeS3XML(w, http.StatusOK, struct {
		XMLName  xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ InitiateMultipartUploadResult"`
		Bucket   string
		Key      string
		UploadID string `xml:"UploadId"`
	}{Bucket: s.bucket, Key: s.key, UploadID: up.UploadID})
}

// partNumber parses partNumber and uploadId, which UploadPart needs both of.
func partNumber(s *s3Req) (int, string, error) {
	id := s.q.Get("uploadId")
	if id == "" {
		return 0, "", s3Errorf("InvalidArgument", "This operation requires both partNumber and uploadId")
	}
	n, err := strconv.Atoi(s.q.Get("partNumber"))
	if err != nil || n < 1 || n > 10000 {
		return 0, "", s3Errorf("InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive")
	}
	return n, id, nil
}

func (h *Handler) s3UploadPart(w http.ResponseWriter, s *s3Req) error {
	n, id, err := partNumber(s)
	if err != nil {
		return err
	}
	in, err := putInput(s)
	if err != nil {
		return err
	}
	p, err := h.Buckets.UploadPart(s.r.Context(), id, n, in)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", p.ETag)
	w.Header().Set("x-amz-server-side-encryption", "AES256")
	if p.Checksum != nil && p.Checksum.Algorithm != "" {
		w.Header().Set(buckets.ChecksumHeader(p.Checksum.Algorithm), p.Checksum.Value)
	}
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
	return nil
}

func (h *Handler) s3UploadPartCopy(w http.ResponseWriter, s *s3Req) error {
	n, id, err := partNumber(s)
	if err != nil {
		return err
	}
	in, err := copyInput(s)
	if err != nil {
		return err
	}
	p, err := h.Buckets.UploadPartCopy(s.r.Context(), id, n, in)
	if err != nil {
		return err
	}
	w.Header().Set("x-amz-server-side-encryption", "AES256")
	return writeS3XML(w, http.StatusOK, struct {
		XMLName      xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ CopyPartResult"`
		ETag         string
		LastModified string
		xmlChecksums
	}{ETag: p.ETag, LastModified: s3Time(p.LastModified), xmlChecksums: checksumsOf(p.Checksum, false)})
}

// s3CompleteRequest is CompleteMultipartUpload's document.
type s3CompleteRequest struct {
	XMLName xml.Name `xml:"CompleteMultipartUpload"`
	Parts   []struct {
		PartNumber int
		ETag       string
		xmlChecksums
	} `xml:"Part"`
}

// parseCompleteRequest parses and checks CompleteMultipartUpload's
// document into the parts the service takes.
func parseCompleteRequest(data []byte) ([]buckets.CompletePart, error) {
	var req s3CompleteRequest
	if err := decodeS3XML(data, &req); err != nil {
		return nil, err
	}
	if len(req.Parts) == 0 || len(req.Parts) > 10000 {
		return nil, s3Errorf("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
	}
	parts := make([]buckets.CompletePart, 0, len(req.Parts))
	for _, p := range req.Parts {
		if p.PartNumber < 1 || p.PartNumber > 10000 {
			return nil, s3Errorf("InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive")
		}
		c := p.ChecksumCRC32 + p.ChecksumCRC32C + p.ChecksumCRC64NVME + p.ChecksumSHA1 + p.ChecksumSHA256
		parts = append(parts, buckets.CompletePart{Number: p.PartNumber, ETag: p.ETag, Checksum: c})
	}
	return parts, nil
}

func (h *Handler) s3CompleteUpload(w http.ResponseWriter, s *s3Req) error {
	data, err := readS3Document(s.r, 4<<20, false)
	if err != nil {
		return err
	}
	parts, err := parseCompleteRequest(data)
	if err != nil {
		return err
	}
	in := &buckets.CompleteInput{
		Bucket: s.bucket, Key: s.key, UploadID: s.q.Get("uploadId"), Parts: parts,
		IfMatch: s.r.Header.Get("If-Match"), IfNoneMatch: s.r.Header.Get("If-None-Match"),
	}
	for _, alg := range buckets.Algorithms {
		if v := s.r.Header.Get(buckets.ChecksumHeader(alg)); v != "" {
			in.Checksum = v
		}
	}
	obj, err := h.Buckets.CompleteMultipartUpload(s.r.Context(), in)
	if err != nil {
		return err
	}
	w.Header().Set("x-amz-server-side-encryption", "AES256")
	return writeS3XML(w, http.StatusOK, struct {
		XMLName  xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ CompleteMultipartUploadResult"`
		Location string
		Bucket   string
		Key      string
		ETag     string
		xmlChecksums
	}{Location: s3Scheme(s.r) + "://" + s.r.Host + "/" + s.bucket + "/" + s3URLEncode(s.key), Bucket: s.bucket, Key: s.key,
		ETag: obj.ETag, xmlChecksums: checksumsOf(obj.Checksum, true)})
}

func s3Scheme(r *http.Request) string {
	if r.TLS != nil {
		return "https"
	}
	return "http"
}

func (h *Handler) s3AbortUpload(w http.ResponseWriter, s *s3Req) error {
	if err := h.Buckets.AbortMultipartUpload(s.r.Context(), s.bucket, s.key, s.q.Get("uploadId")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type s3PartEntry struct {
	PartNumber   int
	LastModified string
	ETag         string
	Size         int64
	xmlChecksums
}

func (h *Handler) s3ListParts(w http.ResponseWriter, s *s3Req) error {
	in := &buckets.ListPartsInput{Bucket: s.bucket, Key: s.key, UploadID: s.q.Get("uploadId"), MaxParts: 1000}
	if v := s.q.Get("part-number-marker"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return s3Errorf("InvalidArgument", "Provided part-number-marker not an integer or within integer range")
		}
		in.Marker = n
	}
	max, err := maxKeys(s, "max-parts")
	if err != nil {
		return err
	}
	in.MaxParts = max
	out, err := h.Buckets.ListParts(s.r.Context(), in)
	if err != nil {
		return err
	}
	res := struct {
		XMLName              xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListPartsResult"`
		Bucket               string
		Key                  string
		UploadID             string `xml:"UploadId"`
		PartNumberMarker     int
		NextPartNumberMarker int
		MaxParts             int
		IsTruncated          bool
		Parts                []s3PartEntry `xml:"Part"`
		Initiator            *s3Owner
		Owner                *s3Owner
		StorageClass         string
		ChecksumAlgorithm    string `xml:",omitempty"`
		ChecksumType         string `xml:",omitempty"`
	}{
		Bucket: s.bucket, Key: s.key, UploadID: in.UploadID, PartNumberMarker: in.Marker, NextPartNumberMarker: out.Next,
		MaxParts: max, IsTruncated: out.Truncated, Initiator: h.owner(), Owner: h.owner(),
		StorageClass: storageClass(out.Upload.StorageClass), ChecksumAlgorithm: out.Upload.ChecksumAlgorithm, ChecksumType: out.Upload.ChecksumType,
	}
	for _, p := range out.Parts {
		res.Parts = append(res.Parts, s3PartEntry{PartNumber: p.Number, LastModified: s3Time(p.LastModified), ETag: p.ETag, Size: p.Size, xmlChecksums: checksumsOf(p.Checksum, false)})
	}
	return writeS3XML(w, http.StatusOK, res)
}

func storageClass(sc string) string {
	if sc == "" {
		return "STANDARD"
	}
	return sc
}

func (h *Handler) s3ListUploads(w http.ResponseWriter, s *s3Req) error {
	enc, err := encodingType(s)
	if err != nil {
		return err
	}
	max, err := maxKeys(s, "max-uploads")
	if err != nil {
		return err
	}
	in := &buckets.ListUploadsInput{
		Bucket: s.bucket, Prefix: s.q.Get("prefix"), Delimiter: s.q.Get("delimiter"),
		KeyMarker: s.q.Get("key-marker"), UploadIDMarker: s.q.Get("upload-id-marker"), MaxUploads: max,
	}
	out, err := h.Buckets.ListMultipartUploads(s.r.Context(), in)
	if err != nil {
		return err
	}
	type upload struct {
		Key               string
		UploadID          string `xml:"UploadId"`
		Initiator         *s3Owner
		Owner             *s3Owner
		StorageClass      string
		Initiated         string
		ChecksumAlgorithm string `xml:",omitempty"`
		ChecksumType      string `xml:",omitempty"`
	}
	res := struct {
		XMLName            xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListMultipartUploadsResult"`
		Bucket             string
		KeyMarker          string
		UploadIDMarker     string `xml:"UploadIdMarker"`
		NextKeyMarker      string
		NextUploadIDMarker string `xml:"NextUploadIdMarker"`
		Prefix             string
		Delimiter          string `xml:",omitempty"`
		MaxUploads         int
		EncodingType       string `xml:",omitempty"`
		IsTruncated        bool
		Uploads            []upload `xml:"Upload"`
		CommonPrefixes     []s3Prefix
	}{
		Bucket: s.bucket, KeyMarker: enc(in.KeyMarker), UploadIDMarker: in.UploadIDMarker,
		NextKeyMarker: enc(out.NextKeyMarker), NextUploadIDMarker: out.NextUploadIDMarker,
		Prefix: enc(in.Prefix), Delimiter: enc(in.Delimiter), MaxUploads: max, EncodingType: s.q.Get("encoding-type"),
		IsTruncated: out.Truncated, CommonPrefixes: prefixes(out.CommonPrefixes, enc),
	}
	for _, u := range out.Uploads {
		res.Uploads = append(res.Uploads, upload{
			Key: enc(u.Key), UploadID: u.UploadID, Initiator: h.owner(), Owner: h.owner(),
			StorageClass: storageClass(u.StorageClass), Initiated: s3Time(u.Initiated),
			ChecksumAlgorithm: u.ChecksumAlgorithm, ChecksumType: u.ChecksumType,
		})
	}
	return writeS3XML(w, http.StatusOK, res)
}
