package buckets

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"
)

// Multipart uploads live in the key-value bucket eddy_uploads: the upload
// under its id, each part under "<id>.<n>" with where its body is. Part
// bodies are bodies like any other; a completed object's record lists
// them, so completing copies no data.

const (
	minPartSize   = 5 << 20
	maxObjectSize = 5 << 40
	maxParts      = 10000
)

type partRec struct {
	Part
	Body bodyRef `json:"body"`
}

func partKey(id string, n int) string { return fmt.Sprintf("%s.%05d", id, n) }

// CreateMultipartUpload starts an upload.
func (s *Service) CreateMultipartUpload(ctx context.Context, in *Upload) (*Upload, error) {
	if _, err := s.bucket(ctx, in.Bucket); err != nil {
		return nil, err
	}
	if err := validKey(in.Key); err != nil {
		return nil, err
	}
	if _, err := ParseTagging(in.Tagging); err != nil {
		return nil, err
	}
	u := *in
	u.UploadID = nuid.Next()
	u.Initiated = s.now()
	u.ChecksumAlgorithm = strings.ToUpper(u.ChecksumAlgorithm)
	u.ChecksumType = strings.ToUpper(u.ChecksumType)
	if u.ChecksumAlgorithm != "" {
		if NewHash(u.ChecksumAlgorithm) == nil {
			return nil, invalidRequest("Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]")
		}
		switch {
		case u.ChecksumType == "" && u.ChecksumAlgorithm == CRC64NVME:
			u.ChecksumType = "FULL_OBJECT"
		case u.ChecksumType == "":
			u.ChecksumType = "COMPOSITE"
		case u.ChecksumType == "FULL_OBJECT" && (u.ChecksumAlgorithm == SHA1 || u.ChecksumAlgorithm == SHA256):
			return nil, invalidRequest("The %s checksum algorithm does not support the FULL_OBJECT checksum type.", u.ChecksumAlgorithm)
		case u.ChecksumType == "COMPOSITE" && u.ChecksumAlgorithm == CRC64NVME:
			return nil, invalidRequest("The CRC64NVME checksum algorithm does not support the COMPOSITE checksum type.")
		case u.ChecksumType != "FULL_OBJECT" && u.ChecksumType != "COMPOSITE":
			return nil, invalidRequest("Value for x-amz-checksum-type header is invalid.")
		}
	}
	data, _ := json.Marshal(&u)
	if _, err := s.uploads.Create(ctx, u.UploadID, data); err != nil {
		return nil, fmt.Errorf("buckets: create upload: %w", err)
	}
	return &u, nil
}

// upload returns an upload of bucket and key and its revision.
func (s *Service) upload(ctx context.Context, bucket, key, id string) (*Upload, uint64, error) {
	if id == "" || strings.ContainsAny(id, ".*> ") || len(id) > 64 {
		return nil, 0, noSuchUpload()
	}
	ent, err := s.uploads.Get(ctx, id)
	if errors.Is(err, jetstream.ErrKeyNotFound) || errors.Is(err, jetstream.ErrInvalidKey) {
		return nil, 0, noSuchUpload()
	}
	if err != nil {
		return nil, 0, fmt.Errorf("buckets: upload: %w", err)
	}
	u := &Upload{}
	if err := json.Unmarshal(ent.Value(), u); err != nil {
		return nil, 0, fmt.Errorf("buckets: upload %s: %w", id, err)
	}
	if u.Bucket != bucket || u.Key != key {
		return nil, 0, noSuchUpload()
	}
	return u, ent.Revision(), nil
}

// UploadPart stores a part.
func (s *Service) UploadPart(ctx context.Context, uploadID string, n int, in *PutObjectInput) (*Part, error) {
	if n < 1 || n > maxParts {
		return nil, invalidPartNumber()
	}
	if _, err := s.bucket(ctx, in.Bucket); err != nil {
		return nil, err
	}
	u, _, err := s.upload(ctx, in.Bucket, in.Key, uploadID)
	if err != nil {
		return nil, err
	}
	alg := strings.ToUpper(in.ChecksumAlgorithm)
	if alg == "" {
		alg = u.ChecksumAlgorithm
	}
	w, err := s.writeBody(ctx, in.Body, in.Size, s.cfg.MaxObjectSize, alg)
	if err != nil {
		return nil, err
	}
	if err := w.verify(in.ContentMD5, alg, in.Checksum); err != nil {
		s.deleteBodies(context.WithoutCancel(ctx), []bodyRef{w.ref})
		return nil, err
	}
	p := Part{Number: n, ETag: w.etag(), Size: w.ref.Size, LastModified: s.now()}
	if w.checksum != "" {
		p.Checksum = &Checksum{Algorithm: alg, Value: w.checksum}
	}
	if err := s.storePart(ctx, u, &partRec{Part: p, Body: w.ref}); err != nil {
		return nil, err
	}
	return &p, nil
}

// storePart records a part, replacing (and deleting the body of) an
// earlier upload of the same number.
func (s *Service) storePart(ctx context.Context, u *Upload, pr *partRec) error {
	cctx := context.WithoutCancel(ctx)
	key := partKey(u.UploadID, pr.Number)
	var old *partRec
	if ent, err := s.uploads.Get(ctx, key); err == nil {
		old = &partRec{}
		if json.Unmarshal(ent.Value(), old) != nil {
			old = nil
		}
	}
	data, _ := json.Marshal(pr)
	if _, err := s.uploads.Put(ctx, key, data); err != nil {
		s.deleteBodies(cctx, []bodyRef{pr.Body})
		return fmt.Errorf("buckets: store part: %w", err)
	}
	if old != nil && old.Body.Name != pr.Body.Name {
		s.deleteBodies(cctx, []bodyRef{old.Body})
	}
	// Completed or aborted meanwhile: the part is nobody's.
	if _, err := s.uploads.Get(ctx, u.UploadID); errors.Is(err, jetstream.ErrKeyNotFound) {
		_ = s.uploads.Purge(cctx, key)
		s.deleteBodies(cctx, []bodyRef{pr.Body})
		return noSuchUpload()
	}
	return nil
}

// UploadPartCopy stores a part copied from an object or a range of it.
func (s *Service) UploadPartCopy(ctx context.Context, uploadID string, n int, in *CopyObjectInput) (*Part, error) {
	if n < 1 || n > maxParts {
		return nil, invalidPartNumber()
	}
	if _, err := s.bucket(ctx, in.Bucket); err != nil {
		return nil, err
	}
	u, _, err := s.upload(ctx, in.Bucket, in.Key, uploadID)
	if err != nil {
		return nil, err
	}
	_, rec, err := s.copySource(ctx, in)
	if err != nil {
		return nil, err
	}
	start, end := int64(0), rec.Size-1
	if in.SourceRange != "" {
		a, b, ok := parseCopyRange(in.SourceRange)
		if !ok || b >= rec.Size {
			return nil, invalidArgument("Range specified is not valid for source object of size: %d", rec.Size)
		}
		start, end = a, b
	}
	if end-start+1 > s.cfg.MaxObjectSize {
		return nil, entityTooLarge()
	}
	body := s.openBody(ctx, rec.Body, start, end)
	w, err := s.writeBody(ctx, body, end-start+1, s.cfg.MaxObjectSize, u.ChecksumAlgorithm)
	_ = body.Close()
	if err != nil {
		return nil, err
	}
	p := Part{Number: n, ETag: w.etag(), Size: w.ref.Size, LastModified: s.now()}
	if w.checksum != "" {
		p.Checksum = &Checksum{Algorithm: u.ChecksumAlgorithm, Value: w.checksum}
	}
	if err := s.storePart(ctx, u, &partRec{Part: p, Body: w.ref}); err != nil {
		return nil, err
	}
	return &p, nil
}

// parseCopyRange parses x-amz-copy-source-range, which must be
// "bytes=first-last".
func parseCopyRange(h string) (int64, int64, bool) {
	spec, ok := strings.CutPrefix(strings.TrimSpace(h), "bytes=")
	if !ok {
		return 0, 0, false
	}
	a, b, ok := strings.Cut(spec, "-")
	if !ok {
		return 0, 0, false
	}
	x, err1 := strconv.ParseInt(a, 10, 64)
	y, err2 := strconv.ParseInt(b, 10, 64)
	if err1 != nil || err2 != nil || x < 0 || y < x {
		return 0, 0, false
	}
	return x, y, true
}

// parts returns an upload's parts by number.
func (s *Service) parts(ctx context.Context, id string) ([]*partRec, error) {
	lister, err := s.uploads.ListKeysFiltered(ctx, id+".*")
	if err != nil {
		if errors.Is(err, jetstream.ErrNoKeysFound) {
			return nil, nil
		}
		return nil, fmt.Errorf("buckets: parts: %w", err)
	}
	var keys []string
	for k := range lister.Keys() {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var out []*partRec
	for _, k := range keys {
		ent, err := s.uploads.Get(ctx, k)
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("buckets: part: %w", err)
		}
		pr := &partRec{}
		if err := json.Unmarshal(ent.Value(), pr); err != nil {
			continue
		}
		out = append(out, pr)
	}
	return out, nil
}

// CompleteMultipartUpload assembles the listed parts into the object.
func (s *Service) CompleteMultipartUpload(ctx context.Context, in *CompleteInput) (*Object, error) {
	st, err := s.bucket(ctx, in.Bucket)
	if err != nil {
		return nil, err
	}
	u, rev, err := s.upload(ctx, in.Bucket, in.Key, in.UploadID)
	if err != nil {
		return nil, err
	}
	if len(in.Parts) == 0 {
		return nil, invalidRequest("You must specify at least one part")
	}
	for i := 1; i < len(in.Parts); i++ {
		if in.Parts[i].Number <= in.Parts[i-1].Number {
			return nil, invalidPartOrder()
		}
	}
	all, err := s.parts(ctx, u.UploadID)
	if err != nil {
		return nil, err
	}
	byNum := map[int]*partRec{}
	for _, p := range all {
		byNum[p.Number] = p
	}
	var (
		used   []*partRec
		total  int64
		md5s   []byte
		bodies []bodyRef
		sizes  []int64
	)
	for _, cp := range in.Parts {
		p := byNum[cp.Number]
		if p == nil || strings.Trim(cp.ETag, `"`) != strings.Trim(p.ETag, `"`) {
			return nil, invalidPart()
		}
		if cp.Checksum != "" && (p.Checksum == nil || p.Checksum.Value != cp.Checksum) {
			return nil, invalidPart()
		}
	}
	for i, cp := range in.Parts {
		p := byNum[cp.Number]
		if i < len(in.Parts)-1 && p.Size < minPartSize {
			return nil, entityTooSmall()
		}
		sum, _ := hex.DecodeString(strings.Trim(p.ETag, `"`))
		md5s = append(md5s, sum...)
		total += p.Size
		used = append(used, p)
		bodies = append(bodies, p.Body)
		sizes = append(sizes, p.Size)
	}
	if total > maxObjectSize {
		return nil, entityTooLarge()
	}
	mdAll := md5.Sum(md5s)
	etag := fmt.Sprintf(`"%s-%d"`, hex.EncodeToString(mdAll[:]), len(used))
	ck, err := multipartChecksum(u, used)
	if err != nil {
		return nil, err
	}
	if in.Checksum != "" && (ck == nil || ck.Value != in.Checksum && strings.TrimSuffix(ck.Value, fmt.Sprintf("-%d", len(used))) != in.Checksum) {
		alg := u.ChecksumAlgorithm
		if alg == "" {
			alg = "checksum"
		}
		return nil, badChecksum(alg)
	}
	tags, _ := ParseTagging(u.Tagging)
	rec := s.newRecord(ctx, total, etag, u.Headers, tags, "ObjectCreated:CompleteMultipartUpload", bodies)
	rec.Parts, rec.PartSizes, rec.Checksum = len(used), sizes, ck
	// Claim the upload, so that an abort cannot delete the parts the
	// object is made of; give it back if the object is not written.
	if err := s.uploads.Delete(ctx, u.UploadID, jetstream.LastRevision(rev)); err != nil {
		return nil, noSuchUpload()
	}
	o, err := st.commit(ctx, in.Key, rec, in.IfMatch, in.IfNoneMatch)
	if err != nil {
		data, _ := json.Marshal(u)
		_, _ = s.uploads.Put(context.WithoutCancel(ctx), u.UploadID, data)
		return nil, err
	}
	inUse := map[string]bool{}
	for _, b := range bodies {
		inUse[b.Name] = true
	}
	cctx := context.WithoutCancel(ctx)
	for _, p := range all {
		if !inUse[p.Body.Name] {
			s.deleteBodies(cctx, []bodyRef{p.Body})
		}
		_ = s.uploads.Purge(cctx, partKey(u.UploadID, p.Number))
	}
	_ = s.uploads.Purge(cctx, u.UploadID)
	return o, nil
}

// multipartChecksum is the checksum of a completed upload: a checksum of
// the parts' checksums ("-N", COMPOSITE), or for FULL_OBJECT the CRC of the
// whole object combined from the parts' CRCs.
func multipartChecksum(u *Upload, parts []*partRec) (*Checksum, error) {
	if u.ChecksumAlgorithm == "" {
		return nil, nil
	}
	var raws [][]byte
	for _, p := range parts {
		if p.Checksum == nil || !strings.EqualFold(p.Checksum.Algorithm, u.ChecksumAlgorithm) {
			return nil, invalidRequest("The upload was created using a %s checksum. The complete request must include the checksum for each part. It was missing for part %d in the request.", strings.ToLower(u.ChecksumAlgorithm), p.Number)
		}
		raw, err := base64.StdEncoding.DecodeString(p.Checksum.Value)
		if err != nil {
			return nil, invalidPart()
		}
		raws = append(raws, raw)
	}
	if u.ChecksumType == "FULL_OBJECT" {
		var crc uint64
		poly, width := crcPoly(u.ChecksumAlgorithm)
		for i, raw := range raws {
			var v uint64
			for _, b := range raw {
				v = v<<8 | uint64(b)
			}
			if i == 0 {
				crc = v
			} else {
				crc = crcCombine(crc, v, parts[i].Size, poly, width)
			}
		}
		out := make([]byte, 8)
		binary.BigEndian.PutUint64(out, crc)
		return &Checksum{Algorithm: u.ChecksumAlgorithm, Value: base64.StdEncoding.EncodeToString(out[8-width/8:]), Type: "FULL_OBJECT"}, nil
	}
	h := NewHash(u.ChecksumAlgorithm)
	for _, raw := range raws {
		h.Write(raw)
	}
	return &Checksum{Algorithm: u.ChecksumAlgorithm, Value: fmt.Sprintf("%s-%d", Sum64(h), len(parts)), Type: "COMPOSITE"}, nil
}

// AbortMultipartUpload deletes an upload and its parts.
func (s *Service) AbortMultipartUpload(ctx context.Context, bucket, key, uploadID string) error {
	if _, err := s.bucket(ctx, bucket); err != nil {
		return err
	}
	u, rev, err := s.upload(ctx, bucket, key, uploadID)
	if err != nil {
		return err
	}
	if err := s.uploads.Delete(ctx, u.UploadID, jetstream.LastRevision(rev)); err != nil {
		return noSuchUpload()
	}
	s.dropParts(context.WithoutCancel(ctx), u.UploadID)
	_ = s.uploads.Purge(context.WithoutCancel(ctx), u.UploadID)
	return nil
}

func (s *Service) dropParts(ctx context.Context, id string) {
	parts, err := s.parts(ctx, id)
	if err != nil {
		s.cfg.Logger.Warn("buckets: parts of an aborted upload", "upload", id, "err", err)
		return
	}
	for _, p := range parts {
		s.deleteBodies(ctx, []bodyRef{p.Body})
		_ = s.uploads.Purge(ctx, partKey(id, p.Number))
	}
}

// ListParts lists an upload's parts after Marker.
func (s *Service) ListParts(ctx context.Context, in *ListPartsInput) (*ListPartsOutput, error) {
	if _, err := s.bucket(ctx, in.Bucket); err != nil {
		return nil, err
	}
	u, _, err := s.upload(ctx, in.Bucket, in.Key, in.UploadID)
	if err != nil {
		return nil, err
	}
	max := in.MaxParts
	if max <= 0 || max > 1000 {
		max = 1000
	}
	all, err := s.parts(ctx, u.UploadID)
	if err != nil {
		return nil, err
	}
	out := &ListPartsOutput{Upload: *u, Parts: []Part{}}
	for _, p := range all {
		if p.Number <= in.Marker {
			continue
		}
		if len(out.Parts) == max {
			out.Truncated = true
			break
		}
		out.Parts = append(out.Parts, p.Part)
		out.Next = p.Number
	}
	return out, nil
}

// allUploads returns every upload in progress.
func (s *Service) allUploads(ctx context.Context) ([]Upload, error) {
	lister, err := s.uploads.ListKeysFiltered(ctx, "*")
	if err != nil {
		if errors.Is(err, jetstream.ErrNoKeysFound) {
			return nil, nil
		}
		return nil, fmt.Errorf("buckets: uploads: %w", err)
	}
	var out []Upload
	for k := range lister.Keys() {
		ent, err := s.uploads.Get(ctx, k)
		if err != nil {
			continue
		}
		var u Upload
		if json.Unmarshal(ent.Value(), &u) == nil {
			out = append(out, u)
		}
	}
	return out, nil
}

// ListMultipartUploads lists a bucket's uploads in progress by key and
// initiation.
func (s *Service) ListMultipartUploads(ctx context.Context, in *ListUploadsInput) (*ListUploadsOutput, error) {
	if _, err := s.bucket(ctx, in.Bucket); err != nil {
		return nil, err
	}
	all, err := s.allUploads(ctx)
	if err != nil {
		return nil, err
	}
	var us []Upload
	for _, u := range all {
		if u.Bucket == in.Bucket && strings.HasPrefix(u.Key, in.Prefix) {
			us = append(us, u)
		}
	}
	slices.SortFunc(us, func(a, b Upload) int {
		if c := strings.Compare(a.Key, b.Key); c != 0 {
			return c
		}
		if c := a.Initiated.Compare(b.Initiated); c != 0 {
			return c
		}
		return strings.Compare(a.UploadID, b.UploadID)
	})
	max := in.MaxUploads
	if max <= 0 || max > 1000 {
		max = 1000
	}
	out := &ListUploadsOutput{Uploads: []Upload{}}
	pastMarker := in.UploadIDMarker == ""
	var lastPrefix string
	count := 0
	for _, u := range us {
		if in.KeyMarker != "" {
			if u.Key < in.KeyMarker {
				continue
			}
			if u.Key == in.KeyMarker {
				if in.UploadIDMarker == "" {
					continue
				}
				if !pastMarker {
					pastMarker = u.UploadID == in.UploadIDMarker
					continue
				}
			}
		}
		if in.Delimiter != "" {
			if i := strings.Index(u.Key[len(in.Prefix):], in.Delimiter); i >= 0 {
				cp := u.Key[:len(in.Prefix)+i+len(in.Delimiter)]
				if cp == lastPrefix || cp <= in.KeyMarker {
					continue
				}
				if count == max {
					out.Truncated = true
					break
				}
				count++
				lastPrefix = cp
				out.CommonPrefixes = append(out.CommonPrefixes, cp)
				out.NextKeyMarker, out.NextUploadIDMarker = cp, ""
				continue
			}
		}
		if count == max {
			out.Truncated = true
			break
		}
		count++
		out.Uploads = append(out.Uploads, u)
		out.NextKeyMarker, out.NextUploadIDMarker = u.Key, u.UploadID
	}
	if !out.Truncated {
		out.NextKeyMarker, out.NextUploadIDMarker = "", ""
	}
	return out, nil
}

// abortBucketUploads aborts the uploads of a deleted bucket.
func (s *Service) abortBucketUploads(ctx context.Context, bucket string) {
	all, err := s.allUploads(ctx)
	if err != nil {
		s.cfg.Logger.Warn("buckets: uploads of a deleted bucket", "bucket", bucket, "err", err)
		return
	}
	for _, u := range all {
		if u.Bucket == bucket {
			_ = s.uploads.Purge(ctx, u.UploadID)
			s.dropParts(ctx, u.UploadID)
		}
	}
}

// crcPoly returns the reflected polynomial and width of a CRC algorithm.
func crcPoly(alg string) (uint64, int) {
	switch alg {
	case CRC32:
		return 0xEDB88320, 32
	case CRC32C:
		return 0x82F63B78, 32
	default: // CRC64NVME
		return 0x9A6C9329AC4BC9B5, 64
	}
}

// crcCombine returns the CRC of A followed by B from crc1 = CRC(A), crc2 =
// CRC(B) and B's length, for a reflected CRC whose initial value and final
// xor are all ones (zlib's crc32_combine, for any width up to 64).
func crcCombine(crc1, crc2 uint64, len2 int64, poly uint64, width int) uint64 {
	if len2 <= 0 {
		return crc1
	}
	times := func(mat []uint64, vec uint64) uint64 {
		var sum uint64
		for i := 0; vec != 0; i, vec = i+1, vec>>1 {
			if vec&1 != 0 {
				sum ^= mat[i]
			}
		}
		return sum
	}
	square := func(sq, mat []uint64) {
		for n := range mat {
			sq[n] = times(mat, mat[n])
		}
	}
	even, odd := make([]uint64, width), make([]uint64, width)
	odd[0] = poly
	row := uint64(1)
	for n := 1; n < width; n++ {
		odd[n] = row
		row <<= 1
	}
	square(even, odd) // two zero bits
	square(odd, even) // four zero bits
	for {
		square(even, odd)
		if len2&1 != 0 {
			crc1 = times(even, crc1)
		}
		len2 >>= 1
		if len2 == 0 {
			break
		}
		square(odd, even)
		if len2&1 != 0 {
			crc1 = times(odd, crc1)
		}
		len2 >>= 1
		if len2 == 0 {
			break
		}
	}
	return crc1 ^ crc2
}
