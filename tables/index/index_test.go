package index_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/engine"
	"github.com/eddyserverless/eddy/tables/attrs"
	"github.com/eddyserverless/eddy/tables/expression"
	"github.com/eddyserverless/eddy/tables/index"
	"github.com/eddyserverless/eddy/tables/store"
	"github.com/nats-io/nats.go/jetstream"
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

func MustIndex(tb testing.TB, e *engine.Engine, tbl *store.Table, def index.Def) *index.Index {
	tb.Helper()
	x, err := index.Open(context.Background(), e, tbl, tbl.Def().Name, def, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = x.Close() })
	return x
}

func MustPut(tb testing.TB, tbl *store.Table, items ...attrs.Item) {
	tb.Helper()
	for _, it := range items {
		if _, err := tbl.Put(context.Background(), it, nil); err != nil {
			tb.Fatal(err)
		}
	}
}

func MustUpdate(tb testing.TB, tbl *store.Table, key attrs.Item, expr string, values map[string]attrs.Value) {
	tb.Helper()
	u, err := expression.ParseUpdate(expr, nil, values)
	if err != nil {
		tb.Fatal(err)
	}
	if _, _, err := tbl.Update(context.Background(), key, u, nil); err != nil {
		tb.Fatal(err)
	}
}

func MustDelete(tb testing.TB, tbl *store.Table, key attrs.Item) {
	tb.Helper()
	if _, err := tbl.Delete(context.Background(), key, nil); err != nil {
		tb.Fatal(err)
	}
}

// MustQuery runs a query on x, whose key condition expr uses values.
func MustQuery(tb testing.TB, x *index.Index, expr string, values map[string]attrs.Value, forward bool, limit int, start attrs.Item) ([]attrs.Item, attrs.Item) {
	tb.Helper()
	items, last, err := x.Query(context.Background(), keyCond(tb, x, expr, values), forward, limit, start)
	if err != nil {
		tb.Fatal(err)
	}
	return items, last
}

func keyCond(tb testing.TB, x *index.Index, expr string, values map[string]attrs.Value) *expression.KeyCondition {
	tb.Helper()
	kc, err := expression.ParseKeyCondition(expr, nil, values, x.Def().HashKey, x.Def().RangeKey)
	if err != nil {
		tb.Fatal(err)
	}
	return kc
}

// waitUntil polls cond until it holds or a deadline passes.
func waitUntil(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func wantType(t *testing.T, err error, awsType, msg string) {
	t.Helper()
	e := eddy.AsError(err)
	if e == nil || e.Type != awsType || (msg != "" && e.Message != msg) {
		t.Fatalf("got %v, want %s %q", err, awsType, msg)
	}
}

func n(s string) attrs.Value { return attrs.Num(attrs.MustParseNumber(s)) }
func s(v string) attrs.Value { return attrs.Str(v) }

// ids renders items as their table keys, "pk/sk" for a string and a number.
func ids(items []attrs.Item) string {
	var out []string
	for _, it := range items {
		out = append(out, it["pk"].S+"/"+it["sk"].N.String())
	}
	return strings.Join(out, " ")
}

func baseDef(name string) store.TableDef {
	return store.TableDef{Name: name, HashKey: "pk", RangeKey: "sk", KeyTypes: map[string]attrs.Kind{"pk": attrs.S, "sk": attrs.N}}
}

func gsiDef(projection string, nonKey ...string) index.Def {
	return index.Def{
		Name: "by-g", HashKey: "gpk", RangeKey: "gsk",
		KeyTypes:   map[string]attrs.Kind{"gpk": attrs.S, "gsk": attrs.N},
		Projection: projection, NonKeyAttributes: nonKey,
	}
}

func item(pk string, sk int, kv ...any) attrs.Item {
	it := attrs.Item{"pk": s(pk), "sk": n(fmt.Sprint(sk))}
	for i := 0; i < len(kv); i += 2 {
		it[kv[i].(string)] = kv[i+1].(attrs.Value)
	}
	return it
}

func key(pk string, sk int) attrs.Item { return item(pk, sk) }

func TestGSI(t *testing.T) {
	ctx := context.Background()
	e := MustEngine(t, t.TempDir())
	tbl := MustTable(t, e, baseDef("gsi"))
	x := MustIndex(t, e, tbl, gsiDef(index.ProjectAll))
	MustPut(t, tbl,
		item("a", 1, "gpk", s("g1"), "gsk", n("3"), "v", s("a1")),
		item("a", 2, "gpk", s("g1"), "gsk", n("1")),
		item("b", 1, "gpk", s("g1"), "gsk", n("2")),
		item("c", 1, "gpk", s("g2"), "gsk", n("1")),
		item("d", 1, "gpk", s("g1")),                  // no index sort key
		item("e", 1, "gsk", n("5")),                   // no index partition key
		item("f", 1, "gpk", s("g1"), "gsk", s("one")), // wrong type
		item("g", 1, "gpk", s(""), "gsk", n("1")),     // empty key
	)
	g1 := map[string]attrs.Value{":g": s("g1")}
	items, last := MustQuery(t, x, "gpk = :g", g1, true, 0, nil)
	if got, want := ids(items), "a/2 b/1 a/1"; got != want || last != nil {
		t.Fatalf("got %s, %v, want %s", got, last, want)
	}
	if want := item("a", 1, "gpk", s("g1"), "gsk", n("3"), "v", s("a1")); !attrs.ItemsEqual(items[2], want) {
		t.Fatalf("ALL projection: got %v, want %v", items[2], want)
	}
	items, _ = MustQuery(t, x, "gpk = :g AND gsk >= :v", map[string]attrs.Value{":g": s("g1"), ":v": n("2")}, false, 0, nil)
	if got, want := ids(items), "a/1 b/1"; got != want {
		t.Fatalf("range, descending: got %s, want %s", got, want)
	}
	// A changed index sort key moves the entry.
	MustUpdate(t, tbl, key("a", 2), "SET gsk = :v", map[string]attrs.Value{":v": n("10")})
	items, _ = MustQuery(t, x, "gpk = :g", g1, true, 0, nil)
	if got, want := ids(items), "b/1 a/1 a/2"; got != want {
		t.Fatalf("after sort key change: got %s, want %s", got, want)
	}
	// A changed partition key moves it to another partition.
	MustUpdate(t, tbl, key("a", 2), "SET gpk = :v", map[string]attrs.Value{":v": s("g2")})
	items, _ = MustQuery(t, x, "gpk = :g", g1, true, 0, nil)
	if got, want := ids(items), "b/1 a/1"; got != want {
		t.Fatalf("after partition key change: got %s, want %s", got, want)
	}
	items, _ = MustQuery(t, x, "gpk = :g", map[string]attrs.Value{":g": s("g2")}, true, 0, nil)
	if got, want := ids(items), "c/1 a/2"; got != want {
		t.Fatalf("new partition: got %s, want %s", got, want)
	}
	// Losing an index key removes the entry, gaining one adds it.
	MustUpdate(t, tbl, key("b", 1), "REMOVE gsk", nil)
	MustUpdate(t, tbl, key("d", 1), "SET gsk = :v", map[string]attrs.Value{":v": n("0")})
	MustDelete(t, tbl, key("a", 1))
	items, _ = MustQuery(t, x, "gpk = :g", g1, true, 0, nil)
	if got, want := ids(items), "d/1"; got != want {
		t.Fatalf("after remove, add and delete: got %s, want %s", got, want)
	}
	// Scan and Stats see every entry.
	items, _, err := x.Scan(ctx, 0, nil, 0, 0)
	if got, want := len(items), 3; err != nil || got != want {
		t.Fatalf("scan: got %d entries (%s), %v, want %d", got, ids(items), err, want)
	}
	count, size, err := x.Stats(ctx)
	var wantSize int64
	for _, it := range items {
		wantSize += int64(attrs.Size(it))
	}
	if err != nil || count != 3 || size != wantSize {
		t.Fatalf("stats: got %d, %d, %v, want 3, %d", count, size, err, wantSize)
	}
	if !x.Backfilled() {
		waitUntil(t, "backfilled", x.Backfilled)
	}
}

func TestQueryValidation(t *testing.T) {
	ctx := context.Background()
	e := MustEngine(t, t.TempDir())
	tbl := MustTable(t, e, baseDef("validation"))
	x := MustIndex(t, e, tbl, gsiDef(index.ProjectKeysOnly))
	const vex = "ValidationException"
	_, _, err := x.Query(ctx, keyCond(t, x, "gpk = :g", map[string]attrs.Value{":g": n("1")}), true, 0, nil)
	wantType(t, err, vex, "One or more parameter values were invalid: Condition parameter type does not match schema type")
	kc := keyCond(t, x, "gpk = :g", map[string]attrs.Value{":g": s("g")})
	for _, c := range []struct {
		start attrs.Item
		msg   string
	}{
		{attrs.Item{"gpk": s("g"), "gsk": n("1")}, "The provided starting key is invalid: The provided key element does not match the schema"},
		{attrs.Item{"gpk": s("g"), "gsk": n("1"), "pk": s("a"), "x": n("1")}, "The provided starting key is invalid: The provided key element does not match the schema"},
		{attrs.Item{"gpk": s("g"), "gsk": n("1"), "pk": s("a"), "sk": n("1"), "x": n("1")}, "The provided starting key is invalid: The provided key element does not match the schema"},
		{attrs.Item{"gpk": s("g"), "gsk": s("1"), "pk": s("a"), "sk": n("1")}, "The provided starting key is invalid: Type mismatch for key gsk expected: N actual: S"},
		{attrs.Item{"gpk": s(""), "gsk": n("1"), "pk": s("a"), "sk": n("1")}, "The provided starting key is invalid: The AttributeValue for a key attribute cannot contain an empty string value. Key: gpk"},
		{attrs.Item{"gpk": s("h"), "gsk": n("1"), "pk": s("a"), "sk": n("1")}, "The provided starting key does not match the range key predicate"},
	} {
		_, _, err := x.Query(ctx, kc, true, 0, c.start)
		wantType(t, err, vex, c.msg)
		if c.msg != "The provided starting key does not match the range key predicate" {
			_, _, err = x.Scan(ctx, 0, c.start, 0, 0)
			wantType(t, err, vex, c.msg)
		}
	}
	_, _, err = x.Scan(ctx, 0, nil, 3, 3)
	wantType(t, err, vex, "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 3 is out of bounds of TotalSegments: 3")
}

func TestGSIHashOnlyPaging(t *testing.T) {
	ctx := context.Background()
	e := MustEngine(t, t.TempDir())
	tbl := MustTable(t, e, baseDef("hash-only"))
	x := MustIndex(t, e, tbl, index.Def{
		Name: "by-color", HashKey: "color",
		KeyTypes: map[string]attrs.Kind{"color": attrs.S}, Projection: index.ProjectKeysOnly,
	})
	var want []string
	for _, pk := range []string{"b", "a", "c"} {
		for sk := range 4 {
			MustPut(t, tbl, item(pk, 3-sk, "color", s("red"), "size", n("1")))
		}
	}
	MustPut(t, tbl, item("z", 1, "color", s("blue")))
	for _, pk := range []string{"a", "b", "c"} {
		for sk := range 4 {
			want = append(want, fmt.Sprintf("%s/%d", pk, sk))
		}
	}
	red := map[string]attrs.Value{":c": s("red")}
	items, _ := MustQuery(t, x, "color = :c", red, true, 0, nil)
	if got := ids(items); got != strings.Join(want, " ") {
		t.Fatalf("got %s, want %s", got, strings.Join(want, " "))
	}
	if wantItem := (attrs.Item{"color": s("red"), "pk": s("a"), "sk": n("0")}); !attrs.ItemsEqual(items[0], wantItem) {
		t.Fatalf("KEYS_ONLY: got %v, want %v", items[0], wantItem)
	}
	for _, forward := range []bool{true, false} {
		var got []string
		var start attrs.Item
		for page := 0; ; page++ {
			items, last := MustQuery(t, x, "color = :c", red, forward, 5, start)
			for _, it := range items {
				got = append(got, ids([]attrs.Item{it}))
			}
			if last == nil {
				break
			}
			if len(last) != 3 || !attrs.ItemsEqual(last, items[len(items)-1]) {
				t.Fatalf("LastEvaluatedKey: got %v, want the keys of %v", last, items[len(items)-1])
			}
			if page > len(want) {
				t.Fatal("paging does not end")
			}
			start = last
		}
		w := slices.Clone(want)
		if !forward {
			slices.Reverse(w)
		}
		if strings.Join(got, " ") != strings.Join(w, " ") {
			t.Fatalf("forward %v: got %v, want %v", forward, got, w)
		}
	}
	// A start key of an entry that no longer exists still positions the page.
	MustDelete(t, tbl, key("b", 0))
	items, _ = MustQuery(t, x, "color = :c", red, true, 2, attrs.Item{"color": s("red"), "pk": s("b"), "sk": n("0")})
	if got, want := ids(items), "b/1 b/2"; got != want {
		t.Fatalf("after a deleted start key: got %s, want %s", got, want)
	}
	// Scan pages and segments cover the index.
	seen := map[string]bool{}
	var start attrs.Item
	for {
		items, last, err := x.Scan(ctx, 4, start, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			k := ids([]attrs.Item{it})
			if seen[k] {
				t.Fatalf("scan: %s twice", k)
			}
			seen[k] = true
		}
		if last == nil {
			break
		}
		start = last
	}
	total := 0
	for seg := range 3 {
		items, _, err := x.Scan(ctx, 0, nil, seg, 3)
		if err != nil {
			t.Fatal(err)
		}
		total += len(items)
	}
	if len(seen) != 12 || total != 12 {
		t.Fatalf("scan: got %d entries, %d over segments, want 12", len(seen), total)
	}
}

func TestPagingEqualSortKeys(t *testing.T) {
	e := MustEngine(t, t.TempDir())
	tbl := MustTable(t, e, baseDef("ties"))
	x := MustIndex(t, e, tbl, gsiDef(index.ProjectInclude, "v"))
	for i := range 25 {
		gsk := "5"
		if i%5 == 0 {
			gsk = fmt.Sprint(i) // a few other sort keys around the ties
		}
		MustPut(t, tbl, item(fmt.Sprintf("p%02d", (i*7)%25), i%3, "gpk", s("g"), "gsk", n(gsk), "v", n(fmt.Sprint(i))))
	}
	g := map[string]attrs.Value{":g": s("g")}
	for _, forward := range []bool{true, false} {
		all, _ := MustQuery(t, x, "gpk = :g", g, forward, 0, nil)
		if len(all) != 25 {
			t.Fatalf("got %d entries, want 25", len(all))
		}
		for i := 1; i < len(all); i++ {
			a, b := all[i-1], all[i]
			c, _ := attrs.Compare(a["gsk"], b["gsk"])
			if c == 0 {
				c = strings.Compare(a["pk"].S, b["pk"].S)
			}
			if c == 0 {
				c, _ = attrs.Compare(a["sk"], b["sk"])
			}
			if (forward && c >= 0) || (!forward && c <= 0) {
				t.Fatalf("forward %v: %s before %s", forward, ids(all[i-1:i]), ids(all[i:i+1]))
			}
		}
		var paged []attrs.Item
		var start attrs.Item
		for {
			items, last := MustQuery(t, x, "gpk = :g", g, forward, 3, start)
			paged = append(paged, items...)
			if last == nil {
				break
			}
			if len(last) != 4 {
				t.Fatalf("LastEvaluatedKey: got %v, want index and table keys", last)
			}
			start = last
		}
		if got, want := ids(paged), ids(all); got != want {
			t.Fatalf("forward %v: paged %s, want %s", forward, got, want)
		}
	}
	// Paging within a sort key range.
	items, last := MustQuery(t, x, "gpk = :g AND gsk = :v", map[string]attrs.Value{":g": s("g"), ":v": n("5")}, true, 0, nil)
	if len(items) != 21 || last != nil { // 25 minus 0, 10, 15, 20
		t.Fatalf("gsk = 5: got %d entries, want 21", len(items))
	}
}

func TestProjections(t *testing.T) {
	e := MustEngine(t, t.TempDir())
	tbl := MustTable(t, e, baseDef("projections"))
	full := item("a", 1, "gpk", s("g"), "gsk", n("1"), "x", s("x"), "y", n("2"), "z", attrs.List(s("z")))
	MustPut(t, tbl, full)
	for _, c := range []struct {
		def  index.Def
		want attrs.Item
	}{
		{gsiDef(index.ProjectKeysOnly), item("a", 1, "gpk", s("g"), "gsk", n("1"))},
		{gsiDef(index.ProjectInclude, "y", "missing"), item("a", 1, "gpk", s("g"), "gsk", n("1"), "y", n("2"))},
		{gsiDef(index.ProjectAll), full},
	} {
		c.def.Name = "p-" + c.def.Projection
		x := MustIndex(t, e, tbl, c.def)
		items, _ := MustQuery(t, x, "gpk = :g", map[string]attrs.Value{":g": s("g")}, true, 0, nil)
		if len(items) != 1 || !attrs.ItemsEqual(items[0], c.want) {
			t.Errorf("%s: got %v, want %v", c.def.Projection, items, c.want)
		}
	}
}

func TestLSI(t *testing.T) {
	e := MustEngine(t, t.TempDir())
	tbl := MustTable(t, e, baseDef("lsi"))
	x := MustIndex(t, e, tbl, index.Def{
		Name: "by-ts", HashKey: "pk", RangeKey: "ts", Local: true,
		KeyTypes: map[string]attrs.Kind{"ts": attrs.N}, Projection: index.ProjectInclude, NonKeyAttributes: []string{"title"},
	})
	MustPut(t, tbl,
		item("a", 1, "ts", n("30"), "title", s("one"), "body", s("...")),
		item("a", 2, "ts", n("10"), "title", s("two")),
		item("a", 3, "title", s("three")), // sparse
		item("a", 4, "ts", n("20")),
		item("b", 1, "ts", n("5")),
	)
	a := map[string]attrs.Value{":p": s("a")}
	items, _ := MustQuery(t, x, "pk = :p", a, true, 0, nil)
	if got, want := ids(items), "a/2 a/4 a/1"; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
	if want := item("a", 1, "ts", n("30"), "title", s("one")); !attrs.ItemsEqual(items[2], want) {
		t.Fatalf("INCLUDE: got %v, want %v", items[2], want)
	}
	items, last := MustQuery(t, x, "pk = :p AND ts BETWEEN :lo AND :hi", map[string]attrs.Value{":p": s("a"), ":lo": n("10"), ":hi": n("25")}, false, 1, nil)
	if got, want := ids(items), "a/4"; got != want {
		t.Fatalf("between, descending: got %s, want %s", got, want)
	}
	if want := (attrs.Item{"pk": s("a"), "sk": n("4"), "ts": n("20")}); !attrs.ItemsEqual(last, want) {
		t.Fatalf("LastEvaluatedKey: got %v, want %v", last, want)
	}
	items, last = MustQuery(t, x, "pk = :p AND ts BETWEEN :lo AND :hi", map[string]attrs.Value{":p": s("a"), ":lo": n("10"), ":hi": n("25")}, false, 1, last)
	// DynamoDB stops at Limit even on the last item, so one more (empty)
	// page follows.
	if got, want := ids(items), "a/2"; got != want || last == nil {
		t.Fatalf("second page: got %s, %v, want %s and a LastEvaluatedKey", got, last, want)
	}
	items, last = MustQuery(t, x, "pk = :p AND ts BETWEEN :lo AND :hi", map[string]attrs.Value{":p": s("a"), ":lo": n("10"), ":hi": n("25")}, false, 1, last)
	if len(items) != 0 || last != nil {
		t.Fatalf("third page: got %v, %v, want nothing", items, last)
	}
}

func TestOpenErrors(t *testing.T) {
	e := MustEngine(t, t.TempDir())
	tbl := MustTable(t, e, baseDef("defs"))
	hashOnly := MustTable(t, e, store.TableDef{Name: "hash", HashKey: "pk", KeyTypes: map[string]attrs.Kind{"pk": attrs.S}})
	kinds := map[string]attrs.Kind{"gpk": attrs.S, "gsk": attrs.N}
	for _, c := range []struct {
		name string
		tbl  *store.Table
		def  index.Def
	}{
		{"no name", tbl, index.Def{HashKey: "gpk", KeyTypes: kinds, Projection: "ALL"}},
		{"no hash key", tbl, index.Def{Name: "i", KeyTypes: kinds, Projection: "ALL"}},
		{"no key type", tbl, index.Def{Name: "i", HashKey: "other", KeyTypes: kinds, Projection: "ALL"}},
		{"set key type", tbl, index.Def{Name: "i", HashKey: "gpk", KeyTypes: map[string]attrs.Kind{"gpk": attrs.SS}, Projection: "ALL"}},
		{"no projection", tbl, index.Def{Name: "i", HashKey: "gpk", KeyTypes: kinds}},
		{"non-key attributes with ALL", tbl, index.Def{Name: "i", HashKey: "gpk", KeyTypes: kinds, Projection: "ALL", NonKeyAttributes: []string{"x"}}},
		{"wrong base keys", tbl, index.Def{Name: "i", HashKey: "gpk", KeyTypes: kinds, Projection: "ALL", BaseHashKey: "sk", BaseRangeKey: "pk"}},
		{"wrong base key type", tbl, index.Def{Name: "i", HashKey: "gpk", KeyTypes: map[string]attrs.Kind{"gpk": attrs.S, "pk": attrs.N}, Projection: "ALL"}},
		{"local with another partition key", tbl, index.Def{Name: "i", HashKey: "gpk", RangeKey: "gsk", KeyTypes: kinds, Projection: "ALL", Local: true}},
		{"local without sort key", tbl, index.Def{Name: "i", HashKey: "pk", KeyTypes: kinds, Projection: "ALL", Local: true}},
		{"local on a hash-only table", hashOnly, index.Def{Name: "i", HashKey: "pk", RangeKey: "gsk", KeyTypes: kinds, Projection: "ALL", Local: true}},
	} {
		if x, err := index.Open(context.Background(), e, c.tbl, c.tbl.Def().Name, c.def, nil); err == nil {
			_ = x.Close()
			t.Errorf("%s: got no error", c.name)
		}
	}
	if _, err := index.Open(context.Background(), e, tbl, "other", gsiDef("ALL"), nil); err == nil {
		t.Error("another table's name: got no error")
	}
}

func TestCheckItem(t *testing.T) {
	def := gsiDef(index.ProjectAll)
	def.BaseHashKey, def.BaseRangeKey = "pk", "sk"
	def.KeyTypes["gsk"] = attrs.B
	for _, c := range []struct {
		item attrs.Item
		msg  string
	}{
		{item("a", 1), ""},
		{item("a", 1, "gpk", s("g"), "gsk", attrs.Bin([]byte{1})), ""},
		{item("a", 1, "gpk", n("1")), "One or more parameter values were invalid: Type mismatch for Index Key gpk Expected: S Actual: N IndexName: by-g"},
		{item("a", 1, "gpk", s("")), "One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty string value. IndexName: by-g, IndexKey: gpk"},
		{item("a", 1, "gsk", attrs.Bin(nil)), "One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty binary value. IndexName: by-g, IndexKey: gsk"},
		{item("a", 1, "gpk", s(strings.Repeat("x", 2049))), "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes"},
		{item("a", 1, "gsk", attrs.Bin(make([]byte, 1025))), "One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes"},
	} {
		err := def.CheckItem(c.item)
		if c.msg == "" {
			if err != nil {
				t.Errorf("%v: got %v, want nil", c.item, err)
			}
			continue
		}
		wantType(t, err, "ValidationException", c.msg)
	}
}

func TestLongKeys(t *testing.T) {
	e := MustEngine(t, t.TempDir())
	tbl := MustTable(t, e, store.TableDef{Name: "long", HashKey: "pk", RangeKey: "sk", KeyTypes: map[string]attrs.Kind{"pk": attrs.S, "sk": attrs.S}})
	x := MustIndex(t, e, tbl, index.Def{Name: "long", HashKey: "g", RangeKey: "r", KeyTypes: map[string]attrs.Kind{"g": attrs.S, "r": attrs.S}, Projection: index.ProjectKeysOnly})
	// Four keys near their size limits still make one valid subject.
	it := attrs.Item{"pk": s(strings.Repeat("p", 2000)), "sk": s(strings.Repeat("s", 1000)), "g": s(strings.Repeat("g", 2000)), "r": s(strings.Repeat("r", 1000))}
	MustPut(t, tbl, it)
	items, _ := MustQuery(t, x, "g = :g", map[string]attrs.Value{":g": it["g"]}, true, 0, nil)
	if len(items) != 1 || !attrs.ItemsEqual(items[0], it) {
		t.Fatalf("got %d entries, want the long item", len(items))
	}
}

// model returns the entries an index on gpk/gsk should hold for the
// table's current items, as "gpk:pk/sk" sorted.
func model(t *testing.T, tbl *store.Table) map[string][]string {
	t.Helper()
	items, _, err := tbl.Scan(context.Background(), 0, nil, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, it := range items {
		g, okG := it["gpk"]
		_, okR := it["gsk"]
		if okG && okR {
			out[g.S] = append(out[g.S], ids([]attrs.Item{it}))
		}
	}
	for _, v := range out {
		slices.Sort(v)
	}
	return out
}

func checkModel(t *testing.T, x *index.Index, want map[string][]string) {
	t.Helper()
	total := 0
	for g, w := range want {
		items, _ := MustQuery(t, x, "gpk = :g", map[string]attrs.Value{":g": s(g)}, true, 0, nil)
		var got []string
		for _, it := range items {
			got = append(got, ids([]attrs.Item{it}))
		}
		slices.Sort(got)
		if !slices.Equal(got, w) {
			t.Fatalf("partition %s: got %v, want %v", g, got, w)
		}
		total += len(w)
	}
	if count, _, err := x.Stats(context.Background()); err != nil || count != int64(total) {
		t.Fatalf("stats: got %d, %v, want %d", count, err, total)
	}
}

// writeHistory writes count items in 7 index partitions, then updates and
// deletes some of them.
func writeHistory(t *testing.T, tbl *store.Table, prefix string, count int) {
	t.Helper()
	for i := range count {
		MustPut(t, tbl, item(fmt.Sprintf("%s%d", prefix, i%50), i, "gpk", s(fmt.Sprintf("g%d", i%7)), "gsk", n(fmt.Sprint(i%11))))
	}
	for i := 0; i < count; i += 5 {
		k := key(fmt.Sprintf("%s%d", prefix, i%50), i)
		switch i % 3 {
		case 0:
			MustUpdate(t, tbl, k, "SET gpk = :g", map[string]attrs.Value{":g": s(fmt.Sprintf("g%d", (i+1)%7))})
		case 1:
			MustUpdate(t, tbl, k, "REMOVE gsk", nil)
		default:
			MustDelete(t, tbl, k)
		}
	}
}

func TestBackfill(t *testing.T) {
	ctx := context.Background()
	e := MustEngine(t, t.TempDir())
	tbl := MustTable(t, e, baseDef("backfill"))
	writeHistory(t, tbl, "p", 500)
	// Dropping history keeps every current version, so a backfill from
	// what is left is complete.
	if _, err := tbl.Compact(ctx, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	writeHistory(t, tbl, "q", 100)
	x := MustIndex(t, e, tbl, gsiDef(index.ProjectKeysOnly))
	waitUntil(t, "backfill", x.Backfilled)
	checkModel(t, x, model(t, tbl))
	if last, err := tbl.LastSeq(ctx); err != nil || x.Applied() < last {
		t.Fatalf("applied %d, table at %d (%v)", x.Applied(), last, err)
	}
}

func TestRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	def := gsiDef(index.ProjectAll)
	e := MustEngine(t, dir)
	tbl := MustTable(t, e, baseDef("restart"))
	x := MustIndex(t, e, tbl, def)
	writeHistory(t, tbl, "p", 60)
	checkModel(t, x, model(t, tbl))
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	if err := x.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
	if _, _, err := x.Query(ctx, keyCond(t, x, "gpk = :g", map[string]attrs.Value{":g": s("g1")}), true, 0, nil); err == nil {
		t.Fatal("query on a closed index: got no error")
	}
	// Writes while the index is closed.
	writeHistory(t, tbl, "q", 40)
	MustUpdate(t, tbl, key("p1", 1), "SET gpk = :g", map[string]attrs.Value{":g": s("moved")})
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}

	e = MustEngine(t, dir)
	tbl = MustTable(t, e, baseDef("restart"))
	x = MustIndex(t, e, tbl, def)
	want := model(t, tbl)
	checkModel(t, x, want)

	// Replaying changes already applied, as after a crash between writing
	// entries and the checkpoint, changes nothing.
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	st, err := e.JS.Stream(ctx, index.StreamName("restart", def.Name))
	if err != nil {
		t.Fatal(err)
	}
	checkpoint := strings.TrimSuffix(st.CachedInfo().Config.Subjects[0], ">") + "c"
	if _, err := e.JS.Publish(ctx, checkpoint, []byte("1")); err != nil {
		t.Fatal(err)
	}
	x = MustIndex(t, e, tbl, def)
	checkModel(t, x, want)
}

func TestDrop(t *testing.T) {
	ctx := context.Background()
	e := MustEngine(t, t.TempDir())
	tbl := MustTable(t, e, baseDef("drop"))
	def := gsiDef(index.ProjectAll)
	x := MustIndex(t, e, tbl, def)
	writeHistory(t, tbl, "p", 30)
	want := model(t, tbl)
	checkModel(t, x, want)
	if err := x.Drop(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := e.JS.Stream(ctx, index.StreamName("drop", def.Name)); !errors.Is(err, jetstream.ErrStreamNotFound) {
		t.Fatalf("stream after drop: got %v, want not found", err)
	}
	if err := x.Drop(ctx); err != nil {
		t.Fatalf("second drop: %v", err)
	}
	// An index created again under the same name is built from scratch.
	x = MustIndex(t, e, tbl, def)
	checkModel(t, x, want)
}

// TestReadYourWrites checks, under concurrent writers, that a query sees
// every write acknowledged before it.
func TestReadYourWrites(t *testing.T) {
	ctx := context.Background()
	e := MustEngine(t, t.TempDir())
	tbl := MustTable(t, e, baseDef("ryw"))
	x := MustIndex(t, e, tbl, gsiDef(index.ProjectKeysOnly))
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 8 {
		wg.Go(func() {
			for i := range 25 {
				it := item(fmt.Sprintf("w%d", w), i, "gpk", s("g"), "gsk", n(fmt.Sprint(i)))
				if _, err := tbl.Put(ctx, it, nil); err != nil {
					errs <- err
					return
				}
				kc, err := expression.ParseKeyCondition("gpk = :g AND gsk = :v", nil, map[string]attrs.Value{":g": s("g"), ":v": n(fmt.Sprint(i))}, "gpk", "gsk")
				if err != nil {
					errs <- err
					return
				}
				items, _, err := x.Query(ctx, kc, true, 0, nil)
				if err != nil {
					errs <- err
					return
				}
				found := false
				for _, got := range items {
					found = found || got["pk"].S == it["pk"].S
				}
				if !found {
					errs <- fmt.Errorf("writer %d: item %d missing from %s", w, i, ids(items))
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// BenchmarkPutQuery measures a write followed by an index query that must
// see it.
func BenchmarkPutQuery(b *testing.B) {
	ctx := context.Background()
	e := MustEngine(b, b.TempDir())
	tbl := MustTable(b, e, baseDef("bench"))
	x := MustIndex(b, e, tbl, gsiDef(index.ProjectKeysOnly))
	kc, err := expression.ParseKeyCondition("gpk = :g", nil, map[string]attrs.Value{":g": s("g")}, "gpk", "gsk")
	if err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		MustPut(b, tbl, item("p", i%20, "gpk", s("g"), "gsk", n(fmt.Sprint(i))))
		if _, _, err := x.Query(ctx, kc, true, 0, nil); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func TestTableRecreated(t *testing.T) {
	ctx := context.Background()
	e := MustEngine(t, t.TempDir())
	tbl := MustTable(t, e, baseDef("recreated"))
	def := gsiDef(index.ProjectAll)
	x := MustIndex(t, e, tbl, def)
	writeHistory(t, tbl, "p", 40)
	checkModel(t, x, model(t, tbl))
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	// The table is dropped and created again, but the index is not.
	if err := tbl.Drop(ctx); err != nil {
		t.Fatal(err)
	}
	tbl = MustTable(t, e, baseDef("recreated"))
	writeHistory(t, tbl, "q", 10)
	x = MustIndex(t, e, tbl, def)
	checkModel(t, x, model(t, tbl))
}

func TestCloseAfterEngine(t *testing.T) {
	e := MustEngine(t, t.TempDir())
	tbl := MustTable(t, e, baseDef("engine-first"))
	x := MustIndex(t, e, tbl, gsiDef(index.ProjectAll))
	MustPut(t, tbl, item("a", 1, "gpk", s("g"), "gsk", n("1")))
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
}
