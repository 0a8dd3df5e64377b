package triggers

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"

	"github.com/eddyserverless/eddy/buckets"
)

// s3TimeFormat is the time format of S3's event records and test events:
// ISO 8601 in UTC with milliseconds.
const s3TimeFormat = "2006-01-02T15:04:05.000Z"

// s3Event is what a function or a queue receives for one change: an S3
// event with one record, as S3 sends it.
type s3Event struct {
	Records []s3Record `json:"Records"`
}

// s3Record is one record of an S3 event notification, event version 2.1,
// with AWS's field order.
type s3Record struct {
	EventVersion      string            `json:"eventVersion"`
	EventSource       string            `json:"eventSource"`
	AWSRegion         string            `json:"awsRegion"`
	EventTime         string            `json:"eventTime"`
	EventName         string            `json:"eventName"`
	UserIdentity      s3Principal       `json:"userIdentity"`
	RequestParameters s3RequestParams   `json:"requestParameters"`
	ResponseElements  s3ResponseElement `json:"responseElements"`
	S3                s3Entity          `json:"s3"`
}

type s3Principal struct {
	PrincipalID string `json:"principalId"`
}

type s3RequestParams struct {
	SourceIPAddress string `json:"sourceIPAddress"`
}

type s3ResponseElement struct {
	RequestID string `json:"x-amz-request-id"`
	HostID    string `json:"x-amz-id-2"`
}

type s3Entity struct {
	SchemaVersion   string   `json:"s3SchemaVersion"`
	ConfigurationID string   `json:"configurationId"`
	Bucket          s3Bucket `json:"bucket"`
	Object          s3Object `json:"object"`
}

type s3Bucket struct {
	Name          string      `json:"name"`
	OwnerIdentity s3Principal `json:"ownerIdentity"`
	ARN           string      `json:"arn"`
}

// s3Object is the object of a record. Removals carry no size or ETag; an
// object of an unversioned bucket has no versionId.
type s3Object struct {
	Key       string `json:"key"`
	Size      *int64 `json:"size,omitempty"`
	ETag      string `json:"eTag,omitempty"`
	VersionID string `json:"versionId,omitempty"`
	Sequencer string `json:"sequencer"`
}

// s3TestEvent is the message S3 sends to a queue when a configuration
// naming it is stored.
type s3TestEvent struct {
	Service   string `json:"Service"`
	Event     string `json:"Event"`
	Time      string `json:"Time"`
	Bucket    string `json:"Bucket"`
	RequestID string `json:"RequestId"`
	HostID    string `json:"HostId"`
}

// recordInput is what a record is made of besides the change.
type recordInput struct {
	Region, Account, ConfigurationID string
}

// s3Record renders the record of a change for one configuration.
func newS3Record(c *buckets.Change, in recordInput) s3Record {
	requestID := c.RequestID
	if requestID == "" {
		requestID = changeRequestID(c)
	}
	sourceIP := c.SourceIP
	if sourceIP == "" {
		sourceIP = "127.0.0.1"
	}
	seq := c.Sequencer
	if seq == "" {
		seq = c.Object.Sequencer
	}
	obj := s3Object{Key: encodeKey(c.Key), Sequencer: seq}
	if !strings.HasPrefix(c.Event, "ObjectRemoved:") {
		size := c.Object.Size
		obj.Size = &size
		obj.ETag = strings.Trim(c.Object.ETag, `"`)
	}
	return s3Record{
		EventVersion: "2.1",
		EventSource:  "aws:s3",
		AWSRegion:    in.Region,
		EventTime:    c.Time.UTC().Format(s3TimeFormat),
		EventName:    c.Event,
		// eddy has no IAM identities yet: every request is the account's.
		UserIdentity:      s3Principal{PrincipalID: "AWS:" + in.Account},
		RequestParameters: s3RequestParams{SourceIPAddress: sourceIP},
		ResponseElements:  s3ResponseElement{RequestID: requestID, HostID: hostID(requestID)},
		S3: s3Entity{
			SchemaVersion:   "1.0",
			ConfigurationID: in.ConfigurationID,
			Bucket: s3Bucket{
				Name:          c.Bucket,
				OwnerIdentity: s3Principal{PrincipalID: in.Account},
				ARN:           "arn:aws:s3:::" + c.Bucket,
			},
			Object: obj,
		},
	}
}

// marshalS3Event renders {"Records":[record]}.
func marshalS3Event(r s3Record) ([]byte, error) {
	return json.Marshal(s3Event{Records: []s3Record{r}})
}

// newTestEvent renders the s3:TestEvent message.
func newTestEvent(bucket, requestID string, now time.Time) ([]byte, error) {
	return json.Marshal(s3TestEvent{
		Service: "Amazon S3", Event: "s3:TestEvent", Time: now.UTC().Format(s3TimeFormat),
		Bucket: bucket, RequestID: requestID, HostID: hostID(requestID),
	})
}

// hostID is the x-amz-id-2 of a request: eddy has one host, so it is
// derived from the request id, the same for every record of a request.
func hostID(requestID string) string {
	sum := sha256.Sum256([]byte("eddy-host/" + requestID))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// changeRequestID names a change made without a request id (by eddy
// itself): stable, so that every delivery of the change says the same.
func changeRequestID(c *buckets.Change) string {
	sum := sha256.Sum256([]byte(c.Bucket + "\x00" + c.Key + "\x00" + c.Event + "\x00" + c.Sequencer))
	return strings.ToUpper(hex.EncodeToString(sum[:8]))
}

// encodeKey encodes an object key as S3 writes it in event records: form
// encoding (application/x-www-form-urlencoded, a space becomes "+") of the
// UTF-8 bytes, with "/" left as it is. The characters left unencoded are
// those of Java's URLEncoder — letters, digits, "-", "_", ".", "*" — and
// "/".
func encodeKey(key string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(key))
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '-', c == '_', c == '.', c == '*', c == '/':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
		}
	}
	return b.String()
}
