package engine

import (
	"encoding/base32"
	"strings"
)

// keyEncoding is base32hex without padding, lower case: its alphabet is
// valid in KV keys and subject tokens and it keeps the byte order of its input.
var keyEncoding = base32.HexEncoding.WithPadding(base32.NoPadding)

// EncodeKey turns an arbitrary string into one KV key or subject token that
// sorts as the string does. The empty string becomes "-".
func EncodeKey(s string) string {
	if s == "" {
		return "-"
	}
	return strings.ToLower(keyEncoding.EncodeToString([]byte(s)))
}

// DecodeKey reverses EncodeKey. ok is false if k is not an encoded key.
func DecodeKey(k string) (string, bool) {
	if k == "-" {
		return "", true
	}
	b, err := keyEncoding.DecodeString(strings.ToUpper(k))
	// The decoder also takes upper case, stray trailing bits ("c5" for "c4")
	// and lengths base32 never writes ("c"); only EncodeKey's own output is
	// a key, so that each string has one key.
	if err != nil || len(b) == 0 || EncodeKey(string(b)) != k {
		return "", false
	}
	return string(b), true
}
