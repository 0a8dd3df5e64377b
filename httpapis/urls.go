package httpapis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/apievents"
	"github.com/eddyserverless/eddy/engine"
	"github.com/nats-io/nats.go/jetstream"
)

// URLCors is a function URL's CORS configuration, in Lambda's spelling.
type URLCors struct {
	AllowCredentials bool     `json:"AllowCredentials,omitempty"`
	AllowHeaders     []string `json:"AllowHeaders,omitempty"`
	AllowMethods     []string `json:"AllowMethods,omitempty"`
	AllowOrigins     []string `json:"AllowOrigins,omitempty"`
	ExposeHeaders    []string `json:"ExposeHeaders,omitempty"`
	MaxAge           *int     `json:"MaxAge,omitempty"`
}

func (c *URLCors) gateway() *Cors {
	if c == nil {
		return nil
	}
	return &Cors{AllowCredentials: c.AllowCredentials, AllowHeaders: c.AllowHeaders, AllowMethods: c.AllowMethods,
		AllowOrigins: c.AllowOrigins, ExposeHeaders: c.ExposeHeaders, MaxAge: c.MaxAge}
}

// FunctionURL is a function URL's configuration.
type FunctionURL struct {
	URLID        string    `json:"urlId"`
	Region       string    `json:"region"`
	FunctionName string    `json:"functionName"`
	Qualifier    string    `json:"qualifier,omitempty"` // "" for the unqualified function
	AuthType     string    `json:"authType"`
	Cors         *URLCors  `json:"cors,omitempty"`
	InvokeMode   string    `json:"invokeMode"`
	Created      time.Time `json:"created"`
	Modified     time.Time `json:"modified"`

	revision uint64
}

// URLInput is the body of CreateFunctionUrlConfig and
// UpdateFunctionUrlConfig; nil members are left as they are by an update.
type URLInput struct {
	AuthType   *string  `json:"AuthType"`
	Cors       *URLCors `json:"Cors"`
	InvokeMode *string  `json:"InvokeMode"`
}

// Address is the function URL's invoke address.
func (s *Service) Address(u *FunctionURL) string {
	return fmt.Sprintf("http://%s.lambda-url.%s.localhost:%d/", u.URLID, u.Region, s.cfg.Port)
}

func fnKey(region, name, qualifier string) string {
	return fnPrefix + engine.EncodeKey(region+"\x00"+name+"\x00"+qualifier)
}

func urlNotFound() error {
	return eddy.TypedErrorf(eddy.ENOTFOUND, "ResourceNotFoundException", "The resource you requested does not exist.")
}

func validateURLInput(in *URLInput, create bool) error {
	if in.AuthType == nil && create {
		return eddy.Errorf(eddy.EVALIDATE, "1 validation error detected: Value null at 'authType' failed to satisfy constraint: Member must not be null")
	}
	if in.AuthType != nil && *in.AuthType != "NONE" && *in.AuthType != "AWS_IAM" {
		return eddy.Errorf(eddy.EVALIDATE, "1 validation error detected: Value '%s' at 'authType' failed to satisfy constraint: Member must satisfy enum value set: [AWS_IAM, NONE]", *in.AuthType)
	}
	if in.InvokeMode != nil && *in.InvokeMode != "BUFFERED" && *in.InvokeMode != "RESPONSE_STREAM" {
		return eddy.Errorf(eddy.EVALIDATE, "1 validation error detected: Value '%s' at 'invokeMode' failed to satisfy constraint: Member must satisfy enum value set: [BUFFERED, RESPONSE_STREAM]", *in.InvokeMode)
	}
	if c := in.Cors; c != nil {
		if c.MaxAge != nil && (*c.MaxAge < 0 || *c.MaxAge > 86400) {
			return eddy.Errorf(eddy.EVALIDATE, "1 validation error detected: Value '%d' at 'cors.maxAge' failed to satisfy constraint: Member must have value less than or equal to 86400", *c.MaxAge)
		}
	}
	return nil
}

// CreateFunctionURL creates the URL of a function (qualifier "" or an alias);
// the caller has checked that the function exists.
func (s *Service) CreateFunctionURL(ctx context.Context, region, name, qualifier string, in *URLInput) (*FunctionURL, error) {
	if err := validateURLInput(in, true); err != nil {
		return nil, err
	}
	t := time.Now().UTC()
	u := &FunctionURL{URLID: newID(32), Region: region, FunctionName: name, Qualifier: qualifier,
		AuthType: *in.AuthType, Cors: in.Cors, InvokeMode: "BUFFERED", Created: t, Modified: t}
	if in.InvokeMode != nil {
		u.InvokeMode = *in.InvokeMode
	}
	if _, err := s.kv.Create(ctx, fnKey(region, name, qualifier), []byte(u.URLID)); err != nil {
		if isConflict(err) {
			return nil, eddy.TypedErrorf(eddy.ECONFLICT, "ResourceConflictException",
				"Failed to create function url config for [functionArn = %s]. Error message:  FunctionUrlConfig exists for this Lambda function",
				qualifiedARN(region, s.cfg.AccountID, name, qualifier))
		}
		return nil, fmt.Errorf("httpapis: create url: %w", err)
	}
	if err := s.putURL(ctx, u); err != nil {
		return nil, err
	}
	return u, nil
}

func qualifiedARN(region, account, name, qualifier string) string {
	arn := eddy.FunctionARN(region, account, name)
	if qualifier != "" {
		arn += ":" + qualifier
	}
	return arn
}

// FunctionARN is the ARN a function URL's configuration names.
func (s *Service) FunctionARN(u *FunctionURL) string {
	return qualifiedARN(u.Region, s.cfg.AccountID, u.FunctionName, u.Qualifier)
}

func (s *Service) putURL(ctx context.Context, u *FunctionURL) error {
	data, err := json.Marshal(u)
	if err != nil {
		return err
	}
	rev, err := s.kv.Put(ctx, urlPrefix+u.URLID, data)
	if err != nil {
		return fmt.Errorf("httpapis: put url: %w", err)
	}
	u.revision = rev
	s.mu.Lock()
	s.urls[u.URLID] = u
	s.mu.Unlock()
	return nil
}

// loadURL reads a function URL's configuration from the bucket.
func (s *Service) loadURL(ctx context.Context, id string) (*FunctionURL, error) {
	ent, err := s.kv.Get(ctx, urlPrefix+id)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, urlNotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("httpapis: get url: %w", err)
	}
	var u FunctionURL
	if err := json.Unmarshal(ent.Value(), &u); err != nil {
		return nil, fmt.Errorf("httpapis: decode url: %w", err)
	}
	u.revision = ent.Revision()
	return &u, nil
}

// GetFunctionURL returns the URL of a function (qualifier "" or an alias).
func (s *Service) GetFunctionURL(ctx context.Context, region, name, qualifier string) (*FunctionURL, error) {
	ent, err := s.kv.Get(ctx, fnKey(region, name, qualifier))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, urlNotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("httpapis: get url: %w", err)
	}
	return s.loadURL(ctx, string(ent.Value()))
}

// UpdateFunctionURL changes what in names of a function's URL.
func (s *Service) UpdateFunctionURL(ctx context.Context, region, name, qualifier string, in *URLInput) (*FunctionURL, error) {
	if err := validateURLInput(in, false); err != nil {
		return nil, err
	}
	u, err := s.GetFunctionURL(ctx, region, name, qualifier)
	if err != nil {
		return nil, err
	}
	if in.AuthType != nil {
		u.AuthType = *in.AuthType
	}
	if in.Cors != nil {
		u.Cors = in.Cors
	}
	if in.InvokeMode != nil {
		u.InvokeMode = *in.InvokeMode
	}
	u.Modified = time.Now().UTC()
	if err := s.putURL(ctx, u); err != nil {
		return nil, err
	}
	return u, nil
}

// DeleteFunctionURL deletes a function's URL.
func (s *Service) DeleteFunctionURL(ctx context.Context, region, name, qualifier string) error {
	u, err := s.GetFunctionURL(ctx, region, name, qualifier)
	if err != nil {
		return err
	}
	return s.deleteURL(ctx, u)
}

func (s *Service) deleteURL(ctx context.Context, u *FunctionURL) error {
	if err := s.kv.Delete(ctx, urlPrefix+u.URLID); err != nil {
		return fmt.Errorf("httpapis: delete url: %w", err)
	}
	if err := s.kv.Delete(ctx, fnKey(u.Region, u.FunctionName, u.Qualifier)); err != nil {
		return fmt.Errorf("httpapis: delete url: %w", err)
	}
	s.mu.Lock()
	delete(s.urls, u.URLID)
	s.mu.Unlock()
	return nil
}

// ListFunctionURLs returns the URLs of a function and its aliases, in
// qualifier order.
func (s *Service) ListFunctionURLs(ctx context.Context, region, name string) ([]*FunctionURL, error) {
	lister, err := s.kv.ListKeysFiltered(ctx, urlPrefix+"*")
	if err != nil {
		return nil, fmt.Errorf("httpapis: list urls: %w", err)
	}
	var out []*FunctionURL
	for key := range lister.Keys() {
		u, err := s.loadURL(ctx, strings.TrimPrefix(key, urlPrefix))
		if eddy.ErrorCode(err) == eddy.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, err
		}
		if u.Region == region && u.FunctionName == name {
			out = append(out, u)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Qualifier < out[j].Qualifier })
	return out, nil
}

// DeleteFunctionURLs deletes every URL of a function, as deleting the
// function does.
func (s *Service) DeleteFunctionURLs(ctx context.Context, region, name string) error {
	us, err := s.ListFunctionURLs(ctx, region, name)
	if err != nil {
		return err
	}
	for _, u := range us {
		if err := s.deleteURL(ctx, u); err != nil {
			return err
		}
	}
	return nil
}

// lookupURL returns the function URL of id from the cache, or from the
// bucket if this node has not seen it yet.
func (s *Service) lookupURL(ctx context.Context, id string) *FunctionURL {
	s.mu.RLock()
	u := s.urls[id]
	s.mu.RUnlock()
	if u != nil {
		return u
	}
	u, err := s.loadURL(ctx, id)
	if err != nil {
		return nil
	}
	s.mu.Lock()
	if old := s.urls[id]; old == nil || old.revision < u.revision {
		s.urls[id] = u
	}
	s.mu.Unlock()
	return u
}

// ServeURLInvoke serves a request made to the function URL id. It reports
// false, having written nothing, for an id that is no function URL.
func (s *Service) ServeURLInvoke(w http.ResponseWriter, r *http.Request, id, path string) bool {
	if !validID(id) {
		return false
	}
	u := s.lookupURL(r.Context(), id)
	if u == nil {
		return false
	}
	reqID := eddy.NewID()
	w.Header().Set("X-Amzn-Requestid", reqID)
	cors := u.Cors.gateway()
	if u.AuthType == "AWS_IAM" && !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") {
		gatewayAnswer{http.StatusForbidden, "Forbidden"}.write(w)
		return true
	}
	if cors != nil && preflight(w, r, cors) {
		return true
	}
	body, tooLarge, err := readBody(r, eddy.MaxSyncPayload)
	if tooLarge {
		writeCors(w, r, cors)
		msgTooLarge.write(w)
		return true
	}
	if err != nil {
		msgInternal.write(w)
		return true
	}
	src := apievents.Source{AccountID: s.cfg.AccountID, APIID: id, RouteKey: DefaultRouteKey, Stage: DefaultRouteKey,
		Path: path, RequestID: reqID, Time: time.Now()}
	payload, err := json.Marshal(apievents.NewV2Request(r, body, src))
	if err != nil {
		msgInternal.write(w)
		return true
	}
	res, answer := s.invoke(r.Context(), u.Region, eddy.FunctionRef{Name: u.FunctionName, Qualifier: u.Qualifier}, payload)
	if answer != nil {
		writeCors(w, r, cors)
		if answer == &msgNoFunction {
			msgNotFound.write(w)
			return true
		}
		answer.write(w)
		return true
	}
	resp, err := apievents.V2Response(res.Payload)
	if err != nil {
		writeCors(w, r, cors)
		msgFunctionError.write(w)
		return true
	}
	writeResponse(w, r, resp, cors)
	return true
}

// URLInvoker serves function URLs' invoke addresses (awsapi's
// FunctionURLsAPI), where the Service itself serves HTTP APIs'.
type URLInvoker struct{ *Service }

// ServeInvoke serves a request made to the function URL id.
func (u URLInvoker) ServeInvoke(w http.ResponseWriter, r *http.Request, id, path string) bool {
	return u.ServeURLInvoke(w, r, id, path)
}
