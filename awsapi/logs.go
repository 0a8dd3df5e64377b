package awsapi

import (
	"math"
	"net/http"
	"strings"

	"github.com/eddyserverless/eddy"
)

const logsContentType = "application/x-amz-json-1.1"

// serveLogs serves the CloudWatch Logs JSON 1.1 API.
func (h *Handler) serveLogs(w http.ResponseWriter, r *http.Request, target string) {
	op, ok := strings.CutPrefix(target, "Logs_20140328.")
	if !ok || r.Method != http.MethodPost {
		h.writeJSONError(w, r, eddy.TypedErrorf(eddy.EINVALID, "UnknownOperationException", "Unknown operation %s", target), logsContentType)
		return
	}
	data, err := readBody(r, 1<<20, eddy.TypedErrorf(eddy.ETOOLARGE, "RequestEntityTooLarge", "Request is too large"))
	if err != nil {
		h.writeJSONError(w, r, err, logsContentType)
		return
	}
	var in struct {
		LogGroupName        string
		LogGroupNamePrefix  string
		LogGroupIdentifier  string
		LogStreamName       string
		LogStreamNamePrefix string
		LogStreamNames      []string
		StartTime           int64
		EndTime             int64
		FilterPattern       string
		NextToken           string
		Limit               int
		StartFromHead       *bool
		Descending          bool
		OrderBy             string
		LogEvents           []eddy.LogEvent
		RetentionInDays     *int
		// Interleaved is ignored, as CloudWatch Logs has ignored it since
		// 2019: FilterLogEvents always interleaves the streams.
		Interleaved bool
	}
	if err := decodeJSON(data, &in); err != nil {
		h.writeJSONError(w, r, eddy.TypedErrorf(eddy.EMALFORMED, "SerializationException", "%s", eddy.ErrorMessage(err)), logsContentType)
		return
	}
	if in.LogGroupName == "" && in.LogGroupIdentifier != "" {
		in.LogGroupName = in.LogGroupIdentifier
		if i := strings.Index(in.LogGroupName, ":log-group:"); i >= 0 {
			in.LogGroupName = strings.TrimSuffix(in.LogGroupName[i+len(":log-group:"):], ":*")
		}
	}
	ctx := r.Context()
	var out any
	switch op {
	case "CreateLogGroup":
		err = h.Logs.CreateLogGroup(ctx, in.LogGroupName)
		out = struct{}{}
	case "CreateLogStream":
		err = h.Logs.CreateLogStream(ctx, in.LogGroupName, in.LogStreamName)
		out = struct{}{}
	case "DeleteLogGroup":
		err = h.Logs.DeleteLogGroup(ctx, in.LogGroupName)
		out = struct{}{}
	case "PutRetentionPolicy":
		if in.RetentionInDays == nil {
			err = eddy.TypedErrorf(eddy.EVALIDATE, "InvalidParameterException",
				"1 validation error detected: Value null at 'retentionInDays' failed to satisfy constraint: Member must not be null")
		} else {
			err = h.Logs.PutRetentionPolicy(ctx, in.LogGroupName, *in.RetentionInDays)
		}
		out = struct{}{}
	case "DeleteRetentionPolicy":
		err = h.Logs.DeleteRetentionPolicy(ctx, in.LogGroupName)
		out = struct{}{}
	case "PutLogEvents":
		// Unlike eddy's own writers, a client must create the stream first.
		var streams []eddy.LogStream
		streams, _, err = h.Logs.DescribeLogStreams(ctx, &eddy.LogStreamQuery{Group: in.LogGroupName, Prefix: in.LogStreamName, Limit: 1})
		if err == nil && (len(streams) == 0 || streams[0].Name != in.LogStreamName) {
			err = eddy.TypedErrorf(eddy.ENOTFOUND, "ResourceNotFoundException", "The specified log stream does not exist.")
		}
		if err == nil {
			err = h.Logs.WriteLogs(ctx, in.LogGroupName, in.LogStreamName, in.LogEvents)
		}
		out = map[string]any{}
	case "DescribeLogGroups":
		var groups []eddy.LogGroup
		var next string
		groups, next, err = h.Logs.DescribeLogGroups(ctx, in.LogGroupNamePrefix, in.NextToken, in.Limit)
		list := make([]map[string]any, 0, len(groups))
		for _, g := range groups {
			m := map[string]any{
				"logGroupName": g.Name, "creationTime": g.CreationTime, "storedBytes": g.StoredBytes,
				"metricFilterCount": 0, "logGroupClass": "STANDARD",
				"arn":         h.logGroupARN(r, g.Name) + ":*",
				"logGroupArn": h.logGroupARN(r, g.Name),
			}
			if g.RetentionInDays > 0 {
				m["retentionInDays"] = g.RetentionInDays
			}
			list = append(list, m)
		}
		out = withToken(map[string]any{"logGroups": list}, "nextToken", next)
	case "DescribeLogStreams":
		var streams []eddy.LogStream
		var next string
		streams, next, err = h.Logs.DescribeLogStreams(ctx, &eddy.LogStreamQuery{Group: in.LogGroupName, Prefix: in.LogStreamNamePrefix,
			OrderBy: in.OrderBy, Descending: in.Descending, Limit: in.Limit, NextToken: in.NextToken})
		list := make([]map[string]any, 0, len(streams))
		for _, s := range streams {
			m := map[string]any{
				"logStreamName": s.Name, "creationTime": s.CreationTime, "storedBytes": s.StoredBytes,
				"arn": h.logGroupARN(r, in.LogGroupName) + ":log-stream:" + s.Name,
			}
			if s.LastEventTimestamp > 0 {
				m["firstEventTimestamp"] = s.FirstEventTimestamp
				m["lastEventTimestamp"] = s.LastEventTimestamp
				m["lastIngestionTime"] = s.LastIngestionTime
				m["uploadSequenceToken"] = "1"
			}
			list = append(list, m)
		}
		out = withToken(map[string]any{"logStreams": list}, "nextToken", next)
	case "GetLogEvents":
		q := &eddy.LogQuery{Group: in.LogGroupName, Streams: []string{in.LogStreamName}, StartTime: in.StartTime,
			EndTime: in.EndTime, Limit: in.Limit, NextToken: in.NextToken, FromHead: in.StartFromHead != nil && *in.StartFromHead}
		var events []eddy.LogEvent
		var fwd, back string
		events, fwd, back, err = h.Logs.GetLogEvents(ctx, q)
		list := make([]map[string]any, 0, len(events))
		for _, e := range events {
			list = append(list, map[string]any{"timestamp": e.Timestamp, "message": e.Message, "ingestionTime": e.IngestionTime})
		}
		out = map[string]any{"events": list, "nextForwardToken": fwd, "nextBackwardToken": back}
	case "FilterLogEvents":
		// FilterLogEvents returns events at endTime, unlike GetLogEvents:
		// "Events with a timestamp later than this time are not returned."
		end := in.EndTime
		if end > 0 && end < math.MaxInt64 {
			end++
		}
		q := &eddy.LogQuery{Group: in.LogGroupName, Streams: in.LogStreamNames, StreamPrefix: in.LogStreamNamePrefix,
			StartTime: in.StartTime, EndTime: end, Pattern: in.FilterPattern, Limit: in.Limit,
			NextToken: in.NextToken, FromHead: true}
		var events []eddy.LogEvent
		var next string
		events, next, err = h.Logs.FilterLogEvents(ctx, q)
		list := make([]map[string]any, 0, len(events))
		for _, e := range events {
			list = append(list, map[string]any{"logStreamName": e.StreamName, "timestamp": e.Timestamp,
				"message": e.Message, "ingestionTime": e.IngestionTime, "eventId": e.EventID})
		}
		out = withToken(map[string]any{"events": list, "searchedLogStreams": []any{}}, "nextToken", next)
	default:
		err = eddy.TypedErrorf(eddy.EINVALID, "UnknownOperationException", "Unknown operation %s", op)
	}
	if err != nil {
		h.writeJSONError(w, r, err, logsContentType)
		return
	}
	w.Header().Set("Content-Type", logsContentType)
	writeJSONTyped(w, http.StatusOK, out, logsContentType)
}

func (h *Handler) logGroupARN(r *http.Request, group string) string {
	return "arn:aws:logs:" + h.regionOf(r) + ":" + h.Account + ":log-group:" + group
}

func withToken(m map[string]any, key, token string) map[string]any {
	if token != "" {
		m[key] = token
	}
	return m
}
