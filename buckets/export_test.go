package buckets

// ExportCombine returns the combined checksum of a then b, for tests.
func ExportCombine(alg string, a, b []byte) string {
	u := &Upload{ChecksumAlgorithm: alg, ChecksumType: "FULL_OBJECT"}
	var parts []*partRec
	for i, d := range [][]byte{a, b} {
		h := NewHash(alg)
		h.Write(d)
		parts = append(parts, &partRec{Part: Part{Number: i + 1, Size: int64(len(d)), Checksum: &Checksum{Algorithm: alg, Value: Sum64(h)}}})
	}
	c, err := multipartChecksum(u, parts)
	if err != nil {
		return err.Error()
	}
	return c.Value
}

// ExportParseCopyRange is parseCopyRange, for tests.
var ExportParseCopyRange = parseCopyRange
