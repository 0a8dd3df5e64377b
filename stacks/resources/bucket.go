package resources

import (
	"bytes"
	"context"
	"encoding/xml"
	"net/url"
	"strings"

	"github.com/eddyserverless/eddy"
	"github.com/eddyserverless/eddy/buckets"
	"github.com/eddyserverless/eddy/stacks"
)

// bucketHandler is AWS::S3::Bucket: Ref is the bucket name; Arn,
// DomainName, RegionalDomainName, DualStackDomainName and WebsiteURL,
// the host names being eddy's (BUCKET.s3.localhost) rather than AWS's.
type bucketHandler struct {
	s        buckets.API
	endpoint string
}

func (h *bucketHandler) Spec() stacks.Spec {
	return stacks.Spec{
		Properties: []string{"AccessControl", "BucketEncryption", "BucketName", "CorsConfiguration",
			"LifecycleConfiguration", "NotificationConfiguration", "OwnershipControls",
			"PublicAccessBlockConfiguration", "Tags", "VersioningConfiguration", "WebsiteConfiguration"},
		Replace:    []string{"BucketName"},
		Attributes: []string{"Arn", "DomainName", "DualStackDomainName", "RegionalDomainName", "WebsiteURL"},
	}
}

// bucketDocs are a bucket's configuration documents, nil for none.
type bucketDocs map[buckets.Config][]byte

type xmlFilterRule struct {
	Name  string `xml:"Name"`
	Value string `xml:"Value"`
}

type xmlNotify struct {
	ID       string          `xml:"Id,omitempty"`
	Queue    string          `xml:"Queue,omitempty"`
	Function string          `xml:"CloudFunction,omitempty"`
	Topic    string          `xml:"Topic,omitempty"`
	Events   []string        `xml:"Event"`
	Rules    []xmlFilterRule `xml:"Filter>S3Key>FilterRule,omitempty"`
}

type xmlNotification struct {
	XMLName   xml.Name    `xml:"NotificationConfiguration"`
	Queues    []xmlNotify `xml:"QueueConfiguration"`
	Functions []xmlNotify `xml:"CloudFunctionConfiguration"`
	Topics    []xmlNotify `xml:"TopicConfiguration"`
}

type xmlCORSRule struct {
	ID             string   `xml:"ID,omitempty"`
	AllowedHeaders []string `xml:"AllowedHeader"`
	AllowedMethods []string `xml:"AllowedMethod"`
	AllowedOrigins []string `xml:"AllowedOrigin"`
	ExposeHeaders  []string `xml:"ExposeHeader"`
	MaxAge         *int     `xml:"MaxAgeSeconds,omitempty"`
}

type xmlCORS struct {
	XMLName xml.Name      `xml:"CORSConfiguration"`
	Rules   []xmlCORSRule `xml:"CORSRule"`
}

type xmlWebsite struct {
	XMLName       xml.Name `xml:"WebsiteConfiguration"`
	IndexDocument *struct {
		Suffix string
	} `xml:",omitempty"`
	ErrorDocument *struct {
		Key string
	} `xml:",omitempty"`
	RedirectAllRequestsTo *struct {
		HostName string
		Protocol string `xml:",omitempty"`
	} `xml:",omitempty"`
}

type xmlTag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

type xmlTagging struct {
	XMLName xml.Name `xml:"Tagging"`
	Tags    []xmlTag `xml:"TagSet>Tag"`
}

func marshalXML(v any) []byte {
	var buf bytes.Buffer
	_ = xml.NewEncoder(&buf).Encode(v) // the documents are built of strings
	return buf.Bytes()
}

func (h *bucketHandler) parse(m map[string]any) (string, bucketDocs, error) {
	p := newProps(m)
	p.only(h.Spec().Properties...)
	name := p.str("BucketName")
	docs := bucketDocs{buckets.ConfigNotification: nil, buckets.ConfigCORS: nil, buckets.ConfigWebsite: nil, buckets.ConfigTagging: nil}

	if n := p.sub("NotificationConfiguration"); n.m != nil {
		n.only("EventBridgeConfiguration", "LambdaConfigurations", "QueueConfigurations", "TopicConfigurations")
		if n.has("EventBridgeConfiguration") {
			n.fail("EventBridgeConfiguration", "EventBridge notifications are not supported by eddy")
		}
		var doc xmlNotification
		read := func(list, target string) []xmlNotify {
			var out []xmlNotify
			for _, c := range n.objects(list) {
				c.only("Event", "Filter", target)
				c.require("Event", target)
				x := xmlNotify{Events: []string{c.str("Event")}}
				switch target {
				case "Queue":
					x.Queue = c.str(target)
				case "Function":
					x.Function = c.str(target)
				case "Topic":
					x.Topic = c.str(target)
				}
				f := c.sub("Filter")
				f.only("S3Key")
				k := f.sub("S3Key")
				k.only("Rules")
				for _, r := range k.objects("Rules") {
					r.only("Name", "Value")
					r.require("Name", "Value")
					x.Rules = append(x.Rules, xmlFilterRule{Name: r.str("Name"), Value: r.str("Value")})
				}
				out = append(out, x)
			}
			return out
		}
		doc.Queues = read("QueueConfigurations", "Queue")
		doc.Functions = read("LambdaConfigurations", "Function")
		doc.Topics = read("TopicConfigurations", "Topic")
		docs[buckets.ConfigNotification] = marshalXML(&doc)
	}
	if c := p.sub("CorsConfiguration"); c.m != nil {
		c.only("CorsRules")
		c.require("CorsRules")
		var doc xmlCORS
		for _, r := range c.objects("CorsRules") {
			r.only("AllowedHeaders", "AllowedMethods", "AllowedOrigins", "ExposedHeaders", "Id", "MaxAge")
			r.require("AllowedMethods", "AllowedOrigins")
			doc.Rules = append(doc.Rules, xmlCORSRule{ID: r.str("Id"), AllowedHeaders: r.strs("AllowedHeaders"),
				AllowedMethods: r.strs("AllowedMethods"), AllowedOrigins: r.strs("AllowedOrigins"),
				ExposeHeaders: r.strs("ExposedHeaders"), MaxAge: r.integer("MaxAge")})
		}
		docs[buckets.ConfigCORS] = marshalXML(&doc)
	}
	if w := p.sub("WebsiteConfiguration"); w.m != nil {
		w.only("ErrorDocument", "IndexDocument", "RedirectAllRequestsTo", "RoutingRules")
		if w.has("RoutingRules") {
			w.fail("RoutingRules", "Website routing rules are not supported in templates by eddy")
		}
		var doc xmlWebsite
		if w.has("IndexDocument") {
			doc.IndexDocument = &struct{ Suffix string }{w.str("IndexDocument")}
		}
		if w.has("ErrorDocument") {
			doc.ErrorDocument = &struct{ Key string }{w.str("ErrorDocument")}
		}
		if rd := w.sub("RedirectAllRequestsTo"); rd.m != nil {
			rd.only("HostName", "Protocol")
			rd.require("HostName")
			doc.RedirectAllRequestsTo = &struct {
				HostName string
				Protocol string `xml:",omitempty"`
			}{rd.str("HostName"), rd.str("Protocol")}
		}
		docs[buckets.ConfigWebsite] = marshalXML(&doc)
	}
	if tags := p.tags("Tags"); len(tags) > 0 {
		var doc xmlTagging
		for _, t := range p.objects("Tags") {
			doc.Tags = append(doc.Tags, xmlTag{Key: t.str("Key"), Value: t.str("Value")})
		}
		docs[buckets.ConfigTagging] = marshalXML(&doc)
	}
	// The rest are accepted and not enforced: eddy's buckets are
	// unversioned, unencrypted at rest by S3's keys and private.
	for _, k := range []string{"BucketEncryption", "LifecycleConfiguration", "OwnershipControls", "PublicAccessBlockConfiguration", "VersioningConfiguration"} {
		p.sub(k)
	}
	p.str("AccessControl")
	return name, docs, p.Err()
}

func (h *bucketHandler) result(r *stacks.Request, name string) *stacks.Result {
	u, err := url.Parse(h.endpoint)
	scheme, port := "http", ""
	if err == nil {
		scheme = u.Scheme
		if u.Port() != "" {
			port = ":" + u.Port()
		}
	}
	region := r.Stack.Region
	return &stacks.Result{PhysicalID: name, Attributes: map[string]any{
		"Arn":                 "arn:aws:s3:::" + name,
		"DomainName":          name + ".s3.localhost",
		"RegionalDomainName":  name + ".s3." + region + ".localhost",
		"DualStackDomainName": name + ".s3.dualstack." + region + ".localhost",
		"WebsiteURL":          scheme + "://" + name + ".s3-website-" + region + ".localhost" + port,
	}}
}

// putDocs stores each document that differs from the old one; a nil one
// deletes its configuration.
func (h *bucketHandler) putDocs(ctx context.Context, name string, docs, old bucketDocs) error {
	for _, c := range []buckets.Config{buckets.ConfigTagging, buckets.ConfigCORS, buckets.ConfigWebsite, buckets.ConfigNotification} {
		if old != nil && bytes.Equal(docs[c], old[c]) {
			continue
		}
		if docs[c] == nil && old == nil {
			continue
		}
		if err := h.s.PutConfig(ctx, name, c, docs[c]); err != nil {
			return err
		}
	}
	return nil
}

func (h *bucketHandler) Create(ctx context.Context, r *stacks.Request) (*stacks.Result, error) {
	name, docs, err := h.parse(r.Properties)
	if err != nil {
		return nil, err
	}
	if name == "" {
		name = strings.ToLower(r.GeneratedName(63))
	}
	if err := h.s.CreateBucket(ctx, name, r.Stack.Region); err != nil {
		return nil, err
	}
	if err := h.putDocs(ctx, name, docs, nil); err != nil {
		_ = h.s.DeleteBucket(ctx, name)
		return nil, err
	}
	return h.result(r, name), nil
}

func (h *bucketHandler) Update(ctx context.Context, r *stacks.Request) (*stacks.Result, error) {
	_, docs, err := h.parse(r.Properties)
	if err != nil {
		return nil, err
	}
	if changed(r.OldProperties, r.Properties, h.Spec().Replace...) {
		return nil, stacks.ErrReplace
	}
	_, old, err := h.parse(r.OldProperties)
	if err != nil {
		old = nil
	}
	if old == nil {
		old = bucketDocs{}
	}
	if err := h.putDocs(ctx, r.PhysicalID, docs, old); err != nil {
		return nil, err
	}
	return h.result(r, r.PhysicalID), nil
}

// Delete deletes the bucket; like CloudFormation, it fails for a bucket
// that still holds objects.
func (h *bucketHandler) Delete(ctx context.Context, r *stacks.Request) error {
	name := r.PhysicalID
	if name == "" {
		if given, _, err := h.parse(oldOr(r)); err == nil {
			name = strings.ToLower(interrupted(r, given, 63))
		}
		if name == "" {
			return nil
		}
	}
	err := h.s.DeleteBucket(ctx, name)
	if e := eddy.AsError(err); e != nil && e.Type == "NoSuchBucket" {
		return nil
	}
	return ignoreNotFound(err)
}
