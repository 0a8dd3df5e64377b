// Package leaderboard is retweet-leaderboard's GetLeaderboard function,
// behind an HTTP API (payload format 2.0):
//
//	GET /leaderboard?limit=N   the first N players (default 10, 3 to 100) as
//	                           [{"username","retweetCount","favoriteCount"}],
//	                           best first; 400 {"message"} for a bad limit
//	GET /                      the leaderboard's web page
//
// Every answer allows any origin (Access-Control-Allow-Origin: *).
package leaderboard

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"os"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/eddyserverless/eddy/apps/internal/awsenv"
	"github.com/eddyserverless/eddy/apps/retweet-leaderboard/scores"
)

// Handler answers the HTTP API's requests.
type Handler struct {
	DB      Index
	Table   string                        // the scores table's name
	Index   string                        // its index on (board, score); scores.DefaultIndex if ""
	Hashtag string                        // the game's hashtag, shown on the page
	Logf    func(format string, a ...any) // log.Printf if nil
}

func (h *Handler) logf(format string, a ...any) {
	if h.Logf != nil {
		h.Logf(format, a...)
		return
	}
	log.Printf(format, a...)
}

// route is the method and path of a request, the path below the stage.
// A request without them (a test's hand-made event) is read by its route
// key.
func route(req events.APIGatewayV2HTTPRequest) (method, path string) {
	method, path = req.RequestContext.HTTP.Method, req.RequestContext.HTTP.Path
	if path == "" {
		path = req.RawPath
	}
	if method == "" || path == "" {
		if m, p, ok := strings.Cut(req.RouteKey, " "); ok {
			return m, p
		}
	}
	if st := req.RequestContext.Stage; st != "" && st != "$default" {
		if rest, ok := strings.CutPrefix(path, "/"+st); ok && (rest == "" || rest[0] == '/') {
			path = rest
		}
	}
	if path == "" {
		path = "/"
	}
	return method, path
}

// Handle answers one request.
func (h *Handler) Handle(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	method, path := route(req)
	switch {
	case method == http.MethodGet && path == "/leaderboard":
		return h.leaderboard(ctx, req), nil
	case method == http.MethodGet && path == "/":
		return h.page(), nil
	}
	return jsonResponse(http.StatusNotFound, map[string]string{"message": "Not Found"}), nil
}

func (h *Handler) leaderboard(ctx context.Context, req events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPResponse {
	v, ok := queryParam(req.QueryStringParameters, req.RawQueryString, "limit")
	n, err := ParseLimit(v, ok)
	if err != nil {
		return jsonResponse(http.StatusBadRequest, map[string]string{"message": err.Error()})
	}
	index := h.Index
	if index == "" {
		index = scores.DefaultIndex
	}
	top, err := h.read(ctx, index, n)
	if err != nil {
		h.logf("ERROR request %s: read the leaderboard: %v", req.RequestContext.RequestID, err)
		return jsonResponse(http.StatusInternalServerError, map[string]string{"message": "Internal Server Error"})
	}
	return jsonResponse(http.StatusOK, top)
}

// read returns the first n players: from the top item (one read, however
// many players; see scores.TopKey) when the table has one and n is within
// it, from the index otherwise.
func (h *Handler) read(ctx context.Context, index string, n int) ([]scores.Entry, error) {
	if tr, ok := h.DB.(scores.TopReader); ok && n <= scores.TopSize {
		top, version, err := scores.ReadTop(ctx, tr, h.Table)
		if err != nil {
			return nil, err
		}
		if version > 0 {
			return top[:min(n, len(top))], nil
		}
	}
	return Top(ctx, h.DB, h.Table, index, n)
}

// headers are every answer's headers, with its content type.
func headers(contentType string) map[string]string {
	return map[string]string{
		"Content-Type":                contentType,
		"Access-Control-Allow-Origin": "*",
		"Cache-Control":               "no-store",
	}
}

func jsonResponse(status int, v any) events.APIGatewayV2HTTPResponse {
	b, err := json.Marshal(v)
	if err != nil { // the values answered are plain data
		status, b = http.StatusInternalServerError, []byte(`{"message":"Internal Server Error"}`)
	}
	return events.APIGatewayV2HTTPResponse{StatusCode: status, Headers: headers("application/json"), Body: string(b)}
}

// Environment variables the function reads.
const (
	EnvTable   = "SCORES_TABLE" // the scores table's name; required
	EnvIndex   = "SCORES_INDEX" // its index on (board, score); scores.DefaultIndex if unset
	EnvHashtag = "HASHTAG"      // the game's hashtag, shown on the page
)

// FromEnv returns the Handler the function's environment describes.
func FromEnv() (*Handler, error) {
	table := os.Getenv(EnvTable)
	if table == "" {
		return nil, fmt.Errorf("%s is not set: the function does not know its scores table", EnvTable)
	}
	return &Handler{
		DB:      dynamodb.NewFromConfig(awsenv.Config()),
		Table:   table,
		Index:   os.Getenv(EnvIndex),
		Hashtag: os.Getenv(EnvHashtag),
	}, nil
}

// Start runs the function: it reads its environment and serves
// invocations. A function whose environment is incomplete logs why and
// fails every invocation with that reason.
func Start() {
	h, err := FromEnv()
	if err != nil {
		log.Printf("ERROR retweet-leaderboard GetLeaderboard: %v", err)
		lambda.Start(func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
			return events.APIGatewayV2HTTPResponse{}, err
		})
		return
	}
	lambda.Start(h.Handle)
}
