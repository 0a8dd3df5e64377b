package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/eddyserverless/eddy/serverlessrepo"
)

// maxRepoAnswer bounds an answer of the repository's eddy endpoints.
const maxRepoAnswer = 64 << 20

// callRepo calls one of the repository's eddy endpoints (path, under
// serverlessrepo.PathPrefix) of the eddy at endpoint with in as its JSON
// body (nil for none), and decodes the JSON answer into out (nil to
// ignore it). An error answer becomes "CODE: message".
func callRepo(ctx context.Context, hc *http.Client, endpoint, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(data)
	}
	u := strings.TrimRight(endpoint, "/") + serverlessrepo.PathPrefix + path
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxRepoAnswer))
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		var e struct {
			ErrorCode string `json:"errorCode"`
			Message   string `json:"message"`
		}
		if json.Unmarshal(data, &e) == nil && e.Message != "" {
			if e.ErrorCode == "" {
				return fmt.Errorf("%s", e.Message)
			}
			return fmt.Errorf("%s: %s", e.ErrorCode, e.Message)
		}
		return fmt.Errorf("%s %s: %s", method, u, resp.Status)
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s %s: the answer is not JSON: %w", method, u, err)
	}
	return nil
}
