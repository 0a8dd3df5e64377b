package main

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	sar "github.com/aws/aws-sdk-go-v2/service/serverlessapplicationrepository"
	"github.com/eddyserverless/eddy/apps"
	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"
)

// The bundled applications (package apps) are eddy's built-in catalog:
// a server started with Config.BundledApps publishes each into its
// repository once, at the version its template's metadata gives. Their
// functions are compiled into eddy itself: each function's code is a
// bootstrap that runs "eddy handler APP/FUNC" with the executable of the
// eddy that starts it (EDDY_EXECUTABLE, in every function's environment),
// so publishing builds nothing.

// bundledARNPrefix is how a bundled template names another bundled
// application (a nested one); it is rewritten to this server's account
// and region when published.
const bundledARNPrefix = "arn:aws:serverlessrepo:us-east-1:000000000000:applications/"

// publishBundled publishes every bundled application the repository does
// not have at its version yet.
func (m *Main) publishBundled(ctx context.Context) error {
	list, err := apps.Bundled()
	if err != nil {
		return err
	}
	c := &clientFlags{endpoint: m.URL(), region: m.Config.Region}
	for _, app := range list {
		if err := m.publishBundledApp(ctx, c, app); err != nil {
			return fmt.Errorf("bundled application %s: %w", app.Name, err)
		}
	}
	return nil
}

// publishBundledApp publishes one bundled application through the
// repository's API, as `eddy apps publish` would, unless the repository
// has its version already.
func (m *Main) publishBundledApp(ctx context.Context, c *clientFlags, app apps.App) error {
	dir, err := os.MkdirTemp("", "eddy-bundled-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := os.CopyFS(dir, app.Files); err != nil {
		return err
	}
	path := filepath.Join(dir, "template.yaml")
	md, err := readAppMetadata(path)
	if err != nil {
		return err
	}
	repo := c.repo()
	if arn, exists, err := findApp(ctx, repo, md.Name); err != nil {
		return err
	} else if exists {
		if _, err := repo.GetApplication(ctx, &sar.GetApplicationInput{ApplicationId: &arn, SemanticVersion: &md.SemanticVersion}); err == nil {
			return nil
		} else if !isAPIError(err, "NotFoundException") {
			return apiMessage(err)
		}
	}
	up := newS3Uploader(c.s3(), "eddy-bundled-apps-"+m.Config.Region, m.Config.Region)
	body, err := bundledTemplate(ctx, app.Name, path, up.upload)
	if err != nil {
		return err
	}
	own := "arn:aws:serverlessrepo:" + m.Config.Region + ":" + m.Config.AccountID + ":applications/"
	body = strings.ReplaceAll(body, bundledARNPrefix, own)
	if _, err := publishApp(ctx, repo, md, body); err != nil {
		return err
	}
	m.Logger.Info("published a bundled application", "name", md.Name, "version", md.SemanticVersion)
	return nil
}

// bundledTemplate returns a bundled application's template with each
// function's CodeUri (FUNC/cmd, a Go package) replaced by the S3 location
// of a bootstrap that runs the handler APP/FUNC compiled into eddy.
func bundledTemplate(ctx context.Context, app, path string, upload uploadFunc) (string, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return "", err
	}
	resources := mapGet(doc.Content[0], "Resources")
	if resources == nil || resources.Kind != yaml.MappingNode {
		return "", fmt.Errorf("the template has no Resources")
	}
	for i := 0; i+1 < len(resources.Content); i += 2 {
		id, res := resources.Content[i].Value, resources.Content[i+1]
		if scalar(mapGet(res, "Type")) != "AWS::Serverless::Function" {
			continue
		}
		props := mapGet(res, "Properties")
		uri := localPath(mapGet(props, "CodeUri"))
		fn, ok := strings.CutSuffix(filepath.ToSlash(filepath.Clean(uri)), "/cmd")
		if !ok || strings.Contains(fn, "/") {
			return "", fmt.Errorf("%s: CodeUri %q is not FUNC/cmd", id, uri)
		}
		name := app + "/" + fn
		if !apps.Has(name) {
			return "", fmt.Errorf("%s: eddy has no handler %s", id, name)
		}
		z, err := bootstrapZip(name)
		if err != nil {
			return "", err
		}
		bucket, key, err := upload(ctx, z)
		if err != nil {
			return "", err
		}
		mapSet(props, "CodeUri", strNode("s3://"+bucket+"/"+key))
		if md := mapGet(res, "Metadata"); md != nil {
			mapDelete(md, "BuildMethod")
		}
	}
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return "", err
	}
	if err := enc.Close(); err != nil {
		return "", err
	}
	return out.String(), nil
}

// bootstrapZip is the code of a bundled function: a bootstrap that runs
// its handler in the eddy that starts it.
func bootstrapZip(handler string) ([]byte, error) {
	script := "#!/bin/sh\nexec \"${EDDY_EXECUTABLE:?the bundled applications run on eddy}\" handler " + handler + "\n"
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	h := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate, Modified: zipEpoch}
	h.SetMode(0o755)
	f, err := w.CreateHeader(h)
	if err != nil {
		return nil, err
	}
	if _, err := f.Write([]byte(script)); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// handlerCommand is `eddy handler NAME`: the handler of a bundled
// application's function, run by the function's bootstrap over the Lambda
// Runtime API.
func handlerCommand() *cobra.Command {
	return &cobra.Command{
		Use:    "handler APP/FUNC",
		Short:  "Run a bundled application's function handler (its bootstrap runs this)",
		Hidden: true,
		Args:   cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return apps.Start(args[0])
		},
	}
}
