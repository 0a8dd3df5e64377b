package triggers

import (
	"time"

	"github.com/eddyserverless/eddy/buckets"
)

// ValidateNotification runs the checks of Check that need no destination
// lookup — schema, events, filter rules, overlap, ARN syntax — and returns
// the normalized document (ids not filled in).
func ValidateNotification(doc []byte) ([]byte, error) {
	d, err := parseNotification(doc)
	if err != nil {
		return nil, err
	}
	if err := checkOverlap(d.Configs); err != nil {
		return nil, err
	}
	n := &BucketNotifications{}
	for i := range d.Configs {
		if err := n.checkARN(&d.Configs[i]); err != nil {
			return nil, err
		}
	}
	return d.marshal(), nil
}

// MatchingConfigurations returns the ids of the configurations of doc
// that a change of event (without "s3:") to key is delivered to.
func MatchingConfigurations(doc []byte, event, key string) ([]string, error) {
	d, err := parseNotification(doc)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, c := range d.Configs {
		if c.matches(event, encodeKey(key)) {
			ids = append(ids, c.ID)
		}
	}
	return ids, nil
}

// S3Record renders the event a configuration receives for a change.
func S3Record(c buckets.Change, region, account, configID string) ([]byte, error) {
	return marshalS3Event(newS3Record(&c, recordInput{Region: region, Account: account, ConfigurationID: configID}))
}

// EncodeKey encodes a key as records carry it.
var EncodeKey = encodeKey

// S3TestEvent renders s3:TestEvent.
func S3TestEvent(bucket, requestID string, now time.Time) ([]byte, error) {
	return newTestEvent(bucket, requestID, now)
}
