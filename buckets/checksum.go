package buckets

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"strings"
)

// Checksum algorithms S3 knows, in the spelling of its API.
const (
	CRC32     = "CRC32"
	CRC32C    = "CRC32C"
	CRC64NVME = "CRC64NVME"
	SHA1      = "SHA1"
	SHA256    = "SHA256"
)

// Algorithms lists them.
var Algorithms = []string{CRC32, CRC32C, CRC64NVME, SHA1, SHA256}

var (
	castagnoli = crc32.MakeTable(crc32.Castagnoli)
	// nvme is CRC-64/NVME: polynomial 0xAD93D23594C93659, reflected, with
	// the initial value and final xor all ones, as hash/crc64 computes.
	nvme = crc64.MakeTable(0x9A6C9329AC4BC9B5)
)

// NewHash returns a hash of algorithm alg (any case), or nil for an
// unknown one.
func NewHash(alg string) hash.Hash {
	switch strings.ToUpper(alg) {
	case CRC32:
		return crc32.NewIEEE()
	case CRC32C:
		return crc32.New(castagnoli)
	case CRC64NVME:
		return crc64.New(nvme)
	case SHA1:
		return sha1.New()
	case SHA256:
		return sha256.New()
	}
	return nil
}

// ChecksumHeader is the header that carries a checksum of alg, such as
// x-amz-checksum-crc32.
func ChecksumHeader(alg string) string { return "x-amz-checksum-" + strings.ToLower(alg) }

// AlgorithmOfHeader returns the algorithm a header such as
// x-amz-checksum-crc32c carries, or "".
func AlgorithmOfHeader(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	if !strings.HasPrefix(h, "x-amz-checksum-") {
		return ""
	}
	alg := strings.ToUpper(strings.TrimPrefix(h, "x-amz-checksum-"))
	if NewHash(alg) == nil {
		return ""
	}
	return alg
}

// Sum64 returns the base64 of h's sum, as S3 writes checksums.
func Sum64(h hash.Hash) string { return base64.StdEncoding.EncodeToString(h.Sum(nil)) }
