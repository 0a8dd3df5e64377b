package main

// The differential suite sends the same sequences of DynamoDB requests, as
// raw JSON, to eddy and to moto_server, and compares the answers: status,
// error type, the head of the error message, and the body with volatile
// fields taken out. Where moto departs from what AWS documents, a step says
// so (mismatchOK) and eddy is held to the documented answer instead.
// docs/differential.md describes how to run it.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/eddyserverless/eddy/bench"
)

// MustMoto starts a moto_server for the test and stops it at the end. It
// skips the test when moto_server is not on PATH, unless
// EDDY_REQUIRE_MOTO=1 makes that a failure.
func MustMoto(tb testing.TB) *bench.Moto {
	skipExternalInShort(tb)
	tb.Helper()
	if _, err := bench.MotoPath(); err != nil {
		if os.Getenv("EDDY_REQUIRE_MOTO") == "1" {
			tb.Fatalf("EDDY_REQUIRE_MOTO=1: %v", err)
		}
		tb.Skipf("no moto_server: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	m, err := bench.StartMoto(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(m.Close)
	return m
}

// ddbServer is a server spoken to in DynamoDB's JSON protocol.
type ddbServer struct {
	name string
	url  string
	http *http.Client
}

func newDDBServer(name, url string) *ddbServer {
	return &ddbServer{name: name, url: strings.TrimRight(url, "/"), http: &http.Client{Timeout: 30 * time.Second}}
}

// call sends one request, unsigned but with a SigV4 Authorization header
// whose credential scope names the dynamodb service, as every AWS client
// sends it.
func (s *ddbServer) call(tb testing.TB, op, body string) (int, []byte) {
	tb.Helper()
	req, err := http.NewRequest(http.MethodPost, s.url+"/", strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	now := time.Now().UTC()
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810."+op)
	req.Header.Set("X-Amz-Date", now.Format("20060102T150405Z"))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDTEST/"+now.Format("20060102")+
		"/us-east-1/dynamodb/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature="+strings.Repeat("0", 64))
	res, err := s.http.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", s.name, op, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatalf("%s %s: read body: %v", s.name, op, err)
	}
	return res.StatusCode, data
}

// diffStep is one request of a case.
type diffStep struct {
	op   string // DynamoDB operation, e.g. "UpdateItem"
	body string // request JSON; $T stands for the case's table
	// err is the error type AWS documents for this request, "" for success.
	// It is checked against moto too, so that the cases stay honest.
	err string
	// want, if set, is the body AWS documents: for a success the whole
	// body, for an error its fields besides __type and message.
	want string
	// msg, if set, is the whole error message AWS documents; head, if set,
	// its part before the first ':'.
	msg, head string
	// mismatchOK, if set, says how moto departs from AWS's documented
	// answer (err, want, msg): eddy is then checked against that answer
	// instead of against moto.
	mismatchOK string
	// exactMessage compares whole error messages, not only their heads.
	exactMessage bool
}

// doc returns the step with the documented body want.
func (s diffStep) doc(want string) diffStep { s.want = want; return s }

// docMsg returns the step with the documented error message.
func (s diffStep) docMsg(msg string) diffStep { s.msg = msg; return s }

// docHead returns the step with the documented head of the error message.
func (s diffStep) docHead(head string) diffStep { s.head = head; return s }

// mismatch returns the step marked as one where moto departs from AWS.
func (s diffStep) mismatch(reason string) diffStep { s.mismatchOK = reason; return s }

// exact returns the step with whole error messages compared.
func (s diffStep) exact() diffStep { s.exactMessage = true; return s }

// diffCase is a table, items put into it, and a sequence of requests.
type diffCase struct {
	name string
	note string
	// keys is the table's key schema: "pk:S" or "pk:S,sk:N".
	keys  string
	seed  []string // items put before the steps
	steps []diffStep
}

// diffAnswer is an answer made comparable.
type diffAnswer struct {
	Status int
	// Type is the error type after any '#'; "" for a success.
	Type string
	// Head is the error message up to its first ':' (the whole message if
	// exact); Message is the whole message, for reports.
	Head    string
	Message string `json:"-"`
	// Body is the decoded body without __type and message, volatile fields
	// removed, sets and unordered item lists sorted.
	Body any
}

func (a diffAnswer) String() string {
	b, _ := json.Marshal(a)
	if a.Message != "" {
		return fmt.Sprintf("%s (message %q)", b, a.Message)
	}
	return string(b)
}

// volatile are the fields that differ between two correct answers.
var volatile = map[string]bool{
	"ConsumedCapacity": true, "TableId": true, "CreationDateTime": true, "LastUpdateDateTime": true,
	"LastIncreaseDateTime": true, "LastDecreaseDateTime": true, "LatestStreamLabel": true,
	"LastUpdateToPayPerRequestDateTime": true,
}

// normalizeAnswer makes an answer to op comparable.
func normalizeAnswer(op string, status int, raw []byte, exact bool) diffAnswer {
	a := diffAnswer{Status: status}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var body any
	if err := dec.Decode(&body); err != nil {
		a.Body = "not JSON: " + string(raw)
		return a
	}
	if m, ok := body.(map[string]any); ok {
		if t, ok := m["__type"].(string); ok {
			a.Type = t[strings.LastIndexByte(t, '#')+1:]
			delete(m, "__type")
		}
		for _, k := range []string{"message", "Message"} {
			if s, ok := m[k].(string); ok {
				a.Message = s
				delete(m, k)
			}
		}
		a.Head = messageHead(a.Message)
		if exact {
			a.Head = a.Message
		}
	}
	a.Body = normalizeValue(body)
	if m, ok := a.Body.(map[string]any); ok {
		switch op {
		case "Scan":
			sortItems(m, "Items")
		case "BatchGetItem":
			if r, ok := m["Responses"].(map[string]any); ok {
				for table := range r {
					sortItems(r, table)
				}
			}
		}
	}
	return a
}

// messageHead returns an error message up to its first ':'.
func messageHead(msg string) string {
	head, _, _ := strings.Cut(msg, ":")
	return head
}

// normalizeValue drops volatile fields, sorts sets, and replaces the
// region and account of ARNs.
func normalizeValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if volatile[k] {
				delete(v, k)
				continue
			}
			v[k] = normalizeValue(e)
			if k == "SS" || k == "NS" || k == "BS" {
				if list, ok := v[k].([]any); ok {
					slices.SortFunc(list, func(a, b any) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
				}
			}
		}
		return v
	case []any:
		for i := range v {
			v[i] = normalizeValue(v[i])
		}
		return v
	case string:
		if strings.HasPrefix(v, "arn:") {
			if p := strings.SplitN(v, ":", 6); len(p) == 6 {
				p[3], p[4] = "REGION", "ACCOUNT"
				return strings.Join(p, ":")
			}
		}
		return v
	}
	return v
}

// sortItems sorts the list m[key] by each element's JSON: an order-free
// comparison of Scan and BatchGetItem answers.
func sortItems(m map[string]any, key string) {
	list, ok := m[key].([]any)
	if !ok {
		return
	}
	slices.SortFunc(list, func(a, b any) int {
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		return bytes.Compare(ja, jb)
	})
}

// same reports whether two answers agree.
func same(a, b diffAnswer) bool {
	return a.Status == b.Status && a.Type == b.Type && a.Head == b.Head && reflect.DeepEqual(a.Body, b.Body)
}

// docProblem says how an answer departs from what AWS documents for the
// step, or returns "".
func (s diffStep) docProblem(a diffAnswer) string {
	switch {
	case s.err == "" && a.Status != http.StatusOK:
		return fmt.Sprintf("got %s, want success", a)
	case s.err != "" && a.Type != s.err:
		return fmt.Sprintf("got %s, want %s", a, s.err)
	case s.msg != "" && a.Message != s.msg:
		return fmt.Sprintf("got message %q, want %q", a.Message, s.msg)
	case s.head != "" && messageHead(a.Message) != s.head:
		return fmt.Sprintf("got message %q, want one that starts %q", a.Message, s.head+":")
	}
	if s.want != "" {
		w := normalizeAnswer(s.op, a.Status, []byte(s.want), false)
		if !reflect.DeepEqual(a.Body, w.Body) {
			got, _ := json.Marshal(a.Body)
			want, _ := json.Marshal(w.Body)
			return fmt.Sprintf("got body %s, want %s", got, want)
		}
	}
	return ""
}

// createTableBody returns the CreateTable request of a table with the key
// schema keys ("pk:S,sk:N").
func createTableBody(tb testing.TB, table, keys string) string {
	tb.Helper()
	var defs, schema []map[string]string
	for i, k := range strings.Split(keys, ",") {
		name, typ, ok := strings.Cut(k, ":")
		if !ok || i > 1 {
			tb.Fatalf("bad key schema %q", keys)
		}
		kt := "HASH"
		if i == 1 {
			kt = "RANGE"
		}
		defs = append(defs, map[string]string{"AttributeName": name, "AttributeType": typ})
		schema = append(schema, map[string]string{"AttributeName": name, "KeyType": kt})
	}
	b, _ := json.Marshal(map[string]any{
		"TableName": table, "AttributeDefinitions": defs, "KeySchema": schema, "BillingMode": "PAY_PER_REQUEST",
	})
	return string(b)
}

// diffMode says what the subject of the comparison is.
type diffMode struct {
	// selfCheck compares moto with a second moto: it checks the cases
	// themselves (every documented answer, every mismatchOK note, and that
	// normalization removes everything volatile).
	selfCheck bool
}

// runDiffCase runs one case on both servers.
func runDiffCase(t *testing.T, c diffCase, ref, sub *ddbServer, table string, mode diffMode) {
	keys := c.keys
	if keys == "" {
		keys = "pk:S,sk:N"
	}
	verbose := os.Getenv("EDDY_DIFF_VERBOSE") == "1"
	if c.note != "" {
		t.Log(c.note)
	}
	setup := []diffStep{{op: "CreateTable", body: createTableBody(t, table, keys)}}
	for _, item := range c.seed {
		setup = append(setup, diffStep{op: "PutItem", body: `{"TableName":"$T","Item":` + item + `}`})
	}
	t.Cleanup(func() {
		body := `{"TableName":"` + table + `"}`
		ref.call(t, "DeleteTable", body)
		sub.call(t, "DeleteTable", body)
	})
	for i, s := range setup {
		body := strings.ReplaceAll(s.body, "$T", table)
		rs, rb := ref.call(t, s.op, body)
		if rs != http.StatusOK {
			t.Fatalf("setup %d %s on %s: status %d: %s", i, s.op, ref.name, rs, rb)
		}
		if ss, sb := sub.call(t, s.op, body); ss != http.StatusOK {
			t.Fatalf("setup %d %s on %s: status %d: %s", i, s.op, sub.name, ss, sb)
		}
	}
	for i, s := range c.steps {
		body := strings.ReplaceAll(s.body, "$T", table)
		rs, rb := ref.call(t, s.op, body)
		ss, sb := sub.call(t, s.op, body)
		ra := normalizeAnswer(s.op, rs, rb, s.exactMessage)
		sa := normalizeAnswer(s.op, ss, sb, s.exactMessage)
		where := fmt.Sprintf("step %d %s %s", i, s.op, body)
		if verbose {
			t.Logf("%s\n  %s: %s\n  %s: %s", where, ref.name, rb, sub.name, sb)
		}
		refProblem := s.docProblem(ra)
		switch {
		case s.mismatchOK != "" && refProblem == "":
			t.Errorf("%s: %s now gives the documented answer (%s): drop mismatchOK %q", where, ref.name, ra, s.mismatchOK)
		case s.mismatchOK == "" && refProblem != "":
			t.Errorf("%s: %s departs from the documented answer: %s (fix the case, or mark it mismatchOK with the reason)", where, ref.name, refProblem)
		}
		if s.mismatchOK != "" && !mode.selfCheck {
			if p := s.docProblem(sa); p != "" {
				t.Errorf("%s: %s: %s (moto departs from AWS here: %s)", where, sub.name, p, s.mismatchOK)
			}
			continue
		}
		if !same(sa, ra) {
			t.Errorf("%s:\n  got  %s: %s\n  want %s: %s", where, sub.name, sa, ref.name, ra)
		} else if sa.Message != ra.Message {
			t.Logf("%s: messages differ after the same head:\n  %s: %q\n  %s: %q", where, sub.name, sa.Message, ref.name, ra.Message)
		}
	}
}

func randomSuffix() string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// TestDynamoDBDiff runs every case of diffCases on moto_server and on eddy.
// EDDY_DIFF_SELFCHECK=1 runs them on two moto_servers instead, to check
// the cases; EDDY_DIFF_ENDPOINT=URL compares an eddy already running.
func TestDynamoDBDiff(t *testing.T) {
	var sub *ddbServer
	mode := diffMode{selfCheck: os.Getenv("EDDY_DIFF_SELFCHECK") == "1"}
	switch endpoint := os.Getenv("EDDY_DIFF_ENDPOINT"); {
	case mode.selfCheck:
		sub = newDDBServer("moto (second)", MustMoto(t).URL)
	case endpoint != "":
		sub = newDDBServer("eddy", endpoint)
	default:
		sub = newDDBServer("eddy", MustStartMain(t, Config{}).URL())
	}
	if !mode.selfCheck {
		status, body := sub.call(t, "ListTables", `{}`)
		if a := normalizeAnswer("ListTables", status, body, false); a.Type == "UnknownServiceException" {
			t.Skipf("eddy does not serve DynamoDB here (%s); EDDY_DIFF_SELFCHECK=1 checks the cases against moto alone", a.Message)
		}
	}
	ref := newDDBServer("moto", MustMoto(t).URL)
	suffix := randomSuffix()
	names := map[string]bool{}
	for _, c := range diffCases {
		if names[c.name] {
			t.Fatalf("two cases named %s", c.name)
		}
		names[c.name] = true
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			runDiffCase(t, c, ref, sub, "diff-"+c.name+"-"+suffix, mode)
		})
	}
}

func TestDiffNormalize(t *testing.T) {
	tests := []struct {
		name, op, a, b string
		statusA        int
		same           bool
	}{
		{"volatile fields", "DescribeTable",
			`{"Table":{"TableName":"t","TableId":"1","CreationDateTime":1.5,"TableArn":"arn:aws:dynamodb:us-east-1:123456789012:table/t"}}`,
			`{"Table":{"TableName":"t","TableId":"2","CreationDateTime":9,"TableArn":"arn:aws:dynamodb:eu-west-1:000000000000:table/t"}}`, 200, true},
		{"consumed capacity", "GetItem", `{"Item":{"a":{"S":"x"}},"ConsumedCapacity":{"TableName":"t"}}`, `{"Item":{"a":{"S":"x"}}}`, 200, true},
		{"set order", "GetItem", `{"Item":{"a":{"SS":["x","y"]}}}`, `{"Item":{"a":{"SS":["y","x"]}}}`, 200, true},
		{"list order matters", "GetItem", `{"Item":{"a":{"L":[{"S":"x"},{"S":"y"}]}}}`, `{"Item":{"a":{"L":[{"S":"y"},{"S":"x"}]}}}`, 200, false},
		{"scan order does not", "Scan", `{"Items":[{"a":{"S":"x"}},{"a":{"S":"y"}}],"Count":2}`, `{"Count":2,"Items":[{"a":{"S":"y"}},{"a":{"S":"x"}}]}`, 200, true},
		{"query order matters", "Query", `{"Items":[{"a":{"S":"x"}},{"a":{"S":"y"}}]}`, `{"Items":[{"a":{"S":"y"}},{"a":{"S":"x"}}]}`, 200, false},
		{"numbers are compared as written", "GetItem", `{"Item":{"a":{"N":"1.5"}}}`, `{"Item":{"a":{"N":"1.50"}}}`, 200, false},
		{"error type after #", "PutItem",
			`{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed"}`,
			`{"__type":"ConditionalCheckFailedException","message":"The conditional request failed"}`, 400, true},
		{"message heads", "PutItem",
			`{"__type":"ValidationException","message":"Invalid UpdateExpression: Syntax error; token: \"=\""}`,
			`{"__type":"ValidationException","message":"Invalid UpdateExpression: something else"}`, 400, true},
		{"different heads", "PutItem",
			`{"__type":"ValidationException","message":"Invalid UpdateExpression: x"}`,
			`{"__type":"ValidationException","message":"Invalid ConditionExpression: x"}`, 400, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := normalizeAnswer(tt.op, tt.statusA, []byte(tt.a), false)
			b := normalizeAnswer(tt.op, tt.statusA, []byte(tt.b), false)
			if got := same(a, b); got != tt.same {
				t.Errorf("got same=%v, want %v:\n%s\n%s", got, tt.same, a, b)
			}
		})
	}
}
