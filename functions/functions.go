// Package functions is eddy's registry of Lambda functions: their
// configuration, published versions, aliases and per-function settings in a
// JetStream key-value bucket (cached in memory and kept current by a watch,
// so that every node sees every change) and their code in a content-addressed
// Object Store.
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
	"math/rand/v2"
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

// metaBucket holds everything about functions but their code. Keys start
// with the function key "REGION.NAME" (neither part can hold a dot):
//
//	REGION.NAME                   $LATEST (latestRecord)
//	REGION.NAME.v.000000000007    published version 7 (versionRecord)
//	REGION.NAME.a.ALIAS           an alias (eddy.Alias)
//	REGION.NAME.concurrency       reserved concurrency (concurrencyRecord)
//	REGION.NAME.eic.QUALIFIER     event invoke config (eddy.EventInvokeConfig)
//	REGION.NAME.pc.QUALIFIER      provisioned concurrency (eddy.ProvisionedConcurrencyConfig)
//	REGION.NAME.pol.QUALIFIER     resource-based policy (eddy.Policy)
//
// QUALIFIER is engine.EncodeKey of "$LATEST", a version or an alias, since
// "$" may not appear in a key.
const metaBucket = "eddy_functions"

// Sub-keys of a function key.
const (
	subVersion     = "v."
	subAlias       = "a."
	subConcurrency = "concurrency"
	subEventConfig = "eic."
	subProvisioned = "pc."
	subPolicy      = "pol."
)

// Service implements eddy.FunctionService, eddy.VersionService,
// eddy.PolicyService and eddy.CodeStore.
type Service struct {
	Engine  *engine.Engine
	Account string
	Logger  *slog.Logger
	Now     func() time.Time

	kv   jetstream.KeyValue
	code jetstream.ObjectStore

	mu sync.RWMutex // guards funcs
	// funcs caches the bucket: for each function key, each record by its
	// sub-key ("" for $LATEST). Cached values are never modified in place.
	funcs map[string]map[string]cached

	stop context.CancelFunc
	wg   sync.WaitGroup
}

var (
	_ eddy.FunctionService = (*Service)(nil)
	_ eddy.VersionService  = (*Service)(nil)
	_ eddy.CodeStore       = (*Service)(nil)
	_ eddy.PolicyService   = (*Service)(nil)
)

// cached is one record of the bucket at a revision; val is nil for a record
// that was deleted.
type cached struct {
	val any
	rev uint64
}

// latestRecord is how $LATEST is stored: the function and its publishing
// state. The embedded Function keeps records written before versions existed
// readable.
type latestRecord struct {
	eddy.Function
	// LastVersion is the highest version number published from this
	// function; numbers are never reused, even after a version is deleted.
	LastVersion int `json:"last_version,omitempty"`
	// PublishedRevision is the RevisionID $LATEST got when LastVersion was
	// published; while it is still current nothing changed since.
	PublishedRevision string `json:"published_revision,omitempty"`
}

// versionRecord is how a published version is stored.
type versionRecord struct {
	eddy.Function
	// FromRevision is the RevisionID $LATEST had when this version was taken.
	FromRevision string `json:"from_revision,omitempty"`
}

// concurrencyRecord is a function's reserved concurrency.
type concurrencyRecord struct {
	Reserved int `json:"reserved"`
}

// NewService returns a registry on e. Call Open before use.
func NewService(e *engine.Engine, account string, logger *slog.Logger) *Service {
	if account == "" {
		account = "000000000000"
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Service{Engine: e, Account: account, Logger: logger, Now: time.Now, funcs: map[string]map[string]cached{}}
}

// Open creates the buckets and loads every record into the cache.
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
	s.stop = cancel
	if err := engine.WatchAll(wctx, kv, &s.wg, s.apply); err != nil {
		return fmt.Errorf("functions: %w", err)
	}
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

// splitKey splits a bucket key into its function key and sub-key.
func splitKey(key string) (fk, sub string, ok bool) {
	parts := strings.SplitN(key, ".", 3)
	if len(parts) < 2 {
		return "", "", false
	}
	fk = parts[0] + "." + parts[1]
	if len(parts) == 3 {
		sub = parts[2]
	}
	return fk, sub, true
}

// decode reads a record stored under sub.
func decode(sub string, data []byte) (any, error) {
	var v any
	switch {
	case sub == "":
		v = &latestRecord{}
	case strings.HasPrefix(sub, subVersion):
		v = &versionRecord{}
	case strings.HasPrefix(sub, subAlias):
		v = &eddy.Alias{}
	case sub == subConcurrency:
		v = &concurrencyRecord{}
	case strings.HasPrefix(sub, subEventConfig):
		v = &eddy.EventInvokeConfig{}
	case strings.HasPrefix(sub, subProvisioned):
		v = &eddy.ProvisionedConcurrencyConfig{}
	case strings.HasPrefix(sub, subPolicy):
		v = &eddy.Policy{}
	default:
		return nil, fmt.Errorf("unknown record %q", sub)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return nil, err
	}
	return v, nil
}

func (s *Service) apply(e jetstream.KeyValueEntry) {
	fk, sub, ok := splitKey(e.Key())
	if !ok {
		s.Logger.Error("functions: bad key", "key", e.Key())
		return
	}
	var val any
	if e.Operation() == jetstream.KeyValuePut {
		v, err := decode(sub, e.Value())
		if err != nil {
			s.Logger.Error("functions: bad record", "key", e.Key(), "err", err)
			return
		}
		val = v
	}
	s.store(fk, sub, val, e.Revision())
}

// store caches val (nil: deleted) under a key unless the cache holds a
// newer revision.
func (s *Service) store(fk, sub string, val any, rev uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	items := s.funcs[fk]
	if items == nil {
		items = map[string]cached{}
		s.funcs[fk] = items
	}
	if c, ok := items[sub]; ok && c.rev >= rev {
		return
	}
	items[sub] = cached{val: val, rev: rev}
}

func (s *Service) remember(key string, val any, rev uint64) {
	if fk, sub, ok := splitKey(key); ok {
		s.store(fk, sub, val, rev)
	}
}

// forget marks a key deleted in the cache after deleting it from the
// bucket. The tombstone keeps the revision the cache had, so that a late
// watch update of an older value cannot bring the record back; the watch's
// own delete, with a higher revision, replaces it.
func (s *Service) forget(key string) {
	fk, sub, ok := splitKey(key)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if items := s.funcs[fk]; items != nil {
		items[sub] = cached{rev: items[sub].rev}
	}
}

// cachedItem returns the live cached record under a key.
func (s *Service) cachedItem(fk, sub string) (cached, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c, ok := s.funcs[fk][sub]
	return c, ok && c.val != nil
}

// cachedItems returns the live cached records of a function whose sub-keys
// start with prefix, sorted by sub-key.
func (s *Service) cachedItems(fk, prefix string) []cached {
	s.mu.RLock()
	subs := make([]string, 0)
	for sub, c := range s.funcs[fk] {
		if c.val != nil && strings.HasPrefix(sub, prefix) {
			subs = append(subs, sub)
		}
	}
	sort.Strings(subs)
	out := make([]cached, 0, len(subs))
	for _, sub := range subs {
		out = append(out, s.funcs[fk][sub])
	}
	s.mu.RUnlock()
	return out
}

// record returns the record under key and its revision, or a nil value if
// there is none. A miss in the cache is confirmed against the bucket, since
// another node may have just written it.
func (s *Service) record(ctx context.Context, key string) (any, uint64, error) {
	fk, sub, ok := splitKey(key)
	if !ok {
		return nil, 0, fmt.Errorf("functions: bad key %q", key)
	}
	if c, ok := s.cachedItem(fk, sub); ok {
		return c.val, c.rev, nil
	}
	return s.reload(ctx, key)
}

// reload reads key from the bucket, updating the cache.
func (s *Service) reload(ctx context.Context, key string) (any, uint64, error) {
	_, sub, _ := splitKey(key)
	e, err := s.kv.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("get %s: %w", key, err)
	}
	s.apply(e)
	v, err := decode(sub, e.Value())
	if err != nil {
		return nil, 0, fmt.Errorf("get %s: %w", key, err)
	}
	return v, e.Revision(), nil
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

// lookup returns $LATEST's record and its revision.
func (s *Service) lookup(ctx context.Context, region, name string) (*latestRecord, uint64, error) {
	v, rev, err := s.record(ctx, functionKey(region, name))
	if err != nil {
		return nil, 0, fmt.Errorf("get function: %w", err)
	}
	rec, ok := v.(*latestRecord)
	if !ok {
		return nil, 0, notFound(region, s.Account, name)
	}
	return rec, rev, nil
}

// exists reports whether the function is in the cache; settings of a
// cached function are read from the cache alone, which the watch keeps
// current, so that the invoke path costs no bucket read.
func (s *Service) exists(ctx context.Context, region, name string) error {
	if _, ok := s.cachedItem(functionKey(region, name), ""); ok {
		return nil
	}
	_, _, err := s.lookup(ctx, region, name)
	return err
}

// GetFunction returns a copy of $LATEST's configuration.
func (s *Service) GetFunction(ctx context.Context, region, name string) (*eddy.Function, error) {
	rec, _, err := s.lookup(ctx, region, name)
	if err != nil {
		return nil, err
	}
	return clone(&rec.Function), nil
}

// ListFunctions returns the region's functions ($LATEST) in name order.
func (s *Service) ListFunctions(ctx context.Context, region, marker string, max int) ([]*eddy.Function, string, error) {
	if max <= 0 {
		max = 50
	}
	prefix := region + "."
	s.mu.RLock()
	var names []string
	for fk, items := range s.funcs {
		if c, ok := items[""]; ok && c.val != nil && strings.HasPrefix(fk, prefix) {
			names = append(names, strings.TrimPrefix(fk, prefix))
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

// CreateFunction validates the input, stores the code and the configuration,
// and publishes version 1 if asked to.
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
	// Records left by a function of the same name that was deleted while
	// another node still wrote to it must not come back with this one. The
	// cache, which the watch has brought up to date long since, knows them.
	if err := s.deleteRecords(ctx, key, false, false); err != nil {
		return nil, err
	}
	fn.LastModified = s.Now().UTC()
	fn.RevisionID = eddy.NewID()
	rec := &latestRecord{Function: *fn}
	data, err := json.Marshal(rec)
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
	s.remember(key, rec, rev)
	if in.Publish {
		return s.PublishVersion(ctx, region, fn.Name, &eddy.PublishVersionInput{})
	}
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

func preconditionFailed() error {
	return eddy.TypedErrorf(eddy.EPRECOND, "PreconditionFailedException",
		"The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id")
}

// update applies change to $LATEST's configuration under a compare-and-set
// on the bucket revision, retrying when another writer got there first. It
// gives $LATEST a new RevisionID and LastModified.
func (s *Service) update(ctx context.Context, region, name, revisionID string, change func(*eddy.Function) error) (*eddy.Function, error) {
	rec, err := s.updateLatest(ctx, region, name, revisionID, func(rec *latestRecord) error {
		if err := change(&rec.Function); err != nil {
			return err
		}
		rec.LastModified = s.Now().UTC()
		rec.RevisionID = eddy.NewID()
		return nil
	})
	if err != nil {
		return nil, err
	}
	return clone(&rec.Function), nil
}

// updateLatest applies change to a copy of $LATEST's record and writes it
// under a compare-and-set, retrying on a conflict. revisionID, when set,
// must be $LATEST's RevisionID.
func (s *Service) updateLatest(ctx context.Context, region, name, revisionID string, change func(*latestRecord) error) (*latestRecord, error) {
	key := functionKey(region, name)
	for attempt := 0; ; attempt++ {
		cur, rev, err := s.lookup(ctx, region, name)
		if err != nil {
			return nil, err
		}
		if revisionID != "" && revisionID != cur.RevisionID {
			return nil, preconditionFailed()
		}
		rec := &latestRecord{Function: *clone(&cur.Function), LastVersion: cur.LastVersion, PublishedRevision: cur.PublishedRevision}
		if err := change(rec); err != nil {
			return nil, err
		}
		stale, err := s.casWrite(ctx, key, rec, rev, "update function", attempt)
		switch {
		case err != nil:
			return nil, err
		case !stale:
			return rec, nil
		case attempt >= maxCASAttempts:
			return nil, updateConflict(cur.ARN())
		}
	}
}

// casWrite writes v at key if the key is still at revision rev. stale
// reports that another writer got there first: the cache has been refreshed
// from the bucket and the caller should read and try again.
//
// attempt counts the caller's tries so far: after a lost race it waits a
// little, with jitter, so that writers on several nodes do not keep
// colliding in lockstep.
func (s *Service) casWrite(ctx context.Context, key string, v any, rev uint64, op string, attempt int) (stale bool, err error) {
	data, err := json.Marshal(v)
	if err != nil {
		return false, fmt.Errorf("%s: %w", op, err)
	}
	newRev, err := s.kv.Update(ctx, key, data, rev)
	if errors.Is(err, jetstream.ErrKeyRevisionMismatch) || errors.Is(err, jetstream.ErrKeyExists) {
		if err := s.lostRace(ctx, key, attempt); err != nil {
			return false, err
		}
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("%s: %w", op, err)
	}
	s.remember(key, v, newRev)
	return false, nil
}

// lostRace is what a writer does after losing a compare-and-set race on
// key: it waits a little, with jitter, so that writers on several nodes do
// not keep colliding in lockstep, and refreshes the cache from the bucket.
func (s *Service) lostRace(ctx context.Context, key string, attempt int) error {
	backoff := min(time.Millisecond<<min(attempt, 5), 20*time.Millisecond)
	select {
	case <-time.After(backoff/2 + rand.N(backoff)):
	case <-ctx.Done():
		return ctx.Err()
	}
	_, _, err := s.reload(ctx, key)
	return err
}

// maxCASAttempts bounds the retries of a write that keeps losing
// compare-and-set races to other writers.
const maxCASAttempts = 50

// updateConflict is the error after repeated lost compare-and-set races.
func updateConflict(arn string) error {
	return eddy.TypedErrorf(eddy.ECONFLICT, "ResourceConflictException", "An update is in progress for resource: %s", arn)
}

// UpdateFunctionCode replaces the code of $LATEST and publishes a version
// if asked to.
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
	fn, err := s.update(ctx, region, name, in.RevisionID, func(fn *eddy.Function) error {
		if len(in.Architectures) > 0 {
			fn.Architectures = slices.Clone(in.Architectures)
		}
		return s.storeCode(ctx, fn, in.ZipFile)
	})
	if err != nil || !in.Publish {
		return fn, err
	}
	return s.PublishVersion(ctx, region, name, &eddy.PublishVersionInput{})
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

// retag changes $LATEST's tags. Tags belong to the function, not to its
// code or configuration, so a retag does not count as a change for
// PublishVersion.
func (s *Service) retag(ctx context.Context, region, name string, change func(tags map[string]string) error) error {
	_, err := s.updateLatest(ctx, region, name, "", func(rec *latestRecord) error {
		if rec.Tags == nil {
			rec.Tags = map[string]string{}
		}
		if err := change(rec.Tags); err != nil {
			return err
		}
		unchanged := rec.PublishedRevision != "" && rec.PublishedRevision == rec.RevisionID
		rec.RevisionID = eddy.NewID()
		rec.LastModified = s.Now().UTC()
		if unchanged {
			rec.PublishedRevision = rec.RevisionID
		}
		return nil
	})
	return err
}

// TagFunction adds or replaces tags.
func (s *Service) TagFunction(ctx context.Context, region, name string, tags map[string]string) error {
	if err := validateTags(tags); err != nil {
		return err
	}
	return s.retag(ctx, region, name, func(cur map[string]string) error {
		maps.Copy(cur, tags)
		if len(cur) > 50 {
			return eddy.TypedErrorf(eddy.EINVALID, "InvalidParameterValueException", "Number of tags exceeds resource tag limit.")
		}
		return nil
	})
}

// UntagFunction removes tags.
func (s *Service) UntagFunction(ctx context.Context, region, name string, keys []string) error {
	return s.retag(ctx, region, name, func(cur map[string]string) error {
		for _, k := range keys {
			delete(cur, k)
		}
		return nil
	})
}

// DeleteFunction removes the function with all its versions, aliases and
// settings. Its code stays in the store, where other functions may share it.
func (s *Service) DeleteFunction(ctx context.Context, region, name string) error {
	if _, _, err := s.lookup(ctx, region, name); err != nil {
		return err
	}
	key := functionKey(region, name)
	// The other records go first: if this fails part-way the function is
	// still there, to be deleted again.
	return s.deleteRecords(ctx, key, true, true)
}

// deleteRecords deletes every record of the function key fk but $LATEST,
// and $LATEST too if latest is set. The cache names the records; with
// bucket the bucket is asked as well, since the cache may not have seen a
// record another node has just written.
func (s *Service) deleteRecords(ctx context.Context, fk string, latest, bucket bool) error {
	keys := map[string]bool{}
	s.mu.RLock()
	for sub, c := range s.funcs[fk] {
		if c.val != nil && sub != "" {
			keys[fk+"."+sub] = true
		}
	}
	s.mu.RUnlock()
	if bucket {
		lister, err := s.kv.ListKeysFiltered(ctx, fk+".>")
		if err != nil && !errors.Is(err, jetstream.ErrNoKeysFound) {
			return fmt.Errorf("delete function: %w", err)
		}
		if lister != nil {
			for k := range lister.Keys() {
				keys[k] = true
			}
			_ = lister.Stop()
		}
	}
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		if err := s.deleteKey(ctx, k); err != nil {
			return err
		}
	}
	if latest {
		return s.deleteKey(ctx, fk)
	}
	return nil
}

// deleteKey deletes one record, in the bucket and the cache.
func (s *Service) deleteKey(ctx context.Context, key string) error {
	if err := s.kv.Delete(ctx, key); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
		return fmt.Errorf("delete %s: %w", key, err)
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
