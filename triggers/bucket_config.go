package triggers

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"io"
	"slices"
	"strings"

	"github.com/eddyserverless/eddy"
)

// s3Namespace is the namespace of S3's XML documents.
const s3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/"

// Destination kinds of a notification configuration, by the XML element
// that holds them.
const (
	kindTopic    = "TopicConfiguration"
	kindQueue    = "QueueConfiguration"
	kindFunction = "CloudFunctionConfiguration"
)

// s3Events are the event types S3 accepts in a notification configuration
// (the Event enum of the botocore model). eddy accepts all of them; the
// buckets service produces the object created and removed ones.
var s3Events = []string{
	"s3:ReducedRedundancyLostObject",
	"s3:ObjectCreated:*", "s3:ObjectCreated:Put", "s3:ObjectCreated:Post", "s3:ObjectCreated:Copy",
	"s3:ObjectCreated:CompleteMultipartUpload",
	"s3:ObjectRemoved:*", "s3:ObjectRemoved:Delete", "s3:ObjectRemoved:DeleteMarkerCreated",
	"s3:ObjectRestore:*", "s3:ObjectRestore:Post", "s3:ObjectRestore:Completed", "s3:ObjectRestore:Delete",
	"s3:Replication:*", "s3:Replication:OperationFailedReplication", "s3:Replication:OperationNotTracked",
	"s3:Replication:OperationMissedThreshold", "s3:Replication:OperationReplicatedAfterThreshold",
	"s3:LifecycleTransition", "s3:IntelligentTiering", "s3:ObjectAcl:Put",
	"s3:LifecycleExpiration:*", "s3:LifecycleExpiration:Delete", "s3:LifecycleExpiration:DeleteMarkerCreated",
	"s3:ObjectTagging:*", "s3:ObjectTagging:Put", "s3:ObjectTagging:Delete",
}

// S3's messages for the configurations it refuses.
const (
	msgMalformedXML  = "The XML you provided was not well-formed or did not validate against our published schema"
	msgBadEvent      = "The event is not supported for notifications"
	msgBadARN        = "The ARN could not be parsed"
	msgDestination   = "Unable to validate the following destination configurations"
	msgOverlap       = "Configurations overlap. Configurations on the same bucket cannot share a common event type."
	msgRuleName      = "filter rule name must be either prefix or suffix"
	msgEmptyValue    = "filter value cannot be empty"
	msgTwoPrefixes   = "Cannot specify more than one prefix rule in a filter."
	msgTwoSuffixes   = "Cannot specify more than one suffix rule in a filter."
	msgRegionInvalid = "The notification destination service region is not valid for the bucket location constraint"
)

func malformedXML() error {
	return eddy.TypedErrorf(eddy.EMALFORMED, "MalformedXML", msgMalformedXML)
}

func invalidArgument(msg string) error {
	return eddy.TypedErrorf(eddy.EINVALID, "InvalidArgument", "%s", msg)
}

// notifyConfig is one destination of a bucket's notification configuration.
type notifyConfig struct {
	Kind   string // kindTopic, kindQueue or kindFunction
	ID     string
	ARN    string
	Events []string
	// Prefix and Suffix are the key filter; "" matches every key.
	Prefix, Suffix string
}

// notifyDoc is a parsed NotificationConfiguration.
type notifyDoc struct {
	Configs     []notifyConfig
	EventBridge bool
}

// The XML shapes of NotificationConfiguration, by the element names of
// S3's model (locationName, not the member names). Unknown collects
// elements the model does not have: S3 refuses them as MalformedXML.
type notificationXML struct {
	XMLName     xml.Name
	Topics      []configXML      `xml:"TopicConfiguration"`
	Queues      []configXML      `xml:"QueueConfiguration"`
	Functions   []configXML      `xml:"CloudFunctionConfiguration"`
	EventBridge []eventBridgeXML `xml:"EventBridgeConfiguration"`
	Unknown     []unknownXML     `xml:",any"`
}

type configXML struct {
	ID            []string     `xml:"Id"`
	Topic         []string     `xml:"Topic"`
	Queue         []string     `xml:"Queue"`
	CloudFunction []string     `xml:"CloudFunction"`
	Events        []string     `xml:"Event"`
	Filter        []filterXML  `xml:"Filter"`
	Unknown       []unknownXML `xml:",any"`
}

type filterXML struct {
	S3Key   []s3KeyXML   `xml:"S3Key"`
	Unknown []unknownXML `xml:",any"`
}

type s3KeyXML struct {
	Rules   []ruleXML    `xml:"FilterRule"`
	Unknown []unknownXML `xml:",any"`
}

type ruleXML struct {
	Name    []string     `xml:"Name"`
	Value   []string     `xml:"Value"`
	Unknown []unknownXML `xml:",any"`
}

type eventBridgeXML struct {
	Unknown []unknownXML `xml:",any"`
}

type unknownXML struct {
	XMLName xml.Name
}

// one returns the only value of an element that may appear once: ok is
// false if it appears more than once.
func one(v []string) (s string, present, ok bool) {
	switch len(v) {
	case 0:
		return "", false, true
	case 1:
		return v[0], true, true
	}
	return "", true, false
}

// parseNotification parses a NotificationConfiguration document (its
// namespace optional) into its configurations, with the filter rules
// checked as S3 checks them. An empty document is an empty configuration.
// It does not fill in ids or look destinations up.
func parseNotification(doc []byte) (*notifyDoc, error) {
	if len(bytes.TrimSpace(doc)) == 0 {
		return &notifyDoc{}, nil
	}
	var x notificationXML
	dec := xml.NewDecoder(bytes.NewReader(doc))
	if err := dec.Decode(&x); err != nil {
		return nil, malformedXML()
	}
	// Nothing but white space, comments or processing instructions may
	// follow the root element.
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, malformedXML()
		}
		switch t := tok.(type) {
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return nil, malformedXML()
			}
		case xml.Comment, xml.ProcInst:
		default:
			return nil, malformedXML()
		}
	}
	if x.XMLName.Local != "NotificationConfiguration" || (x.XMLName.Space != "" && x.XMLName.Space != s3Namespace) || len(x.Unknown) > 0 {
		return nil, malformedXML()
	}
	d := &notifyDoc{}
	switch len(x.EventBridge) {
	case 0:
	case 1:
		if len(x.EventBridge[0].Unknown) > 0 {
			return nil, malformedXML()
		}
		d.EventBridge = true
	default:
		return nil, malformedXML()
	}
	for _, group := range []struct {
		kind    string
		configs []configXML
	}{{kindTopic, x.Topics}, {kindQueue, x.Queues}, {kindFunction, x.Functions}} {
		for _, cx := range group.configs {
			c, err := parseConfig(group.kind, &cx)
			if err != nil {
				return nil, err
			}
			d.Configs = append(d.Configs, c)
		}
	}
	return d, nil
}

func parseConfig(kind string, cx *configXML) (notifyConfig, error) {
	c := notifyConfig{Kind: kind}
	if len(cx.Unknown) > 0 {
		return c, malformedXML()
	}
	var ok bool
	if c.ID, _, ok = one(cx.ID); !ok {
		return c, malformedXML()
	}
	arns := map[string][]string{kindTopic: cx.Topic, kindQueue: cx.Queue, kindFunction: cx.CloudFunction}
	for k, v := range arns {
		if k != kind && len(v) > 0 {
			return c, malformedXML()
		}
	}
	arn, present, ok := one(arns[kind])
	if !present || !ok {
		return c, malformedXML()
	}
	c.ARN = strings.TrimSpace(arn)
	if len(cx.Events) == 0 {
		return c, malformedXML()
	}
	for _, e := range cx.Events {
		e = strings.TrimSpace(e)
		if !slices.Contains(s3Events, e) {
			return c, invalidArgument(msgBadEvent)
		}
		if !slices.Contains(c.Events, e) {
			c.Events = append(c.Events, e)
		}
	}
	if len(cx.Filter) > 1 {
		return c, malformedXML()
	}
	for _, f := range cx.Filter {
		if len(f.Unknown) > 0 || len(f.S3Key) > 1 {
			return c, malformedXML()
		}
		for _, k := range f.S3Key {
			if len(k.Unknown) > 0 {
				return c, malformedXML()
			}
			if err := c.parseRules(k.Rules); err != nil {
				return c, err
			}
		}
	}
	return c, nil
}

// parseRules applies a filter's rules: at most one prefix and one suffix,
// named in any case, each with a value.
func (c *notifyConfig) parseRules(rules []ruleXML) error {
	var prefix, suffix bool
	for _, r := range rules {
		if len(r.Unknown) > 0 {
			return malformedXML()
		}
		name, _, ok := one(r.Name)
		if !ok {
			return malformedXML()
		}
		value, _, ok := one(r.Value)
		if !ok {
			return malformedXML()
		}
		switch strings.ToLower(name) {
		case "prefix":
			if prefix {
				return invalidArgument(msgTwoPrefixes)
			}
			prefix = true
			c.Prefix = value
		case "suffix":
			if suffix {
				return invalidArgument(msgTwoSuffixes)
			}
			suffix = true
			c.Suffix = value
		default:
			return invalidArgument(msgRuleName)
		}
		if value == "" {
			return invalidArgument(msgEmptyValue)
		}
	}
	return nil
}

// checkOverlap refuses configurations that share an event type and whose
// filters could both match one key: S3's rule, with the root prefix (and
// the root suffix) overlapping every other.
func checkOverlap(cs []notifyConfig) error {
	for i := range cs {
		for j := i + 1; j < len(cs); j++ {
			if overlaps(&cs[i], &cs[j]) {
				return invalidArgument(msgOverlap)
			}
		}
	}
	return nil
}

func overlaps(a, b *notifyConfig) bool {
	if !eventsOverlap(a.Events, b.Events) {
		return false
	}
	prefixes := strings.HasPrefix(a.Prefix, b.Prefix) || strings.HasPrefix(b.Prefix, a.Prefix)
	suffixes := strings.HasSuffix(a.Suffix, b.Suffix) || strings.HasSuffix(b.Suffix, a.Suffix)
	return prefixes && suffixes
}

// eventsOverlap reports whether two event lists share an event type: the
// same event, or a wildcard and an event of its family.
func eventsOverlap(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if eventCovers(x, y) || eventCovers(y, x) {
				return true
			}
		}
	}
	return false
}

// eventCovers reports whether a configured event (s3:ObjectCreated:*, or
// an exact one) includes event e (both with "s3:").
func eventCovers(configured, e string) bool {
	if configured == e {
		return true
	}
	family, ok := strings.CutSuffix(configured, "*")
	return ok && strings.HasPrefix(e, family)
}

// matches reports whether a change — its event name without "s3:" and
// its key as the notification encodes it — is one this configuration
// is for. S3 applies the filter to the encoded key: its documentation
// asks for a space in a prefix or suffix to be written as "+", and other
// special characters percent-encoded.
func (c *notifyConfig) matches(event, encodedKey string) bool {
	covered := false
	for _, e := range c.Events {
		if eventCovers(e, "s3:"+event) {
			covered = true
			break
		}
	}
	return covered && strings.HasPrefix(encodedKey, c.Prefix) && strings.HasSuffix(encodedKey, c.Suffix)
}

// newConfigID returns an id as S3 generates one for a configuration
// without: a random UUID, base64-encoded.
func newConfigID() string {
	return base64.StdEncoding.EncodeToString([]byte(eddy.NewID()))
}

// marshal renders the configuration as GetBucketNotificationConfiguration
// returns it: in S3's namespace, topics, queues and functions in that
// order, each with its Id, destination, events and filter (rule names
// capitalized, as S3 stores them).
func (d *notifyDoc) marshal() []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<NotificationConfiguration xmlns="` + s3Namespace + `">`)
	for _, kind := range []string{kindTopic, kindQueue, kindFunction} {
		for _, c := range d.Configs {
			if c.Kind != kind {
				continue
			}
			b.WriteString("<" + kind + ">")
			element(&b, "Id", c.ID)
			element(&b, destElement(kind), c.ARN)
			for _, e := range c.Events {
				element(&b, "Event", e)
			}
			if c.Prefix != "" || c.Suffix != "" {
				b.WriteString("<Filter><S3Key>")
				if c.Prefix != "" {
					b.WriteString("<FilterRule>")
					element(&b, "Name", "Prefix")
					element(&b, "Value", c.Prefix)
					b.WriteString("</FilterRule>")
				}
				if c.Suffix != "" {
					b.WriteString("<FilterRule>")
					element(&b, "Name", "Suffix")
					element(&b, "Value", c.Suffix)
					b.WriteString("</FilterRule>")
				}
				b.WriteString("</S3Key></Filter>")
			}
			b.WriteString("</" + kind + ">")
		}
	}
	if d.EventBridge {
		b.WriteString("<EventBridgeConfiguration></EventBridgeConfiguration>")
	}
	b.WriteString("</NotificationConfiguration>")
	return b.Bytes()
}

// destElement is the element that holds a configuration's ARN.
func destElement(kind string) string {
	switch kind {
	case kindTopic:
		return "Topic"
	case kindQueue:
		return "Queue"
	}
	return "CloudFunction"
}

func element(b *bytes.Buffer, name, value string) {
	b.WriteString("<" + name + ">")
	_ = xml.EscapeText(b, []byte(value))
	b.WriteString("</" + name + ">")
}
