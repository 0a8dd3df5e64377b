package queues

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// meta is a queue's definition as it is kept in the catalog bucket.
type meta struct {
	Name string `json:"name"`
	// ID names the queue's stream; a queue deleted and created again gets
	// a new one.
	ID       string `json:"id"`
	Created  int64  `json:"created"`  // Unix seconds
	Modified int64  `json:"modified"` // Unix seconds
	// Attrs are the settable attributes as the queue was given them, with
	// SQS's defaults for the others.
	Attrs map[string]string `json:"attrs"`
	Tags  map[string]string `json:"tags,omitempty"`
}

// settings are a queue's attributes parsed.
type settings struct {
	visibility   int // seconds
	delay        int // seconds
	retention    int // seconds
	maxSize      int // bytes
	wait         int // seconds
	fifo         bool
	contentDedup bool
	groupScope   bool   // DeduplicationScope messageGroup
	dlq          string // the dead-letter queue's name, or ""
	maxReceive   int
}

func (m *meta) settings() settings {
	a := m.Attrs
	n := func(k string) int { v, _ := strconv.Atoi(a[k]); return v }
	s := settings{
		visibility:   n("VisibilityTimeout"),
		delay:        n("DelaySeconds"),
		retention:    n("MessageRetentionPeriod"),
		maxSize:      n("MaximumMessageSize"),
		wait:         n("ReceiveMessageWaitTimeSeconds"),
		fifo:         a["FifoQueue"] == "true",
		contentDedup: a["ContentBasedDeduplication"] == "true",
		groupScope:   a["DeduplicationScope"] == "messageGroup",
	}
	if rp, err := parseRedrivePolicy(a["RedrivePolicy"]); err == nil && rp != nil {
		s.dlq, s.maxReceive = nameOfArn(rp.DeadLetterTargetArn), rp.MaxReceiveCount
	}
	return s
}

// The attributes a queue can be given, with their defaults.
var (
	commonDefaults = map[string]string{
		"DelaySeconds":                  "0",
		"MaximumMessageSize":            "1048576",
		"MessageRetentionPeriod":        "345600",
		"ReceiveMessageWaitTimeSeconds": "0",
		"VisibilityTimeout":             "30",
		"SqsManagedSseEnabled":          "true",
	}
	fifoDefaults = map[string]string{
		"FifoQueue":                 "true",
		"ContentBasedDeduplication": "false",
		"DeduplicationScope":        "queue",
		"FifoThroughputLimit":       "perQueue",
	}
	// optional attributes are returned only when set.
	optionalAttrs = []string{"Policy", "RedrivePolicy", "RedriveAllowPolicy", "KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds"}
	// readOnlyAttrs are computed.
	readOnlyAttrs = []string{"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
		"ApproximateNumberOfMessagesDelayed", "CreatedTimestamp", "LastModifiedTimestamp", "QueueArn"}
)

var intRanges = map[string][2]int{
	"DelaySeconds":                  {0, 900},
	"MaximumMessageSize":            {1024, 1048576},
	"MessageRetentionPeriod":        {60, 1209600},
	"ReceiveMessageWaitTimeSeconds": {0, 20},
	"VisibilityTimeout":             {0, 43200},
	"KmsDataKeyReusePeriodSeconds":  {60, 86400},
}

var queueNameRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

// checkName validates a queue name.
func checkName(name string) error {
	base := strings.TrimSuffix(name, ".fifo")
	if len(name) > 80 || !queueNameRE.MatchString(base) {
		return invalidValue("Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
	}
	return nil
}

// redrivePolicy is the RedrivePolicy attribute.
type redrivePolicy struct {
	DeadLetterTargetArn string `json:"deadLetterTargetArn"`
	MaxReceiveCount     int    `json:"maxReceiveCount"`
}

// parseRedrivePolicy reads a RedrivePolicy; "" is none.
func parseRedrivePolicy(v string) (*redrivePolicy, error) {
	if v == "" {
		return nil, nil
	}
	var raw map[string]any
	if err := json.Unmarshal([]byte(v), &raw); err != nil {
		return nil, badAttrValue("RedrivePolicy")
	}
	rp := &redrivePolicy{}
	arn, _ := raw["deadLetterTargetArn"].(string)
	if arn == "" {
		return nil, invalidValue("Value %s for parameter RedrivePolicy is invalid. Reason: Redrive policy does not contain mandatory attribute: deadLetterTargetArn.", v)
	}
	rp.DeadLetterTargetArn = arn
	switch c := raw["maxReceiveCount"].(type) {
	case float64:
		rp.MaxReceiveCount = int(c)
	case string:
		n, err := strconv.Atoi(c)
		if err != nil {
			return nil, invalidValue("Value %s for parameter RedrivePolicy is invalid. Reason: Invalid value for maxReceiveCount: %s, valid values are from 1 to 1000 both inclusive.", v, c)
		}
		rp.MaxReceiveCount = n
	case nil:
		return nil, invalidValue("Value %s for parameter RedrivePolicy is invalid. Reason: Redrive policy does not contain mandatory attribute: maxReceiveCount.", v)
	default:
		return nil, badAttrValue("RedrivePolicy")
	}
	if rp.MaxReceiveCount < 1 || rp.MaxReceiveCount > 1000 {
		return nil, invalidValue("Value %s for parameter RedrivePolicy is invalid. Reason: Invalid value for maxReceiveCount: %d, valid values are from 1 to 1000 both inclusive.", v, rp.MaxReceiveCount)
	}
	return rp, nil
}

// nameOfArn returns the queue name of an SQS ARN, or "".
func nameOfArn(arn string) string {
	parts := strings.Split(arn, ":")
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "sqs" {
		return ""
	}
	return parts[5]
}

// checkAttrs validates attributes for a queue that is (or will be) FIFO or
// not. creating allows FifoQueue. lookup finds other queues, for the
// dead-letter queue of a redrive policy.
func (s *Service) checkAttrs(attrs map[string]string, fifo, creating bool) error {
	for _, k := range sortedKeys(attrs) {
		v := attrs[k]
		if r, ok := intRanges[k]; ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil || n < r[0] || n > r[1] {
				return badAttrValue(k)
			}
			continue
		}
		switch k {
		case "Policy":
			if v != "" && !json.Valid([]byte(v)) {
				return badAttrValue(k)
			}
		case "RedrivePolicy":
			rp, err := parseRedrivePolicy(v)
			if err != nil {
				return err
			}
			if rp == nil {
				continue
			}
			dlq := s.metaByName(nameOfArn(rp.DeadLetterTargetArn))
			if dlq == nil {
				return invalidValue("Value %s for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.", v)
			}
			if (dlq.Attrs["FifoQueue"] == "true") != fifo {
				return invalidValue("Value %s for parameter RedrivePolicy is invalid. Reason: Dead-letter target must be of the same type as the source.", v)
			}
		case "RedriveAllowPolicy":
			var p struct {
				RedrivePermission string   `json:"redrivePermission"`
				SourceQueueArns   []string `json:"sourceQueueArns"`
			}
			if err := json.Unmarshal([]byte(v), &p); err != nil ||
				!slices.Contains([]string{"allowAll", "denyAll", "byQueue"}, p.RedrivePermission) ||
				(p.RedrivePermission != "byQueue" && len(p.SourceQueueArns) > 0) || len(p.SourceQueueArns) > 10 {
				return invalidValue("Value %s for parameter RedriveAllowPolicy is invalid.", v)
			}
		case "KmsMasterKeyId":
		case "SqsManagedSseEnabled":
			if v != "true" && v != "false" {
				return badAttrValue(k)
			}
		case "FifoQueue":
			if !creating {
				return invalidValue("Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported.")
			}
			if v != "true" && v != "false" {
				return badAttrValue(k)
			}
			if (v == "true") != fifo {
				return invalidValue("The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.")
			}
		case "ContentBasedDeduplication":
			if !fifo {
				return badAttrName(k)
			}
			if v != "true" && v != "false" {
				return badAttrValue(k)
			}
		case "DeduplicationScope":
			if !fifo {
				return badAttrName(k)
			}
			if v != "queue" && v != "messageGroup" {
				return badAttrValue(k)
			}
		case "FifoThroughputLimit":
			if !fifo {
				return badAttrName(k)
			}
			if v != "perQueue" && v != "perMessageGroupId" {
				return badAttrValue(k)
			}
		default:
			return badAttrName(k)
		}
	}
	if fifo {
		scope, limit := attrs["DeduplicationScope"], attrs["FifoThroughputLimit"]
		if limit == "perMessageGroupId" && scope == "queue" {
			return invalidValue("The queue attribute FifoThroughputLimit can be set to perMessageGroupId only when DeduplicationScope is set to messageGroup.")
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// arn returns a queue's ARN.
func (s *Service) arn(name string) string {
	return fmt.Sprintf("arn:aws:sqs:%s:%s:%s", s.cfg.Region, s.cfg.Account, name)
}

// urlOf returns a queue's URL on the endpoint.
func (s *Service) urlOf(endpoint, name string) string {
	return strings.TrimRight(endpoint, "/") + "/" + s.cfg.Account + "/" + name
}

// nameOfURL returns the queue name a queue URL names: its last path
// segment, under the account. A bare name is accepted too.
func (s *Service) nameOfURL(raw string) (string, error) {
	if raw == "" {
		return "", missing("QueueUrl")
	}
	path := raw
	if u, err := url.Parse(raw); err == nil && u.Path != "" {
		path = u.Path
	}
	segs := strings.Split(strings.Trim(path, "/"), "/")
	name := segs[len(segs)-1]
	if len(segs) >= 2 && segs[len(segs)-2] != s.cfg.Account {
		return "", noQueue()
	}
	if name == "" {
		return "", noQueue()
	}
	return name, nil
}
