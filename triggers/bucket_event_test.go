package triggers_test

import (
	"bytes"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/eddyserverless/eddy/buckets"
	"github.com/eddyserverless/eddy/triggers"
)

var changeTime = time.Date(2026, 11, 22, 18, 4, 5, 123456789, time.UTC)

func created1024() buckets.Change {
	return buckets.Change{
		Bucket: "sourcebucket", Key: "Happy Face.jpg", Event: "ObjectCreated:Put", Time: changeTime,
		Object:    buckets.Object{Bucket: "sourcebucket", Key: "Happy Face.jpg", Size: 1024, ETag: `"d41d8cd98f00b204e9800998ecf8427e"`},
		Sequencer: "0055AED6DCD90281E5", RequestID: "C3D13FE58DE4C810", SourceIP: "192.0.2.7",
	}
}

// TestBucketNotificationRecord checks a record field by field as
// aws-lambda-go decodes it, with every field set.
func TestBucketNotificationRecord(t *testing.T) {
	data, err := triggers.S3Record(created1024(), "eu-west-1", "123456789012", "testConfigRule")
	if err != nil {
		t.Fatal(err)
	}
	var got events.S3Event
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Records) != 1 {
		t.Fatalf("got %d records, want 1", len(got.Records))
	}
	r := got.Records[0]
	want := events.S3EventRecord{
		EventVersion: "2.1", EventSource: "aws:s3", AWSRegion: "eu-west-1",
		EventTime: time.Date(2026, 11, 22, 18, 4, 5, 123000000, time.UTC), EventName: "ObjectCreated:Put",
		PrincipalID:       events.S3UserIdentity{PrincipalID: "AWS:123456789012"},
		RequestParameters: events.S3RequestParameters{SourceIPAddress: "192.0.2.7"},
		ResponseElements:  map[string]string{"x-amz-request-id": "C3D13FE58DE4C810", "x-amz-id-2": r.ResponseElements["x-amz-id-2"]},
		S3: events.S3Entity{
			SchemaVersion: "1.0", ConfigurationID: "testConfigRule",
			Bucket: events.S3Bucket{Name: "sourcebucket", OwnerIdentity: events.S3UserIdentity{PrincipalID: "123456789012"}, Arn: "arn:aws:s3:::sourcebucket"},
			Object: events.S3Object{Key: "Happy+Face.jpg", URLDecodedKey: "Happy Face.jpg", Size: 1024,
				ETag: "d41d8cd98f00b204e9800998ecf8427e", Sequencer: "0055AED6DCD90281E5"},
		},
	}
	if r.ResponseElements["x-amz-id-2"] == "" {
		t.Error("x-amz-id-2 is empty")
	}
	if !reflect.DeepEqual(r, want) {
		t.Errorf("got\n%+v\nwant\n%+v", r, want)
	}
	// The wire text: milliseconds and Z, AWS's field order.
	var raw struct {
		Records []map[string]json.RawMessage
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	if s := string(raw.Records[0]["eventTime"]); s != `"2026-11-22T18:04:05.123Z"` {
		t.Errorf("eventTime: got %s, want \"2026-11-22T18:04:05.123Z\"", s)
	}
	if s := string(raw.Records[0]["s3"]); !json.Valid([]byte(s)) ||
		s != `{"s3SchemaVersion":"1.0","configurationId":"testConfigRule","bucket":{"name":"sourcebucket","ownerIdentity":{"principalId":"123456789012"},"arn":"arn:aws:s3:::sourcebucket"},"object":{"key":"Happy+Face.jpg","size":1024,"eTag":"d41d8cd98f00b204e9800998ecf8427e","sequencer":"0055AED6DCD90281E5"}}` {
		t.Errorf("s3: got %s", s)
	}
}

// TestBucketNotificationRecordShape compares the fields of a record with
// aws-lambda-go's sample S3 event: the same, but for versionId, which an
// object of an unversioned bucket does not have.
func TestBucketNotificationRecordShape(t *testing.T) {
	sample, err := os.ReadFile(filepath.Join(lambdaEventsDir(t), "testdata", "s3-event.json"))
	if err != nil {
		t.Skipf("aws-lambda-go sample not found: %v", err)
	}
	data, err := triggers.S3Record(created1024(), "us-east-1", "000000000000", "c")
	if err != nil {
		t.Fatal(err)
	}
	want := slices.DeleteFunc(jsonPaths(t, sample), func(p string) bool { return p == "Records.s3.object.versionId" })
	if got := jsonPaths(t, data); !slices.Equal(got, want) {
		t.Errorf("fields: got %v, want %v", got, want)
	}
}

// jsonPaths lists the paths of the members of a JSON document, sorted.
func jsonPaths(t *testing.T, data []byte) []string {
	t.Helper()
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	var paths []string
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				p := k
				if prefix != "" {
					p = prefix + "." + k
				}
				paths = append(paths, p)
				walk(p, e)
			}
		case []any:
			for _, e := range x {
				walk(prefix, e)
			}
		}
	}
	walk("", v)
	sort.Strings(paths)
	return slices.Compact(paths)
}

func TestBucketNotificationRemovalRecord(t *testing.T) {
	c := buckets.Change{Bucket: "b", Key: "dir/a b+c.txt", Event: "ObjectRemoved:Delete", Time: changeTime,
		Object: buckets.Object{Key: "dir/a b+c.txt"}, Sequencer: "0055AED6DCD90281E6", RequestID: "R", SourceIP: "::1"}
	data, err := triggers.S3Record(c, "us-east-1", "000000000000", "cfg")
	if err != nil {
		t.Fatal(err)
	}
	var raw struct {
		Records []struct {
			S3 struct {
				Object map[string]any `json:"object"`
			} `json:"s3"`
		}
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	obj := raw.Records[0].S3.Object
	want := map[string]any{"key": "dir/a+b%2Bc.txt", "sequencer": "0055AED6DCD90281E6"}
	if !reflect.DeepEqual(obj, want) {
		t.Errorf("object: got %v, want %v", obj, want)
	}
	var ev events.S3Event
	if err := json.Unmarshal(data, &ev); err != nil {
		t.Fatal(err)
	}
	if k := ev.Records[0].S3.Object.URLDecodedKey; k != c.Key {
		t.Errorf("decoded key: got %q, want %q", k, c.Key)
	}
}

// TestBucketNotificationEmptyObject: a created object of 0 bytes has a
// size, 0.
func TestBucketNotificationEmptyObject(t *testing.T) {
	c := created1024()
	c.Object.Size = 0
	data, err := triggers.S3Record(c, "us-east-1", "000000000000", "cfg")
	if err != nil {
		t.Fatal(err)
	}
	var raw struct {
		Records []struct {
			S3 struct {
				Object map[string]any `json:"object"`
			} `json:"s3"`
		}
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	if size, ok := raw.Records[0].S3.Object["size"]; !ok || size != float64(0) {
		t.Errorf("size: got %v (present %v), want 0", size, ok)
	}
}

func TestBucketNotificationEncodeKey(t *testing.T) {
	for _, tc := range []struct{ key, want string }{
		{"HappyFace.jpg", "HappyFace.jpg"},
		{"red flower.jpg", "red+flower.jpg"},
		{"a+b", "a%2Bb"},
		{"dir/sub/file.txt", "dir/sub/file.txt"},
		{"/leading//double/", "/leading//double/"},
		{"test/10:47:07.log.bz2", "test/10%3A47%3A07.log.bz2"},
		{"dt=2018-05-04/_SUCCESS", "dt%3D2018-05-04/_SUCCESS"},
		{"file (1).txt", "file+%281%29.txt"},
		{"a*b-c_d.e~f", "a*b-c_d.e%7Ef"},
		{"%20", "%2520"},
		{"été/ü.txt", "%C3%A9t%C3%A9/%C3%BC.txt"},
		{"日本語", "%E6%97%A5%E6%9C%AC%E8%AA%9E"},
		{"emoji 😀", "emoji+%F0%9F%98%80"},
		{"q?x&y#z", "q%3Fx%26y%23z"},
		{"tab\tnl\n", "tab%09nl%0A"},
		{"", ""},
	} {
		got := triggers.EncodeKey(tc.key)
		if got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.key, got, tc.want)
		}
		// Functions decode it with the query unescaping of their SDKs.
		if back, err := url.QueryUnescape(got); err != nil || back != tc.key {
			t.Errorf("%q: decodes to %q, %v", tc.key, back, err)
		}
	}
}

func TestBucketNotificationTestEvent(t *testing.T) {
	data, err := triggers.S3TestEvent("my-bucket", "7BA1940DC6AF888B", changeTime)
	if err != nil {
		t.Fatal(err)
	}
	var fields []string
	dec := json.NewDecoder(bytesReader(data))
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		fields = append(fields, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	if want := []string{"Service", "Event", "Time", "Bucket", "RequestId", "HostId"}; !slices.Equal(fields, want) {
		t.Errorf("fields: got %v, want %v", fields, want)
	}
	var ev events.S3TestEvent
	if err := json.Unmarshal(data, &ev); err != nil {
		t.Fatal(err)
	}
	want := events.S3TestEvent{Service: "Amazon S3", Event: "s3:TestEvent", Time: time.Date(2026, 11, 22, 18, 4, 5, 123000000, time.UTC),
		Bucket: "my-bucket", RequestID: "7BA1940DC6AF888B", HostID: ev.HostID}
	if ev.HostID == "" || !reflect.DeepEqual(ev, want) {
		t.Errorf("got %+v, want %+v", ev, want)
	}
	var raw map[string]string
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	if raw["Time"] != "2026-11-22T18:04:05.123Z" {
		t.Errorf("Time: got %s, want 2026-11-22T18:04:05.123Z", raw["Time"])
	}
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
