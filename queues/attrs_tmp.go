package queues

import (
	"crypto/md5"
	"encoding/hex"
)

// MD5Hex returns the hex MD5 of s.
func MD5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func MD5OfMessageAttributes(a map[string]MessageAttributeValue) string {
	if len(a) == 0 {
		return ""
	}
	return MD5Hex("x")
}
func ValidateMessageAttributes(a map[string]MessageAttributeValue, system bool) error { return nil }
func ValidBody(s string) error                                                        { return nil }
func MessageAttributesSize(a map[string]MessageAttributeValue) int                    { return 0 }
