package buckets

import (
	"net/url"
	"strings"
)

// ParseURL returns the bucket and key an S3 object URL names: path style
// (https://HOST/BUCKET/KEY) or virtual-hosted (https://BUCKET.s3…/KEY).
// ok is false when raw names no object.
func ParseURL(raw string) (bucket, key string, ok bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", "", false
	}
	host := u.Hostname()
	path := strings.TrimPrefix(u.Path, "/")
	if i := strings.Index(host, ".s3"); i > 0 && !strings.HasPrefix(host, "s3") {
		bucket, key = host[:i], path
	} else {
		bucket, key, _ = strings.Cut(path, "/")
	}
	return bucket, key, bucket != "" && key != ""
}
