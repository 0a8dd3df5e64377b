package awsapi

import (
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/eddyserverless/eddy/queues"
)

// SQS's query protocol: a request is a form (a POST body, or the query
// string of a GET) naming its operation in Action; its result is XML. The
// form's names and the XML's elements are those of SQS's query model
// (botocore's sqs 2012-11-05 model of protocol query, and the xmlName and
// xmlFlattened traits of the current model for the operations added
// since): lists and maps are flattened, as in
// "MessageAttribute.1.Name=color&MessageAttribute.1.Value.DataType=String".

// sqsXMLNamespace is the namespace of every SQS XML document.
const sqsXMLNamespace = "http://queue.amazonaws.com/doc/2012-11-05/"

// serveSQSQuery serves the query protocol.
func (h *Handler) serveSQSQuery(w http.ResponseWriter, r *http.Request) {
	f, err := readQueryForm(r)
	if err != nil {
		h.writeSQSQueryError(w, r, err)
		return
	}
	action, ok := f.get("Action")
	if !ok || action == "" {
		h.writeSQSQueryError(w, r, sqsErrorf("MissingAction", "The request must contain the parameter Action."))
		return
	}
	op, ok := sqsOperations[action]
	if !ok {
		h.writeSQSQueryError(w, r, sqsErrorf("InvalidAction", "The action %s is not valid for this endpoint.", action))
		return
	}
	if h.Queues == nil {
		h.writeSQSQueryError(w, r, sqsErrorf("UnsupportedOperation", "eddy does not serve SQS here."))
		return
	}
	// A request sent to a queue's URL names the queue by its path.
	if _, ok := f.get("QueueUrl"); !ok && r.URL.Path != "" && r.URL.Path != "/" {
		f.values["QueueUrl"] = []string{sqsScheme(r) + "://" + r.Host + r.URL.Path}
	}
	in := op.input()
	op.fromForm(f, in)
	if f.err != nil {
		h.writeSQSQueryError(w, r, f.err)
		return
	}
	out, err := op.call(h.sqsContext(r), h.Queues, in)
	if err != nil {
		h.writeSQSQueryError(w, r, err)
		return
	}
	data, err := sqsXMLResponse(action, op.result(out), requestID(r.Context()))
	if err != nil {
		h.writeSQSQueryError(w, r, err)
		return
	}
	writeXML(w, http.StatusOK, data)
}

// sqsXMLResponse renders an operation's result in SQS's namespace.
func sqsXMLResponse(action string, result any, requestID string) ([]byte, error) {
	return queryXMLResponse(sqsXMLNamespace, action, result, requestID)
}

// sqsQueryMessages are the query protocol's wordings of messages the JSON
// protocol words differently.
var sqsQueryMessages = map[string]string{
	"The specified queue does not exist.": "The specified queue does not exist for this wsdl version.",
}

// writeSQSQueryError renders err as SQS's query protocol does.
func (h *Handler) writeSQSQueryError(w http.ResponseWriter, r *http.Request, err error) {
	e, msg := sqsErrorOf(err)
	h.logError(r, err, e.Status)
	if m, ok := sqsQueryMessages[msg]; ok {
		msg = m
	}
	type xmlError struct {
		Type    string
		Code    string
		Message string
		Detail  struct{}
	}
	body := struct {
		XMLName   xml.Name `xml:"ErrorResponse"`
		Xmlns     string   `xml:"xmlns,attr"`
		Error     xmlError
		RequestId string
	}{Xmlns: sqsXMLNamespace, Error: xmlError{Type: e.fault(), Code: e.Query, Message: msg}, RequestId: requestID(r.Context())}
	data, merr := xml.Marshal(body)
	if merr != nil {
		data = nil // nothing above can fail to marshal; keep the status
	}
	writeXML(w, e.Status, append([]byte(`<?xml version="1.0"?>`), data...))
}

func writeXML(w http.ResponseWriter, status int, data []byte) {
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

// queryForm is a decoded query request. Decoding never fails midway: the
// first problem is kept in err and the rest of the form is still read.
type queryForm struct {
	values url.Values
	// lists holds, for each prefix P of a name "P.N" or "P.N.…" whose N
	// is a positive decimal, the distinct Ns in increasing order.
	lists map[string][]int
	err   error
}

// readQueryForm reads a request's form: the body of a POST, merged with
// the query string (the body wins).
func readQueryForm(r *http.Request) (*queryForm, error) {
	values := url.Values{}
	var bad bool
	if r.Method == http.MethodPost {
		data, err := readSQSBody(r)
		if err != nil {
			return nil, err
		}
		values, bad = parseQuery(string(data))
	}
	q, badQuery := parseQuery(r.URL.RawQuery)
	for k, vs := range q {
		if _, ok := values[k]; !ok {
			values[k] = vs
		}
	}
	if bad || badQuery {
		return nil, sqsErrorf("MalformedQueryString", "The query string is malformed.")
	}
	return newQueryForm(values), nil
}

// parseQuery decodes a form; bad is true if a part of it was not
// well-formed percent-encoding.
func parseQuery(s string) (values url.Values, bad bool) {
	values = url.Values{}
	for s != "" {
		var pair string
		pair, s, _ = strings.Cut(s, "&")
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		key, err1 := url.QueryUnescape(k)
		value, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			bad = true
			continue
		}
		values[key] = append(values[key], value)
	}
	return values, bad
}

func newQueryForm(values url.Values) *queryForm {
	f := &queryForm{values: values, lists: map[string][]int{}}
	seen := map[string]map[int]bool{}
	for key := range values {
		// Every ".N" segment after the first makes its prefix a list.
		for i := 0; i < len(key); i++ {
			if key[i] != '.' {
				continue
			}
			j := i + 1
			for j < len(key) && key[j] >= '0' && key[j] <= '9' {
				j++
			}
			if j == i+1 || (j < len(key) && key[j] != '.') || key[i+1] == '0' || j-i-1 > 9 {
				continue // not a canonical positive index (nor one beyond 10^9)
			}
			n, _ := strconv.Atoi(key[i+1 : j])
			prefix := key[:i]
			if seen[prefix] == nil {
				seen[prefix] = map[int]bool{}
			}
			if !seen[prefix][n] {
				seen[prefix][n] = true
				f.lists[prefix] = append(f.lists[prefix], n)
			}
		}
	}
	for _, ns := range f.lists {
		sort.Ints(ns)
	}
	return f
}

func (f *queryForm) get(name string) (string, bool) {
	vs, ok := f.values[name]
	if !ok || len(vs) == 0 {
		return "", false
	}
	return vs[0], true
}

func (f *queryForm) str(name string) string {
	s, _ := f.get(name)
	return s
}

func (f *queryForm) strPtr(name string) *string {
	if s, ok := f.get(name); ok {
		return &s
	}
	return nil
}

func (f *queryForm) fail(err error) {
	if f.err == nil {
		f.err = err
	}
}

func (f *queryForm) intPtr(name string) *int {
	s, ok := f.get(name)
	if !ok {
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		f.fail(sqsErrorf("InvalidParameterValue", "Value %s for parameter %s is invalid. Reason: Must be an integer.", s, name))
		return nil
	}
	return &n
}

func (f *queryForm) binary(name string) []byte {
	s, ok := f.get(name)
	if !ok {
		return nil
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		f.fail(sqsErrorf("InvalidParameterValue", "Value for parameter %s is invalid. Reason: Binary values must be base64-encoded.", name))
		return nil
	}
	return b
}

// indexes returns the Ns of the names "prefix.N…", in increasing order.
func (f *queryForm) indexes(prefix string) []int { return f.lists[prefix] }

func item(prefix string, n int, member string) string {
	s := prefix + "." + strconv.Itoa(n)
	if member != "" {
		s += "." + member
	}
	return s
}

// list reads a flattened list of strings: prefix.1, prefix.2, …
func (f *queryForm) list(prefix string) []string {
	var out []string
	for _, n := range f.indexes(prefix) {
		if s, ok := f.get(item(prefix, n, "")); ok {
			out = append(out, s)
		}
	}
	return out
}

// binaryList reads a flattened list of base64 values.
func (f *queryForm) binaryList(prefix string) [][]byte {
	var out [][]byte
	for _, n := range f.indexes(prefix) {
		name := item(prefix, n, "")
		if _, ok := f.get(name); ok {
			if b := f.binary(name); b != nil {
				out = append(out, b)
			}
		}
	}
	return out
}

// stringMap reads a flattened map of strings: prefix.N.key and
// prefix.N.value. An entry without its key is left out; the first of
// two entries with one key is kept.
func (f *queryForm) stringMap(prefix, key, value string) map[string]string {
	var out map[string]string
	for _, n := range f.indexes(prefix) {
		k, ok := f.get(item(prefix, n, key))
		if !ok {
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		if _, dup := out[k]; !dup {
			out[k] = f.str(item(prefix, n, value))
		}
	}
	return out
}

// attributes reads flattened message attributes: prefix.N.Name and
// prefix.N.Value.{DataType,StringValue,BinaryValue,StringListValue.M,
// BinaryListValue.M}.
func (f *queryForm) attributes(prefix string) map[string]queues.MessageAttributeValue {
	var out map[string]queues.MessageAttributeValue
	for _, n := range f.indexes(prefix) {
		name, ok := f.get(item(prefix, n, "Name"))
		if !ok {
			continue
		}
		if _, dup := out[name]; dup {
			continue
		}
		v := item(prefix, n, "Value")
		if out == nil {
			out = map[string]queues.MessageAttributeValue{}
		}
		out[name] = queues.MessageAttributeValue{
			DataType:         f.str(v + ".DataType"),
			StringValue:      f.strPtr(v + ".StringValue"),
			BinaryValue:      f.binary(v + ".BinaryValue"),
			StringListValues: f.list(v + ".StringListValue"),
			BinaryListValues: f.binaryList(v + ".BinaryListValue"),
		}
	}
	return out
}

// The decoders of each operation's form.

func formCreateQueue(f *queryForm, in *queues.CreateQueueInput) {
	in.QueueName = f.str("QueueName")
	in.Attributes = f.stringMap("Attribute", "Name", "Value")
	in.Tags = f.stringMap("Tag", "Key", "Value")
}

func formGetQueueURL(f *queryForm, in *queues.GetQueueUrlInput) {
	in.QueueName = f.str("QueueName")
	in.QueueOwnerAWSAccountId = f.str("QueueOwnerAWSAccountId")
}

func formListQueues(f *queryForm, in *queues.ListQueuesInput) {
	in.QueueNamePrefix = f.str("QueueNamePrefix")
	in.NextToken = f.str("NextToken")
	in.MaxResults = f.intPtr("MaxResults")
}

func formQueue(f *queryForm, in *queues.QueueInput) {
	in.QueueUrl = f.str("QueueUrl")
}

func formGetQueueAttributes(f *queryForm, in *queues.GetQueueAttributesInput) {
	in.QueueUrl = f.str("QueueUrl")
	in.AttributeNames = f.list("AttributeName")
}

func formSetQueueAttributes(f *queryForm, in *queues.SetQueueAttributesInput) {
	in.QueueUrl = f.str("QueueUrl")
	in.Attributes = f.stringMap("Attribute", "Name", "Value")
}

func formTagQueue(f *queryForm, in *queues.TagQueueInput) {
	in.QueueUrl = f.str("QueueUrl")
	in.Tags = f.stringMap("Tag", "Key", "Value")
}

func formUntagQueue(f *queryForm, in *queues.UntagQueueInput) {
	in.QueueUrl = f.str("QueueUrl")
	in.TagKeys = f.list("TagKey")
}

func formListDeadLetterSourceQueues(f *queryForm, in *queues.ListDeadLetterSourceQueuesInput) {
	in.QueueUrl = f.str("QueueUrl")
	in.NextToken = f.str("NextToken")
	in.MaxResults = f.intPtr("MaxResults")
}

func formAddPermission(f *queryForm, in *queues.AddPermissionInput) {
	in.QueueUrl = f.str("QueueUrl")
	in.Label = f.str("Label")
	in.AWSAccountIds = f.list("AWSAccountId")
	in.Actions = f.list("ActionName")
}

func formRemovePermission(f *queryForm, in *queues.RemovePermissionInput) {
	in.QueueUrl = f.str("QueueUrl")
	in.Label = f.str("Label")
}

func formSendMessage(f *queryForm, in *queues.SendMessageInput) {
	in.QueueUrl = f.str("QueueUrl")
	in.MessageBody = f.strPtr("MessageBody")
	in.DelaySeconds = f.intPtr("DelaySeconds")
	in.MessageAttributes = f.attributes("MessageAttribute")
	in.MessageSystemAttributes = f.attributes("MessageSystemAttribute")
	in.MessageDeduplicationId = f.strPtr("MessageDeduplicationId")
	in.MessageGroupId = f.strPtr("MessageGroupId")
}

func formSendMessageBatch(f *queryForm, in *queues.SendMessageBatchInput) {
	const p = "SendMessageBatchRequestEntry"
	in.QueueUrl = f.str("QueueUrl")
	for _, n := range f.indexes(p) {
		e := item(p, n, "")
		in.Entries = append(in.Entries, queues.SendMessageBatchEntry{
			Id:                      f.str(e + ".Id"),
			MessageBody:             f.strPtr(e + ".MessageBody"),
			DelaySeconds:            f.intPtr(e + ".DelaySeconds"),
			MessageAttributes:       f.attributes(e + ".MessageAttribute"),
			MessageSystemAttributes: f.attributes(e + ".MessageSystemAttribute"),
			MessageDeduplicationId:  f.strPtr(e + ".MessageDeduplicationId"),
			MessageGroupId:          f.strPtr(e + ".MessageGroupId"),
		})
	}
}

func formReceiveMessage(f *queryForm, in *queues.ReceiveMessageInput) {
	in.QueueUrl = f.str("QueueUrl")
	// The current model names MessageSystemAttributeNames "AttributeName"
	// in the query protocol too; MessageSystemAttributeName.N is taken
	// as well.
	in.AttributeNames = f.list("AttributeName")
	in.MessageSystemAttributeNames = f.list("MessageSystemAttributeName")
	in.MessageAttributeNames = f.list("MessageAttributeName")
	in.MaxNumberOfMessages = f.intPtr("MaxNumberOfMessages")
	in.VisibilityTimeout = f.intPtr("VisibilityTimeout")
	in.WaitTimeSeconds = f.intPtr("WaitTimeSeconds")
	in.ReceiveRequestAttemptId = f.str("ReceiveRequestAttemptId")
}

func formDeleteMessage(f *queryForm, in *queues.DeleteMessageInput) {
	in.QueueUrl = f.str("QueueUrl")
	in.ReceiptHandle = f.str("ReceiptHandle")
}

func formDeleteMessageBatch(f *queryForm, in *queues.DeleteMessageBatchInput) {
	const p = "DeleteMessageBatchRequestEntry"
	in.QueueUrl = f.str("QueueUrl")
	for _, n := range f.indexes(p) {
		e := item(p, n, "")
		in.Entries = append(in.Entries, queues.DeleteMessageBatchEntry{
			Id:            f.str(e + ".Id"),
			ReceiptHandle: f.str(e + ".ReceiptHandle"),
		})
	}
}

func formChangeMessageVisibility(f *queryForm, in *queues.ChangeMessageVisibilityInput) {
	in.QueueUrl = f.str("QueueUrl")
	in.ReceiptHandle = f.str("ReceiptHandle")
	in.VisibilityTimeout = f.intPtr("VisibilityTimeout")
}

func formChangeMessageVisibilityBatch(f *queryForm, in *queues.ChangeMessageVisibilityBatchInput) {
	const p = "ChangeMessageVisibilityBatchRequestEntry"
	in.QueueUrl = f.str("QueueUrl")
	for _, n := range f.indexes(p) {
		e := item(p, n, "")
		in.Entries = append(in.Entries, queues.ChangeMessageVisibilityBatchEntry{
			Id:                f.str(e + ".Id"),
			ReceiptHandle:     f.str(e + ".ReceiptHandle"),
			VisibilityTimeout: f.intPtr(e + ".VisibilityTimeout"),
		})
	}
}

func formStartMessageMoveTask(f *queryForm, in *queues.StartMessageMoveTaskInput) {
	in.SourceArn = f.str("SourceArn")
	in.DestinationArn = f.str("DestinationArn")
	in.MaxNumberOfMessagesPerSecond = f.intPtr("MaxNumberOfMessagesPerSecond")
}

func formListMessageMoveTasks(f *queryForm, in *queues.ListMessageMoveTasksInput) {
	in.SourceArn = f.str("SourceArn")
	in.MaxResults = f.intPtr("MaxResults")
}

func formCancelMessageMoveTask(f *queryForm, in *queues.CancelMessageMoveTaskInput) {
	in.TaskHandle = f.str("TaskHandle")
}

// The XML results, in the elements and order of the query model. Maps
// are rendered sorted by key.

type xmlNameValue struct {
	Name  string
	Value string
}

func nameValues(m map[string]string) []xmlNameValue {
	out := make([]xmlNameValue, 0, len(m))
	for _, k := range sortedKeys(m) {
		out = append(out, xmlNameValue{k, m[k]})
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

type xmlAttributes struct {
	Attribute []xmlNameValue
}

func xmlListQueues(out *queues.ListQueuesOutput) any {
	return struct {
		QueueUrl  []string
		NextToken string `xml:",omitempty"`
	}{out.QueueUrls, out.NextToken}
}

func xmlListDeadLetterSourceQueues(out *queues.ListDeadLetterSourceQueuesOutput) any {
	return struct {
		QueueUrl  []string
		NextToken string `xml:",omitempty"`
	}{out.QueueUrls, out.NextToken}
}

func xmlListQueueTags(out *queues.ListQueueTagsOutput) any {
	type tag struct {
		Key   string
		Value string
	}
	res := struct{ Tag []tag }{}
	for _, k := range sortedKeys(out.Tags) {
		res.Tag = append(res.Tag, tag{k, out.Tags[k]})
	}
	return res
}

// xmlSent is a SendMessage result and a SendMessageBatch result entry.
type xmlSent struct {
	Id                           string `xml:",omitempty"`
	MessageId                    string
	MD5OfMessageBody             string
	MD5OfMessageAttributes       string `xml:",omitempty"`
	MD5OfMessageSystemAttributes string `xml:",omitempty"`
	SequenceNumber               string `xml:",omitempty"`
}

func xmlSendMessage(out *queues.SendMessageOutput) any {
	// SendMessageResult lists its members in another order than the
	// batch entry does.
	return struct {
		MD5OfMessageBody             string
		MD5OfMessageAttributes       string `xml:",omitempty"`
		MD5OfMessageSystemAttributes string `xml:",omitempty"`
		MessageId                    string
		SequenceNumber               string `xml:",omitempty"`
	}{out.MD5OfMessageBody, out.MD5OfMessageAttributes, out.MD5OfMessageSystemAttributes, out.MessageId, out.SequenceNumber}
}

type xmlBatchError struct {
	Id          string
	SenderFault bool
	Code        string
	Message     string `xml:",omitempty"`
}

func xmlBatchErrors(failed []queues.BatchResultErrorEntry) []xmlBatchError {
	out := make([]xmlBatchError, 0, len(failed))
	for _, e := range failed {
		out = append(out, xmlBatchError(e))
	}
	return out
}

func xmlSendMessageBatch(out *queues.SendMessageBatchOutput) any {
	res := struct {
		SendMessageBatchResultEntry []xmlSent
		BatchResultErrorEntry       []xmlBatchError
	}{BatchResultErrorEntry: xmlBatchErrors(out.Failed)}
	for _, e := range out.Successful {
		res.SendMessageBatchResultEntry = append(res.SendMessageBatchResultEntry, xmlSent{
			Id: e.Id, MessageId: e.MessageId, MD5OfMessageBody: e.MD5OfMessageBody,
			MD5OfMessageAttributes: e.MD5OfMessageAttributes, MD5OfMessageSystemAttributes: e.MD5OfMessageSystemAttributes,
			SequenceNumber: e.SequenceNumber,
		})
	}
	return res
}

// xmlBatch renders DeleteMessageBatch and ChangeMessageVisibilityBatch
// results, whose success entries differ only in their element's name.
func xmlBatch(entry string, out *queues.BatchOutput) any {
	type id struct {
		XMLName xml.Name
		Id      string
	}
	res := struct {
		Successful []id
		Failed     []xmlBatchError `xml:"BatchResultErrorEntry"`
	}{Failed: xmlBatchErrors(out.Failed)}
	for _, e := range out.Successful {
		res.Successful = append(res.Successful, id{xml.Name{Local: entry}, e.Id})
	}
	return res
}

type xmlAttributeValue struct {
	StringValue     *string `xml:",omitempty"`
	BinaryValue     *string `xml:",omitempty"`
	StringListValue []string
	BinaryListValue []string
	DataType        string
}

type xmlMessageAttribute struct {
	Name  string
	Value xmlAttributeValue
}

type xmlMessage struct {
	MessageId              string
	ReceiptHandle          string
	MD5OfBody              string
	Body                   string
	Attribute              []xmlNameValue
	MD5OfMessageAttributes string `xml:",omitempty"`
	MessageAttribute       []xmlMessageAttribute
}

func xmlReceiveMessage(out *receiveResult) any {
	res := struct{ Message []xmlMessage }{}
	for _, m := range out.Messages {
		x := xmlMessage{
			MessageId: m.MessageId, ReceiptHandle: m.ReceiptHandle, MD5OfBody: m.MD5OfBody, Body: m.Body,
			Attribute: nameValues(m.Attributes), MD5OfMessageAttributes: m.MD5OfMessageAttributes,
		}
		for _, name := range sortedKeys(m.MessageAttributes) {
			v := m.MessageAttributes[name]
			xv := xmlAttributeValue{StringValue: v.StringValue, StringListValue: v.StringListValues, DataType: v.DataType}
			if v.BinaryValue != nil {
				b := base64.StdEncoding.EncodeToString(v.BinaryValue)
				xv.BinaryValue = &b
			}
			for _, b := range v.BinaryListValues {
				xv.BinaryListValue = append(xv.BinaryListValue, base64.StdEncoding.EncodeToString(b))
			}
			x.MessageAttribute = append(x.MessageAttribute, xmlMessageAttribute{name, xv})
		}
		res.Message = append(res.Message, x)
	}
	return res
}

func xmlListMessageMoveTasks(out *queues.ListMessageMoveTasksOutput) any {
	type entry struct {
		TaskHandle                        string `xml:",omitempty"`
		Status                            string
		SourceArn                         string
		DestinationArn                    string `xml:",omitempty"`
		MaxNumberOfMessagesPerSecond      *int   `xml:",omitempty"`
		ApproximateNumberOfMessagesMoved  int64
		ApproximateNumberOfMessagesToMove *int64 `xml:",omitempty"`
		FailureReason                     string `xml:",omitempty"`
		StartedTimestamp                  int64
	}
	res := struct {
		ListMessageMoveTasksResultEntry []entry
	}{}
	for _, t := range out.Results {
		res.ListMessageMoveTasksResultEntry = append(res.ListMessageMoveTasksResultEntry, entry(t))
	}
	return res
}
