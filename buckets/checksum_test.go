package buckets

import "testing"

// The values are what S3 returns for the body "hello world".
func TestChecksums(t *testing.T) {
	want := map[string]string{
		CRC32:     "DUoRhQ==",
		CRC32C:    "yZRlqg==",
		CRC64NVME: "jSnVw/bqjr4=",
		SHA1:      "Kq5sNclPz7QV2+lfQIuc6R7oRu0=",
		SHA256:    "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=",
	}
	for alg, v := range want {
		h := NewHash(alg)
		h.Write([]byte("hello world"))
		if got := Sum64(h); got != v {
			t.Errorf("%s: %s, want %s", alg, got, v)
		}
	}
	if NewHash("MD5") != nil || AlgorithmOfHeader("x-amz-checksum-crc32c") != CRC32C || AlgorithmOfHeader("x-amz-checksum-md5") != "" {
		t.Error("names")
	}
}
