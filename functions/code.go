package functions

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/eddyserverless/eddy"
	"github.com/nats-io/nats.go/jetstream"
)

// codeBucket is the Object Store that holds deployment packages by hex SHA-256.
const codeBucket = "eddy_code"

// PutCode stores zip under its hex SHA-256, once.
func (s *Service) PutCode(ctx context.Context, zip []byte) (string, error) {
	sum := sha256.Sum256(zip)
	key := hex.EncodeToString(sum[:])
	if _, err := s.code.GetInfo(ctx, key); err == nil {
		return key, nil
	} else if !errors.Is(err, jetstream.ErrObjectNotFound) {
		return "", fmt.Errorf("put code: %w", err)
	}
	if _, err := s.code.Put(ctx, jetstream.ObjectMeta{Name: key}, bytes.NewReader(zip)); err != nil {
		return "", fmt.Errorf("put code: %w", err)
	}
	return key, nil
}

// OpenCode returns the package stored under key.
func (s *Service) OpenCode(ctx context.Context, key string) (io.ReadCloser, error) {
	r, err := s.code.Get(ctx, key)
	if errors.Is(err, jetstream.ErrObjectNotFound) {
		return nil, eddy.Errorf(eddy.ENOTFOUND, "Code not found: %s", key)
	}
	if err != nil {
		return nil, fmt.Errorf("open code: %w", err)
	}
	return r, nil
}

// UnpackCode extracts the package stored under key into dir.
func (s *Service) UnpackCode(ctx context.Context, key, dir string) error {
	data, err := s.code.GetBytes(ctx, key)
	if errors.Is(err, jetstream.ErrObjectNotFound) {
		return eddy.Errorf(eddy.ENOTFOUND, "Code not found: %s", key)
	}
	if err != nil {
		return fmt.Errorf("unpack code: %w", err)
	}
	if _, err := os.Stat(dir); err == nil {
		return fmt.Errorf("unpack code: %s exists", dir)
	}
	return ExtractZip(bytes.NewReader(data), int64(len(data)), dir)
}
