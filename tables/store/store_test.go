package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/engine"
	"github.com/eddyserverless/eddy/tables/attrs"
	"github.com/eddyserverless/eddy/tables/expression"
	"github.com/eddyserverless/eddy/tables/store"
)

func MustEngine(tb testing.TB, dir string) *engine.Engine {
	tb.Helper()
	e := engine.New(engine.Config{DataDir: dir})
	if err := e.Open(context.Background()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = e.Close() })
	return e
}

func MustTable(tb testing.TB, e *engine.Engine, def store.TableDef) *store.Table {
	tb.Helper()
	t, err := store.Open(context.Background(), e, def)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

func pkSK(name string, skKind attrs.Kind) store.TableDef {
	return store.TableDef{Name: name, HashKey: "pk", RangeKey: "sk", KeyTypes: map[string]attrs.Kind{"pk": attrs.S, "sk": skKind}}
}

func n(s string) attrs.Value { return attrs.Num(attrs.MustParseNumber(s)) }
func s(v string) attrs.Value { return attrs.Str(v) }

func MustCond(tb testing.TB, expr string, values map[string]attrs.Value) *expression.Condition {
	tb.Helper()
	c, err := expression.ParseCondition(expr, nil, values)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func MustUpdate(tb testing.TB, expr string, values map[string]attrs.Value) *expression.Update {
	tb.Helper()
	u, err := expression.ParseUpdate(expr, nil, values)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

func wantType(t *testing.T, err error, awsType, msg string) {
	t.Helper()
	e := eddy.AsError(err)
	if e == nil || e.Type != awsType || (msg != "" && e.Message != msg) {
		t.Fatalf("got %v, want %s %q", err, awsType, msg)
	}
}

func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	tbl := MustTable(t, MustEngine(t, t.TempDir()), pkSK("round-trip", attrs.N))
	key := attrs.Item{"pk": s("a"), "sk": n("1")}
	if got, err := tbl.Get(ctx, key); err != nil || got != nil {
		t.Fatalf("get absent: got %v, %v, want nil", got, err)
	}
	item := attrs.Item{"pk": s("a"), "sk": n("1"), "x": s("one"), "set": attrs.StrSet("b", "a")}
	old, err := tbl.Put(ctx, item, nil)
	if err != nil || old != nil {
		t.Fatalf("put: got %v, %v, want nil old", old, err)
	}
	got, err := tbl.Get(ctx, key)
	if err != nil || !attrs.ItemsEqual(got, item) {
		t.Fatalf("get: got %v, %v, want %v", got, err, item)
	}
	item2 := attrs.Item{"pk": s("a"), "sk": n("1"), "x": s("two")}
	old, err = tbl.Put(ctx, item2, nil)
	if err != nil || !attrs.ItemsEqual(old, item) {
		t.Fatalf("put over: got old %v, %v, want %v", old, err, item)
	}
	old, nw, err := tbl.Update(ctx, key, MustUpdate(t, "SET y = :v REMOVE x", map[string]attrs.Value{":v": n("7")}), nil)
	if err != nil || !attrs.ItemsEqual(old, item2) {
		t.Fatalf("update: got old %v, %v", old, err)
	}
	want := attrs.Item{"pk": s("a"), "sk": n("1"), "y": n("7")}
	if !attrs.ItemsEqual(nw, want) {
		t.Fatalf("update: got new %v, want %v", nw, want)
	}
	if got, _ := tbl.Get(ctx, key); !attrs.ItemsEqual(got, want) {
		t.Fatalf("get after update: got %v, want %v", got, want)
	}
	old, err = tbl.Delete(ctx, key, nil)
	if err != nil || !attrs.ItemsEqual(old, want) {
		t.Fatalf("delete: got %v, %v, want %v", old, err, want)
	}
	if got, err := tbl.Get(ctx, key); err != nil || got != nil {
		t.Fatalf("get deleted: got %v, %v, want nil", got, err)
	}
	if old, err := tbl.Delete(ctx, key, nil); err != nil || old != nil {
		t.Fatalf("delete absent: got %v, %v", old, err)
	}
	// Update of a missing item starts from the key.
	key2 := attrs.Item{"pk": s("b"), "sk": n("2")}
	old, nw, err = tbl.Update(ctx, key2, MustUpdate(t, "ADD c :one", map[string]attrs.Value{":one": n("1")}), nil)
	want = attrs.Item{"pk": s("b"), "sk": n("2"), "c": n("1")}
	if err != nil || old != nil || !attrs.ItemsEqual(nw, want) {
		t.Fatalf("upsert: got %v, %v, %v, want nil, %v", old, nw, err, want)
	}
	if err := tbl.Drop(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestValidation(t *testing.T) {
	ctx := context.Background()
	tbl := MustTable(t, MustEngine(t, t.TempDir()), pkSK("validation", attrs.N))
	const vex = "ValidationException"
	_, err := tbl.Put(ctx, attrs.Item{"sk": n("1")}, nil)
	wantType(t, err, vex, "One or more parameter values were invalid: Missing the key pk in the item")
	_, err = tbl.Put(ctx, attrs.Item{"pk": n("1"), "sk": n("1")}, nil)
	wantType(t, err, vex, "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N")
	_, err = tbl.Put(ctx, attrs.Item{"pk": s(""), "sk": n("1")}, nil)
	wantType(t, err, vex, "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk")
	_, err = tbl.Put(ctx, attrs.Item{"pk": s("a"), "sk": n("1"), "big": s(strings.Repeat("x", attrs.MaxItemSize))}, nil)
	wantType(t, err, vex, "Item size has exceeded the maximum allowed size")
	_, err = tbl.Get(ctx, attrs.Item{"pk": s("a")})
	wantType(t, err, vex, "The provided key element does not match the schema")
	_, _, err = tbl.Update(ctx, attrs.Item{"pk": s("a"), "sk": n("1")}, MustUpdate(t, "SET pk = :v", map[string]attrs.Value{":v": s("b")}), nil)
	wantType(t, err, vex, "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key")
	_, _, err = tbl.Update(ctx, attrs.Item{"pk": s("a"), "sk": n("1")}, MustUpdate(t, "SET big = :v", map[string]attrs.Value{":v": s(strings.Repeat("x", attrs.MaxItemSize))}), nil)
	wantType(t, err, vex, "Item size to update has exceeded the maximum allowed size")
	// A long key is stored under a digest subject and still round-trips.
	long := attrs.Item{"pk": s(strings.Repeat("k", 2000)), "sk": n("1")}
	if _, err := tbl.Put(ctx, long, nil); err != nil {
		t.Fatal(err)
	}
	if got, err := tbl.Get(ctx, long); err != nil || !attrs.ItemsEqual(got, long) {
		t.Fatalf("long key: got %v, %v", got, err)
	}
}

func TestConditions(t *testing.T) {
	ctx := context.Background()
	tbl := MustTable(t, MustEngine(t, t.TempDir()), store.TableDef{Name: "cond", HashKey: "id", KeyTypes: map[string]attrs.Kind{"id": attrs.S}})
	key := attrs.Item{"id": s("k")}
	item := attrs.Item{"id": s("k"), "v": n("1")}
	vals := map[string]attrs.Value{":one": n("1"), ":two": n("2")}
	notExists := MustCond(t, "attribute_not_exists(id)", nil)
	exists := MustCond(t, "attribute_exists(id)", nil)
	isOne := MustCond(t, "v = :one", vals)
	isTwo := MustCond(t, "v = :two", vals)

	wantFailed := func(t *testing.T, err error, old attrs.Item) {
		t.Helper()
		wantType(t, err, "ConditionalCheckFailedException", "The conditional request failed")
		if eddy.ErrorCode(err) != eddy.EPRECOND {
			t.Fatalf("got code %s, want %s", eddy.ErrorCode(err), eddy.EPRECOND)
		}
		var cf *store.ConditionFailed
		if !errors.As(err, &cf) || !attrs.ItemsEqual(cf.Old, old) {
			t.Fatalf("got %v, want ConditionFailed with old %v", err, old)
		}
	}
	// Absent item.
	_, err := tbl.Put(ctx, item, exists)
	wantFailed(t, err, nil)
	_, err = tbl.Delete(ctx, key, exists)
	wantFailed(t, err, nil)
	_, _, err = tbl.Update(ctx, key, MustUpdate(t, "SET v = :two", vals), exists)
	wantFailed(t, err, nil)
	if got, _ := tbl.Get(ctx, key); got != nil {
		t.Fatalf("failed writes wrote %v", got)
	}
	if _, err := tbl.Put(ctx, item, notExists); err != nil {
		t.Fatalf("put if not exists: %v", err)
	}
	// Present item.
	_, err = tbl.Put(ctx, item, notExists)
	wantFailed(t, err, item)
	_, err = tbl.Put(ctx, item, isTwo)
	wantFailed(t, err, item)
	_, err = tbl.Delete(ctx, key, isTwo)
	wantFailed(t, err, item)
	_, _, err = tbl.Update(ctx, key, MustUpdate(t, "SET v = :two", vals), isTwo)
	wantFailed(t, err, item)
	_, nw, err := tbl.Update(ctx, key, MustUpdate(t, "SET v = :two", vals), isOne)
	if err != nil || !attrs.Equal(nw["v"], n("2")) {
		t.Fatalf("update if v = 1: got %v, %v", nw, err)
	}
	if _, err := tbl.Put(ctx, attrs.Item{"id": s("k"), "v": n("1")}, isTwo); err != nil {
		t.Fatalf("put if v = 2: %v", err)
	}
	old, err := tbl.Delete(ctx, key, isOne)
	if err != nil || old == nil {
		t.Fatalf("delete if v = 1: got %v, %v", old, err)
	}
}

func TestConcurrentAdd(t *testing.T) {
	ctx := context.Background()
	tbl := MustTable(t, MustEngine(t, t.TempDir()), store.TableDef{Name: "counter", HashKey: "id", KeyTypes: map[string]attrs.Kind{"id": attrs.S}})
	key := attrs.Item{"id": s("c")}
	add, err := expression.ParseUpdate("ADD #c :one", map[string]string{"#c": "counter"}, map[string]attrs.Value{":one": n("1")})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Go(func() {
			for range 50 {
				if _, _, err := tbl.Update(ctx, key, add, nil); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	got, err := tbl.Get(ctx, key)
	if err != nil || !attrs.Equal(got["counter"], n("800")) {
		t.Fatalf("got %v, %v, want counter 800", got, err)
	}
}

func TestConcurrentConditionalRMW(t *testing.T) {
	ctx := context.Background()
	tbl := MustTable(t, MustEngine(t, t.TempDir()), store.TableDef{Name: "rmw", HashKey: "id", KeyTypes: map[string]attrs.Kind{"id": attrs.S}})
	key := attrs.Item{"id": s("r")}
	if _, err := tbl.Put(ctx, attrs.Item{"id": s("r"), "version": n("0"), "total": n("0")}, nil); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Go(func() {
			for range 20 {
				for {
					cur, err := tbl.Get(ctx, key)
					if err != nil {
						errs <- err
						return
					}
					v := cur["version"].N
					next := attrs.Item{"id": s("r"), "version": n(fmt.Sprint(mustInt(v.String()) + 1)), "total": n(fmt.Sprint(mustInt(cur["total"].N.String()) + 3))}
					cond := MustCond(t, "version = :v", map[string]attrs.Value{":v": attrs.Num(v)})
					_, err = tbl.Put(ctx, next, cond)
					var cf *store.ConditionFailed
					if errors.As(err, &cf) {
						continue
					}
					if err != nil {
						errs <- err
						return
					}
					break
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	got, err := tbl.Get(ctx, key)
	if err != nil || !attrs.Equal(got["version"], n("320")) || !attrs.Equal(got["total"], n("960")) {
		t.Fatalf("got %v, %v, want version 320, total 960", got, err)
	}
}

func mustInt(s string) int {
	var i int
	if _, err := fmt.Sscan(s, &i); err != nil {
		panic(err)
	}
	return i
}

func keyCond(tb testing.TB, expr string, values map[string]attrs.Value) *expression.KeyCondition {
	tb.Helper()
	k, err := expression.ParseKeyCondition(expr, nil, values, "pk", "sk")
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

func sks(items []attrs.Item) string {
	var out []string
	for _, it := range items {
		out = append(out, it["sk"].String())
	}
	return strings.Join(out, " ")
}

func TestQuery(t *testing.T) {
	ctx := context.Background()
	tbl := MustTable(t, MustEngine(t, t.TempDir()), pkSK("query", attrs.N))
	nums := []string{"100", "-2", "1.5", "0", "10", "-10"}
	for _, p := range []string{"a", "b", "ab", "c"} {
		for _, x := range nums {
			if _, err := tbl.Put(ctx, attrs.Item{"pk": s(p), "sk": n(x), "p": s(p)}, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	// A deleted item does not show.
	if _, err := tbl.Put(ctx, attrs.Item{"pk": s("a"), "sk": n("55")}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := tbl.Delete(ctx, attrs.Item{"pk": s("a"), "sk": n("55")}, nil); err != nil {
		t.Fatal(err)
	}
	vals := map[string]attrs.Value{":p": s("a"), ":lo": n("-2"), ":hi": n("10"), ":z": n("0")}
	tests := []struct {
		expr    string
		forward bool
		want    string
	}{
		{"pk = :p", true, "{N:-10} {N:-2} {N:0} {N:1.5} {N:10} {N:100}"},
		{"pk = :p", false, "{N:100} {N:10} {N:1.5} {N:0} {N:-2} {N:-10}"},
		{"pk = :p AND sk BETWEEN :lo AND :hi", true, "{N:-2} {N:0} {N:1.5} {N:10}"},
		{"pk = :p AND sk > :z", false, "{N:100} {N:10} {N:1.5}"},
		{"pk = :p AND sk <= :z", true, "{N:-10} {N:-2} {N:0}"},
		{"pk = :p AND sk = :hi", true, "{N:10}"},
	}
	for _, tt := range tests {
		items, last, err := tbl.Query(ctx, keyCond(t, tt.expr, vals), tt.forward, 0, nil)
		if err != nil {
			t.Fatalf("%s: %v", tt.expr, err)
		}
		if got := sks(items); got != tt.want || last != nil {
			t.Errorf("%s forward=%v: got %s (last %v), want %s", tt.expr, tt.forward, got, last, tt.want)
		}
		for _, it := range items {
			if it["p"].S != "a" {
				t.Errorf("%s: got item of partition %s", tt.expr, it["p"].S)
			}
		}
	}
	// Paging, both ways.
	for _, forward := range []bool{true, false} {
		var all []attrs.Item
		var start attrs.Item
		pages := 0
		for {
			items, last, err := tbl.Query(ctx, keyCond(t, "pk = :p", vals), forward, 4, start)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			all = append(all, items...)
			if last == nil {
				break
			}
			start = last
		}
		want := tests[0].want
		if !forward {
			want = tests[1].want
		}
		if got := sks(all); got != want || pages != 2 {
			t.Errorf("paged forward=%v: got %s in %d pages, want %s in 2", forward, got, pages, want)
		}
	}
	items, _, err := tbl.Query(ctx, keyCond(t, "pk = :p", map[string]attrs.Value{":p": s("none")}), true, 0, nil)
	if err != nil || len(items) != 0 {
		t.Fatalf("empty partition: got %v, %v", items, err)
	}
}

func TestQueryStrings(t *testing.T) {
	ctx := context.Background()
	tbl := MustTable(t, MustEngine(t, t.TempDir()), pkSK("query-s", attrs.S))
	for _, x := range []string{"b", "a#2", "a#10", "a", "ab", "c"} {
		if _, err := tbl.Put(ctx, attrs.Item{"pk": s("p"), "sk": s(x)}, nil); err != nil {
			t.Fatal(err)
		}
	}
	items, _, err := tbl.Query(ctx, keyCond(t, "pk = :p AND begins_with(sk, :a)", map[string]attrs.Value{":p": s("p"), ":a": s("a")}), true, 0, nil)
	if got, want := sks(items), "{S:a} {S:a#10} {S:a#2} {S:ab}"; err != nil || got != want {
		t.Fatalf("got %s, %v, want %s", got, err, want)
	}
}

func TestScanAndStats(t *testing.T) {
	ctx := context.Background()
	tbl := MustTable(t, MustEngine(t, t.TempDir()), pkSK("scan", attrs.N))
	const total = 1100 // over one batched get's 1,024 subjects
	var wantSize int64
	for i := range total {
		it := attrs.Item{"pk": s(fmt.Sprintf("p%d", i%37)), "sk": n(fmt.Sprint(i))}
		wantSize += int64(attrs.Size(it))
		if _, err := tbl.Put(ctx, it, nil); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]bool{}
	var start attrs.Item
	pages := 0
	for {
		items, last, err := tbl.Scan(ctx, 300, start, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, it := range items {
			k := it["pk"].S + "/" + it["sk"].N.String()
			if seen[k] {
				t.Fatalf("item %s seen twice", k)
			}
			seen[k] = true
		}
		if last == nil {
			break
		}
		start = last
	}
	if len(seen) != total || pages != 4 {
		t.Fatalf("got %d items in %d pages, want %d in 4", len(seen), pages, total)
	}
	// Segments partition the table.
	count := 0
	for seg := range 3 {
		items, _, err := tbl.Scan(ctx, 0, nil, seg, 3)
		if err != nil {
			t.Fatal(err)
		}
		count += len(items)
	}
	if count != total {
		t.Fatalf("segments: got %d items, want %d", count, total)
	}
	// Stats count current items only.
	if _, err := tbl.Delete(ctx, attrs.Item{"pk": s("p0"), "sk": n("0")}, nil); err != nil {
		t.Fatal(err)
	}
	items, size, err := tbl.Stats(ctx)
	wantSize -= int64(attrs.Size(attrs.Item{"pk": s("p0"), "sk": n("0")}))
	if err != nil || items != total-1 || size != wantSize {
		t.Fatalf("stats: got %d, %d, %v, want %d, %d", items, size, err, total-1, wantSize)
	}
}

func TestChangesAndCompact(t *testing.T) {
	ctx := context.Background()
	tbl := MustTable(t, MustEngine(t, t.TempDir()), store.TableDef{Name: "changes", HashKey: "id", KeyTypes: map[string]attrs.Kind{"id": attrs.S}})
	a1 := attrs.Item{"id": s("a"), "v": n("1")}
	a2 := attrs.Item{"id": s("a"), "v": n("2")}
	b1 := attrs.Item{"id": s("b")}
	steps := []func() error{
		func() error { _, err := tbl.Put(ctx, a1, nil); return err },
		func() error { _, err := tbl.Put(ctx, b1, nil); return err },
		func() error { _, err := tbl.Put(ctx, a2, nil); return err },
		func() error { _, err := tbl.Delete(ctx, attrs.Item{"id": s("a")}, nil); return err },
		func() error { _, err := tbl.Delete(ctx, attrs.Item{"id": s("zz")}, nil); return err }, // no record
	}
	for _, f := range steps {
		if err := f(); err != nil {
			t.Fatal(err)
		}
	}
	want := []struct {
		event    string
		key      string
		old, new attrs.Item
	}{
		{"INSERT", "a", nil, a1},
		{"INSERT", "b", nil, b1},
		{"MODIFY", "a", a1, a2},
		{"REMOVE", "a", a2, nil},
	}
	var got []store.Change
	for from := uint64(0); ; {
		cs, err := tbl.Changes(ctx, from, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) == 0 {
			break
		}
		got = append(got, cs...)
		from = cs[len(cs)-1].Seq + 1
	}
	if len(got) != len(want) {
		t.Fatalf("got %d changes, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		c := got[i]
		if c.EventName != w.event || c.Keys["id"].S != w.key || !attrs.ItemsEqual(c.Old, w.old) || !attrs.ItemsEqual(c.New, w.new) || (w.old == nil) != (c.Old == nil) || (w.new == nil) != (c.New == nil) || c.Time.IsZero() {
			t.Errorf("change %d: got %+v, want %+v", i, c, w)
		}
		if i > 0 && c.Seq <= got[i-1].Seq {
			t.Errorf("change %d: sequence %d not after %d", i, c.Seq, got[i-1].Seq)
		}
	}
	// Compacting with a cut-off in the future drops history but keeps b.
	if _, err := tbl.Compact(ctx, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	cs, err := tbl.Changes(ctx, 0, 0)
	if err != nil || len(cs) != 1 || cs[0].Keys["id"].S != "b" {
		t.Fatalf("after compact: got %+v, %v, want b's insert only", cs, err)
	}
	if got, err := tbl.Get(ctx, attrs.Item{"id": s("b")}); err != nil || !attrs.ItemsEqual(got, b1) {
		t.Fatalf("after compact: got %v, %v, want %v", got, err, b1)
	}
	// a can be written again from scratch.
	if _, err := tbl.Put(ctx, a1, MustCond(t, "attribute_not_exists(id)", nil)); err != nil {
		t.Fatalf("put after compact: %v", err)
	}
	// A past cut-off removes nothing.
	if n, err := tbl.Compact(ctx, time.Now().Add(-time.Hour)); err != nil || n != 0 {
		t.Fatalf("compact past: got %d, %v, want 0", n, err)
	}
}

func TestReopen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	def := pkSK("reopen", attrs.S)
	e := MustEngine(t, dir)
	tbl := MustTable(t, e, def)
	item := attrs.Item{"pk": s("a"), "sk": s("x"), "v": attrs.List(n("1"), attrs.Bool(true))}
	if _, err := tbl.Put(ctx, item, nil); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e2 := MustEngine(t, dir)
	tbl2 := MustTable(t, e2, def)
	got, err := tbl2.Get(ctx, attrs.Item{"pk": s("a"), "sk": s("x")})
	if err != nil || !attrs.ItemsEqual(got, item) {
		t.Fatalf("after reopen: got %v, %v, want %v", got, err, item)
	}
	cs, err := tbl2.Changes(ctx, 0, 0)
	if err != nil || len(cs) != 1 || cs[0].EventName != "INSERT" {
		t.Fatalf("changes after reopen: got %+v, %v", cs, err)
	}
}

func TestQueryLargePartition(t *testing.T) {
	ctx := context.Background()
	tbl := MustTable(t, MustEngine(t, t.TempDir()), pkSK("large", attrs.N))
	// 30 items of ~300 KB: more than one 8 MiB batched reply.
	big := s(strings.Repeat("x", 300*1024))
	for i := range 30 {
		if _, err := tbl.Put(ctx, attrs.Item{"pk": s("p"), "sk": n(fmt.Sprint(i)), "big": big}, nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := tbl.Put(ctx, attrs.Item{"pk": s("q"), "sk": n("1")}, nil); err != nil {
		t.Fatal(err)
	}
	items, last, err := tbl.Query(ctx, keyCond(t, "pk = :p", map[string]attrs.Value{":p": s("p")}), true, 0, nil)
	if err != nil || len(items) != 30 || last != nil {
		t.Fatalf("got %d items, %v, %v, want 30", len(items), last, err)
	}
	for i, it := range items {
		if !attrs.Equal(it["sk"], n(fmt.Sprint(i))) {
			t.Fatalf("item %d: got sk %v", i, it["sk"])
		}
	}
}
