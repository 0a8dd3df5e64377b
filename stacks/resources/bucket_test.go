package resources_test

import (
	"context"
	"strings"
	"testing"

	"github.com/eddyserverless/eddy/buckets"
)

func TestBucket(t *testing.T) {
	v := newEnv(t)
	ctx := context.Background()
	q := v.create(t, req("AWS::SQS::Queue", "Q", map[string]any{}))
	r := req("AWS::S3::Bucket", "Uploads", map[string]any{
		"NotificationConfiguration": map[string]any{"QueueConfigurations": []any{map[string]any{
			"Event": "s3:ObjectCreated:*", "Queue": q.Attributes["Arn"],
			"Filter": map[string]any{"S3Key": map[string]any{"Rules": []any{map[string]any{"Name": "suffix", "Value": ".jpg"}}}},
		}}},
		"CorsConfiguration": map[string]any{"CorsRules": []any{map[string]any{"AllowedMethods": []any{"GET"}, "AllowedOrigins": []any{"*"}, "MaxAge": 60}}},
		"Tags":              []any{map[string]any{"Key": "app", "Value": "x"}},
	})
	res := v.create(t, r)
	match(t, "Ref", `app-uploads-[a-z0-9]{13}`, res.PhysicalID)
	name := res.PhysicalID
	if res.Attributes["Arn"] != "arn:aws:s3:::"+name || res.Attributes["DomainName"] != name+".s3.localhost" ||
		res.Attributes["RegionalDomainName"] != name+".s3.us-east-1.localhost" {
		t.Errorf("attributes %v", res.Attributes)
	}
	match(t, "WebsiteURL", `http://`+name+`\.s3-website-us-east-1\.localhost:4566`, res.Attributes["WebsiteURL"])
	doc, err := v.buckets.GetConfig(ctx, name, buckets.ConfigNotification)
	if err != nil || !strings.Contains(string(doc), q.Attributes["Arn"].(string)) || !strings.Contains(string(doc), ".jpg") {
		t.Errorf("notification %s, %v", doc, err)
	}
	if doc, err := v.buckets.GetConfig(ctx, name, buckets.ConfigCORS); err != nil || !strings.Contains(string(doc), "<MaxAgeSeconds>60</MaxAgeSeconds>") {
		t.Errorf("cors %s, %v", doc, err)
	}

	// In place: the notifications and CORS go, a website comes.
	props := map[string]any{"WebsiteConfiguration": map[string]any{"IndexDocument": "index.html", "ErrorDocument": "404.html"}}
	if _, err := v.update(t, r, res, props); err != nil {
		t.Fatal(err)
	}
	if doc, err := v.buckets.GetConfig(ctx, name, buckets.ConfigWebsite); err != nil || !strings.Contains(string(doc), "<Suffix>index.html</Suffix>") {
		t.Errorf("website %s, %v", doc, err)
	}
	if doc, _ := v.buckets.GetConfig(ctx, name, buckets.ConfigNotification); strings.Contains(string(doc), "Queue") {
		t.Errorf("notification after update: %s", doc)
	}
	if _, err := v.buckets.GetConfig(ctx, name, buckets.ConfigCORS); err == nil {
		t.Error("CORS configuration after update")
	}
	r.Properties = props
	_, err = v.update(t, r, res, map[string]any{"BucketName": "other"})
	wantReplace(t, err)
	v.deleteTwice(t, r, res)
	if _, err := v.buckets.HeadBucket(ctx, name); err == nil {
		t.Error("bucket exists after delete")
	}

	// A notification to a queue that does not exist fails, and no bucket
	// is left behind.
	bad := req(r.Type, "Bad", map[string]any{"BucketName": "bad-bucket", "NotificationConfiguration": map[string]any{"QueueConfigurations": []any{
		map[string]any{"Event": "s3:ObjectCreated:*", "Queue": "arn:aws:sqs:us-east-1:" + account + ":missing"}}}})
	if _, err := v.h[r.Type].Create(ctx, bad); err == nil {
		t.Error("created a bucket notifying a missing queue")
	}
	if _, err := v.buckets.HeadBucket(ctx, "bad-bucket"); err == nil {
		t.Error("bad-bucket left behind")
	}
	_, err = v.h[r.Type].Create(ctx, req(r.Type, "Bad", map[string]any{"CorsConfiguration": map[string]any{"CorsRules": "all"}}))
	wantInvalid(t, err, "/CorsConfiguration/CorsRules")
}
