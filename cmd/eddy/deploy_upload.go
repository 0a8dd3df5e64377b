package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// s3Uploader stores deploy artifacts in one bucket of eddy's S3, each under
// the hex SHA-256 of its content, so that code that has not changed is not
// uploaded again.
type s3Uploader struct {
	client *s3.Client
	bucket string
	region string
	ready  bool // the bucket is known to exist
}

// newS3Uploader returns an uploader into bucket, which it creates in region
// when first needed.
func newS3Uploader(client *s3.Client, bucket, region string) *s3Uploader {
	return &s3Uploader{client: client, bucket: bucket, region: region}
}

// upload stores zip unless an object of the same content is there already.
func (u *s3Uploader) upload(ctx context.Context, zip []byte) (bucket, key string, err error) {
	if err := u.ensureBucket(ctx); err != nil {
		return "", "", apiMessage(err)
	}
	sum := sha256.Sum256(zip)
	key = hex.EncodeToString(sum[:])
	_, err = u.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(u.bucket), Key: aws.String(key)})
	if err == nil {
		return u.bucket, key, nil
	}
	var nf *s3types.NotFound
	if !errors.As(err, &nf) && !isAPIError(err, "NotFound", "NoSuchKey") {
		return "", "", apiMessage(err)
	}
	if _, err := u.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(u.bucket), Key: aws.String(key), Body: bytes.NewReader(zip),
		ContentType: aws.String("application/zip"),
	}); err != nil {
		return "", "", apiMessage(err)
	}
	return u.bucket, key, nil
}

// ensureBucket creates the artifact bucket the first time it is needed.
func (u *s3Uploader) ensureBucket(ctx context.Context) error {
	if u.ready {
		return nil
	}
	in := &s3.CreateBucketInput{Bucket: aws.String(u.bucket)}
	if u.region != "" && u.region != "us-east-1" {
		in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{
			LocationConstraint: s3types.BucketLocationConstraint(u.region),
		}
	}
	if _, err := u.client.CreateBucket(ctx, in); err != nil && !isAPIError(err, "BucketAlreadyOwnedByYou") {
		return err
	}
	u.ready = true
	return nil
}

// isAPIError reports whether err is a service error with one of codes.
func isAPIError(err error, codes ...string) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	for _, c := range codes {
		if ae.ErrorCode() == c {
			return true
		}
	}
	return false
}
