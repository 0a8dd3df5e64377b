package awsapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/eddyserverless/eddy/awsapi"
)

const sqsSignature = "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=0"

// FuzzSQSQueryForm feeds arbitrary forms to the query protocol: each gets
// a result or a client error, never a fault, and always well-formed XML.
func FuzzSQSQueryForm(f *testing.F) {
	for _, tc := range sqsCases {
		f.Add(queryForm(tc.op, tc.form))
	}
	for _, s := range []string{
		"",
		"Action=",
		"Action=SendMessage&MessageBody=%",
		"Action=SendMessage&QueueUrl=u&MessageBody=b&MessageAttribute.1.Name=a&MessageAttribute.01.Name=b&MessageAttribute.0.Name=c",
		"Action=SendMessage&QueueUrl=u&MessageBody=b&MessageAttribute.99999999999999999999.Name=a&MessageAttribute.3.Value.StringListValue.2=x",
		"Action=SendMessageBatch&QueueUrl=u&SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.BinaryListValue.1=AA%3D%3D",
		"Action=ReceiveMessage&QueueUrl=u&AttributeName..1=x&AttributeName.1.=y&.1=z&AttributeName.=w",
		"Action=CreateQueue&QueueName=q&Attribute.1.Value=v&Tag.1.Key=k&Tag.1.Key=k2&Tag.2.Key=k",
		"Action=ChangeMessageVisibilityBatch&QueueUrl=u&ChangeMessageVisibilityBatchRequestEntry.1.VisibilityTimeout=99999999999999999999",
		"Action=ListQueues&MaxResults=-1&&&=&Action=DeleteQueue",
		"Action=DeleteQueue&QueueUrl=%FF%FE",
	} {
		f.Add(s)
	}
	h := &awsapi.Handler{Queues: &fakeQueues{outs: map[string]any{}}}
	f.Fuzz(func(t *testing.T, form string) {
		for _, method := range []string{http.MethodPost, http.MethodGet} {
			var req *http.Request
			if method == http.MethodPost {
				req = httptest.NewRequest(method, "/000000000000/orders", strings.NewReader(form))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			} else {
				req = httptest.NewRequest(method, "/", nil)
				req.URL.RawQuery = form
			}
			req.Header.Set("Authorization", sqsSignature)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code >= 500 {
				t.Fatalf("%s %q: got status %d: %s", method, form, rec.Code, rec.Body)
			}
			if err := xmlWellFormed(rec.Body.Bytes()); err != nil {
				t.Fatalf("%s %q: %v in %s", method, form, err, rec.Body)
			}
		}
	})
}

// FuzzSQSJSON feeds arbitrary bodies to each JSON operation: each gets a
// result or a client error, never a fault, and always valid JSON.
func FuzzSQSJSON(f *testing.F) {
	for _, tc := range sqsCases {
		f.Add(tc.op, mustJSON(f, tc.input))
	}
	for _, s := range []string{``, `null`, `[]`, `{"QueueUrl":null}`, `{"QueueUrl":"u","MessageBody":"x","DelaySeconds":1e99}`,
		`{"QueueUrl":"u","Entries":[null,{}]}`, `{"QueueUrl":"u","MessageAttributes":{"a":null}}`, `"\ud800"`, `{"QueueUrl":"\ud800"}`} {
		f.Add("SendMessageBatch", s)
		f.Add("SendMessage", s)
	}
	f.Add("Nope", `{}`)
	h := &awsapi.Handler{Queues: &fakeQueues{outs: map[string]any{}}}
	f.Fuzz(func(t *testing.T, op, body string) {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		req.Header.Set("X-Amz-Target", "AmazonSQS."+op)
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %q: got status %d: %s", op, body, rec.Code, rec.Body)
		}
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%s %q: got invalid JSON %s", op, body, rec.Body)
		}
	})
}
