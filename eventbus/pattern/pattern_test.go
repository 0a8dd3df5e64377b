package pattern_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/eddyserverless/eddy/eventbus/pattern"
)

// The example event of "Amazon EventBridge event patterns".
const ec2Event = `{
  "version": "0",
  "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
  "detail-type": "EC2 Instance State-change Notification",
  "source": "aws.ec2",
  "account": "111122223333",
  "time": "2017-12-22T18:43:48Z",
  "region": "us-west-1",
  "resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
  "detail": {"instance-id": "i-1234567890abcdef0", "state": "terminated"}
}`

// The event of the numeric and IP address examples of "Content filtering
// in Amazon EventBridge event patterns".
const numericEvent = `{
  "version": "0",
  "id": "3e3c153a-8339-4e30-8c35-687ebef853fe",
  "detail-type": "EC2 Instance Launch Successful",
  "source": "aws.autoscaling",
  "account": "123456789012",
  "time": "2015-11-11T21:31:47Z",
  "region": "us-east-1",
  "resources": [],
  "detail": {
    "eventVersion": "",
    "responseElements": null,
    "c-count": 5,
    "d-count": 7,
    "x-limit": 301.8,
    "source-ip": "10.0.0.123",
    "sourceIPAddress": "2001:db8:85a3::8a2e:370:7334"
  }
}`

func TestMatch(t *testing.T) {
	tests := []struct {
		name, pattern, event string
		want                 bool
	}{
		// Event patterns: exact values, nesting, arrays.
		{"documented", `{"source":["aws.ec2"],"detail-type":["EC2 Instance State-change Notification"],"detail":{"state":["terminated"]}}`, ec2Event, true},
		{"other state", `{"source":["aws.ec2"],"detail":{"state":["running","pending"]}}`, ec2Event, false},
		{"one of", `{"source":["aws.ec2"],"detail":{"state":["running","terminated"]}}`, ec2Event, true},
		{"case matters", `{"source":["AWS.EC2"]}`, ec2Event, false},
		{"missing field", `{"detail":{"nope":["x"]}}`, ec2Event, false},
		{"pattern array, event scalar", `{"resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f","arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"]}`, ec2Event, true},
		{"event array", `{"resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f"]}`, `{"resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f","arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f","arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f"]}`, true},
		{"event array no element", `{"resources":["x"]}`, `{"resources":["a","b"]}`, false},
		{"empty string", `{"detail":{"eventVersion":[""]}}`, numericEvent, true},
		{"null", `{"detail":{"responseElements":[null]}}`, numericEvent, true},
		{"null is not absent", `{"detail":{"nothing":[null]}}`, numericEvent, false},
		{"null is not empty", `{"detail":{"eventVersion":[null]}}`, numericEvent, false},
		{"booleans", `{"a":[true]}`, `{"a":true}`, true},
		{"boolean not string", `{"a":[true]}`, `{"a":"true"}`, false},
		{"number", `{"detail":{"c-count":[5]}}`, numericEvent, true},
		{"number compared as number", `{"detail":{"x-limit":[3.018e2]}}`, numericEvent, true},
		{"number not string", `{"a":[5]}`, `{"a":"5"}`, false},
		{"string not number", `{"a":["5"]}`, `{"a":5}`, false},
		{"big integers", `{"account":[123456789012345678]}`, `{"account":123456789012345678}`, true},
		{"object at leaf", `{"detail":["x"]}`, ec2Event, false},
		{"nested under array", `{"detail":{"items":{"id":[2]}}}`, `{"detail":{"items":[{"id":1},{"id":2}]}}`, true},
		{"same array element", `{"a":{"b":[1],"c":[2]}}`, `{"a":[{"b":1,"c":3},{"b":4,"c":2}]}`, false},
		{"same array element ok", `{"a":{"b":[1],"c":[2]}}`, `{"a":[{"b":1,"c":3},{"b":1,"c":2}]}`, true},
		{"nested arrays", `{"a":[3]}`, `{"a":[[1,2],[3]]}`, true},
		{"not an object", `{"a":["x"]}`, `["x"]`, false},
		{"not JSON", `{"a":["x"]}`, `{"a":"x"`, false},

		// Prefix and suffix.
		{"prefix", `{"time":[{"prefix":"2017-12-22"}]}`, ec2Event, true},
		{"prefix no", `{"time":[{"prefix":"2017-10-02"}]}`, ec2Event, false},
		{"prefix ignore case", `{"detail-type":[{"prefix":{"equals-ignore-case":"ec2 INSTANCE"}}]}`, ec2Event, true},
		{"prefix number", `{"a":[{"prefix":"1"}]}`, `{"a":12}`, false},
		{"empty prefix", `{"a":[{"prefix":""}]}`, `{"a":"x"}`, true},
		{"suffix", `{"FileName":[{"suffix":".png"}]}`, `{"FileName":"image.png"}`, true},
		{"suffix no", `{"FileName":[{"suffix":".png"}]}`, `{"FileName":"image.PNG"}`, false},
		{"suffix ignore case", `{"FileName":[{"suffix":{"equals-ignore-case":".png"}}]}`, `{"FileName":"image.PNG"}`, true},

		// anything-but.
		{"anything-but", `{"detail":{"state":[{"anything-but":"initializing"}]}}`, ec2Event, true},
		{"anything-but no", `{"detail":{"state":[{"anything-but":"terminated"}]}}`, ec2Event, false},
		{"anything-but number", `{"detail":{"x-limit":[{"anything-but":123}]}}`, numericEvent, true},
		{"anything-but number equal", `{"detail":{"c-count":[{"anything-but":5.0}]}}`, numericEvent, false},
		{"anything-but list", `{"detail":{"state":[{"anything-but":["stopped","overloaded"]}]}}`, ec2Event, true},
		{"anything-but list no", `{"detail":{"state":[{"anything-but":["stopped","terminated"]}]}}`, ec2Event, false},
		{"anything-but number list", `{"detail":{"x-limit":[{"anything-but":[100,200,300]}]}}`, numericEvent, true},
		{"anything-but absent", `{"detail":{"nope":[{"anything-but":"x"}]}}`, ec2Event, false},
		{"anything-but prefix", `{"detail":{"state":[{"anything-but":{"prefix":"init"}}]}}`, ec2Event, true},
		{"anything-but prefix no", `{"detail":{"state":[{"anything-but":{"prefix":"term"}}]}}`, ec2Event, false},
		{"anything-but prefix list", `{"detail":{"state":[{"anything-but":{"prefix":["init","term"]}}]}}`, ec2Event, false},
		{"anything-but suffix", `{"detail":{"FileName":[{"anything-but":{"suffix":".txt"}}]}}`, `{"detail":{"FileName":"a.png"}}`, true},
		{"anything-but suffix no", `{"detail":{"FileName":[{"anything-but":{"suffix":".txt"}}]}}`, `{"detail":{"FileName":"a.txt"}}`, false},
		{"anything-but wildcard", `{"detail":{"FilePath":[{"anything-but":{"wildcard":"*/lib/*"}}]}}`, `{"detail":{"FilePath":"/usr/bin/x"}}`, true},
		{"anything-but wildcard no", `{"detail":{"FilePath":[{"anything-but":{"wildcard":"*/lib/*"}}]}}`, `{"detail":{"FilePath":"/usr/lib/x"}}`, false},
		{"anything-but ignore case", `{"detail":{"state":[{"anything-but":{"equals-ignore-case":["Stopped","OverLoaded"]}}]}}`, `{"detail":{"state":"STOPPED"}}`, false},
		{"anything-but ignore case ok", `{"detail":{"state":[{"anything-but":{"equals-ignore-case":"Stopped"}}]}}`, ec2Event, true},

		// numeric.
		{"numeric", `{"detail":{"c-count":[{"numeric":[">",0,"<=",5]}],"d-count":[{"numeric":["<",10]}],"x-limit":[{"numeric":["=",3.018e2]}]}}`, numericEvent, true},
		{"numeric open top", `{"detail":{"c-count":[{"numeric":[">",0,"<",5]}]}}`, numericEvent, false},
		{"numeric >=", `{"detail":{"c-count":[{"numeric":[">=",5]}]}}`, numericEvent, true},
		{"numeric >", `{"detail":{"c-count":[{"numeric":[">",5]}]}}`, numericEvent, false},
		{"numeric =", `{"a":[{"numeric":["=",3]}]}`, `{"a":3.0}`, true},
		{"numeric negative", `{"a":[{"numeric":[">=",-1.5,"<",0]}]}`, `{"a":-1.5}`, true},
		{"numeric string", `{"a":[{"numeric":[">",0]}]}`, `{"a":"5"}`, false},

		// exists.
		{"exists", `{"detail":{"state":[{"exists":true}]}}`, ec2Event, true},
		{"exists false", `{"detail":{"state":[{"exists":false}]}}`, ec2Event, false},
		{"exists false absent", `{"detail":{"nope":[{"exists":false}]}}`, ec2Event, true},
		{"exists false parent absent", `{"nope":{"deeper":[{"exists":false}]}}`, ec2Event, true},
		{"exists null", `{"detail":{"responseElements":[{"exists":true}]}}`, numericEvent, true},
		{"exists leaf only", `{"detail":[{"exists":true}]}`, ec2Event, false},

		// equals-ignore-case.
		{"equals-ignore-case", `{"detail-type":[{"equals-ignore-case":"ec2 instance state-change notification"}]}`, ec2Event, true},
		{"equals-ignore-case no", `{"detail-type":[{"equals-ignore-case":"ec2 instance"}]}`, ec2Event, false},

		// wildcard.
		{"wildcard", `{"EventBusArn":[{"wildcard":"arn:aws:events:us-east-1:*:event-bus/*"}]}`, `{"EventBusArn":"arn:aws:events:us-east-1:123456789012:event-bus/default"}`, true},
		{"wildcard no", `{"EventBusArn":[{"wildcard":"arn:aws:events:us-east-1:*:event-bus/*"}]}`, `{"EventBusArn":"arn:aws:events:us-west-2:123456789012:event-bus/default"}`, false},
		{"wildcard dir", `{"source":[{"wildcard":"dir/*.png"}]}`, `{"source":"dir/sub/init.png"}`, true},
		{"wildcard dir no", `{"source":[{"wildcard":"dir/*.png"}]}`, `{"source":"dir/init.jpg"}`, false},
		{"wildcard two", `{"a":[{"wildcard":"*ab*ab"}]}`, `{"a":"xabyabab"}`, true},
		{"wildcard escaped", `{"a":[{"wildcard":"a\\*b"}]}`, `{"a":"a*b"}`, true},
		{"wildcard escaped no", `{"a":[{"wildcard":"a\\*b"}]}`, `{"a":"axb"}`, false},
		{"wildcard backslash", `{"a":[{"wildcard":"a\\\\*"}]}`, `{"a":"a\\bc"}`, true},
		{"wildcard no star", `{"a":[{"wildcard":"abc"}]}`, `{"a":"abc"}`, true},

		// cidr and IP addresses.
		{"cidr", `{"detail":{"source-ip":[{"cidr":"10.0.0.0/24"}]}}`, numericEvent, true},
		{"cidr no", `{"detail":{"source-ip":[{"cidr":"10.0.1.0/24"}]}}`, numericEvent, false},
		{"cidr above", `{"detail":{"source-ip":[{"cidr":"9.255.255.0/24"}]}}`, numericEvent, false},
		{"cidr /8", `{"detail":{"source-ip":[{"cidr":"10.0.0.0/8"}]}}`, numericEvent, true},
		{"cidr /25 upper half", `{"detail":{"source-ip":[{"cidr":"10.0.0.128/25"}]}}`, numericEvent, false},
		{"cidr /25 lower half", `{"detail":{"source-ip":[{"cidr":"10.0.0.0/25"}]}}`, numericEvent, true},
		{"cidr /0", `{"detail":{"source-ip":[{"cidr":"0.0.0.0/0"}]}}`, numericEvent, true},
		{"cidr ipv6", `{"detail":{"sourceIPAddress":[{"cidr":"2001:db8::/32"}]}}`, numericEvent, true},
		{"cidr ipv6 no", `{"detail":{"sourceIPAddress":[{"cidr":"2001:db9::/32"}]}}`, numericEvent, false},
		{"cidr ipv6 /64", `{"detail":{"sourceIPAddress":[{"cidr":"2001:db8:85a3::/64"}]}}`, numericEvent, true},
		{"cidr ipv6 /64 no", `{"detail":{"sourceIPAddress":[{"cidr":"2001:db8:85a3:1::/64"}]}}`, numericEvent, false},
		{"cidr v4 v6", `{"detail":{"source-ip":[{"cidr":"::/0"}]}}`, numericEvent, false},
		{"ip exact", `{"detail":{"sourceIPAddress":["2001:0db8:85a3:0000:0000:8a2e:0370:7334"]}}`, numericEvent, true},

		// $or.
		{"or top", `{"$or":[{"detail":{"c-count":[{"numeric":[">",10]}]}},{"detail":{"d-count":[{"numeric":["<",10]}]}},{"detail":{"x-limit":[{"numeric":["=",3.018e2]}]}}]}`, numericEvent, true},
		{"or nested", `{"detail":{"$or":[{"c-count":[{"numeric":[">",10]}]},{"d-count":[{"numeric":["<",10]}]}]}}`, numericEvent, true},
		{"or none", `{"detail":{"$or":[{"c-count":[{"numeric":[">",10]}]},{"d-count":[{"numeric":[">",10]}]}]}}`, numericEvent, false},
		{"or and", `{"source":["aws.ec2"],"$or":[{"detail":{"state":["running"]}},{"region":["us-west-1"]}]}`, ec2Event, true},
		{"or and no", `{"source":["aws.s3"],"$or":[{"detail":{"state":["running"]}},{"region":["us-west-1"]}]}`, ec2Event, false},
		{"or in or", `{"$or":[{"source":["aws.s3"]},{"$or":[{"region":["eu-west-1"]},{"account":["111122223333"]}]}]}`, ec2Event, true},
	}
	for _, tt := range tests {
		p, err := pattern.Compile(tt.pattern)
		if err != nil {
			t.Errorf("%s: Compile(%s): %v", tt.name, tt.pattern, err)
			continue
		}
		if got := p.Match([]byte(tt.event)); got != tt.want {
			t.Errorf("%s: Match: got %v, want %v", tt.name, got, tt.want)
		}
		var v any
		if json.Unmarshal([]byte(tt.event), &v) == nil {
			if got := p.MatchValue(v); got != tt.want {
				t.Errorf("%s: MatchValue: got %v, want %v", tt.name, got, tt.want)
			}
		}
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct{ pattern, reason string }{
		{`"aws.ec2"`, "Filter is not an object"},
		{`["a"]`, "Filter is not an object"},
		{``, "Filter is not an object"},
		{`{"a":`, "Invalid JSON"},
		{`{"a":["x"]} {}`, "Invalid JSON"},
		{`{}`, "Empty objects are not allowed"},
		{`{"detail":{}}`, "Empty objects are not allowed"},
		{`{"source":"aws.ec2"}`, `"source" must be an object or an array`},
		{`{"source":5}`, `"source" must be an object or an array`},
		{`{"source":[]}`, "Empty arrays are not allowed"},
		{`{"source":[["a"]]}`, "Match value must be String, number, true, false, or null"},
		{`{"source":[{}]}`, "Match expression name not found"},
		{`{"source":[{"regex":"a"}]}`, "Unrecognized match type regex"},
		{`{"source":[{"prefix":1}]}`, "prefix match pattern must be a string"},
		{`{"source":[{"suffix":["a"]}]}`, "suffix match pattern must be a string"},
		{`{"source":[{"equals-ignore-case":1}]}`, "equals-ignore-case match pattern must be a string"},
		{`{"source":[{"prefix":"a","suffix":"b"}]}`, "Only one key allowed in match expression"},
		{`{"source":[{"prefix":{"foo":"x"}}]}`, "Unsupported prefix pattern: foo"},
		{`{"source":[{"suffix":{"equals-ignore-case":2}}]}`, "equals-ignore-case match pattern must be a string"},
		{`{"a":[{"numeric":5}]}`, "Value of numeric must be an array."},
		{`{"a":[{"numeric":[1]}]}`, "Invalid member in numeric match: 1"},
		{`{"a":[{"numeric":["!",1]}]}`, "Unrecognized numeric range operator: !"},
		{`{"a":[{"numeric":[">","x"]}]}`, "Value of > must be numeric"},
		{`{"a":[{"numeric":["=","x"]}]}`, "Value of equals must be numeric"},
		{`{"a":[{"numeric":["=",1,"<",2]}]}`, "Too many elements in numeric expression"},
		{`{"a":[{"numeric":["<",5,">",1]}]}`, "Too many elements in numeric expression"},
		{`{"a":[{"numeric":[">",1,">",5]}]}`, "Bad numeric range operator: >"},
		{`{"a":[{"numeric":[">",1,5]}]}`, "Bad value in numeric range: 5"},
		{`{"a":[{"numeric":[">",5,"<",1]}]}`, "Bottom must be less than top"},
		{`{"a":[{"numeric":[">=",5,"<=",5]}]}`, "Bottom must be less than top"},
		{`{"a":[{"numeric":[">",1,"<",5,"<",6]}]}`, "Too many terms in numeric range expression"},
		{`{"a":[{"numeric":[">",1],"x":1}]}`, "Too many elements in numeric expression"},
		{`{"a":[{"exists":"yes"}]}`, "exists match pattern must be either true or false."},
		{`{"a":[{"exists":true,"prefix":"a"}]}`, "Only one key allowed in match expression"},
		{`{"a":[{"anything-but":null}]}`, "Value of anything-but must be an array or single string/number value."},
		{`{"a":[{"anything-but":true}]}`, "Value of anything-but must be an array or single string/number value."},
		{`{"a":[{"anything-but":["a",1]}]}`, "Inside anything but list, either all values are number or string, mixed type is not supported"},
		{`{"a":[{"anything-but":[]}]}`, "Inside anything but list, either all values are number or string, mixed type is not supported"},
		{`{"a":[{"anything-but":[null]}]}`, "Inside anything but list, start|null|boolean is not supported."},
		{`{"a":[{"anything-but":{}}]}`, "Anything-But expression name not found"},
		{`{"a":[{"anything-but":{"numeric":[">",1]}}]}`, "Unsupported anything-but pattern: numeric"},
		{`{"a":[{"anything-but":{"prefix":""}}]}`, "Null prefix/suffix not allowed"},
		{`{"a":[{"anything-but":{"suffix":[1]}}]}`, "prefix/suffix match pattern must be a string"},
		{`{"a":[{"anything-but":{"equals-ignore-case":[1]}}]}`, "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported."},
		{`{"a":[{"anything-but":{"wildcard":"a**"}}]}`, "Consecutive wildcard characters at pos 1"},
		{`{"a":[{"anything-but":"x","prefix":"y"}]}`, "Too many elements in numeric expression"},
		{`{"a":[{"wildcard":"a**b"}]}`, "Consecutive wildcard characters at pos 1"},
		{`{"a":[{"wildcard":"a\\b"}]}`, "Invalid escape character at pos 1"},
		{`{"a":[{"wildcard":5}]}`, "wildcard match pattern must be a string"},
		{`{"a":[{"cidr":5}]}`, "prefix match pattern must be a string"},
		{`{"a":[{"cidr":"10.0.0.0"}]}`, "Malformed CIDR, one '/' required"},
		{`{"a":[{"cidr":"10.0.0.0/x"}]}`, "Malformed CIDR, mask bits must be an integer"},
		{`{"a":[{"cidr":"10.0.0.0/-1"}]}`, "Malformed CIDR, mask bits must not be negative"},
		{`{"a":[{"cidr":"10.0.0.0/32"}]}`, "IPv4 mask bits must be < 32"},
		{`{"a":[{"cidr":"::/128"}]}`, "IPv6 mask bits must be < 128"},
		{`{"a":[{"cidr":"10.0.0.300/24"}]}`, "Invalid IP address: 10.0.0.300"},
		{`{"a":[{"cidr":"host/24"}]}`, "Nonstandard IP address: host"},
		{`{"$or":[{"a":["x"]}]}`, "There must have at least 2 Objects in $or relationship."},
		{`{"$or":{"a":["x"]}}`, "It must be an Array followed with $or."},
		{`{"$or":[{"a":["x"]},"b"]}`, "Only JSON object is allowed in array of $or relationship."},
		{`{"$or":[{"numeric":["x"]},{"b":["y"]}]}`, "numeric is Ruler reserved fieldName which cannot be used inside $or."},
		{`{"$or":[{"a":["x"]},{}]}`, "Empty objects are not allowed"},
	}
	for _, tt := range tests {
		_, err := pattern.Compile(tt.pattern)
		var e *pattern.Error
		want := "Event pattern is not valid. Reason: " + tt.reason
		if !errors.As(err, &e) || e.Exception != pattern.InvalidEventPattern || e.Message != want {
			t.Errorf("Compile(%s): got %v, want %q", tt.pattern, err, want)
		}
	}

	long := `{"a":["` + strings.Repeat("x", pattern.MaxLength) + `"]}`
	_, err := pattern.Compile(long)
	var e *pattern.Error
	if !errors.As(err, &e) || e.Exception != pattern.Validation {
		t.Errorf("Compile(%d bytes): got %v, want a ValidationException", len(long), err)
	}
}

func FuzzCompile(f *testing.F) {
	for _, s := range []string{
		`{"source":["aws.ec2"],"detail":{"state":["terminated"]}}`,
		`{"a":[{"numeric":[">",0,"<=",5]},{"anything-but":{"prefix":"x"}},{"cidr":"10.0.0.0/8"}]}`,
		`{"$or":[{"a":[{"wildcard":"*x\\*"}]},{"b":[{"exists":false}]}]}`,
		`{"a":[{"prefix":{"equals-ignore-case":"A"}},{"suffix":"z"},null,true,1.5]}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		p, err := pattern.Compile(src)
		if err != nil {
			var e *pattern.Error
			if !errors.As(err, &e) || !strings.HasPrefix(e.Message, "Event pattern is not valid. Reason: ") && e.Exception != pattern.Validation {
				t.Fatalf("Compile(%q): error %v", src, err)
			}
			return
		}
		for _, ev := range []string{ec2Event, numericEvent, `{}`} {
			first := p.Match([]byte(ev))
			if second := p.Match([]byte(ev)); second != first {
				t.Fatalf("Compile(%q): Match is not deterministic", src)
			}
		}
	})
}

func FuzzMatch(f *testing.F) {
	f.Add(`{"detail":{"state":[{"anything-but":["x"]}]}}`, ec2Event)
	f.Add(`{"detail":{"c-count":[{"numeric":[">",0,"<=",5]}]}}`, numericEvent)
	f.Add(`{"a":{"b":[1],"c":[{"exists":false}]}}`, `{"a":[{"b":1},{"c":[2,{"d":3}]}]}`)
	f.Fuzz(func(t *testing.T, src, event string) {
		p, err := pattern.Compile(src)
		if err != nil {
			return
		}
		got := p.Match([]byte(event))
		if again := p.Match([]byte(event)); again != got {
			t.Fatalf("Match(%q) on %q: %v then %v", src, event, got, again)
		}
		var v any
		if json.Unmarshal([]byte(event), &v) == nil {
			if mv := p.MatchValue(v); mv != got {
				t.Fatalf("Match(%q) on %q: Match %v, MatchValue %v", src, event, got, mv)
			}
		}
	})
}

// TestOperatorTable runs the rule syntax of each row of "Comparison
// operators for use in event patterns" against an event that matches it,
// and against one that does not.
func TestOperatorTable(t *testing.T) {
	const yes = `{"Location":"New York","Day":"Monday","Region":"eu-west-1","service":"EventBridge","LastName":"","Name":"Alice",
		"FileName":"dir/image.png","FilePath":"/usr/bin/x","ProductName":"x","Weather":"Sunny","UserID":null,"Price":100,
		"PaymentType":"Debit","sourceIPAddress":"10.0.0.7","state":"running"}`
	const no = `{"Location":"Paris","Day":"Friday","Region":"us-east-1","service":"Lambda","LastName":"Doe","Name":"Bob",
		"FileName":"dir/image.jpg","FilePath":"/usr/lib/x","Weather":"Raining","UserID":"u1","Price":25,
		"PaymentType":"Cash","sourceIPAddress":"10.0.1.7","state":"INITIALIZING"}`
	for _, src := range []string{
		`{"Location":["New York"],"Day":["Monday"]}`,
		`{"state":[{"anything-but":{"equals-ignore-case":"initializing"}}]}`,
		`{"Region":[{"anything-but":{"prefix":"us-"}}]}`,
		`{"FileName":[{"anything-but":{"suffix":".jpg"}}]}`,
		`{"FilePath":[{"anything-but":{"wildcard":"*/lib/*"}}]}`,
		`{"Region":[{"prefix":"eu-"}]}`,
		`{"service":[{"prefix":{"equals-ignore-case":"eventb"}}]}`,
		`{"LastName":[""]}`,
		`{"Name":["Alice"]}`,
		`{"Name":[{"equals-ignore-case":"alice"}]}`,
		`{"FileName":[{"suffix":".png"}]}`,
		`{"service":[{"suffix":{"equals-ignore-case":"tBridge"}}]}`,
		`{"ProductName":[{"exists":true}]}`,
		`{"Weather":[{"anything-but":["Raining"]}]}`,
		`{"UserID":[null]}`,
		`{"Price":[{"numeric":["=",100]}]}`,
		`{"Price":[{"numeric":[">",50,"<=",100]}]}`,
		`{"PaymentType":["Credit","Debit"]}`,
		`{"$or":[{"Location":["New York"]},{"Day":["Monday"]}]}`,
		`{"FileName":[{"wildcard":"dir/*.png"}]}`,
		`{"sourceIPAddress":[{"cidr":"10.0.0.0/24"}]}`,
	} {
		p, err := pattern.Compile(src)
		if err != nil {
			t.Errorf("Compile(%s): %v", src, err)
			continue
		}
		if !p.Match([]byte(yes)) {
			t.Errorf("%s: got no match, want a match", src)
		}
		if p.Match([]byte(no)) {
			t.Errorf("%s: got a match on the other event, want none", src)
		}
	}
	p, err := pattern.Compile(`{"ProductName":[{"exists":false}]}`)
	if err != nil || p.Match([]byte(yes)) || !p.Match([]byte(no)) {
		t.Errorf(`exists false: got %v, want a match only where ProductName is absent`, err)
	}
}
