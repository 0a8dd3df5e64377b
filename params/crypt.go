package params

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// SecureString values are sealed with AES-256-GCM under one key per store:
// 32 random bytes, hex-encoded in the file KeyFile names under the data
// directory (created 0600 by the first node to start). Every node of one
// NATS must hold the same file; the store records a fingerprint of the key
// so that a node with another key refuses to start instead of writing
// values no other node can read.
//
// A sealed value is 1 (the format), a 12-byte nonce and the ciphertext with
// its tag; the additional data binds it to its region, parameter and
// version. Clients that read a SecureString without decryption get the
// sealed value in base64, as SSM returns its KMS ciphertext.

// KeyFile is the name of the key's file in the data directory.
const KeyFile = "params.key"

const sealFormat = 1

type sealer struct {
	aead cipher.AEAD
	fp   string
}

// loadKey reads the key in path. exists is false if there is no file.
func loadKey(path string) (key []byte, exists bool, err error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, true, fmt.Errorf("params: read the SecureString key: %w", err)
	}
	key, err = hex.DecodeString(strings.TrimSpace(string(data)))
	if err != nil || len(key) != 32 {
		return nil, true, fmt.Errorf("params: %s does not hold a SecureString key (64 hexadecimal digits)", path)
	}
	return key, true, nil
}

// createKey writes a new random key to path, readable by its owner only.
// If another process created the file meanwhile, its key is the key.
func createKey(path string) ([]byte, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("params: create the SecureString key: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".params-key-*") // 0600
	if err != nil {
		return nil, fmt.Errorf("params: create the SecureString key: %w", err)
	}
	defer os.Remove(tmp.Name())
	err = tmp.Chmod(0o600)
	if err == nil {
		_, err = tmp.WriteString(hex.EncodeToString(key) + "\n")
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Link(tmp.Name(), path) // not rename: an existing file wins
	}
	if errors.Is(err, fs.ErrExist) {
		key, _, err := loadKey(path)
		return key, err
	}
	if err != nil {
		return nil, fmt.Errorf("params: create the SecureString key: %w", err)
	}
	return key, nil
}

func newSealer(key []byte) (*sealer, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &sealer{aead: aead, fp: fingerprint(key)}, nil
}

// fingerprint identifies a key without revealing it.
func fingerprint(key []byte) string {
	sum := sha256.Sum256(append([]byte("eddy parameter store key fingerprint\x00"), key...))
	return hex.EncodeToString(sum[:16])
}

func sealAAD(region, key string, version int64) []byte {
	var v [8]byte
	binary.BigEndian.PutUint64(v[:], uint64(version))
	return append([]byte("eddy/ssm\x00"+region+"\x00"+key+"\x00"), v[:]...)
}

// seal encrypts a value of version of the parameter with key in region.
func (s *sealer) seal(plain, region, key string, version int64) ([]byte, error) {
	out := make([]byte, 1+s.aead.NonceSize(), 1+s.aead.NonceSize()+len(plain)+s.aead.Overhead())
	out[0] = sealFormat
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, err
	}
	return s.aead.Seal(out, out[1:], []byte(plain), sealAAD(region, key, version)), nil
}

// open decrypts what seal sealed.
func (s *sealer) open(sealed []byte, region, key string, version int64) (string, error) {
	n := s.aead.NonceSize()
	if len(sealed) < 1+n || sealed[0] != sealFormat {
		return "", errors.New("params: a SecureString value is not in a known format")
	}
	plain, err := s.aead.Open(nil, sealed[1:1+n], sealed[1+n:], sealAAD(region, key, version))
	if err != nil {
		return "", errors.New("params: a SecureString value does not decrypt with this node's key")
	}
	return string(plain), nil
}

// blob is the form a client sees of a sealed value it did not ask to
// decrypt.
func blob(sealed []byte) string { return base64.StdEncoding.EncodeToString(sealed) }
