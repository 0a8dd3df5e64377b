package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/eddyserverless/eddy/serverlessrepo"
	"github.com/spf13/cobra"
)

// appsKeygenCommand is `eddy apps keygen`.
func appsKeygenCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "keygen FILE",
		Short: "Make a publisher's ed25519 key pair: FILE (private) and FILE.pub (public)",
		Long: `keygen writes a new ed25519 private key to FILE (PEM, PKCS#8, mode 0600)
and its public key to FILE.pub (PEM, PKIX). "eddy apps publish --sign FILE"
signs the versions it publishes with the private key; "eddy serve
--trusted-key FILE.pub" deploys only what such a key signed.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			signer, err := writeKeyPair(args[0])
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Wrote %s and %s.pub\nSigner: %s\n", args[0], args[0], signer)
			return nil
		},
	}
}

// writeKeyPair writes a new key pair to path and path.pub and returns the
// signer id of its public key. It does not overwrite an existing key.
func writeKeyPair(path string) (string, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", err
	}
	privDER, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return "", err
	}
	pubDER, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", err
	}
	for _, f := range []struct {
		path, typ string
		der       []byte
		mode      os.FileMode
	}{{path, "PRIVATE KEY", privDER, 0o600}, {path + ".pub", "PUBLIC KEY", pubDER, 0o644}} {
		fh, err := os.OpenFile(f.path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, f.mode)
		if err != nil {
			return "", err
		}
		err = pem.Encode(fh, &pem.Block{Type: f.typ, Bytes: f.der})
		if cerr := fh.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return "", fmt.Errorf("%s: %w", f.path, err)
		}
	}
	return serverlessrepo.SignerOf(pub), nil
}

// readPrivateKey reads a private key `eddy apps keygen` wrote.
func readPrivateKey(path string) (ed25519.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	k, err := serverlessrepo.ParsePrivateKeyPEM(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// readTrustedKeys reads the public key files `eddy serve --trusted-key`
// names.
func readTrustedKeys(paths []string) ([]ed25519.PublicKey, error) {
	var keys []ed25519.PublicKey
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("--trusted-key: %w", err)
		}
		k, err := serverlessrepo.ParsePublicKeyPEM(data)
		if err != nil {
			return nil, fmt.Errorf("--trusted-key %s: %w", p, err)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// s3Opener reads artifacts back through eddy's S3 API.
func s3Opener(c *s3.Client) serverlessrepo.OpenFunc {
	return func(ctx context.Context, a serverlessrepo.Artifact) (io.ReadCloser, error) {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(a.Bucket), Key: aws.String(a.Key)})
		if err != nil {
			return nil, apiMessage(err)
		}
		return out.Body, nil
	}
}

// signVersion computes the digest of the package a version is (its
// template and the artifacts read back from eddy's S3), signs it with
// the key at keyPath and stores the signature with the version. It
// returns the signer id.
func signVersion(ctx context.Context, c *clientFlags, keyPath, name, version, template string) (string, error) {
	priv, err := readPrivateKey(keyPath)
	if err != nil {
		return "", err
	}
	digest, err := serverlessrepo.PackageDigest(ctx, template, s3Opener(c.s3()))
	if err != nil {
		return "", fmt.Errorf("the package's digest: %w", err)
	}
	sig := serverlessrepo.SignDigest(priv, digest)
	in := serverlessrepo.SignatureInput{Digest: digest, PublicKey: sig.PublicKey, Signature: sig.Value}
	var out serverlessrepo.Signature
	if err := callRepo(ctx, http.DefaultClient, c.endpoint, http.MethodPut, versionPath("signatures", name, version), in, &out); err != nil {
		return "", fmt.Errorf("signing %s version %s: %w", name, version, err)
	}
	return out.Signer, nil
}

// describePackage returns a version's package: its digest, signature and
// artifacts.
func describePackage(ctx context.Context, endpoint, name, version string) (*serverlessrepo.VersionPackage, error) {
	var out serverlessrepo.VersionPackage
	if err := callRepo(ctx, http.DefaultClient, endpoint, http.MethodGet, versionPath("packages", name, version), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// versionPath is the path of a version's package endpoint: KIND/NAME/VERSION.
func versionPath(kind, name, version string) string {
	return kind + "/" + url.PathEscape(name) + "/" + url.PathEscape(version)
}
