package apievents

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// V2Request is payload format 2.0's event, as HTTP APIs and function URLs
// send it (aws-lambda-go's events.APIGatewayV2HTTPRequest and
// events.LambdaFunctionURLRequest).
type V2Request struct {
	Version               string            `json:"version"`
	RouteKey              string            `json:"routeKey"`
	RawPath               string            `json:"rawPath"`
	RawQueryString        string            `json:"rawQueryString"`
	Cookies               []string          `json:"cookies,omitempty"`
	Headers               map[string]string `json:"headers"`
	QueryStringParameters map[string]string `json:"queryStringParameters,omitempty"`
	PathParameters        map[string]string `json:"pathParameters,omitempty"`
	StageVariables        map[string]string `json:"stageVariables,omitempty"`
	RequestContext        V2Context         `json:"requestContext"`
	Body                  string            `json:"body,omitempty"`
	IsBase64Encoded       bool              `json:"isBase64Encoded"`
}

// V2Context is the requestContext of a 2.0 event.
type V2Context struct {
	AccountID    string `json:"accountId"`
	APIID        string `json:"apiId"`
	DomainName   string `json:"domainName"`
	DomainPrefix string `json:"domainPrefix"`
	HTTP         V2HTTP `json:"http"`
	RequestID    string `json:"requestId"`
	RouteKey     string `json:"routeKey"`
	Stage        string `json:"stage"`
	Time         string `json:"time"`
	TimeEpoch    int64  `json:"timeEpoch"`
}

// V2HTTP describes the HTTP request in a 2.0 event's requestContext.
type V2HTTP struct {
	Method    string `json:"method"`
	Path      string `json:"path"`
	Protocol  string `json:"protocol"`
	SourceIP  string `json:"sourceIp"`
	UserAgent string `json:"userAgent"`
}

// Source is what an event says about where a request went: the API (or
// function URL) and route that took it.
type Source struct {
	AccountID string
	APIID     string // the API id, or the function URL's id
	RouteKey  string // "$default" for function URLs
	Stage     string // "$default" for function URLs
	// Path is the request's path below the address (the stage's prefix
	// included, as rawPath shows it).
	Path           string
	PathParameters map[string]string
	StageVariables map[string]string
	RequestID      string
	Time           time.Time
}

// TimeLayout is the layout of requestContext.time.
const TimeLayout = "02/Jan/2006:15:04:05 -0700"

// NewV2Request builds the 2.0 event for r, whose body has been read.
func NewV2Request(r *http.Request, body []byte, src Source) *V2Request {
	ev := &V2Request{
		Version:        "2.0",
		RouteKey:       src.RouteKey,
		RawPath:        src.Path,
		RawQueryString: r.URL.RawQuery,
		Headers:        map[string]string{},
		PathParameters: nonEmpty(src.PathParameters),
		StageVariables: nonEmpty(src.StageVariables),
	}
	for name, vs := range r.Header {
		name = strings.ToLower(name)
		if name == "cookie" {
			for _, v := range vs {
				for _, c := range strings.Split(v, ";") {
					if c = strings.TrimSpace(c); c != "" {
						ev.Cookies = append(ev.Cookies, c)
					}
				}
			}
			continue
		}
		ev.Headers[name] = strings.Join(vs, ",")
	}
	host := r.Host
	ev.Headers["host"] = host
	if _, ok := ev.Headers["x-forwarded-proto"]; !ok {
		ev.Headers["x-forwarded-proto"] = "http"
	}
	ip := r.RemoteAddr
	if h, _, err := net.SplitHostPort(ip); err == nil {
		ip = h
	}
	if xff := ev.Headers["x-forwarded-for"]; xff != "" {
		ev.Headers["x-forwarded-for"] = xff + ", " + ip
	} else {
		ev.Headers["x-forwarded-for"] = ip
	}
	if q, err := url.ParseQuery(r.URL.RawQuery); err == nil && len(q) > 0 {
		ev.QueryStringParameters = make(map[string]string, len(q))
		for k, vs := range q {
			ev.QueryStringParameters[k] = strings.Join(vs, ",")
		}
	}
	hostname := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		hostname = h
	}
	prefix, _, _ := strings.Cut(hostname, ".")
	ev.RequestContext = V2Context{
		AccountID:    src.AccountID,
		APIID:        src.APIID,
		DomainName:   hostname,
		DomainPrefix: prefix,
		HTTP: V2HTTP{
			Method:    r.Method,
			Path:      src.Path,
			Protocol:  r.Proto,
			SourceIP:  ip,
			UserAgent: r.UserAgent(),
		},
		RequestID: src.RequestID,
		RouteKey:  src.RouteKey,
		Stage:     src.Stage,
		Time:      src.Time.UTC().Format(TimeLayout),
		TimeEpoch: src.Time.UnixMilli(),
	}
	if len(body) > 0 {
		if IsText(r.Header.Get("Content-Type")) {
			ev.Body = string(body)
		} else {
			ev.Body = base64.StdEncoding.EncodeToString(body)
			ev.IsBase64Encoded = true
		}
	}
	return ev
}

func nonEmpty(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return m
}

// IsText reports whether a body of this content type is passed to the
// function as text; any other body is passed base64-encoded.
func IsText(contentType string) bool {
	if contentType == "" {
		return false
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	switch {
	case strings.HasPrefix(mt, "text/"),
		strings.HasSuffix(mt, "+json"), strings.HasSuffix(mt, "+xml"):
		return true
	}
	switch mt {
	case "application/json", "application/xml", "application/javascript", "application/ecmascript",
		"application/x-www-form-urlencoded", "application/graphql", "application/x-javascript":
		return true
	}
	return false
}

// Response is an HTTP response a function's result maps to.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// ErrBadResponse is returned for a function result that cannot be mapped:
// API Gateway answers it with 502.
var ErrBadResponse = errors.New("apievents: malformed Lambda proxy response")

// V2Response maps a function's result as payload format 2.0 does: an object
// with statusCode gives the status, headers, multiValueHeaders, cookies
// (as Set-Cookie) and body (base64-decoded if isBase64Encoded); any other
// JSON value is a 200 whose body is that value (a string's text) with
// content-type application/json.
func V2Response(payload []byte) (*Response, error) {
	payload = bytes.TrimSpace(payload)
	if !json.Valid(payload) {
		return nil, ErrBadResponse
	}
	// Only an object that names statusCode (perhaps with escapes) needs
	// decoding; any other value is the body as it is.
	if payload[0] == '{' && (bytes.Contains(payload, []byte(`"statusCode"`)) || bytes.Contains(payload, []byte(`\u`))) {
		var v v2Result
		err := json.Unmarshal(payload, &v)
		if err == nil && v.StatusCode != nil {
			return structured(&v)
		}
		if err != nil {
			// Members of unexpected types matter only beside statusCode.
			var probe map[string]json.RawMessage
			if json.Unmarshal(payload, &probe) != nil || probe["statusCode"] != nil {
				return nil, ErrBadResponse
			}
		}
	}
	body := payload
	var s string
	if payload[0] == '"' && json.Unmarshal(payload, &s) == nil {
		body = []byte(s)
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	return &Response{Status: http.StatusOK, Header: h, Body: body}, nil
}

// v2Result is a structured 2.0 response; without statusCode an object is
// the body of a 200 instead.
type v2Result struct {
	StatusCode        json.RawMessage  `json:"statusCode"`
	Headers           map[string]any   `json:"headers"`
	MultiValueHeaders map[string][]any `json:"multiValueHeaders"`
	Cookies           []string         `json:"cookies"`
	Body              *string          `json:"body"`
	IsBase64Encoded   bool             `json:"isBase64Encoded"`
}

func structured(v *v2Result) (*Response, error) {
	status, err := statusOf(v.StatusCode)
	if err != nil {
		return nil, err
	}
	res := &Response{Status: status, Header: http.Header{}}
	for k, vs := range v.MultiValueHeaders {
		for _, x := range vs {
			res.Header.Add(k, scalar(x))
		}
	}
	for k, x := range v.Headers {
		res.Header.Set(k, scalar(x))
	}
	for _, c := range v.Cookies {
		res.Header.Add("Set-Cookie", c)
	}
	if v.Body != nil {
		if v.IsBase64Encoded {
			b, err := base64.StdEncoding.DecodeString(*v.Body)
			if err != nil {
				return nil, ErrBadResponse
			}
			res.Body = b
		} else {
			res.Body = []byte(*v.Body)
		}
	}
	return res, nil
}

// statusOf reads statusCode: a number, or a string of digits, 100–599.
func statusOf(raw json.RawMessage) (int, error) {
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return 0, ErrBadResponse
		}
		n = json.Number(s)
	}
	i, err := strconv.Atoi(string(n))
	if err != nil || i < 100 || i > 599 {
		return 0, ErrBadResponse
	}
	return i, nil
}

// scalar renders a header value: a string as is, anything else as JSON.
func scalar(x any) string {
	if s, ok := x.(string); ok {
		return s
	}
	b, _ := json.Marshal(x)
	return string(b)
}
