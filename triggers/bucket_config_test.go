package triggers_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/triggers"
)

// The examples of "Configuring event notifications using object key name
// filtering" in the Amazon S3 User Guide, verbatim (the closing tag the
// guide leaves unfinished in one of them completed).
var (
	docValidPrefixSuffix = `<NotificationConfiguration>
  <QueueConfiguration>
      <Id>1</Id>
      <Filter>
          <S3Key>
              <FilterRule>
                  <Name>prefix</Name>
                  <Value>images/</Value>
              </FilterRule>
              <FilterRule>
                  <Name>suffix</Name>
                  <Value>jpg</Value>
              </FilterRule>
          </S3Key>
     </Filter>
     <Queue>arn:aws:sqs:us-west-2:444455556666:s3notificationqueue</Queue>
     <Event>s3:ObjectCreated:Put</Event>
  </QueueConfiguration>
</NotificationConfiguration>`

	docValidPrefixes = `<NotificationConfiguration>
  <QueueConfiguration>
     <Id>1</Id>
     <Filter>
            <S3Key>
                <FilterRule>
                    <Name>prefix</Name>
                    <Value>images/</Value>
                </FilterRule>
            </S3Key>
     </Filter>
     <Queue>arn:aws:sqs:us-west-2:444455556666:sqs-queue-A</Queue>
     <Event>s3:ObjectCreated:Put</Event>
  </QueueConfiguration>
  <QueueConfiguration>
     <Id>2</Id>
     <Filter>
            <S3Key>
                <FilterRule>
                    <Name>prefix</Name>
                    <Value>logs/</Value>
                </FilterRule>
            </S3Key>
     </Filter>
     <Queue>arn:aws:sqs:us-west-2:444455556666:sqs-queue-B</Queue>
     <Event>s3:ObjectCreated:Put</Event>
  </QueueConfiguration>
</NotificationConfiguration>`

	docValidSuffixes = `<NotificationConfiguration>
  <CloudFunctionConfiguration>
     <Id>1</Id>
     <Filter>
            <S3Key>
                <FilterRule>
                    <Name>suffix</Name>
                    <Value>.jpg</Value>
                </FilterRule>
            </S3Key>
     </Filter>
     <CloudFunction>arn:aws:lambda:us-west-2:444455556666:cloud-function-A</CloudFunction>
     <Event>s3:ObjectCreated:Put</Event>
  </CloudFunctionConfiguration>
  <CloudFunctionConfiguration>
     <Id>2</Id>
     <Filter>
            <S3Key>
                <FilterRule>
                    <Name>suffix</Name>
                    <Value>.png</Value>
                </FilterRule>
            </S3Key>
     </Filter>
     <CloudFunction>arn:aws:lambda:us-west-2:444455556666:cloud-function-B</CloudFunction>
     <Event>s3:ObjectCreated:Put</Event>
  </CloudFunctionConfiguration>
</NotificationConfiguration>`

	docValidSamePrefix = `<NotificationConfiguration>
  <CloudFunctionConfiguration>
     <Id>1</Id>
     <Filter>
            <S3Key>
                <FilterRule>
                    <Name>prefix</Name>
                    <Value>images</Value>
                </FilterRule>
                <FilterRule>
                    <Name>suffix</Name>
                    <Value>.jpg</Value>
                </FilterRule>
            </S3Key>
     </Filter>
     <CloudFunction>arn:aws:lambda:us-west-2:444455556666:cloud-function-A</CloudFunction>
     <Event>s3:ObjectCreated:Put</Event>
  </CloudFunctionConfiguration>
  <CloudFunctionConfiguration>
     <Id>2</Id>
     <Filter>
            <S3Key>
                <FilterRule>
                    <Name>prefix</Name>
                    <Value>images</Value>
                </FilterRule>
                <FilterRule>
                    <Name>suffix</Name>
                    <Value>.png</Value>
                </FilterRule>
            </S3Key>
     </Filter>
     <CloudFunction>arn:aws:lambda:us-west-2:444455556666:cloud-function-B</CloudFunction>
     <Event>s3:ObjectCreated:Put</Event>
  </CloudFunctionConfiguration>
</NotificationConfiguration>`

	docInvalidRootPrefix = `<NotificationConfiguration>
     <TopicConfiguration>
         <Topic>arn:aws:sns:us-west-2:444455556666:sns-notification-one</Topic>
         <Event>s3:ObjectCreated:*</Event>
    </TopicConfiguration>
    <TopicConfiguration>
         <Topic>arn:aws:sns:us-west-2:444455556666:sns-notification-two</Topic>
         <Event>s3:ObjectCreated:*</Event>
         <Filter>
             <S3Key>
                 <FilterRule>
                     <Name>prefix</Name>
                     <Value>images</Value>
                 </FilterRule>
            </S3Key>
        </Filter>
    </TopicConfiguration>             
</NotificationConfiguration>`

	docInvalidSuffixes = ` <NotificationConfiguration>
     <TopicConfiguration>
         <Topic>arn:aws:sns:us-west-2:444455556666:sns-topic-one</Topic>
         <Event>s3:ObjectCreated:*</Event>
         <Filter>
             <S3Key>
                 <FilterRule>
                     <Name>suffix</Name>
                     <Value>jpg</Value>
                 </FilterRule>
            </S3Key>
        </Filter>
    </TopicConfiguration>
    <TopicConfiguration>
         <Topic>arn:aws:sns:us-west-2:444455556666:sns-topic-two</Topic>
         <Event>s3:ObjectCreated:Put</Event>
         <Filter>
             <S3Key>
                 <FilterRule>
                     <Name>suffix</Name>
                     <Value>pg</Value>
                 </FilterRule>
            </S3Key>
        </Filter>
    </TopicConfiguration>
</NotificationConfiguration>`

	docInvalidPrefixSuffix = `<NotificationConfiguration>
     <TopicConfiguration>
         <Topic>arn:aws:sns:us-west-2:444455556666:sns-topic-one</Topic>
         <Event>s3:ObjectCreated:*</Event>
         <Filter>
             <S3Key>
                 <FilterRule>
                     <Name>prefix</Name>
                     <Value>images</Value>
                 </FilterRule>
                 <FilterRule>
                     <Name>suffix</Name>
                     <Value>jpg</Value>
                 </FilterRule>
            </S3Key>
        </Filter>
    </TopicConfiguration>
    <TopicConfiguration>
         <Topic>arn:aws:sns:us-west-2:444455556666:sns-topic-two</Topic>
         <Event>s3:ObjectCreated:Put</Event>
         <Filter>
             <S3Key>
                 <FilterRule>
                     <Name>suffix</Name>
                     <Value>jpg</Value>
                 </FilterRule>
            </S3Key>
        </Filter>
    </TopicConfiguration>
</NotificationConfiguration>`
)

// queueConf renders a queue configuration for the tables below.
func queueConf(id string, events []string, rules ...string) string {
	return conf("QueueConfiguration", "Queue", "arn:aws:sqs:us-east-1:000000000000:q"+id, id, events, rules...)
}

// conf renders one configuration; rules alternate names and values.
func conf(element, dest, arn, id string, events []string, rules ...string) string {
	var b strings.Builder
	b.WriteString("<" + element + ">")
	if id != "" {
		b.WriteString("<Id>" + id + "</Id>")
	}
	b.WriteString("<" + dest + ">" + arn + "</" + dest + ">")
	for _, e := range events {
		b.WriteString("<Event>" + e + "</Event>")
	}
	if len(rules) > 0 {
		b.WriteString("<Filter><S3Key>")
		for i := 0; i+1 < len(rules); i += 2 {
			b.WriteString("<FilterRule><Name>" + rules[i] + "</Name><Value>" + rules[i+1] + "</Value></FilterRule>")
		}
		b.WriteString("</S3Key></Filter>")
	}
	b.WriteString("</" + element + ">")
	return b.String()
}

func doc(configs ...string) string {
	return `<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` + strings.Join(configs, "") + `</NotificationConfiguration>`
}

var (
	put     = []string{"s3:ObjectCreated:Put"}
	created = []string{"s3:ObjectCreated:*"}
	removed = []string{"s3:ObjectRemoved:*"}
)

const (
	overlap     = "Configurations overlap. Configurations on the same bucket cannot share a common event type."
	malformed   = "The XML you provided was not well-formed or did not validate against our published schema"
	badEvent    = "The event is not supported for notifications"
	badARN      = "The ARN could not be parsed"
	destination = "Unable to validate the following destination configurations"
)

// wantS3Error checks err against S3's code and message ("" for none).
func wantS3Error(t *testing.T, err error, code, message string) {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Fatalf("got %v, want no error", err)
		}
		return
	}
	e := eddy.AsError(err)
	if e == nil || e.Type != code || e.Message != message {
		t.Fatalf("got %v, want %s: %s", err, code, message)
	}
}

func TestBucketNotificationFilterExamples(t *testing.T) {
	for _, tc := range []struct {
		name, doc string
		code, msg string
	}{
		{"valid: prefix and suffix", docValidPrefixSuffix, "", ""},
		{"valid: non-overlapping prefixes", docValidPrefixes, "", ""},
		{"valid: non-overlapping suffixes", docValidSuffixes, "", ""},
		{"valid: overlapping prefixes, non-overlapping suffixes", docValidSamePrefix, "", ""},
		{"valid: same prefix for different event types", doc(
			queueConf("1", put, "prefix", "image/"), queueConf("2", removed, "prefix", "image/")), "", ""},
		{"invalid: the root prefix overlaps every prefix", docInvalidRootPrefix, "InvalidArgument", overlap},
		{"invalid: overlapping suffixes", docInvalidSuffixes, "InvalidArgument", overlap},
		{"invalid: overlapping prefixes and suffixes", docInvalidPrefixSuffix, "InvalidArgument", overlap},
		{"invalid: the root suffix overlaps every suffix", doc(
			queueConf("1", created), queueConf("2", created, "suffix", ".jpg")), "InvalidArgument", overlap},
		{"invalid: overlapping prefixes", doc(
			queueConf("1", put, "prefix", "images"), queueConf("2", put, "prefix", "images/")), "InvalidArgument", overlap},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := triggers.ValidateNotification([]byte(tc.doc))
			wantS3Error(t, err, tc.code, tc.msg)
		})
	}
}

func TestBucketNotificationValidation(t *testing.T) {
	fn := func(id string, events []string, rules ...string) string {
		return conf("CloudFunctionConfiguration", "CloudFunction", "arn:aws:lambda:us-east-1:000000000000:function:f"+id, id, events, rules...)
	}
	for _, tc := range []struct {
		name, doc string
		code, msg string
	}{
		{"empty body", ``, "", ""},
		{"empty configuration", `<NotificationConfiguration/>`, "", ""},
		{"empty configuration in the namespace", doc(), "", ""},
		{"no namespace", `<NotificationConfiguration>` + queueConf("1", put) + `</NotificationConfiguration>`, "", ""},
		{"XML declaration", `<?xml version="1.0" encoding="UTF-8"?>` + doc(queueConf("1", put)), "", ""},
		{"EventBridge", doc(`<EventBridgeConfiguration></EventBridgeConfiguration>`), "", ""},
		{"EventBridge and a queue", doc(queueConf("1", put), `<EventBridgeConfiguration/>`), "", ""},
		{"every event type", doc(queueConf("1", []string{"s3:ReducedRedundancyLostObject", "s3:ObjectRestore:*", "s3:Replication:*",
			"s3:LifecycleTransition", "s3:IntelligentTiering", "s3:ObjectAcl:Put", "s3:LifecycleExpiration:*", "s3:ObjectTagging:*"})), "", ""},
		{"function with a qualifier", doc(conf("CloudFunctionConfiguration", "CloudFunction", "arn:aws:lambda:us-east-1:000000000000:function:f:live", "1", put)), "", ""},
		{"rule names in any case", doc(queueConf("1", put, "Prefix", "a/", "SUFFIX", ".txt")), "", ""},
		{"duplicate event", doc(queueConf("1", []string{"s3:ObjectCreated:Put", "s3:ObjectCreated:Put"})), "", ""},
		{"functions and queues overlap too", doc(queueConf("1", put, "prefix", "a"), fn("2", created, "prefix", "ab")), "InvalidArgument", overlap},
		{"wildcard and subtype overlap", doc(queueConf("1", created), fn("2", put)), "InvalidArgument", overlap},
		{"created and removed do not overlap", doc(queueConf("1", created), fn("2", removed)), "", ""},
		{"same events, disjoint prefixes", doc(queueConf("1", created, "prefix", "a/"), fn("2", created, "prefix", "b/")), "", ""},
		{"same prefix, disjoint suffixes", doc(queueConf("1", created, "prefix", "a/", "suffix", ".jpg"), fn("2", created, "prefix", "a/", "suffix", ".png")), "", ""},
		{"prefix vs suffix only", doc(queueConf("1", created, "prefix", "a/"), fn("2", created, "suffix", ".png")), "InvalidArgument", overlap},

		{"not XML", `not xml`, "MalformedXML", malformed},
		{"truncated", `<NotificationConfiguration><QueueConfiguration>`, "MalformedXML", malformed},
		{"wrong root", `<Notification></Notification>`, "MalformedXML", malformed},
		{"wrong namespace", `<NotificationConfiguration xmlns="urn:x"></NotificationConfiguration>`, "MalformedXML", malformed},
		{"trailing element", doc() + `<x/>`, "MalformedXML", malformed},
		{"unknown element", doc(`<SnsConfiguration/>`), "MalformedXML", malformed},
		{"unknown element in a configuration", doc(`<QueueConfiguration><Queue>arn:aws:sqs:us-east-1:000000000000:q</Queue><Event>s3:ObjectCreated:*</Event><Foo/></QueueConfiguration>`), "MalformedXML", malformed},
		{"no event", doc(queueConf("1", nil)), "MalformedXML", malformed},
		{"no destination", doc(`<QueueConfiguration><Event>s3:ObjectCreated:*</Event></QueueConfiguration>`), "MalformedXML", malformed},
		{"two destinations", doc(`<QueueConfiguration><Queue>arn:aws:sqs:us-east-1:000000000000:a</Queue><Queue>arn:aws:sqs:us-east-1:000000000000:b</Queue><Event>s3:ObjectCreated:*</Event></QueueConfiguration>`), "MalformedXML", malformed},
		{"a topic in a queue configuration", doc(`<QueueConfiguration><Topic>arn:aws:sns:us-east-1:000000000000:t</Topic><Event>s3:ObjectCreated:*</Event></QueueConfiguration>`), "MalformedXML", malformed},
		{"member name instead of element name", doc(`<QueueConfiguration><QueueArn>arn:aws:sqs:us-east-1:000000000000:q</QueueArn><Event>s3:ObjectCreated:*</Event></QueueConfiguration>`), "MalformedXML", malformed},
		{"LambdaFunctionConfiguration is the member name", doc(`<LambdaFunctionConfiguration><CloudFunction>arn:aws:lambda:us-east-1:000000000000:function:f</CloudFunction><Event>s3:ObjectCreated:*</Event></LambdaFunctionConfiguration>`), "MalformedXML", malformed},
		{"two filters", doc(`<QueueConfiguration><Queue>arn:aws:sqs:us-east-1:000000000000:q</Queue><Event>s3:ObjectCreated:*</Event><Filter/><Filter/></QueueConfiguration>`), "MalformedXML", malformed},
		{"two EventBridge configurations", doc(`<EventBridgeConfiguration/><EventBridgeConfiguration/>`), "MalformedXML", malformed},

		{"unknown event", doc(queueConf("1", []string{"s3:ObjectCreated:Foo"})), "InvalidArgument", badEvent},
		{"event without s3:", doc(queueConf("1", []string{"ObjectCreated:Put"})), "InvalidArgument", badEvent},
		{"TestEvent is not configurable", doc(queueConf("1", []string{"s3:TestEvent"})), "InvalidArgument", badEvent},
		{"wildcard of everything", doc(queueConf("1", []string{"s3:*"})), "InvalidArgument", badEvent},
		{"two prefixes", doc(queueConf("1", put, "prefix", "a", "prefix", "b")), "InvalidArgument", "Cannot specify more than one prefix rule in a filter."},
		{"two suffixes", doc(queueConf("1", put, "suffix", "a", "Suffix", "b")), "InvalidArgument", "Cannot specify more than one suffix rule in a filter."},
		{"other rule name", doc(queueConf("1", put, "contains", "a")), "InvalidArgument", "filter rule name must be either prefix or suffix"},
		{"empty rule value", doc(queueConf("1", put, "prefix", "")), "InvalidArgument", "filter value cannot be empty"},

		{"queue ARN of another service", doc(conf("QueueConfiguration", "Queue", "arn:aws:sns:us-east-1:000000000000:q", "1", put)), "InvalidArgument", badARN},
		{"queue ARN with a path", doc(conf("QueueConfiguration", "Queue", "arn:aws:sqs:us-east-1:000000000000:a/b", "1", put)), "InvalidArgument", badARN},
		{"queue name instead of ARN", doc(conf("QueueConfiguration", "Queue", "q", "1", put)), "InvalidArgument", badARN},
		{"function name instead of ARN", doc(conf("CloudFunctionConfiguration", "CloudFunction", "f", "1", put)), "InvalidArgument", badARN},
		{"lambda ARN of no function parses", doc(conf("CloudFunctionConfiguration", "CloudFunction", "arn:aws:lambda:us-east-1:000000000000:f", "1", put)), "", ""},
		{"lambda ARN without a resource", doc(conf("CloudFunctionConfiguration", "CloudFunction", "arn:aws:lambda:us-east-1:000000000000", "1", put)), "InvalidArgument", badARN},
		{"ARN without a region", doc(conf("QueueConfiguration", "Queue", "arn:aws:sqs::000000000000:q", "1", put)), "InvalidArgument", badARN},
		{"topic ARN of another service", doc(conf("TopicConfiguration", "Topic", "arn:aws:sqs:us-east-1:000000000000:t", "1", put)), "InvalidArgument", badARN},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := triggers.ValidateNotification([]byte(tc.doc))
			wantS3Error(t, err, tc.code, tc.msg)
		})
	}
}

func TestBucketNotificationNormalized(t *testing.T) {
	out, err := triggers.ValidateNotification([]byte(`<?xml version="1.0"?>
<NotificationConfiguration>
  <EventBridgeConfiguration/>
  <CloudFunctionConfiguration>
    <Event>s3:ObjectRemoved:*</Event>
    <CloudFunction>arn:aws:lambda:us-east-1:000000000000:function:f</CloudFunction>
    <Id>fn &amp; co</Id>
  </CloudFunctionConfiguration>
  <QueueConfiguration>
    <Filter><S3Key>
      <FilterRule><Name>suffix</Name><Value>.jpg</Value></FilterRule>
      <FilterRule><Name>prefix</Name><Value>a b/</Value></FilterRule>
    </S3Key></Filter>
    <Id>q</Id>
    <Queue>arn:aws:sqs:us-east-1:000000000000:q</Queue>
    <Event>s3:ObjectCreated:Put</Event>
    <Event>s3:ObjectCreated:Copy</Event>
  </QueueConfiguration>
</NotificationConfiguration>`))
	if err != nil {
		t.Fatal(err)
	}
	want := `<?xml version="1.0" encoding="UTF-8"?>
<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
		`<QueueConfiguration><Id>q</Id><Queue>arn:aws:sqs:us-east-1:000000000000:q</Queue>` +
		`<Event>s3:ObjectCreated:Put</Event><Event>s3:ObjectCreated:Copy</Event>` +
		`<Filter><S3Key><FilterRule><Name>Prefix</Name><Value>a b/</Value></FilterRule>` +
		`<FilterRule><Name>Suffix</Name><Value>.jpg</Value></FilterRule></S3Key></Filter></QueueConfiguration>` +
		`<CloudFunctionConfiguration><Id>fn &amp; co</Id><CloudFunction>arn:aws:lambda:us-east-1:000000000000:function:f</CloudFunction>` +
		`<Event>s3:ObjectRemoved:*</Event></CloudFunctionConfiguration>` +
		`<EventBridgeConfiguration></EventBridgeConfiguration></NotificationConfiguration>`
	if string(out) != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
	again, err := triggers.ValidateNotification(out)
	if err != nil || string(again) != want {
		t.Errorf("normalizing again: got %s, %v; want the same document", again, err)
	}
}

// TestBucketNotificationMatch decides which configurations a change goes
// to: events (wildcards and subtypes) and the key filter, applied to the
// key as the record encodes it.
func TestBucketNotificationMatch(t *testing.T) {
	configs := doc(
		queueConf("all-created", created, "prefix", "all/"),
		queueConf("put", put, "prefix", "put/"),
		queueConf("post", []string{"s3:ObjectCreated:Post"}, "prefix", "put/"),
		queueConf("copy+mpu", []string{"s3:ObjectCreated:Copy", "s3:ObjectCreated:CompleteMultipartUpload"}, "prefix", "put/"),
		queueConf("jpg", created, "suffix", ".jpg"),
		queueConf("img-png", created, "prefix", "img/", "suffix", ".png"),
		queueConf("removed", removed),
		queueConf("delete-marker", []string{"s3:ObjectRemoved:DeleteMarkerCreated"}, "prefix", "versioned/"),
		queueConf("space", []string{"s3:ObjectCreated:Put"}, "prefix", "my+dir/"),
		queueConf("unicode", []string{"s3:ObjectCreated:Put"}, "prefix", "%C3%A9t%C3%A9/"),
		queueConf("tagging", []string{"s3:ObjectTagging:*"}),
	)
	// Some of these overlap, which Check refuses: matching does not care.
	for _, tc := range []struct {
		event, key string
		want       []string
	}{
		{"ObjectCreated:Put", "all/x", []string{"all-created"}},
		{"ObjectCreated:Post", "all/x", []string{"all-created"}},
		{"ObjectCreated:Copy", "all/x", []string{"all-created"}},
		{"ObjectCreated:CompleteMultipartUpload", "all/x", []string{"all-created"}},
		{"ObjectRemoved:Delete", "all/x", []string{"removed"}},
		{"ObjectCreated:Put", "put/x", []string{"put"}},
		{"ObjectCreated:Post", "put/x", []string{"post"}},
		{"ObjectCreated:Copy", "put/x", []string{"copy+mpu"}},
		{"ObjectCreated:CompleteMultipartUpload", "put/x", []string{"copy+mpu"}},
		{"ObjectCreated:Put", "put", nil},
		{"ObjectCreated:Put", "other/put/x", nil},
		{"ObjectCreated:Put", "a/b.jpg", []string{"jpg"}},
		{"ObjectCreated:Put", "a/b.jpg.tmp", nil},
		{"ObjectCreated:Put", "a/b.JPG", nil},
		{"ObjectCreated:Put", ".jpg", []string{"jpg"}},
		{"ObjectCreated:Put", "img/a.png", []string{"img-png"}},
		{"ObjectCreated:Put", "img/a.gif", nil},
		{"ObjectCreated:Put", "other/a.png", nil},
		{"ObjectRemoved:Delete", "img/a.png", []string{"removed"}},
		{"ObjectRemoved:DeleteMarkerCreated", "versioned/a", []string{"removed", "delete-marker"}},
		{"ObjectRemoved:Delete", "versioned/a", []string{"removed"}},
		{"ObjectCreated:Put", "my dir/a", []string{"space"}},
		{"ObjectCreated:Put", "my+dir/a", nil},
		{"ObjectCreated:Put", "été/a", []string{"unicode"}},
		{"ObjectTagging:Put", "x", []string{"tagging"}},
		{"ObjectAcl:Put", "x", nil},
		{"TestEvent", "x", nil},
	} {
		got, err := triggers.MatchingConfigurations([]byte(configs), tc.event, tc.key)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s %q: got %v, want %v", tc.event, tc.key, got, tc.want)
		}
	}
}

// FuzzBucketNotificationParse checks that no document panics the parser,
// and that a document it accepts normalizes to one that it accepts and
// normalizes to itself.
func FuzzBucketNotificationParse(f *testing.F) {
	for _, d := range []string{docValidPrefixSuffix, docValidPrefixes, docValidSuffixes, docValidSamePrefix,
		docInvalidRootPrefix, docInvalidSuffixes, docInvalidPrefixSuffix, ``, `<NotificationConfiguration/>`,
		doc(`<EventBridgeConfiguration/>`), doc(queueConf("1", put, "prefix", "a&amp;b", "suffix", "<>"))} {
		f.Add([]byte(d))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := triggers.ValidateNotification(data)
		if err != nil {
			if eddy.AsError(err) == nil {
				t.Fatalf("error %v is not an *eddy.Error", err)
			}
			return
		}
		again, err := triggers.ValidateNotification(out)
		if err != nil {
			t.Fatalf("normalized document refused: %v\n%s", err, out)
		}
		if string(again) != string(out) {
			t.Fatalf("normalizing is not stable:\n%s\n%s", out, again)
		}
	})
}
