package store_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/engine"
	"github.com/eddyserverless/eddy/tables/attrs"
	"github.com/eddyserverless/eddy/tables/expression"
	"github.com/eddyserverless/eddy/tables/store"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go/jetstream"
)

func idDef(name string) store.TableDef {
	return store.TableDef{Name: name, HashKey: "id", KeyTypes: map[string]attrs.Kind{"id": attrs.S}}
}

func id(v string) attrs.Item { return attrs.Item{"id": s(v)} }

// layouts runs f with two tables: once as the same table (a transaction in
// one stream), once as two (a transaction over two streams).
func layouts(t *testing.T, f func(t *testing.T, a, b *store.Table)) {
	t.Run("one table", func(t *testing.T) {
		tbl := MustTable(t, MustEngine(t, t.TempDir()), idDef("one"))
		f(t, tbl, tbl)
	})
	t.Run("two tables", func(t *testing.T) {
		e := MustEngine(t, t.TempDir())
		f(t, MustTable(t, e, idDef("first")), MustTable(t, e, idDef("second")))
	})
}

func mustPut(t *testing.T, tbl *store.Table, item attrs.Item) {
	t.Helper()
	if _, err := tbl.Put(context.Background(), item, nil); err != nil {
		t.Fatal(err)
	}
}

func mustGet(t *testing.T, tbl *store.Table, key attrs.Item) attrs.Item {
	t.Helper()
	it, err := tbl.Get(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	return it
}

func allChanges(t *testing.T, tbl *store.Table) []store.Change {
	t.Helper()
	var out []store.Change
	for from := uint64(0); ; {
		cs, err := tbl.Changes(context.Background(), from, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) == 0 {
			return out
		}
		out = append(out, cs...)
		from = cs[len(cs)-1].Seq + 1
	}
}

// wantReasons checks that err is a *TxCanceled with the given codes.
func wantReasons(t *testing.T, err error, codes ...string) *store.TxCanceled {
	t.Helper()
	var tc *store.TxCanceled
	if !errors.As(err, &tc) {
		t.Fatalf("got %v, want TxCanceled %v", err, codes)
	}
	var got []string
	for _, r := range tc.Reasons {
		got = append(got, r.Code)
	}
	if strings.Join(got, " ") != strings.Join(codes, " ") {
		t.Fatalf("got reasons %v, want %v", got, codes)
	}
	wantType(t, err, "TransactionCanceledException", "Transaction cancelled, please refer cancellation reasons for specific reasons ["+strings.Join(codes, ", ")+"]")
	return tc
}

func TestTransactAllOrNothing(t *testing.T) {
	layouts(t, func(t *testing.T, a, b *store.Table) {
		ctx := context.Background()
		mustPut(t, a, attrs.Item{"id": s("a"), "v": n("1")})
		mustPut(t, b, attrs.Item{"id": s("b"), "v": n("1")})
		before := countChanges(t, a, b)
		vals := map[string]attrs.Value{":one": n("1"), ":two": n("2")}
		writes := []store.TxWrite{
			{Table: a, Op: store.OpUpdate, Key: id("a"), Update: MustUpdate(t, "SET v = :two", vals), Cond: MustCond(t, "v = :one", vals)},
			{Table: b, Op: store.OpPut, Item: attrs.Item{"id": s("c"), "v": n("3")}},
			{Table: b, Op: store.OpDelete, Key: id("b"), Cond: MustCond(t, "v = :two", vals)},
			{Table: a, Op: store.OpUpdate, Key: id("absent"), Update: MustUpdate(t, "SET v = :one", vals), Cond: MustCond(t, "attribute_exists(id)", nil)},
		}
		_, err := store.Transact(ctx, writes)
		tc := wantReasons(t, err, "None", "None", "ConditionalCheckFailed", "ConditionalCheckFailed")
		if r := tc.Reasons[2]; !attrs.ItemsEqual(r.Old, attrs.Item{"id": s("b"), "v": n("1")}) || r.Message != "The conditional request failed" {
			t.Fatalf("reason 2: got %+v, want the old item of b", r)
		}
		if tc.Reasons[3].Old != nil {
			t.Fatalf("reason 3: got old %v, want nil", tc.Reasons[3].Old)
		}
		if eddy.ErrorCode(err) != eddy.EPRECOND {
			t.Fatalf("got code %s, want %s", eddy.ErrorCode(err), eddy.EPRECOND)
		}
		// Nothing was written.
		if got := mustGet(t, a, id("a")); !attrs.Equal(got["v"], n("1")) {
			t.Fatalf("a: got %v, want v 1", got)
		}
		if got := mustGet(t, b, id("c")); got != nil {
			t.Fatalf("c: got %v, want nothing", got)
		}
		if got := mustGet(t, b, id("b")); got == nil {
			t.Fatal("b: deleted by a canceled transaction")
		}
		if after := countChanges(t, a, b); after != before {
			t.Fatalf("got %d change records, want %d", after, before)
		}
		// With the conditions true, everything is written.
		writes[2].Cond = MustCond(t, "v = :one", vals)
		writes[3].Cond = MustCond(t, "attribute_not_exists(id)", nil)
		res, err := store.Transact(ctx, writes)
		if err != nil {
			t.Fatal(err)
		}
		want := []store.TxResult{
			{Old: attrs.Item{"id": s("a"), "v": n("1")}, New: attrs.Item{"id": s("a"), "v": n("2")}},
			{Old: nil, New: attrs.Item{"id": s("c"), "v": n("3")}},
			{Old: attrs.Item{"id": s("b"), "v": n("1")}, New: nil},
			{Old: nil, New: attrs.Item{"id": s("absent"), "v": n("1")}},
		}
		for i, w := range want {
			if !attrs.ItemsEqual(res[i].Old, w.Old) || !attrs.ItemsEqual(res[i].New, w.New) || (res[i].New == nil) != (w.New == nil) {
				t.Errorf("result %d: got %+v, want %+v", i, res[i], w)
			}
		}
		if got := mustGet(t, b, id("b")); got != nil {
			t.Fatalf("b: got %v, want deleted", got)
		}
		if got := mustGet(t, a, id("absent")); !attrs.Equal(got["v"], n("1")) {
			t.Fatalf("absent: got %v, want v 1", got)
		}
		if after := countChanges(t, a, b); after != before+4 {
			t.Fatalf("got %d change records, want %d", after, before+4)
		}
		if locks, records, err := store.TxnLogCounts(ctx, a); err != nil || locks != 0 || records != 0 {
			t.Fatalf("transaction log: got %d locks, %d records, %v, want none", locks, records, err)
		}
	})
}

func TestTransactCheck(t *testing.T) {
	layouts(t, func(t *testing.T, a, b *store.Table) {
		ctx := context.Background()
		mustPut(t, a, attrs.Item{"id": s("acct"), "frozen": attrs.Bool(false)})
		vals := map[string]attrs.Value{":f": attrs.Bool(false), ":one": n("1")}
		notFrozen := MustCond(t, "frozen = :f", vals)
		add := MustUpdate(t, "ADD bal :one", vals)
		writes := []store.TxWrite{
			{Table: a, Op: store.OpCheck, Key: id("acct"), Cond: notFrozen},
			{Table: b, Op: store.OpUpdate, Key: id("x"), Update: add},
			{Table: b, Op: store.OpCheck, Key: id("nothing"), Cond: MustCond(t, "attribute_not_exists(id)", nil)},
		}
		res, err := store.Transact(ctx, writes)
		if err != nil {
			t.Fatal(err)
		}
		if !attrs.ItemsEqual(res[0].Old, res[0].New) || res[0].Old == nil || res[2].Old != nil || res[2].New != nil {
			t.Fatalf("checks: got %+v and %+v, want the items as they are", res[0], res[2])
		}
		mustPut(t, a, attrs.Item{"id": s("acct"), "frozen": attrs.Bool(true)})
		_, err = store.Transact(ctx, writes)
		tc := wantReasons(t, err, "ConditionalCheckFailed", "None", "None")
		if !attrs.Equal(tc.Reasons[0].Old["frozen"], attrs.Bool(true)) {
			t.Fatalf("got old %v, want the frozen account", tc.Reasons[0].Old)
		}
		if got := mustGet(t, b, id("x")); !attrs.Equal(got["bal"], n("1")) {
			t.Fatalf("x: got %v, want bal 1", got)
		}
		// A check needs a condition.
		_, err = store.Transact(ctx, []store.TxWrite{{Table: a, Op: store.OpCheck, Key: id("acct")}})
		wantType(t, err, "ValidationException", "")
	})
}

// TestTransactCheckedItemChanges changes a checked item between the read
// and the commit of a transaction in one table: the batch must fail, and
// the retry see the change.
func TestTransactCheckedItemChanges(t *testing.T) {
	ctx := context.Background()
	tbl := MustTable(t, MustEngine(t, t.TempDir()), idDef("checked"))
	other := store.Detached(tbl) // another node: not held off by this one's locks
	mustPut(t, tbl, attrs.Item{"id": s("acct"), "frozen": attrs.Bool(false)})
	var once sync.Once
	store.SetTxnHook(t, func(phase, _ string) error {
		if phase == "decided" {
			once.Do(func() { mustPut(t, other, attrs.Item{"id": s("acct"), "frozen": attrs.Bool(true)}) })
		}
		return nil
	})
	vals := map[string]attrs.Value{":f": attrs.Bool(false), ":one": n("1")}
	_, err := store.Transact(ctx, []store.TxWrite{
		{Table: tbl, Op: store.OpCheck, Key: id("acct"), Cond: MustCond(t, "frozen = :f", vals)},
		{Table: tbl, Op: store.OpUpdate, Key: id("x"), Update: MustUpdate(t, "ADD bal :one", vals)},
	})
	wantReasons(t, err, "ConditionalCheckFailed", "None")
	if got := mustGet(t, tbl, id("x")); got != nil {
		t.Fatalf("x: got %v, want nothing written", got)
	}
}

func TestTransactValidation(t *testing.T) {
	ctx := context.Background()
	e := MustEngine(t, t.TempDir())
	a, b := MustTable(t, e, pkSK("val-a", attrs.N)), MustTable(t, e, idDef("val-b"))
	key := attrs.Item{"pk": s("p"), "sk": n("1")}
	mustPut(t, a, attrs.Item{"pk": s("p"), "sk": n("1"), "name": s("x")})
	vals := map[string]attrs.Value{":v": s("q"), ":one": n("1"), ":big": s(strings.Repeat("x", attrs.MaxItemSize))}
	addToString, err := expression.ParseUpdate("ADD #n :one", map[string]string{"#n": "name"}, vals)
	if err != nil {
		t.Fatal(err)
	}
	const vex = "ValidationException"

	_, err = store.Transact(ctx, nil)
	wantType(t, err, vex, "")
	many := make([]store.TxWrite, 101)
	for i := range many {
		many[i] = store.TxWrite{Table: b, Op: store.OpPut, Item: id(fmt.Sprint(i))}
	}
	_, err = store.Transact(ctx, many)
	wantType(t, err, vex, "")
	_, err = store.Transact(ctx, []store.TxWrite{
		{Table: a, Op: store.OpPut, Item: attrs.Item{"pk": s("p"), "sk": n("1")}},
		{Table: a, Op: store.OpDelete, Key: key},
	})
	wantType(t, err, vex, "Transaction request cannot include multiple operations on one item")
	// The same key in two tables is two items.
	if _, err := store.Transact(ctx, []store.TxWrite{
		{Table: b, Op: store.OpPut, Item: id("p")},
		{Table: a, Op: store.OpPut, Item: attrs.Item{"pk": s("p"), "sk": n("2")}},
		{Table: b, Op: store.OpPut, Item: id("q")},
	}); err != nil {
		t.Fatal(err)
	}
	_, err = store.Transact(ctx, []store.TxWrite{{Table: a, Op: store.OpDelete, Key: attrs.Item{"pk": s("p")}}})
	wantType(t, err, vex, "The provided key element does not match the schema")

	cases := []struct {
		name string
		w    store.TxWrite
		msg  string
	}{
		{"key attribute", store.TxWrite{Table: a, Op: store.OpUpdate, Key: key, Update: MustUpdate(t, "SET pk = :v", vals)},
			"One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key"},
		{"put too large", store.TxWrite{Table: a, Op: store.OpPut, Item: attrs.Item{"pk": s("p"), "sk": n("3"), "big": vals[":big"]}},
			"Item size has exceeded the maximum allowed size"},
		{"update too large", store.TxWrite{Table: a, Op: store.OpUpdate, Key: key, Update: MustUpdate(t, "SET big = :big", vals)},
			"Item size to update has exceeded the maximum allowed size"},
		{"update does not apply", store.TxWrite{Table: a, Op: store.OpUpdate, Key: key, Update: addToString},
			"An operand in the update expression has an incorrect data type"},
	}
	for _, tc := range cases {
		_, err := store.Transact(ctx, []store.TxWrite{{Table: b, Op: store.OpPut, Item: id("ok")}, tc.w})
		canceled := wantReasons(t, err, "None", "ValidationError")
		if tc.msg != "" && canceled.Reasons[1].Message != tc.msg {
			t.Errorf("%s: got message %q, want %q", tc.name, canceled.Reasons[1].Message, tc.msg)
		}
		if got := mustGet(t, b, id("ok")); got != nil {
			t.Fatalf("%s: the valid write went through", tc.name)
		}
	}
	// TransactGet validates the same way.
	_, err = store.TransactGet(ctx, []store.TxGet{{Table: a, Key: key}, {Table: a, Key: key}})
	wantType(t, err, vex, "Transaction request cannot include multiple operations on one item")
	_, err = store.TransactGet(ctx, nil)
	wantType(t, err, vex, "")
}

func TestTransactGet(t *testing.T) {
	layouts(t, func(t *testing.T, a, b *store.Table) {
		ctx := context.Background()
		mustPut(t, a, attrs.Item{"id": s("a"), "v": n("1")})
		mustPut(t, b, attrs.Item{"id": s("b"), "v": n("2")})
		got, err := store.TransactGet(ctx, []store.TxGet{{Table: b, Key: id("b")}, {Table: a, Key: id("none")}, {Table: a, Key: id("a")}})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 || !attrs.Equal(got[0]["v"], n("2")) || got[1] != nil || !attrs.Equal(got[2]["v"], n("1")) {
			t.Fatalf("got %v, want b, nothing, a", got)
		}
	})
}

// TestTransactConcurrent moves amounts between four items in transactions
// while ordinary updates count on the same items and transactional reads
// check the total: the total never changes, the counts add up, and the
// change records chain exactly.
func TestTransactConcurrent(t *testing.T) {
	layouts(t, func(t *testing.T, a, b *store.Table) {
		before := store.Fallbacks()
		exerciseMoves(t, [][2]*store.Table{{a, b}})
		if got := store.Fallbacks() - before; got != 0 {
			t.Fatalf("got %d writes re-applied over others, want none on one node", got)
		}
	})
}

// TestTransactTwoNodes runs the same over two connections to one NATS
// server, each node with its own lock shards: transactions over two tables
// exclude each other through EDDY_TXN, and an ordinary write from the other
// node that lands inside a transaction is re-applied under it, so the
// totals still add up.
func TestTransactTwoNodes(t *testing.T) {
	srv, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), NoSigs: true, MaxPayload: 8 << 20})
	if err != nil {
		t.Fatal(err)
	}
	srv.Start()
	t.Cleanup(func() { srv.Shutdown(); srv.WaitForShutdown() })
	if !srv.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats server not ready")
	}
	var nodes [][2]*store.Table
	for k := range 2 {
		e := engine.New(engine.Config{URL: srv.ClientURL()})
		if err := e.Open(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = e.Close() })
		a, b := MustTable(t, e, idDef("first")), MustTable(t, e, idDef("second"))
		if k == 1 {
			a, b = store.Detached(a), store.Detached(b)
		}
		nodes = append(nodes, [2]*store.Table{a, b})
	}
	// Owners apply their transactions: another node rolling one forward
	// would write the owner's computed items and lose a count.
	store.SetCommitGrace(t, time.Minute)
	before := store.Fallbacks()
	exerciseMoves(t, nodes)
	t.Logf("%d writes re-applied over the other node's", store.Fallbacks()-before)
}

// exerciseMoves runs, spread over nodes (each a view of the same two
// tables), 16 goroutines moving amounts between four items (two per
// table) in transactions, 8 counting on the same items with single-item
// ADD updates, and transactional readers checking the total.
func exerciseMoves(t *testing.T, nodes [][2]*store.Table) {
	ctx := context.Background()
	type ref struct {
		tbl *store.Table
		key attrs.Item
	}
	refsOf := func(node [2]*store.Table) []ref {
		return []ref{{node[0], id("i0")}, {node[0], id("i1")}, {node[1], id("i2")}, {node[1], id("i3")}}
	}
	for _, r := range refsOf(nodes[0]) {
		mustPut(t, r.tbl, attrs.Item{"id": r.key["id"], "bal": n("1000"), "n": n("0")})
	}
	const movers, moves, counters, counts, readers = 16, 8, 8, 60, 2
	var moved, canceled, conflicted, reads atomic.Int64
	var moverWG, others sync.WaitGroup
	errs := make(chan error, movers+counters+readers*len(nodes))
	stop := make(chan struct{})
	for w := range movers {
		refs := refsOf(nodes[w%len(nodes)])
		moverWG.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 1))
			for range moves {
				i, j := r.IntN(4), r.IntN(3)
				if j >= i {
					j++
				}
				amt := n(fmt.Sprint(1 + r.IntN(300)))
				vals := map[string]attrs.Value{":amt": amt, ":neg": attrs.Num(amt.N.Neg())}
				take, err1 := expression.ParseUpdate("ADD bal :neg", nil, vals)
				give, err2 := expression.ParseUpdate("ADD bal :amt", nil, vals)
				enough, err3 := expression.ParseCondition("bal >= :amt", nil, vals)
				if err := errors.Join(err1, err2, err3); err != nil {
					errs <- err
					return
				}
				_, err := store.Transact(ctx, []store.TxWrite{
					{Table: refs[i].tbl, Op: store.OpUpdate, Key: refs[i].key, Update: take, Cond: enough},
					{Table: refs[j].tbl, Op: store.OpUpdate, Key: refs[j].key, Update: give},
				})
				var tc *store.TxCanceled
				switch {
				case err == nil:
					moved.Add(1)
				case errors.As(err, &tc) && tc.Reasons[0].Code == store.ReasonConditionalCheckFailed:
					canceled.Add(1)
				case errors.As(err, &tc) && (tc.Reasons[0].Code == store.ReasonTransactionConflict || tc.Reasons[1].Code == store.ReasonTransactionConflict):
					conflicted.Add(1)
				default:
					errs <- err
					return
				}
			}
		})
	}
	inc := MustUpdate(t, "ADD n :one", map[string]attrs.Value{":one": n("1")})
	for w := range counters {
		refs := refsOf(nodes[w%len(nodes)])
		others.Go(func() {
			for k := range counts {
				r := refs[(w+k)%4]
				if _, _, err := r.tbl.Update(ctx, r.key, inc, nil); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	for _, node := range nodes {
		var gets []store.TxGet
		for _, r := range refsOf(node) {
			gets = append(gets, store.TxGet{Table: r.tbl, Key: r.key})
		}
		for range readers {
			others.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
					}
					items, err := store.TransactGet(ctx, gets)
					var tc *store.TxCanceled
					if errors.As(err, &tc) {
						continue
					}
					if err != nil {
						errs <- err
						return
					}
					if total := sumOf(items, "bal"); total != 4000 {
						errs <- fmt.Errorf("snapshot: got total %d, want 4000: %v", total, items)
						return
					}
					reads.Add(1)
				}
			})
		}
	}
	moverWG.Wait()
	close(stop)
	others.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	var gets []store.TxGet
	for _, r := range refsOf(nodes[0]) {
		gets = append(gets, store.TxGet{Table: r.tbl, Key: r.key})
	}
	items, err := store.TransactGet(ctx, gets)
	if err != nil {
		t.Fatal(err)
	}
	if got := sumOf(items, "bal"); got != 4000 {
		t.Fatalf("got total %d, want 4000", got)
	}
	if got := sumOf(items, "n"); got != counters*counts {
		t.Fatalf("got %d counts, want %d", got, counters*counts)
	}
	if moved.Load() == 0 || reads.Load() == 0 {
		t.Fatalf("got %d moves and %d snapshots, want some of each", moved.Load(), reads.Load())
	}
	t.Logf("%d moved, %d canceled by condition, %d by conflict; %d snapshots", moved.Load(), canceled.Load(), conflicted.Load(), reads.Load())
	// Every committed version is one change record, in a chain.
	a, b := nodes[0][0], nodes[0][1]
	records := 0
	for _, tbl := range uniq(a, b) {
		cs := allChanges(t, tbl)
		records += len(cs)
		last := map[string]attrs.Item{}
		for _, c := range cs {
			k := c.Keys["id"].S
			if prev := last[k]; !attrs.ItemsEqual(prev, c.Old) || (prev == nil) != (c.Old == nil) {
				t.Fatalf("%s: record %d has old %v, want %v", k, c.Seq, c.Old, prev)
			}
			last[k] = c.New
		}
		for k, it := range last {
			if got := mustGet(t, tbl, id(k)); !attrs.ItemsEqual(got, it) {
				t.Fatalf("%s: got %v, want the last record's %v", k, got, it)
			}
		}
	}
	if want := 4 + counters*counts + 2*int(moved.Load()); records != want {
		t.Fatalf("got %d change records, want %d", records, want)
	}
}

func countChanges(t *testing.T, a, b *store.Table) int {
	n := 0
	for _, tbl := range uniq(a, b) {
		n += len(allChanges(t, tbl))
	}
	return n
}

func uniq(a, b *store.Table) []*store.Table {
	if a == b {
		return []*store.Table{a}
	}
	return []*store.Table{a, b}
}

func sumOf(items []attrs.Item, name string) int {
	total := 0
	for _, it := range items {
		total += mustInt(it[name].N.String())
	}
	return total
}

var errCrash = errors.New("node died")

// crashAt makes the next transaction stop at phase as if its node died,
// and returns a function that reports that transaction's id.
func crashAt(t *testing.T, phase string) func() string {
	var mu sync.Mutex
	crashed := ""
	store.SetTxnHook(t, func(p, txid string) error {
		mu.Lock()
		defer mu.Unlock()
		if p == phase && crashed == "" {
			crashed = txid
			return errCrash
		}
		return nil
	})
	return func() string {
		mu.Lock()
		defer mu.Unlock()
		return crashed
	}
}

// moveAll is a transaction over two tables that sets v to 2 on three items.
func moveAll(t *testing.T, a, b *store.Table) []store.TxWrite {
	two := MustUpdate(t, "SET v = :two", map[string]attrs.Value{":two": n("2")})
	return []store.TxWrite{
		{Table: a, Op: store.OpUpdate, Key: id("x"), Update: two},
		{Table: b, Op: store.OpUpdate, Key: id("y"), Update: two},
		{Table: b, Op: store.OpPut, Item: attrs.Item{"id": s("z"), "v": n("2")}},
	}
}

func twoTables(t *testing.T) (dir string, a, b *store.Table) {
	dir = t.TempDir()
	e := MustEngine(t, dir)
	a, b = MustTable(t, e, idDef("rec-a")), MustTable(t, e, idDef("rec-b"))
	mustPut(t, a, attrs.Item{"id": s("x"), "v": n("1")})
	mustPut(t, b, attrs.Item{"id": s("y"), "v": n("1")})
	return dir, a, b
}

// wantMoved checks that the three items of moveAll have v 2, each with
// exactly one change record for it, and the log is empty.
func wantMoved(t *testing.T, a, b *store.Table) {
	t.Helper()
	for _, c := range []struct {
		tbl  *store.Table
		k    string
		recs int
	}{{a, "x", 2}, {b, "y", 2}, {b, "z", 1}} {
		if got := mustGet(t, c.tbl, id(c.k)); !attrs.Equal(got["v"], n("2")) {
			t.Errorf("%s: got %v, want v 2", c.k, got)
		}
		recs := 0
		for _, ch := range allChanges(t, c.tbl) {
			if ch.Keys["id"].S == c.k {
				recs++
			}
		}
		if recs != c.recs {
			t.Errorf("%s: got %d change records, want %d", c.k, recs, c.recs)
		}
	}
	if locks, records, err := store.TxnLogCounts(context.Background(), a); err != nil || locks != 0 || records != 0 {
		t.Errorf("transaction log: got %d locks, %d records, %v, want none", locks, records, err)
	}
}

func TestTransactRecoverOnOpen(t *testing.T) {
	for _, tc := range []struct {
		phase string
		grace time.Duration // Open waits for a record this young
	}{{"committed", 0}, {"applied 0", 0}, {"committed", 300 * time.Millisecond}} {
		t.Run(fmt.Sprintf("%s grace %v", tc.phase, tc.grace), func(t *testing.T) {
			phase := tc.phase
			store.SetCommitGrace(t, tc.grace)
			ctx := context.Background()
			_, a, b := twoTables(t)
			crashed := crashAt(t, phase)
			if _, err := store.Transact(ctx, moveAll(t, a, b)); !errors.Is(err, errCrash) {
				t.Fatalf("got %v, want the crash", err)
			}
			if crashed() == "" {
				t.Fatal("no transaction crashed")
			}
			if locks, records, err := store.TxnLogCounts(ctx, a); err != nil || locks != 3 || records != 1 {
				t.Fatalf("after the crash: got %d locks, %d records, %v, want 3 and 1", locks, records, err)
			}
			if got := mustGet(t, b, id("y")); !attrs.Equal(got["v"], n("1")) {
				t.Fatalf("y: got %v before recovery, want v 1", got)
			}
			// Opening any table finishes the transaction.
			MustTable(t, store.EngineOf(a), idDef("another"))
			wantMoved(t, a, b)
		})
	}
}

func TestTransactRecoverAfterRestart(t *testing.T) {
	store.SetCommitGrace(t, 0) // the owner is gone
	ctx := context.Background()
	dir, a, b := twoTables(t)
	crashAt(t, "applied 0")
	if _, err := store.Transact(ctx, moveAll(t, a, b)); !errors.Is(err, errCrash) {
		t.Fatalf("got %v, want the crash", err)
	}
	if err := store.EngineOf(a).Close(); err != nil {
		t.Fatal(err)
	}
	e := MustEngine(t, dir)
	a, b = MustTable(t, e, idDef("rec-a")), MustTable(t, e, idDef("rec-b"))
	wantMoved(t, a, b)
}

// TestTransactRecoverOnAccess leaves a committed transaction unapplied: the
// next transaction or transactional read of one of its items finishes it.
func TestTransactRecoverOnAccess(t *testing.T) {
	store.SetCommitGrace(t, 0) // the owner is gone
	t.Run("TransactGet", func(t *testing.T) {
		ctx := context.Background()
		_, a, b := twoTables(t)
		crashAt(t, "applied 0")
		if _, err := store.Transact(ctx, moveAll(t, a, b)); !errors.Is(err, errCrash) {
			t.Fatalf("got %v, want the crash", err)
		}
		got, err := store.TransactGet(ctx, []store.TxGet{{Table: a, Key: id("x")}, {Table: b, Key: id("y")}})
		if err != nil || !attrs.Equal(got[0]["v"], n("2")) || !attrs.Equal(got[1]["v"], n("2")) {
			t.Fatalf("got %v, %v, want both at v 2", got, err)
		}
		wantMoved(t, a, b)
	})
	t.Run("Transact in one table", func(t *testing.T) {
		ctx := context.Background()
		_, a, b := twoTables(t)
		crashAt(t, "committed")
		if _, err := store.Transact(ctx, moveAll(t, a, b)); !errors.Is(err, errCrash) {
			t.Fatalf("got %v, want the crash", err)
		}
		vals := map[string]attrs.Value{":two": n("2")}
		if _, err := store.Transact(ctx, []store.TxWrite{{Table: b, Op: store.OpCheck, Key: id("y"), Cond: MustCond(t, "v = :two", vals)}}); err != nil {
			t.Fatalf("check after the committed transaction: %v", err)
		}
		wantMoved(t, a, b)
	})
}

// TestTransactStaleLocks leaves locks without a commit record: they hold
// off other transactions until the lease ends, and then the transaction
// that left them can no longer commit.
func TestTransactStaleLocks(t *testing.T) {
	ctx := context.Background()
	_, a, b := twoTables(t)
	store.SetLockLease(t, time.Hour)
	crashed := crashAt(t, "locked")
	if _, err := store.Transact(ctx, moveAll(t, a, b)); !errors.Is(err, errCrash) {
		t.Fatalf("got %v, want the crash", err)
	}
	one := MustUpdate(t, "SET w = :one", map[string]attrs.Value{":one": n("1")})
	writes := []store.TxWrite{
		{Table: a, Op: store.OpUpdate, Key: id("other"), Update: one},
		{Table: b, Op: store.OpUpdate, Key: id("y"), Update: one},
	}
	_, err := store.Transact(ctx, writes)
	wantReasons(t, err, "None", "TransactionConflict")
	// Single-item writes do not look at locks.
	if _, _, err := a.Update(ctx, id("x"), one, nil); err != nil {
		t.Fatal(err)
	}
	store.SetLockLease(t, 0)
	if _, err := store.Transact(ctx, writes); err != nil {
		t.Fatalf("after the lease: %v", err)
	}
	if aborted, err := store.TxnAborted(ctx, a, crashed()); err != nil || !aborted {
		t.Fatalf("got aborted %v, %v, want the crashed transaction aborted", aborted, err)
	}
	if err := store.TryCommit(ctx, a, crashed()); err == nil {
		t.Fatal("the aborted transaction could still commit")
	}
	if got := mustGet(t, b, id("z")); got != nil {
		t.Fatalf("z: got %v from an aborted transaction", got)
	}
}

// TestTransactForeignWrite lands a single-item write from another node
// between the tables of a transaction: the transaction stays all-or-nothing
// and its update is applied over that write.
func TestTransactForeignWrite(t *testing.T) {
	ctx := context.Background()
	_, a, b := twoTables(t)
	other := store.Detached(b)
	inc := func(v string) *expression.Update {
		return MustUpdate(t, "ADD v :d", map[string]attrs.Value{":d": n(v)})
	}
	var once sync.Once
	store.SetTxnHook(t, func(phase, _ string) error {
		if phase == "applied 0" {
			once.Do(func() {
				if _, _, err := other.Update(ctx, id("y"), inc("100"), nil); err != nil {
					t.Error(err)
				}
			})
		}
		return nil
	})
	before := store.Fallbacks()
	res, err := store.Transact(ctx, []store.TxWrite{
		{Table: a, Op: store.OpUpdate, Key: id("x"), Update: inc("10")},
		{Table: b, Op: store.OpUpdate, Key: id("y"), Update: inc("10")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := store.Fallbacks() - before; got != 1 {
		t.Fatalf("got %d writes re-applied, want 1", got)
	}
	if !attrs.Equal(res[1].Old["v"], n("101")) || !attrs.Equal(res[1].New["v"], n("111")) {
		t.Fatalf("y: got %+v, want 101 to 111", res[1])
	}
	if got := mustGet(t, a, id("x")); !attrs.Equal(got["v"], n("11")) {
		t.Fatalf("x: got %v, want v 11", got)
	}
	cs := allChanges(t, b)
	var vs []string
	for _, c := range cs {
		if c.Keys["id"].S == "y" {
			vs = append(vs, c.New["v"].N.String())
		}
	}
	if got := strings.Join(vs, " "); got != "1 101 111" {
		t.Fatalf("y: got versions %s, want 1 101 111", got)
	}
}

// TestOpenUpgradesStream opens a table whose stream was made before
// transactions.
func TestOpenUpgradesStream(t *testing.T) {
	ctx := context.Background()
	e := MustEngine(t, t.TempDir())
	def := idDef("old")
	name := store.StreamName(def.Name)
	if _, err := e.JS.CreateStream(ctx, jetstream.StreamConfig{Name: name, Subjects: []string{"tbl." + strings.TrimPrefix(name, "EDDY_TABLE_") + ".>"}, MaxMsgsPerSubject: -1, AllowDirect: true}); err != nil {
		t.Fatal(err)
	}
	tbl := MustTable(t, e, def)
	if _, err := store.Transact(ctx, []store.TxWrite{{Table: tbl, Op: store.OpPut, Item: id("a")}, {Table: tbl, Op: store.OpPut, Item: id("b")}}); err != nil {
		t.Fatal(err)
	}
	s, err := e.JS.Stream(ctx, name)
	if err != nil || !s.CachedInfo().Config.AllowAtomicPublish {
		t.Fatalf("got %v, want atomic publish allowed", err)
	}
}

// TestMarkersExpire checks that condition-check markers leave the stream.
func TestMarkersExpire(t *testing.T) {
	ctx := context.Background()
	e := MustEngine(t, t.TempDir())
	tbl := MustTable(t, e, idDef("markers"))
	if _, err := store.Transact(ctx, []store.TxWrite{
		{Table: tbl, Op: store.OpCheck, Key: id("a"), Cond: MustCond(t, "attribute_not_exists(id)", nil)},
		{Table: tbl, Op: store.OpPut, Item: id("b")},
	}); err != nil {
		t.Fatal(err)
	}
	s, err := e.JS.Stream(ctx, store.StreamName("markers"))
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		info, err := s.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if info.State.Msgs == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("got %d messages, want the item alone", info.State.Msgs)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if cs := allChanges(t, tbl); len(cs) != 1 {
		t.Fatalf("got %d change records, want 1", len(cs))
	}
}

// TestTransactRecoverDroppedTable drops a table under a committed
// transaction: recovery applies the rest and does not block Open.
func TestTransactRecoverDroppedTable(t *testing.T) {
	store.SetCommitGrace(t, 0) // the owner is gone
	ctx := context.Background()
	_, a, b := twoTables(t)
	crashAt(t, "committed")
	if _, err := store.Transact(ctx, moveAll(t, a, b)); !errors.Is(err, errCrash) {
		t.Fatalf("got %v, want the crash", err)
	}
	if err := b.Drop(ctx); err != nil {
		t.Fatal(err)
	}
	MustTable(t, store.EngineOf(a), idDef("another"))
	if got := mustGet(t, a, id("x")); !attrs.Equal(got["v"], n("2")) {
		t.Fatalf("x: got %v, want v 2", got)
	}
	if locks, records, err := store.TxnLogCounts(ctx, a); err != nil || locks != 0 || records != 0 {
		t.Fatalf("transaction log: got %d locks, %d records, %v, want none", locks, records, err)
	}
}

// TestTransactTooLarge refuses a transaction over several tables whose
// commit record would not fit one message, and leaves no lock.
func TestTransactTooLarge(t *testing.T) {
	ctx := context.Background()
	_, a, b := twoTables(t)
	big := s(strings.Repeat("x", 100*1024))
	var writes []store.TxWrite
	for i := range 100 {
		tbl := a
		if i%2 == 1 {
			tbl = b
		}
		writes = append(writes, store.TxWrite{Table: tbl, Op: store.OpPut, Item: attrs.Item{"id": s(fmt.Sprint(i)), "big": big}})
	}
	_, err := store.Transact(ctx, writes)
	wantType(t, err, "ValidationException", "")
	if locks, records, err := store.TxnLogCounts(ctx, a); err != nil || locks != 0 || records != 0 {
		t.Fatalf("transaction log: got %d locks, %d records, %v, want none", locks, records, err)
	}
	if got := mustGet(t, a, id("0")); got != nil {
		t.Fatal("a refused transaction wrote")
	}
}

func BenchmarkTransact(b *testing.B) {
	for _, size := range []int{2, 25} {
		for _, tables := range []int{1, 2} {
			b.Run(fmt.Sprintf("%d items in %d tables", size, tables), func(b *testing.B) {
				ctx := context.Background()
				e := MustEngine(b, b.TempDir())
				tbls := []*store.Table{MustTable(b, e, idDef("bench-a")), MustTable(b, e, idDef("bench-b"))}
				inc, err := expression.ParseUpdate("ADD n :one", nil, map[string]attrs.Value{":one": n("1")})
				if err != nil {
					b.Fatal(err)
				}
				writes := make([]store.TxWrite, size)
				for i := range writes {
					writes[i] = store.TxWrite{Table: tbls[i%tables], Op: store.OpUpdate, Key: id(fmt.Sprint(i)), Update: inc}
				}
				for b.Loop() {
					if _, err := store.Transact(ctx, writes); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkPut16 is single-item writes from 16 goroutines, the path whose
// cost the node lock shards add to.
func BenchmarkPut16(b *testing.B) {
	ctx := context.Background()
	tbl := MustTable(b, MustEngine(b, b.TempDir()), idDef("bench"))
	var i atomic.Int64
	b.SetParallelism(16 / max(1, runtime.GOMAXPROCS(0)))
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			k := i.Add(1)
			if _, err := tbl.Put(ctx, attrs.Item{"id": s(fmt.Sprint(k % 5000)), "v": n(fmt.Sprint(k))}, nil); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "puts/s")
}
