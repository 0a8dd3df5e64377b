package leaderboard

import (
	"bytes"
	_ "embed"
	"html/template"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
)

//go:embed page.html
var pageHTML string

// pageTemplate is the leaderboard's web page. It reads the leaderboard
// from "leaderboard?limit=10", relative to the page, so that it works at
// an API's execute-api address and at eddy's /_api/{apiId}/ alike.
var pageTemplate = template.Must(template.New("page").Parse(pageHTML))

// pageData is what the page shows besides the leaderboard.
type pageData struct {
	Hashtag string
	Limit   int
}

// page answers GET / with the web page.
func (h *Handler) page() events.APIGatewayV2HTTPResponse {
	var b bytes.Buffer
	if err := pageTemplate.Execute(&b, pageData{Hashtag: h.Hashtag, Limit: DefaultLimit}); err != nil {
		h.logf("ERROR render the page: %v", err)
		return jsonResponse(http.StatusInternalServerError, map[string]string{"message": "Internal Server Error"})
	}
	return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusOK, Headers: headers("text/html; charset=utf-8"), Body: b.String()}
}
