// Package functions is eddy's registry of Lambda functions: their
// configuration in a JetStream key-value bucket (cached in memory and kept
// current by a watch, so that every node sees every change) and their code in
// a content-addressed Object Store.
package functions

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/engine"
	"github.com/nats-io/nats.go/jetstream"
)

// metaBucket holds function configurations under "REGION.NAME".
const metaBucket = "eddy_functions"

// Service implements eddy.FunctionService and eddy.CodeStore.
type Service struct {
	Engine  *engine.Engine
	Account string
	Logger  *slog.Logger
	Now     func() time.Time

	kv   jetstream.KeyValue
	code jetstream.ObjectStore

	mu    sync.RWMutex // guards cache
	cache map[string]cached

	stop context.CancelFunc
	wg   sync.WaitGroup
}

type cached struct {
	fn  *eddy.Function
	rev uint64
}

// NewService returns a registry on e. Call Open before use.
func NewService(e *engine.Engine, account string, logger *slog.Logger) *Service {
	if account == "" {
		account = "000000000000"
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Service{Engine: e, Account: account, Logger: logger, Now: time.Now, cache: map[string]cached{}}
}

// Open creates the buckets and loads every function into the cache.
func (s *Service) Open(ctx context.Context) error {
	kv, err := s.Engine.KeyValue(ctx, jetstream.KeyValueConfig{Bucket: metaBucket, History: 1, Storage: jetstream.FileStorage})
	if err != nil {
		return err
	}
	code, err := s.Engine.ObjectStore(ctx, jetstream.ObjectStoreConfig{Bucket: codeBucket, Storage: jetstream.FileStorage})
	if err != nil {
		return err
	}
	s.kv, s.code = kv, code
	wctx, cancel := context.WithCancel(context.Background())
	w, err := kv.WatchAll(wctx)
	if err != nil {
		cancel()
		return fmt.Errorf("functions: watch: %w", err)
	}
	s.stop = cancel
	// The first nil entry marks the end of the initial values.
	for e := range w.Updates() {
		if e == nil {
			break
		}
		s.apply(e)
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer func() { _ = w.Stop() }()
		for {
			select {
			case <-wctx.Done():
				return
			case e, ok := <-w.Updates():
				if !ok {
					return
				}
				if e != nil {
					s.apply(e)
				}
			}
		}
	}()
	return nil
}

// Close stops the watch. Safe twice.
func (s *Service) Close() error {
	if s.stop != nil {
		s.stop()
	}
	s.wg.Wait()
	return nil
}

func (s *Service) apply(e jetstream.KeyValueEntry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.cache[e.Key()]; ok && c.rev >= e.Revision() {
		return
	}
	if e.Operation() != jetstream.KeyValuePut {
		s.cache[e.Key()] = cached{rev: e.Revision()} // a tombstone
		return
	}
	var fn eddy.Function
	if err := json.Unmarshal(e.Value(), &fn); err != nil {
		s.Logger.Error("functions: bad record", "key", e.Key(), "err", err)
		return
	}
	s.cache[e.Key()] = cached{fn: &fn, rev: e.Revision()}
}

func (s *Service) remember(key string, fn *eddy.Function, rev uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.cache[key]; ok && c.rev >= rev {
		return
	}
	s.cache[key] = cached{fn: fn, rev: rev}
}

func functionKey(region, name string) string { return region + "." + name }

func notFound(region, account, name string) error {
	return eddy.TypedErrorf(eddy.ENOTFOUND, "ResourceNotFoundException",
		"Function not found: %s", eddy.FunctionARN(region, account, name))
}

func clone(fn *eddy.Function) *eddy.Function {
	c := *fn
	c.Environment = maps.Clone(fn.Environment)
	c.Tags = maps.Clone(fn.Tags)
	c.Architectures = slices.Clone(fn.Architectures)
	c.Layers = slices.Clone(fn.Layers)
	return &c
}

// lookup returns the cached function and its revision; a miss is confirmed
// against the bucket, since another node may have just created it.
func (s *Service) lookup(ctx context.Context, region, name string) (*eddy.Function, uint64, error) {
	key := functionKey(region, name)
	s.mu.RLock()
	c, ok := s.cache[key]
	s.mu.RUnlock()
	if ok && c.fn != nil {
		return c.fn, c.rev, nil
	}
	e, err := s.kv.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, 0, notFound(region, s.Account, name)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("get function: %w", err)
	}
	s.apply(e)
	var fn eddy.Function
	if err := json.Unmarshal(e.Value(), &fn); err != nil {
		return nil, 0, fmt.Errorf("get function: %w", err)
	}
	return &fn, e.Revision(), nil
}

// GetFunction returns a copy of the function's configuration.
func (s *Service) GetFunction(ctx context.Context, region, name string) (*eddy.Function, error) {
	fn, _, err := s.lookup(ctx, region, name)
	if err != nil {
		return nil, err
	}
	return clone(fn), nil
}

// ListFunctions returns the region's functions in name order.
func (s *Service) ListFunctions(ctx context.Context, region, marker string, max int) ([]*eddy.Function, string, error) {
	if max <= 0 {
		max = 50
	}
	prefix := region + "."
	s.mu.RLock()
	var names []string
	for k, c := range s.cache {
		if c.fn != nil && strings.HasPrefix(k, prefix) {
			names = append(names, strings.TrimPrefix(k, prefix))
		}
	}
	s.mu.RUnlock()
	sort.Strings(names)
	start := 0
	if marker != "" {
		start = sort.SearchStrings(names, marker)
		if start < len(names) && names[start] == marker {
			start++
		}
	}
	var out []*eddy.Function
	next := ""
	for i := start; i < len(names); i++ {
		if len(out) == max {
			next = out[len(out)-1].Name
			break
		}
		fn, err := s.GetFunction(ctx, region, names[i])
		if eddy.ErrorCode(err) == eddy.ENOTFOUND {
			continue // deleted meanwhile
		}
		if err != nil {
			return nil, "", err
		}
		out = append(out, fn)
	}
	return out, next, nil
}

// CreateFunction validates the input, stores the code and the configuration.
func (s *Service) CreateFunction(ctx context.Context, region string, in *eddy.CreateFunctionInput) (*eddy.Function, error) {
	fn := clone(&in.Function)
	fn.Region, fn.Account, fn.Version = region, s.Account, eddy.LatestVersion
	applyDefaults(fn)
	if err := Validate(fn); err != nil {
		return nil, err
	}
	key := functionKey(region, fn.Name)
	if _, _, err := s.lookup(ctx, region, fn.Name); err == nil {
		return nil, conflictExists(fn.Name)
	} else if eddy.ErrorCode(err) != eddy.ENOTFOUND {
		return nil, err
	}
	if err := s.storeCode(ctx, fn, in.ZipFile); err != nil {
		return nil, err
	}
	fn.LastModified = s.Now().UTC()
	fn.RevisionID = eddy.NewID()
	data, err := json.Marshal(fn)
	if err != nil {
		return nil, fmt.Errorf("create function: %w", err)
	}
	rev, err := s.kv.Create(ctx, key, data)
	if errors.Is(err, jetstream.ErrKeyExists) {
		return nil, conflictExists(fn.Name)
	}
	if err != nil {
		return nil, fmt.Errorf("create function: %w", err)
	}
	s.remember(key, fn, rev)
	return clone(fn), nil
}

func conflictExists(name string) error {
	return eddy.TypedErrorf(eddy.ECONFLICT, "ResourceConflictException", "Function already exist: %s", name)
}

func (s *Service) storeCode(ctx context.Context, fn *eddy.Function, zip []byte) error {
	if len(zip) == 0 {
		return eddy.TypedErrorf(eddy.EINVALID, "InvalidParameterValueException", "Please provide a source for function code.")
	}
	if err := CheckZip(zip); err != nil {
		return err
	}
	key, err := s.PutCode(ctx, zip)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(zip)
	fn.CodeKey = key
	fn.CodeSha256 = base64.StdEncoding.EncodeToString(sum[:])
	fn.CodeSize = int64(len(zip))
	return nil
}

// update applies change to the current configuration under a compare-and-set
// on the bucket revision, retrying when another writer got there first.
func (s *Service) update(ctx context.Context, region, name, revisionID string, change func(*eddy.Function) error) (*eddy.Function, error) {
	key := functionKey(region, name)
	for attempt := 0; ; attempt++ {
		cur, rev, err := s.lookup(ctx, region, name)
		if err != nil {
			return nil, err
		}
		if revisionID != "" && revisionID != cur.RevisionID {
			return nil, eddy.TypedErrorf(eddy.EPRECOND, "PreconditionFailedException",
				"The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id")
		}
		fn := clone(cur)
		if err := change(fn); err != nil {
			return nil, err
		}
		fn.LastModified = s.Now().UTC()
		fn.RevisionID = eddy.NewID()
		data, err := json.Marshal(fn)
		if err != nil {
			return nil, fmt.Errorf("update function: %w", err)
		}
		newRev, err := s.kv.Update(ctx, key, data, rev)
		if errors.Is(err, jetstream.ErrKeyRevisionMismatch) || errors.Is(err, jetstream.ErrKeyExists) {
			// Our cached copy was stale: read the bucket and try again.
			if e, gerr := s.kv.Get(ctx, key); gerr == nil {
				s.apply(e)
			} else if errors.Is(gerr, jetstream.ErrKeyNotFound) {
				s.forget(key)
			}
			if attempt < 10 {
				continue
			}
			return nil, eddy.TypedErrorf(eddy.ECONFLICT, "ResourceConflictException",
				"An update is in progress for resource: %s", cur.ARN())
		}
		if err != nil {
			return nil, fmt.Errorf("update function: %w", err)
		}
		s.remember(key, fn, newRev)
		return clone(fn), nil
	}
}

func (s *Service) forget(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.cache, key)
}

// UpdateFunctionCode replaces the code of $LATEST.
func (s *Service) UpdateFunctionCode(ctx context.Context, region, name string, in *eddy.CodeUpdate) (*eddy.Function, error) {
	if len(in.Architectures) > 0 {
		if err := validateArchitectures(in.Architectures); err != nil {
			return nil, err
		}
	}
	if err := CheckZip(in.ZipFile); err != nil && len(in.ZipFile) > 0 {
		return nil, err
	}
	if in.DryRun {
		fn, err := s.GetFunction(ctx, region, name)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(in.ZipFile)
		fn.CodeSha256 = base64.StdEncoding.EncodeToString(sum[:])
		fn.CodeSize = int64(len(in.ZipFile))
		return fn, nil
	}
	return s.update(ctx, region, name, in.RevisionID, func(fn *eddy.Function) error {
		if len(in.Architectures) > 0 {
			fn.Architectures = slices.Clone(in.Architectures)
		}
		return s.storeCode(ctx, fn, in.ZipFile)
	})
}

// UpdateFunctionConfiguration changes the fields set in in.
func (s *Service) UpdateFunctionConfiguration(ctx context.Context, region, name string, in *eddy.FunctionUpdate) (*eddy.Function, error) {
	return s.update(ctx, region, name, in.RevisionID, func(fn *eddy.Function) error {
		setIf(&fn.Runtime, in.Runtime)
		setIf(&fn.Handler, in.Handler)
		setIf(&fn.Role, in.Role)
		setIf(&fn.Description, in.Description)
		setIf(&fn.Timeout, in.Timeout)
		setIf(&fn.MemorySize, in.MemorySize)
		setIf(&fn.EphemeralStorage, in.EphemeralStorage)
		setIf(&fn.TracingMode, in.TracingMode)
		setIf(&fn.DeadLetterTarget, in.DeadLetterTarget)
		setIf(&fn.KMSKeyArn, in.KMSKeyArn)
		setIf(&fn.LogFormat, in.LogFormat)
		setIf(&fn.LogGroup, in.LogGroup)
		if in.Environment != nil {
			fn.Environment = maps.Clone(*in.Environment)
		}
		if in.Layers != nil {
			fn.Layers = slices.Clone(*in.Layers)
		}
		applyDefaults(fn)
		return Validate(fn)
	})
}

func setIf[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// TagFunction adds or replaces tags.
func (s *Service) TagFunction(ctx context.Context, region, name string, tags map[string]string) error {
	if err := validateTags(tags); err != nil {
		return err
	}
	_, err := s.update(ctx, region, name, "", func(fn *eddy.Function) error {
		if fn.Tags == nil {
			fn.Tags = map[string]string{}
		}
		maps.Copy(fn.Tags, tags)
		if len(fn.Tags) > 50 {
			return eddy.TypedErrorf(eddy.EINVALID, "InvalidParameterValueException", "Number of tags exceeds resource tag limit.")
		}
		return nil
	})
	return err
}

// UntagFunction removes tags.
func (s *Service) UntagFunction(ctx context.Context, region, name string, keys []string) error {
	_, err := s.update(ctx, region, name, "", func(fn *eddy.Function) error {
		for _, k := range keys {
			delete(fn.Tags, k)
		}
		return nil
	})
	return err
}

// DeleteFunction removes the function. Its code stays in the store, where
// other functions may share it.
func (s *Service) DeleteFunction(ctx context.Context, region, name string) error {
	if _, _, err := s.lookup(ctx, region, name); err != nil {
		return err
	}
	key := functionKey(region, name)
	if err := s.kv.Delete(ctx, key); err != nil {
		return fmt.Errorf("delete function: %w", err)
	}
	s.forget(key)
	return nil
}

var (
	rolePattern   = regexp.MustCompile(`^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+$`)
	envKeyPattern = regexp.MustCompile(`^[a-zA-Z]([a-zA-Z0-9_])+$`)
)

// reservedEnv are the variables Lambda sets itself and refuses to take from
// a function's configuration.
var reservedEnv = []string{
	"_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
	"AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
	"AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
	"AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
	"AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
}

func applyDefaults(fn *eddy.Function) {
	if fn.Timeout == 0 {
		fn.Timeout = 3
	}
	if fn.MemorySize == 0 {
		fn.MemorySize = 128
	}
	if fn.EphemeralStorage == 0 {
		fn.EphemeralStorage = 512
	}
	if len(fn.Architectures) == 0 {
		fn.Architectures = []string{"x86_64"}
	}
	if fn.PackageType == "" {
		fn.PackageType = "Zip"
	}
	if fn.TracingMode == "" {
		fn.TracingMode = "PassThrough"
	}
	if fn.LogFormat == "" {
		fn.LogFormat = "Text"
	}
}

func invalid(format string, args ...any) error {
	return eddy.TypedErrorf(eddy.EINVALID, "InvalidParameterValueException", format, args...)
}

// Validate checks a configuration as Lambda does on create and update.
func Validate(fn *eddy.Function) error {
	if !eddy.ValidFunctionName(fn.Name) {
		return eddy.ValidationError(fn.Name, "functionName", "Member must satisfy regular expression pattern: [a-zA-Z0-9-_]+ and have length less than or equal to 64")
	}
	if fn.PackageType != "Zip" {
		if fn.PackageType == "Image" {
			return invalid("Container image functions are not supported by eddy; use a .zip file archive.")
		}
		return eddy.ValidationError(fn.PackageType, "packageType", "Member must satisfy enum value set: [Zip, Image]")
	}
	if fn.Runtime == "" {
		return invalid("Runtime is required for .zip file archives.")
	}
	if err := ValidateRuntime(fn.Runtime); err != nil {
		return err
	}
	if fn.Handler == "" {
		return invalid("Handler is required for .zip file archives.")
	}
	if len(fn.Handler) > 128 || strings.ContainsAny(fn.Handler, " \t\r\n") {
		return eddy.ValidationError(fn.Handler, "handler", `Member must satisfy regular expression pattern: [^\s]+`)
	}
	if fn.Role == "" {
		return eddy.ValidationError("null", "role", "Member must not be null")
	}
	if !rolePattern.MatchString(fn.Role) {
		return eddy.ValidationError(fn.Role, "role", `Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+`)
	}
	if len(fn.Description) > 256 {
		return eddy.ValidationError(fn.Description, "description", "Member must have length less than or equal to 256")
	}
	if fn.Timeout < 1 {
		return eddy.ValidationError(fmt.Sprint(fn.Timeout), "timeout", "Member must have value greater than or equal to 1")
	}
	if fn.Timeout > 900 {
		return invalid("Timeout must be less than or equal to 900 seconds.")
	}
	if fn.MemorySize < 128 || fn.MemorySize > 10240 {
		return invalid("'MemorySize' value failed to satisfy constraint: Member must have value greater than or equal to 128 and less than or equal to 10240")
	}
	if fn.EphemeralStorage < 512 || fn.EphemeralStorage > 10240 {
		return eddy.ValidationError(fmt.Sprint(fn.EphemeralStorage), "ephemeralStorage.size", "Member must have value greater than or equal to 512 and less than or equal to 10240")
	}
	if err := validateArchitectures(fn.Architectures); err != nil {
		return err
	}
	if err := validateEnvironment(fn.Environment); err != nil {
		return err
	}
	return validateTags(fn.Tags)
}

func validateArchitectures(a []string) error {
	if len(a) != 1 {
		return eddy.ValidationError(fmt.Sprint(a), "architectures", "Member must have length less than or equal to 1")
	}
	if a[0] != "x86_64" && a[0] != "arm64" {
		return eddy.ValidationError(fmt.Sprint(a), "architectures", "Member must satisfy enum value set: [x86_64, arm64]")
	}
	return nil
}

func validateEnvironment(env map[string]string) error {
	size := 0
	var reserved []string
	for k, v := range env {
		if !envKeyPattern.MatchString(k) {
			return eddy.ValidationError(k, "environment.variables", "Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+")
		}
		if slices.Contains(reservedEnv, k) {
			reserved = append(reserved, k)
		}
		size += len(k) + len(v)
	}
	if len(reserved) > 0 {
		sort.Strings(reserved)
		return invalid("Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: %s", strings.Join(reserved, ", "))
	}
	if size > 4096 {
		return invalid("Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: %d", size)
	}
	return nil
}

func validateTags(tags map[string]string) error {
	for k, v := range tags {
		if k == "" || len(k) > 128 || len(v) > 256 || strings.HasPrefix(strings.ToLower(k), "aws:") {
			return invalid("Tag keys must be 1 to 128 characters, values at most 256, and keys must not start with aws:.")
		}
	}
	return nil
}
