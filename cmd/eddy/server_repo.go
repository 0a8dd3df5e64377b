package main

import (
	"context"
	"io"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/buckets"
	"github.com/eddyserverless/eddy/serverlessrepo"
)

// maxRepoDocument bounds a template the repository reads by URL.
const maxRepoDocument = 1 << 20

// openRepo opens the Serverless Application Repository, which deploys
// through m.Stacks, and sets its field of m.API.
func (m *Main) openRepo(ctx context.Context) error {
	keys, err := readTrustedKeys(m.Config.TrustedKeys)
	if err != nil {
		return err
	}
	r := serverlessrepo.NewService(serverlessrepo.Config{
		Engine: m.Engine, Stacks: m.Stacks, ReadURL: m.readObjectURL, Objects: repoObjectsOf(m), Endpoint: m.URL(),
		Account: m.Config.AccountID, Region: m.Config.Region, Logger: m.Logger, TrustedKeys: keys,
	})
	if err := r.Open(ctx); err != nil {
		_ = r.Close()
		return err
	}
	m.Repo = r
	m.API.Repo = r
	return nil
}

// readObjectURL reads the object of eddy's S3 an S3 URL names.
func (m *Main) readObjectURL(ctx context.Context, u string) (string, error) {
	bucket, key, ok := buckets.ParseURL(u)
	if !ok || m.Buckets == nil {
		return "", eddy.Errorf(eddy.EINVALID, "The URL %s names no S3 object.", u)
	}
	out, err := m.Buckets.GetObject(ctx, &buckets.GetObjectInput{Bucket: bucket, Key: key})
	if err != nil {
		return "", err
	}
	defer out.Body.Close()
	data, err := io.ReadAll(io.LimitReader(out.Body, maxRepoDocument+1))
	if err != nil {
		return "", err
	}
	if len(data) > maxRepoDocument {
		return "", eddy.Errorf(eddy.ETOOLARGE, "The object %s is larger than %d bytes.", u, maxRepoDocument)
	}
	return string(data), nil
}

// closeRepo closes what openRepo opened; safe when it did not.
func (m *Main) closeRepo() error {
	if m.Repo == nil {
		return nil
	}
	return m.Repo.Close()
}
