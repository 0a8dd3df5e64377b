package apievents

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// RequestTimeFormat is how requestContext.requestTime is written in payload
// format 1.0 events (CLF, as API Gateway writes it).
const RequestTimeFormat = "02/Jan/2006:15:04:05 -0700"

// V1Event is a payload format 1.0 event, the shape of aws-lambda-go's
// events.APIGatewayProxyRequest. Nil maps and a nil Body are JSON null, as
// API Gateway sends them.
type V1Event struct {
	Version                         string              `json:"version,omitempty"` // "1.0" for HTTP APIs; absent for REST APIs
	Resource                        string              `json:"resource"`
	Path                            string              `json:"path"`
	HTTPMethod                      string              `json:"httpMethod"`
	Headers                         map[string]string   `json:"headers"`
	MultiValueHeaders               map[string][]string `json:"multiValueHeaders"`
	QueryStringParameters           map[string]string   `json:"queryStringParameters"`
	MultiValueQueryStringParameters map[string][]string `json:"multiValueQueryStringParameters"`
	PathParameters                  map[string]string   `json:"pathParameters"`
	StageVariables                  map[string]string   `json:"stageVariables"`
	RequestContext                  V1RequestContext    `json:"requestContext"`
	Body                            *string             `json:"body"`
	IsBase64Encoded                 bool                `json:"isBase64Encoded"`
}

// V1RequestContext is requestContext of a payload format 1.0 event.
type V1RequestContext struct {
	AccountID         string     `json:"accountId"`
	APIID             string     `json:"apiId"`
	DomainName        string     `json:"domainName"`
	DomainPrefix      string     `json:"domainPrefix"`
	ExtendedRequestID string     `json:"extendedRequestId"`
	HTTPMethod        string     `json:"httpMethod"`
	Identity          V1Identity `json:"identity"`
	Path              string     `json:"path"`
	Protocol          string     `json:"protocol"`
	RequestID         string     `json:"requestId"`
	RequestTime       string     `json:"requestTime"`
	RequestTimeEpoch  int64      `json:"requestTimeEpoch"`
	ResourceID        *string    `json:"resourceId"`
	ResourcePath      string     `json:"resourcePath"`
	Stage             string     `json:"stage"`
}

// V1Identity is requestContext.identity; eddy knows only the caller's
// address and user agent, and the rest is null as it is for an
// unauthenticated caller.
type V1Identity struct {
	AccessKey                     *string `json:"accessKey"`
	AccountID                     *string `json:"accountId"`
	Caller                        *string `json:"caller"`
	CognitoAuthenticationProvider *string `json:"cognitoAuthenticationProvider"`
	CognitoAuthenticationType     *string `json:"cognitoAuthenticationType"`
	CognitoIdentityID             *string `json:"cognitoIdentityId"`
	CognitoIdentityPoolID         *string `json:"cognitoIdentityPoolId"`
	PrincipalOrgID                *string `json:"principalOrgId"`
	SourceIP                      string  `json:"sourceIp"`
	User                          *string `json:"user"`
	UserAgent                     string  `json:"userAgent"`
	UserArn                       *string `json:"userArn"`
}

// V1Route is what the API knows about a request that the request itself
// does not carry: the matched resource or route, its parameters, the stage.
type V1Route struct {
	// HTTPAPI makes the event an HTTP API's payload format 1.0 event:
	// "version":"1.0", and requestContext.resourceId is the route key.
	HTTPAPI bool
	// Resource is the matched resource's path template ("/{proxy+}"), or an
	// HTTP API route's path ("$default" for the default route).
	Resource string
	// Path is the event's path: for REST APIs the request path without the
	// stage.
	Path string
	// ContextPath is requestContext.path; "" means "/{Stage}{Path}" for REST
	// APIs and Path for HTTP APIs.
	ContextPath string
	// ResourceID is the REST resource's id, or an HTTP API's route key
	// ("GET /items"); "" is null.
	ResourceID     string
	PathParameters map[string]string // nil or empty is null
	StageVariables map[string]string // nil or empty is null
	AccountID      string
	APIID          string
	Stage          string
	RequestID      string
	// ExtendedRequestID defaults to a value derived from RequestID.
	ExtendedRequestID string
	// Time is when the request arrived; zero means now.
	Time time.Time
	// Base64 says the body is binary and is sent base64-encoded (for REST
	// APIs: its Content-Type matches the API's binaryMediaTypes).
	Base64 bool
}

// NewV1Event builds the payload format 1.0 event for r, whose body (already
// read) is body, as API Gateway builds it for a Lambda proxy integration.
func NewV1Event(r *http.Request, body []byte, route V1Route) *V1Event {
	t := route.Time
	if t.IsZero() {
		t = time.Now()
	}
	t = t.UTC()
	host := r.Host
	prefix, _, _ := strings.Cut(v1HostOnly(host), ".")
	e := &V1Event{
		Resource:   route.Resource,
		Path:       route.Path,
		HTTPMethod: r.Method,
		RequestContext: V1RequestContext{
			AccountID:         route.AccountID,
			APIID:             route.APIID,
			DomainName:        host,
			DomainPrefix:      prefix,
			ExtendedRequestID: route.ExtendedRequestID,
			HTTPMethod:        r.Method,
			Identity: V1Identity{
				SourceIP:  v1SourceIP(r),
				UserAgent: r.UserAgent(),
			},
			Path:             route.ContextPath,
			Protocol:         r.Proto,
			RequestID:        route.RequestID,
			RequestTime:      t.Format(RequestTimeFormat),
			RequestTimeEpoch: t.UnixMilli(),
			ResourcePath:     route.Resource,
			Stage:            route.Stage,
		},
		IsBase64Encoded: route.Base64,
	}
	if route.HTTPAPI {
		e.Version = "1.0"
	}
	if e.RequestContext.Path == "" {
		if route.HTTPAPI {
			e.RequestContext.Path = route.Path
		} else {
			e.RequestContext.Path = "/" + route.Stage + route.Path
		}
	}
	if e.RequestContext.ExtendedRequestID == "" {
		e.RequestContext.ExtendedRequestID = ExtendedRequestID(route.RequestID)
	}
	if route.ResourceID != "" {
		id := route.ResourceID
		e.RequestContext.ResourceID = &id
	}
	if len(route.PathParameters) > 0 {
		e.PathParameters = route.PathParameters
	}
	if len(route.StageVariables) > 0 {
		e.StageVariables = route.StageVariables
	}
	e.Headers, e.MultiValueHeaders = V1Headers(r)
	v1AddForwarded(r, e.Headers, e.MultiValueHeaders)
	e.QueryStringParameters, e.MultiValueQueryStringParameters = V1Query(r.URL.RawQuery)
	if len(body) > 0 {
		var s string
		if route.Base64 {
			s = base64.StdEncoding.EncodeToString(body)
		} else {
			s = string(body)
		}
		e.Body = &s
	}
	return e
}

// V1Headers returns r's headers as a 1.0 event carries them: the last value
// of each in headers, all of them in multiValueHeaders. Host is included;
// both are nil when there are no headers.
func V1Headers(r *http.Request) (single map[string]string, multi map[string][]string) {
	n := len(r.Header)
	if r.Host != "" {
		n++
	}
	if n == 0 {
		return nil, nil
	}
	single = make(map[string]string, n)
	multi = make(map[string][]string, n)
	if r.Host != "" && r.Header.Get("Host") == "" {
		single["Host"] = r.Host
		multi["Host"] = []string{r.Host}
	}
	for k, vs := range r.Header {
		if len(vs) == 0 {
			continue
		}
		single[k] = vs[len(vs)-1]
		multi[k] = append([]string(nil), vs...)
	}
	if len(single) == 0 {
		return nil, nil
	}
	return single, multi
}

// v1AddForwarded adds the X-Forwarded-For, -Port and -Proto headers API
// Gateway adds to what it passes on.
func v1AddForwarded(r *http.Request, single map[string]string, multi map[string][]string) {
	if single == nil {
		return
	}
	ip := v1SourceIP(r)
	if prior := single["X-Forwarded-For"]; prior != "" {
		ip = prior + ", " + ip
	}
	proto, port := "http", "80"
	if r.TLS != nil {
		proto, port = "https", "443"
	}
	if addr, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if _, p, err := net.SplitHostPort(addr.String()); err == nil {
			port = p
		}
	}
	for k, v := range map[string]string{"X-Forwarded-For": ip, "X-Forwarded-Port": port, "X-Forwarded-Proto": proto} {
		single[k] = v
		multi[k] = []string{v}
	}
}

// V1Query returns a raw query string as a 1.0 event carries it: the last
// value of each parameter in queryStringParameters, all of them in order in
// multiValueQueryStringParameters; both nil when there are none. A parameter
// that does not decode is passed as written.
func V1Query(raw string) (single map[string]string, multi map[string][]string) {
	if raw == "" {
		return nil, nil
	}
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		k, v = v1UnescapeQuery(k), v1UnescapeQuery(v)
		if multi == nil {
			single = map[string]string{}
			multi = map[string][]string{}
		}
		single[k] = v
		multi[k] = append(multi[k], v)
	}
	return single, multi
}

func v1UnescapeQuery(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// ExtendedRequestID returns an x-amz-apigw-id style id (14 characters of
// base64 ending in "=") derived from a request id.
func ExtendedRequestID(requestID string) string {
	b := []byte(requestID)
	if len(b) > 10 {
		b = b[len(b)-10:]
	}
	for len(b) < 10 {
		b = append(b, 'x')
	}
	s := base64.StdEncoding.EncodeToString(b) // 16 characters, "==" padded
	return strings.TrimSuffix(s, "=")
}

// MatchesMediaType reports whether contentType (a Content-Type value) is one
// of types, as REST APIs match binaryMediaTypes: exact type/subtype, a
// wildcard subtype ("image/*"), or "*/*".
func MatchesMediaType(contentType string, types []string) bool {
	if contentType == "" || len(types) == 0 {
		return false
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(strings.Split(contentType, ";")[0]))
	}
	major, _, _ := strings.Cut(mt, "/")
	for _, t := range types {
		t = strings.ToLower(strings.TrimSpace(t))
		switch {
		case t == "*/*":
			return true
		case t == mt:
			return true
		case strings.HasSuffix(t, "/*") && strings.TrimSuffix(t, "/*") == major:
			return true
		}
	}
	return false
}

func v1HostOnly(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		return h
	}
	return host
}

func v1SourceIP(r *http.Request) string {
	if h, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return h
	}
	return r.RemoteAddr
}

// V1Response is an HTTP response mapped from a function's payload format 1.0
// response.
type V1Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte
}

// ErrMalformedResponse is returned by ParseV1Response for a function response
// that is not a valid payload format 1.0 response object; API Gateway answers
// it with 502 and InternalServerError.
var ErrMalformedResponse = fmt.Errorf("malformed Lambda proxy response")

// ParseV1Response maps a function's response to the HTTP response API
// Gateway sends for it: a JSON object with statusCode (required, 200–599),
// headers, multiValueHeaders (merged; a header in multiValueHeaders takes
// precedence over the same one in headers), body (a string) and
// isBase64Encoded. Anything else is ErrMalformedResponse. Content-Type
// defaults to application/json.
func ParseV1Response(payload []byte) (*V1Response, error) {
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(payload))
	if err := dec.Decode(&raw); err != nil || raw == nil {
		return nil, fmt.Errorf("%w: not a JSON object", ErrMalformedResponse)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: trailing data", ErrMalformedResponse)
	}
	resp := &V1Response{Header: http.Header{}}
	var (
		body    *string
		base64d bool
		status  = -1
	)
	for k, v := range raw {
		var err error
		switch k {
		case "statusCode":
			status, err = v1ParseStatus(v)
		case "headers":
			err = v1ParseSingleHeaders(v, resp.Header)
		case "multiValueHeaders":
			// applied after headers, below
		case "body":
			err = json.Unmarshal(v, &body)
		case "isBase64Encoded":
			var b *bool
			err = json.Unmarshal(v, &b)
			base64d = b != nil && *b
		default:
			err = fmt.Errorf("unexpected field %q", k)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrMalformedResponse, k, err)
		}
	}
	if v, ok := raw["multiValueHeaders"]; ok {
		if err := v1ParseMultiHeaders(v, resp.Header); err != nil {
			return nil, fmt.Errorf("%w: multiValueHeaders: %v", ErrMalformedResponse, err)
		}
	}
	if status < 200 || status > 599 { // an informational status cannot end a response
		return nil, fmt.Errorf("%w: statusCode missing or out of range", ErrMalformedResponse)
	}
	resp.StatusCode = status
	if body != nil {
		if base64d {
			b, err := base64.StdEncoding.DecodeString(*body)
			if err != nil {
				return nil, fmt.Errorf("%w: body is not base64: %v", ErrMalformedResponse, err)
			}
			resp.Body = b
		} else {
			resp.Body = []byte(*body)
		}
	}
	if resp.Header.Get("Content-Type") == "" {
		resp.Header.Set("Content-Type", "application/json")
	}
	return resp, nil
}

func v1ParseStatus(v json.RawMessage) (int, error) {
	var n json.Number
	d := json.NewDecoder(bytes.NewReader(v))
	d.UseNumber()
	var x any
	if err := d.Decode(&x); err != nil {
		return 0, err
	}
	switch t := x.(type) {
	case json.Number:
		n = t
	case string:
		n = json.Number(t)
	default:
		return 0, fmt.Errorf("not a number")
	}
	i, err := strconv.Atoi(n.String())
	if err != nil {
		return 0, fmt.Errorf("not an integer")
	}
	return i, nil
}

// v1HeaderValue renders a JSON scalar as a header value.
func v1HeaderValue(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return t, true
	case json.Number:
		return t.String(), true
	case bool:
		return strconv.FormatBool(t), true
	}
	return "", false
}

func v1DecodeNumbers(v json.RawMessage, into any) error {
	d := json.NewDecoder(bytes.NewReader(v))
	d.UseNumber()
	return d.Decode(into)
}

func v1ParseSingleHeaders(v json.RawMessage, h http.Header) error {
	var m map[string]any
	if err := v1DecodeNumbers(v, &m); err != nil {
		return err
	}
	for _, k := range v1SortedKeys(m) {
		if m[k] == nil {
			continue
		}
		s, ok := v1HeaderValue(m[k])
		if !ok || !v1ValidHeader(k, s) {
			return fmt.Errorf("bad header %q", k)
		}
		h.Set(k, s)
	}
	return nil
}

func v1ParseMultiHeaders(v json.RawMessage, h http.Header) error {
	var m map[string][]any
	if err := v1DecodeNumbers(v, &m); err != nil {
		return err
	}
	for _, k := range v1SortedKeys(m) {
		if m[k] == nil {
			continue
		}
		h.Del(k)
		for _, x := range m[k] {
			s, ok := v1HeaderValue(x)
			if !ok || !v1ValidHeader(k, s) {
				return fmt.Errorf("bad header %q", k)
			}
			h.Add(k, s)
		}
	}
	return nil
}

func v1ValidHeader(k, v string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("()<>@,;:\\\"/[]?={}", c) >= 0 {
			return false
		}
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; c == '\r' || c == '\n' || c == 0 {
			return false
		}
	}
	return true
}

func v1SortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Error bodies API Gateway answers with, byte for byte.
const (
	BodyInternalServerError   = `{"message": "Internal server error"}`
	BodyEndpointTimedOut      = `{"message": "Endpoint request timed out"}`
	BodyTooManyRequests       = `{"message":"Too Many Requests"}`
	BodyMissingAuthentication = `{"message":"Missing Authentication Token"}`
	BodyRequestTooLarge       = `{"message":"Request Too Long"}`
	BodyNotFound              = `{"message":"Not Found"}`
	BodyForbidden             = `{"message":"Forbidden"}`
)

// WriteError writes one of API Gateway's error responses: status and body
// (one of the Body* constants), with x-amzn-ErrorType set for the statuses
// that carry one.
func WriteError(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	switch status {
	case http.StatusBadGateway:
		w.Header().Set("X-Amzn-ErrorType", "InternalServerErrorException")
	case http.StatusGatewayTimeout:
		w.Header().Set("X-Amzn-ErrorType", "InternalServerErrorException")
	case http.StatusForbidden:
		if body == BodyMissingAuthentication {
			w.Header().Set("X-Amzn-ErrorType", "MissingAuthenticationTokenException")
		} else {
			w.Header().Set("X-Amzn-ErrorType", "ForbiddenException")
		}
	case http.StatusTooManyRequests:
		w.Header().Set("X-Amzn-ErrorType", "TooManyRequestsException")
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

// WriteV1Response writes resp to w.
func WriteV1Response(w http.ResponseWriter, resp *V1Response) {
	for k, vs := range resp.Header {
		if strings.EqualFold(k, "Content-Length") || strings.EqualFold(k, "Transfer-Encoding") {
			continue
		}
		w.Header()[k] = vs
	}
	if resp.StatusCode == http.StatusNoContent || resp.StatusCode == http.StatusNotModified {
		w.WriteHeader(resp.StatusCode) // a response that has no body
		return
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(resp.Body)))
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(resp.Body)
}
