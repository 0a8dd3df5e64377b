package buckets

import (
	"github.com/eddyserverless/eddy"
)

// The errors S3 returns, with its codes and messages.

func noSuchBucket() error {
	return eddy.TypedErrorf(eddy.ENOTFOUND, "NoSuchBucket", "The specified bucket does not exist")
}

func noSuchKey() error {
	return eddy.TypedErrorf(eddy.ENOTFOUND, "NoSuchKey", "The specified key does not exist.")
}

func noSuchUpload() error {
	return eddy.TypedErrorf(eddy.ENOTFOUND, "NoSuchUpload", "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.")
}

func invalidBucketName() error {
	return eddy.TypedErrorf(eddy.EINVALID, "InvalidBucketName", "The specified bucket is not valid.")
}

func bucketExists() error {
	return eddy.TypedErrorf(eddy.ECONFLICT, "BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded and you already own it.")
}

func bucketNotEmpty() error {
	return eddy.TypedErrorf(eddy.ECONFLICT, "BucketNotEmpty", "The bucket you tried to delete is not empty")
}

func badDigestMD5() error {
	return eddy.TypedErrorf(eddy.EINVALID, "BadDigest", "The Content-MD5 you specified did not match what we received.")
}

func badChecksum(alg string) error {
	return eddy.TypedErrorf(eddy.EINVALID, "BadDigest", "The %s you specified did not match the calculated checksum.", alg)
}

func invalidDigest() error {
	return eddy.TypedErrorf(eddy.EINVALID, "InvalidDigest", "The Content-MD5 you specified was invalid.")
}

func incompleteBody() error {
	return eddy.TypedErrorf(eddy.EINVALID, "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header")
}

func entityTooLarge() error {
	return eddy.TypedErrorf(eddy.ETOOLARGE, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
}

func entityTooSmall() error {
	return eddy.TypedErrorf(eddy.EINVALID, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size.")
}

func invalidPart() error {
	return eddy.TypedErrorf(eddy.EINVALID, "InvalidPart", "One or more of the specified parts could not be found. The part might not have been uploaded, or the specified entity tag might not have matched the part's entity tag.")
}

func invalidPartOrder() error {
	return eddy.TypedErrorf(eddy.EINVALID, "InvalidPartOrder", "The list of parts was not in ascending order. The parts list must be specified in order by part number.")
}

func invalidPartNumber() error {
	return eddy.TypedErrorf(eddy.EINVALID, "InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive")
}

func partNotSatisfiable() error {
	return eddy.TypedErrorf(eddy.EINVALID, "InvalidPartNumber", "The requested partnumber is not satisfiable")
}

func invalidRange() error {
	return eddy.TypedErrorf(eddy.EINVALID, "InvalidRange", "The requested range is not satisfiable")
}

func preconditionFailed() error {
	return eddy.TypedErrorf(eddy.EPRECOND, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold")
}

// notModified is rendered by the edge as 304 Not Modified.
func notModified() error {
	return eddy.TypedErrorf(eddy.EPRECOND, "NotModified", "Not Modified")
}

func invalidTag(msg string) error {
	return eddy.TypedErrorf(eddy.EINVALID, "InvalidTag", "%s", msg)
}

func invalidArgument(format string, args ...any) error {
	return eddy.TypedErrorf(eddy.EINVALID, "InvalidArgument", format, args...)
}

func invalidRequest(format string, args ...any) error {
	return eddy.TypedErrorf(eddy.EINVALID, "InvalidRequest", format, args...)
}

func keyTooLong() error {
	return eddy.TypedErrorf(eddy.EINVALID, "KeyTooLongError", "Your key is too long")
}
