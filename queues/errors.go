package queues

import (
	"github.com/eddyserverless/eddy"
)

// The errors of SQS's JSON protocol; the query edge renders each with its
// query code.

func invalidValue(format string, args ...any) error {
	return eddy.TypedErrorf(eddy.EINVALID, "InvalidParameterValue", format, args...)
}

func missing(param string) error {
	return eddy.TypedErrorf(eddy.EINVALID, "MissingParameter", "The request must contain the parameter %s.", param)
}

func noQueue() error {
	return eddy.TypedErrorf(eddy.ENOTFOUND, "QueueDoesNotExist", "The specified queue does not exist.")
}

func badAttrName(name string) error {
	return eddy.TypedErrorf(eddy.EINVALID, "InvalidAttributeName", "Unknown Attribute %s.", name)
}

func badAttrValue(name string) error {
	return eddy.TypedErrorf(eddy.EINVALID, "InvalidAttributeValue", "Invalid value for the parameter %s.", name)
}

func badHandle(h string) error {
	return eddy.TypedErrorf(eddy.EINVALID, "ReceiptHandleIsInvalid", "The input receipt handle \"%s\" is not a valid receipt handle.", h)
}

func rangeError(param string, v int, reason string) error {
	return invalidValue("Value %d for parameter %s is invalid. Reason: %s", v, param, reason)
}

// entryError turns err into a failed batch entry.
func entryError(id string, err error) BatchResultErrorEntry {
	e := eddy.AsError(err)
	if e == nil {
		return BatchResultErrorEntry{Id: id, SenderFault: false, Code: "InternalError", Message: "An internal error occurred."}
	}
	code := e.Type
	if code == "" {
		code = map[string]string{eddy.ENOTFOUND: "QueueDoesNotExist", eddy.EINTERNAL: "InternalError"}[e.Code]
		if code == "" {
			code = "InvalidParameterValue"
		}
	}
	return BatchResultErrorEntry{Id: id, SenderFault: e.Code != eddy.EINTERNAL && e.Code != eddy.EUNAVAIL, Code: code, Message: e.Message}
}
