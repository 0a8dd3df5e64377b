package main

import (
	"encoding/json"
	"fmt"
	"strings"
)

// The cases of the differential suite (dynamodb_diff_test.go). Items are
// written in DynamoDB JSON; $T is the case's table, whose key is pk (S)
// and sk (N) unless the case says otherwise.

const (
	errValidation = "ValidationException"
	errCondition  = "ConditionalCheckFailedException"
	errNotFound   = "ResourceNotFoundException"
)

// fullItem has an attribute of every type, a list with a map in it, and
// the nested path a.b[2].c.
const fullItem = `{"pk":{"S":"a"},"sk":{"N":"1"},"s":{"S":"hello world"},"n":{"N":"10"},"b":{"B":"AQID"},` +
	`"t":{"BOOL":true},"z":{"NULL":true},"ss":{"SS":["x","y"]},"ns":{"NS":["1","2"]},"bs":{"BS":["AQ=="]},` +
	`"l":{"L":[{"N":"1"},{"S":"two"},{"M":{"c":{"S":"deep"}}}]},` +
	`"a":{"M":{"b":{"L":[{"N":"0"},{"N":"1"},{"M":{"c":{"S":"v"}}}]}}}}`

// keyA is fullItem's key.
const keyA = `{"pk":{"S":"a"},"sk":{"N":"1"}}`

// N, S and B are attribute values.
func N(v string) string { return `{"N":"` + v + `"}` }
func S(v string) string { return `{"S":"` + v + `"}` }
func B(v string) string { return `{"B":"` + v + `"}` }

// vals returns the members of an ExpressionAttributeValues object from
// name, value pairs.
func vals(kv ...string) string {
	var parts []string
	for i := 0; i+1 < len(kv); i += 2 {
		parts = append(parts, `"`+kv[i]+`":`+kv[i+1])
	}
	return strings.Join(parts, ",")
}

// quote returns s as a JSON string.
func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// req is a request of op with a raw body.
func req(op, body, err string) diffStep { return diffStep{op: op, body: body, err: err} }

// cond updates fullItem's "touched" attribute if expr holds: a condition
// check whose outcome is success or ConditionalCheckFailedException.
func cond(expr, values, err string) diffStep {
	return condNames(expr, "", values, err)
}

// condNames is cond with ExpressionAttributeNames (members, as vals makes).
func condNames(expr, names, values, err string) diffStep {
	v := vals(":one", N("1"))
	if values != "" {
		v += "," + values
	}
	body := `{"TableName":"$T","Key":` + keyA + `,"UpdateExpression":"SET touched = :one","ConditionExpression":` + quote(expr) +
		`,"ExpressionAttributeValues":{` + v + `}`
	if names != "" {
		body += `,"ExpressionAttributeNames":{` + names + `}`
	}
	return req("UpdateItem", body+`}`, err)
}

// update is an UpdateItem of fullItem's key; values and extra ("," and
// more members) may be empty.
func update(expr, values, returnValues, extra, err string) diffStep {
	body := `{"TableName":"$T","Key":` + keyA + `,"UpdateExpression":` + quote(expr)
	if values != "" {
		body += `,"ExpressionAttributeValues":{` + values + `}`
	}
	if returnValues != "" {
		body += `,"ReturnValues":"` + returnValues + `"`
	}
	return req("UpdateItem", body+extra+`}`, err)
}

// query is a Query of $T; extra holds further members, each after a ",".
func query(kce, values, extra, err string) diffStep {
	body := `{"TableName":"$T","KeyConditionExpression":` + quote(kce)
	if values != "" {
		body += `,"ExpressionAttributeValues":{` + values + `}`
	}
	return req("Query", body+extra+`}`, err)
}

// get is a GetItem of key with extra members.
func get(key, extra, err string) diffStep {
	return req("GetItem", `{"TableName":"$T","Key":`+key+extra+`}`, err)
}

// put is a PutItem of item with extra members.
func put(item, extra, err string) diffStep {
	return req("PutItem", `{"TableName":"$T","Item":`+item+extra+`}`, err)
}

// qItems are the partition "q", sort keys 1 to 10, with v = 10 × sk and
// odd set on odd sort keys, and one item of partition "r".
func qItems() []string {
	var items []string
	for i := 1; i <= 10; i++ {
		items = append(items, fmt.Sprintf(`{"pk":{"S":"q"},"sk":{"N":"%d"},"v":{"N":"%d"},"odd":{"BOOL":%v}}`, i, 10*i, i%2 == 1))
	}
	return append(items, `{"pk":{"S":"r"},"sk":{"N":"1"},"v":{"N":"5"},"odd":{"BOOL":true}}`)
}

// qKey is the key of item sk of partition q.
func qKey(sk int) string { return fmt.Sprintf(`{"pk":{"S":"q"},"sk":{"N":"%d"}}`, sk) }

var full = []string{fullItem}

var diffCases = []diffCase{
	// ConditionExpression: every comparator and function.
	{name: "cond-eq-ne", seed: full, steps: []diffStep{
		cond("n = :v", vals(":v", N("10")), ""),
		cond("n = :v", vals(":v", N("11")), errCondition),
		cond("n <> :v", vals(":v", N("11")), ""),
		cond("n <> :v", vals(":v", N("10")), errCondition),
		cond("s = :v", vals(":v", S("hello world")), ""),
		cond("b = :v", vals(":v", B("AQID")), ""),
		cond("t = :v", vals(":v", `{"BOOL":true}`), ""),
		cond("ss = :v", vals(":v", `{"SS":["y","x"]}`), ""),
		cond("l = :v", vals(":v", `{"L":[{"N":"1"},{"S":"two"},{"M":{"c":{"S":"deep"}}}]}`), ""),
	}},
	{name: "cond-order-numbers", seed: full, steps: []diffStep{
		cond("n < :v", vals(":v", N("11")), ""),
		cond("n < :v", vals(":v", N("10")), errCondition),
		cond("n <= :v", vals(":v", N("10")), ""),
		cond("n <= :v", vals(":v", N("9.99")), errCondition),
		cond("n > :v", vals(":v", N("9")), ""),
		cond("n > :v", vals(":v", N("10")), errCondition),
		cond("n >= :v", vals(":v", N("10.0")), ""),
		cond("n >= :v", vals(":v", N("1E+2")), errCondition),
		cond(":v < n", vals(":v", N("-3")), ""),
	}},
	{name: "cond-order-strings-binary", seed: full, steps: []diffStep{
		cond("s < :v", vals(":v", S("hellp")), ""),
		cond("s > :v", vals(":v", S("hello")), ""),
		cond("s >= :v", vals(":v", S("i")), errCondition),
		cond("b < :v", vals(":v", B("AQIE")), ""),
		cond("b > :v", vals(":v", B("AQI=")), ""),
	}},
	{name: "cond-type-mismatch", note: "a comparison of values of different types is false, not an error",
		seed: full, steps: []diffStep{
			cond("n = :v", vals(":v", S("10")), errCondition),
			cond("n <> :v", vals(":v", S("10")), ""),
			cond("n < :v", vals(":v", S("99")), errCondition).
				mismatch("moto answers 500 with an HTML page (an unhandled exception)"),
			cond("s > :v", vals(":v", N("1")), errCondition).
				mismatch("moto answers 500 with an HTML page (an unhandled exception)"),
		}},
	{name: "cond-between", seed: full, steps: []diffStep{
		cond("n BETWEEN :lo AND :hi", vals(":lo", N("5"), ":hi", N("15")), ""),
		cond("n BETWEEN :lo AND :hi", vals(":lo", N("10"), ":hi", N("10")), ""),
		cond("n BETWEEN :lo AND :hi", vals(":lo", N("11"), ":hi", N("15")), errCondition),
		cond("s BETWEEN :lo AND :hi", vals(":lo", S("a"), ":hi", S("z")), ""),
		cond("n BETWEEN :lo AND :hi", vals(":lo", N("15"), ":hi", N("5")), errValidation).
			mismatch("moto evaluates reversed bounds to false"),
		cond("n BETWEEN :lo AND :hi", vals(":lo", N("1"), ":hi", S("5")), errValidation).
			mismatch("moto answers 500 with an HTML page (an unhandled exception)"),
	}},
	{name: "cond-in", seed: full, steps: []diffStep{
		cond("n IN (:a, :b)", vals(":a", N("9"), ":b", N("10")), ""),
		cond("n IN (:a, :b)", vals(":a", N("1"), ":b", N("2")), errCondition),
		cond("s IN (:a)", vals(":a", S("hello world")), ""),
		cond("NOT n IN (:a)", vals(":a", N("10")), errCondition),
	}},
	{name: "cond-exists", seed: full, steps: []diffStep{
		cond("attribute_exists(s)", "", ""),
		cond("attribute_exists(nope)", "", errCondition),
		cond("attribute_not_exists(nope)", "", ""),
		cond("attribute_not_exists(s)", "", errCondition),
		cond("attribute_exists(a.b[2].c)", "", ""),
		cond("attribute_exists(a.b[5])", "", errCondition),
		cond("attribute_exists(l[0])", "", ""),
		cond("attribute_exists(z)", "", ""),
	}},
	{name: "cond-put-if-absent", steps: []diffStep{
		put(`{"pk":{"S":"new"},"sk":{"N":"1"}}`, `,"ConditionExpression":"attribute_not_exists(pk)"`, ""),
		put(`{"pk":{"S":"new"},"sk":{"N":"1"}}`, `,"ConditionExpression":"attribute_not_exists(pk)"`, errCondition),
		put(`{"pk":{"S":"other"},"sk":{"N":"1"}}`, `,"ConditionExpression":"attribute_exists(pk)"`, errCondition),
		get(`{"pk":{"S":"other"},"sk":{"N":"1"}}`, "", "").doc(`{}`),
	}},
	{name: "cond-attribute-type", seed: full, steps: []diffStep{
		cond("attribute_type(ss, :t)", vals(":t", S("SS")), ""),
		cond("attribute_type(ss, :t)", vals(":t", S("N")), errCondition),
		cond("attribute_type(z, :t)", vals(":t", S("NULL")), ""),
		cond("attribute_type(l, :t)", vals(":t", S("L")), ""),
		cond("attribute_type(a, :t)", vals(":t", S("M")), ""),
		cond("attribute_type(t, :t)", vals(":t", S("BOOL")), ""),
		cond("attribute_type(nope, :t)", vals(":t", S("S")), errCondition),
		cond("attribute_type(n, :t)", vals(":t", S("XX")), errValidation).
			mismatch("moto evaluates an unknown type name to false"),
		cond("attribute_type(n, :t)", vals(":t", N("1")), errValidation).
			mismatch("moto evaluates a non-string type operand to false"),
	}},
	{name: "cond-begins-with", seed: full, steps: []diffStep{
		cond("begins_with(s, :p)", vals(":p", S("hello")), ""),
		cond("begins_with(s, :p)", vals(":p", S("world")), errCondition),
		cond("begins_with(b, :p)", vals(":p", B("AQ==")), "").
			mismatch("moto's begins_with is false for binary values"),
		cond("begins_with(n, :p)", vals(":p", S("1")), errCondition),
		cond("begins_with(s, :p)", vals(":p", N("1")), errValidation).
			mismatch("moto evaluates a number prefix to false"),
	}},
	{name: "cond-contains", seed: full, steps: []diffStep{
		cond("contains(s, :x)", vals(":x", S("lo w")), ""),
		cond("contains(s, :x)", vals(":x", S("zz")), errCondition),
		cond("contains(ss, :x)", vals(":x", S("x")), ""),
		cond("contains(ns, :x)", vals(":x", N("2")), ""),
		cond("contains(ns, :x)", vals(":x", N("3")), errCondition),
		cond("contains(l, :x)", vals(":x", S("two")), ""),
		cond("contains(l, :x)", vals(":x", N("1")), ""),
		cond("contains(n, :x)", vals(":x", N("1")), errCondition),
	}},
	{name: "cond-size", seed: full, steps: []diffStep{
		cond("size(s) = :v", vals(":v", N("11")), ""),
		cond("size(l) = :v", vals(":v", N("3")), ""),
		cond("size(a) = :v", vals(":v", N("1")), ""),
		cond("size(ss) = :v", vals(":v", N("2")), ""),
		cond("size(b) = :v", vals(":v", N("3")), ""),
		cond("size(a.b) > :v", vals(":v", N("2")), ""),
		cond("size(nope) = :v", vals(":v", N("0")), errCondition).
			mismatch("moto answers 500 with an HTML page (an unhandled exception)"),
		cond("size(:v) = :v", vals(":v", N("1")), errValidation).
			mismatch("moto answers 500 with an HTML page (an unhandled exception)"),
	}},
	{name: "cond-logic", seed: full, steps: []diffStep{
		cond("n = :a OR n = :b AND t = :f", vals(":a", N("10"), ":b", N("11"), ":f", `{"BOOL":false}`), ""),
		cond("(n = :a OR n = :b) AND t = :f", vals(":a", N("10"), ":b", N("11"), ":f", `{"BOOL":false}`), errCondition),
		cond("NOT n = :b", vals(":b", N("11")), ""),
		cond("NOT (n = :a)", vals(":a", N("10")), errCondition),
		cond("n = :a AND NOT attribute_exists(nope)", vals(":a", N("10")), ""),
		cond("((n = :a))", vals(":a", N("10")), errValidation),
	}},
	{name: "cond-nested-paths", seed: full, steps: []diffStep{
		cond("a.b[2].c = :v", vals(":v", S("v")), ""),
		cond("a.b[0] = :v", vals(":v", N("0")), ""),
		cond("l[2].c = :v", vals(":v", S("deep")), ""),
		condNames("#a.#b[1] = :v", vals("#a", `"a"`, "#b", `"b"`), vals(":v", N("1")), ""),
		cond("a.b[2].c = :v", vals(":v", S("w")), errCondition),
		cond("a.b[2].c.d = :v", vals(":v", S("v")), errCondition),
	}},
	{name: "cond-missing-item", steps: []diffStep{
		update("SET x = :v", vals(":v", N("1")), "", `,"ConditionExpression":"attribute_exists(pk)"`, errCondition),
		req("DeleteItem", `{"TableName":"$T","Key":`+keyA+`,"ConditionExpression":"n = :v","ExpressionAttributeValues":{":v":{"N":"10"}}}`, errCondition),
		req("DeleteItem", `{"TableName":"$T","Key":`+keyA+`}`, "").doc(`{}`),
		get(keyA, "", "").doc(`{}`),
	}},
	{name: "cond-failure-returns-item", seed: full, steps: []diffStep{
		cond("n = :v", vals(":v", N("11")), errCondition),
		update("SET touched = :v", vals(":v", N("11")), "", `,"ConditionExpression":"n = :v","ReturnValuesOnConditionCheckFailure":"ALL_OLD"`, errCondition).
			doc(`{"Item":` + fullItem + `}`),
	}},
	{name: "cond-delete-all-old", seed: full, steps: []diffStep{
		req("DeleteItem", `{"TableName":"$T","Key":`+keyA+`,"ConditionExpression":"n = :v","ExpressionAttributeValues":{":v":{"N":"10"}},"ReturnValues":"ALL_OLD"}`, "").
			doc(`{"Attributes":` + fullItem + `}`),
		get(keyA, "", "").doc(`{}`),
	}},

	// UpdateExpression.
	{name: "update-arithmetic", seed: full, steps: []diffStep{
		update("SET n = n + :d", vals(":d", N("5")), "UPDATED_NEW", "", "").doc(`{"Attributes":{"n":{"N":"15"}}}`),
		update("SET n = n - :d", vals(":d", N("20")), "UPDATED_NEW", "", "").doc(`{"Attributes":{"n":{"N":"-5"}}}`),
		update("SET x = :a + :b", vals(":a", N("1.5"), ":b", N("2.25")), "UPDATED_NEW", "", "").doc(`{"Attributes":{"x":{"N":"3.75"}}}`),
		update("SET y = n + n", "", "UPDATED_NEW", "", "").doc(`{"Attributes":{"y":{"N":"-10"}}}`),
		update("SET n = nope + :d", vals(":d", N("1")), "", "", errValidation),
		update("SET n = s + :d", vals(":d", N("1")), "", "", errValidation).
			docMsg("An operand in the update expression has an incorrect data type").
			mismatch("moto reports a parse-time operand type error for an attribute whose type is known only at run time"),
	}},
	{name: "update-if-not-exists", seed: full, steps: []diffStep{
		update("SET c = if_not_exists(c, :zero) + :one", vals(":zero", N("0"), ":one", N("1")), "UPDATED_NEW", "", "").doc(`{"Attributes":{"c":{"N":"1"}}}`),
		update("SET c = if_not_exists(c, :zero) + :one", vals(":zero", N("0"), ":one", N("1")), "UPDATED_NEW", "", "").doc(`{"Attributes":{"c":{"N":"2"}}}`),
		update("SET s = if_not_exists(s, :x)", vals(":x", S("other")), "UPDATED_NEW", "", "").doc(`{"Attributes":{"s":{"S":"hello world"}}}`).
			mismatch("moto leaves out of UPDATED_NEW an attribute SET to the value it had"),
		update("SET a.b[2].c = if_not_exists(a.b[2].c, :x)", vals(":x", S("other")), "UPDATED_NEW", "", "").
			doc(`{"Attributes":{"a":{"M":{"b":{"L":[{"M":{"c":{"S":"v"}}}]}}}}}`).
			mismatch("moto leaves out of UPDATED_NEW a path SET to the value it had"),
		update("SET c = if_not_exists(:x, c)", vals(":x", N("1")), "", "", errValidation).
			docMsg("Invalid UpdateExpression: Operator or function requires a document path; operator or function: if_not_exists").exact().
			mismatch("moto reports a syntax error for a value as if_not_exists' first operand"),
	}},
	{name: "update-list-append", seed: full, steps: []diffStep{
		update("SET l = list_append(l, :more)", vals(":more", `{"L":[{"S":"four"}]}`), "UPDATED_NEW", "", ""),
		update("SET l = list_append(:front, l)", vals(":front", `{"L":[{"N":"0"}]}`), "UPDATED_NEW", "", ""),
		update("SET nl = list_append(if_not_exists(nl, :empty), :more)", vals(":empty", `{"L":[]}`, ":more", `{"L":[{"S":"x"}]}`), "UPDATED_NEW", "", "").
			doc(`{"Attributes":{"nl":{"L":[{"S":"x"}]}}}`),
		update("SET l = list_append(s, :more)", vals(":more", `{"L":[{"S":"x"}]}`), "", "", errValidation).
			docMsg("An operand in the update expression has an incorrect data type").exact().
			mismatch("moto reports a parse-time operand type error for an attribute whose type is known only at run time"),
		update("SET l = list_append(l, :v)", vals(":v", S("x")), "", "", errValidation),
	}},
	{name: "update-nested-set", seed: full, steps: []diffStep{
		update("SET a.b[2].c = :v", vals(":v", S("changed")), "ALL_NEW", "", ""),
		update("SET a.b[1] = :v", vals(":v", `{"M":{}}`), "UPDATED_NEW", "", "").doc(`{"Attributes":{"a":{"M":{"b":{"L":[{"M":{}}]}}}}}`).
			mismatch("moto returns whole top-level attributes in UPDATED_OLD/UPDATED_NEW; DynamoDB returns only the updated document paths"),
		update("SET a.b[10] = :v", vals(":v", S("appended")), "ALL_NEW", "", ""),
		update("SET a.added = :v", vals(":v", N("7")), "UPDATED_NEW", "", "").doc(`{"Attributes":{"a":{"M":{"added":{"N":"7"}}}}}`),
		update("SET nope.x = :v", vals(":v", N("1")), "", "", errValidation),
		update("SET l[0].x = :v", vals(":v", N("1")), "", "", errValidation).
			mismatch("moto accepts a path through a number"),
		update("SET s[0] = :v", vals(":v", N("1")), "", "", errValidation),
	}},
	{name: "update-remove", seed: full, steps: []diffStep{
		update("REMOVE s, nope", "", "UPDATED_OLD", "", "").doc(`{"Attributes":{"s":{"S":"hello world"}}}`),
		update("REMOVE l[0], l[2]", "", "ALL_NEW", "", ""),
		update("REMOVE a.b[1]", "", "UPDATED_OLD", "", "").doc(`{"Attributes":{"a":{"M":{"b":{"L":[{"N":"1"}]}}}}}`).
			mismatch("moto returns whole top-level attributes in UPDATED_OLD/UPDATED_NEW; DynamoDB returns only the updated document paths"),
		update("REMOVE l[9]", "", "UPDATED_NEW", "", "").doc(`{}`).
			mismatch("moto answers an empty Attributes map where nothing was updated; DynamoDB leaves Attributes out"),
		get(keyA, `,"ProjectionExpression":"l, a"`, "").doc(`{"Item":{"l":{"L":[{"S":"two"}]},"a":{"M":{"b":{"L":[{"N":"0"},{"M":{"c":{"S":"v"}}}]}}}}}`),
	}},
	{name: "update-add", seed: full, steps: []diffStep{
		update("ADD n :v", vals(":v", N("5")), "UPDATED_NEW", "", "").doc(`{"Attributes":{"n":{"N":"15"}}}`),
		update("ADD newn :v", vals(":v", N("-3")), "UPDATED_NEW", "", "").doc(`{"Attributes":{"newn":{"N":"-3"}}}`),
		update("ADD ss :v", vals(":v", `{"SS":["y","z"]}`), "UPDATED_NEW", "", "").doc(`{"Attributes":{"ss":{"SS":["x","y","z"]}}}`),
		update("ADD ns :v", vals(":v", `{"NS":["3"]}`), "UPDATED_NEW", "", "").doc(`{"Attributes":{"ns":{"NS":["1","2","3"]}}}`),
		update("ADD newset :v", vals(":v", `{"SS":["q"]}`), "UPDATED_NEW", "", "").doc(`{"Attributes":{"newset":{"SS":["q"]}}}`),
		update("ADD l :v", vals(":v", `{"L":[{"S":"x"}]}`), "", "", errValidation).
			docMsg("Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: LIST, typeSet: ALLOWED_FOR_ADD_OPERAND").exact().
			mismatch("moto checks ADD's operand type only at run time, with another message"),
		update("ADD ss :v", vals(":v", `{"NS":["1"]}`), "", "", errValidation),
		update("ADD s :v", vals(":v", S("x")), "", "", errValidation).
			docMsg("Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: STRING, typeSet: ALLOWED_FOR_ADD_OPERAND").exact().
			mismatch("moto checks ADD's operand type only at run time, with another message"),
	}},
	{name: "update-delete-set", seed: full, steps: []diffStep{
		update("DELETE ss :v", vals(":v", `{"SS":["x","nope"]}`), "UPDATED_NEW", "", "").doc(`{"Attributes":{"ss":{"SS":["y"]}}}`),
		update("DELETE ss :v", vals(":v", `{"SS":["y"]}`), "ALL_NEW", "", ""),
		get(keyA, `,"ProjectionExpression":"ss"`, "").doc(`{"Item":{}}`),
		update("DELETE nope :v", vals(":v", `{"SS":["y"]}`), "", "", ""),
		update("DELETE n :v", vals(":v", N("1")), "", "", errValidation).
			docMsg("Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER, typeSet: ALLOWED_FOR_DELETE_OPERAND").exact().
			mismatch("moto's message lacks DynamoDB's typeSet"),
		update("DELETE ns :v", vals(":v", `{"SS":["1"]}`), "", "", errValidation),
	}},
	{name: "update-return-values", seed: full, steps: []diffStep{
		update("SET n = :v, s2 = :w", vals(":v", N("1"), ":w", S("a")), "NONE", "", "").doc(`{}`),
		update("SET n = :v, s2 = :w", vals(":v", N("2"), ":w", S("b")), "ALL_OLD", "", ""),
		update("SET n = :v, s2 = :w", vals(":v", N("3"), ":w", S("c")), "UPDATED_OLD", "", "").doc(`{"Attributes":{"n":{"N":"2"},"s2":{"S":"b"}}}`),
		update("SET n = :v, s2 = :w", vals(":v", N("4"), ":w", S("d")), "ALL_NEW", "", ""),
		update("SET n = :v, s2 = :w", vals(":v", N("5"), ":w", S("e")), "UPDATED_NEW", "", "").doc(`{"Attributes":{"n":{"N":"5"},"s2":{"S":"e"}}}`),
		update("SET n = :v", vals(":v", N("6")), "EVERYTHING", "", errValidation).docHead("1 validation error detected").
			mismatch("moto's message is \"Return values set to invalid value\", not the enum constraint violation"),
	}},
	{name: "update-upsert", steps: []diffStep{
		update("SET x = :v", vals(":v", N("1")), "ALL_OLD", "", "").doc(`{}`),
		update("SET y = :v", vals(":v", N("2")), "ALL_NEW", "", "").doc(`{"Attributes":{"pk":{"S":"a"},"sk":{"N":"1"},"x":{"N":"1"},"y":{"N":"2"}}}`),
		req("UpdateItem", `{"TableName":"$T","Key":{"pk":{"S":"b"},"sk":{"N":"1"}}}`, "").doc(`{}`).
			mismatch("moto creates the item with its key alone, as AWS does, but answers 500"),
		get(`{"pk":{"S":"b"},"sk":{"N":"1"}}`, "", "").doc(`{"Item":{"pk":{"S":"b"},"sk":{"N":"1"}}}`),
	}},
	{name: "update-key-attributes", seed: full, steps: []diffStep{
		update("SET pk = :v", vals(":v", S("b")), "", "", errValidation),
		update("REMOVE sk", "", "", "", errValidation),
		update("ADD sk :v", vals(":v", N("1")), "", "", errValidation),
	}},
	{name: "update-overlapping-paths", seed: full, steps: []diffStep{
		update("SET n = :a, n = :b", vals(":a", N("1"), ":b", N("2")), "", "", errValidation),
		update("SET a = :x REMOVE a.b", vals(":x", N("1")), "", "", errValidation),
		update("SET a.b = :x, a.b[0] = :x", vals(":x", N("1")), "", "", errValidation).
			mismatch("moto accepts overlapping paths when one is a list element"),
		update("SET l[0] = :x, l[0] = :x", vals(":x", N("1")), "", "", errValidation).
			docMsg("Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [l, [0]], path two: [l, [0]]").exact().
			mismatch("moto writes paths as l[0]; DynamoDB lists their elements, [l, [0]]"),
		update("SET l[0] = :x, l[1] = :x", vals(":x", N("1")), "UPDATED_NEW", "", "").doc(`{"Attributes":{"l":{"L":[{"N":"1"},{"N":"1"}]}}}`).
			mismatch("moto returns whole top-level attributes in UPDATED_OLD/UPDATED_NEW; DynamoDB returns only the updated document paths"),
	}},
	{name: "update-clauses", seed: full, steps: []diffStep{
		update("SET x = :x REMOVE s ADD c :one DELETE ss :d", vals(":x", N("1"), ":one", N("1"), ":d", `{"SS":["x"]}`), "ALL_NEW", "", ""),
		update("REMOVE x SET y = :x", vals(":x", N("1")), "UPDATED_NEW", "", "").doc(`{"Attributes":{"y":{"N":"1"}}}`),
		update("SET x = :x SET y = :x", vals(":x", N("1")), "", "", errValidation),
		update("set x = :x remove y", vals(":x", N("2")), "UPDATED_OLD", "", "").doc(`{"Attributes":{"y":{"N":"1"}}}`),
	}},
	{name: "update-empty-values", seed: full, steps: []diffStep{
		update("SET e = :e", vals(":e", S("")), "UPDATED_NEW", "", "").doc(`{"Attributes":{"e":{"S":""}}}`),
		update("SET eb = :e", vals(":e", B("")), "UPDATED_NEW", "", "").doc(`{"Attributes":{"eb":{"B":""}}}`),
		update("SET es = :e", vals(":e", `{"SS":[]}`), "", "", errValidation).
			mismatch("moto stores an empty set"),
		update("SET el = :e, em = :m", vals(":e", `{"L":[]}`, ":m", `{"M":{}}`), "UPDATED_NEW", "", "").doc(`{"Attributes":{"el":{"L":[]},"em":{"M":{}}}}`),
	}},
	{name: "put-return-values", seed: full, steps: []diffStep{
		put(`{"pk":{"S":"a"},"sk":{"N":"1"},"x":{"N":"1"}}`, `,"ReturnValues":"ALL_OLD"`, "").doc(`{"Attributes":` + fullItem + `}`),
		put(`{"pk":{"S":"b"},"sk":{"N":"1"}}`, `,"ReturnValues":"ALL_OLD"`, "").doc(`{}`),
		put(`{"pk":{"S":"a"},"sk":{"N":"1"}}`, `,"ReturnValues":"ALL_NEW"`, errValidation),
		put(`{"pk":{"S":"a"},"sk":{"N":"1"}}`, `,"ReturnValues":"UPDATED_OLD"`, errValidation),
		put(`{"pk":{"S":"a"},"sk":{"N":"1"}}`, `,"ReturnValues":"NONE"`, "").doc(`{}`),
	}},
	{name: "delete-return-values", seed: full, steps: []diffStep{
		req("DeleteItem", `{"TableName":"$T","Key":`+keyA+`,"ReturnValues":"ALL_NEW"}`, errValidation),
		req("DeleteItem", `{"TableName":"$T","Key":`+keyA+`,"ReturnValues":"ALL_OLD"}`, "").doc(`{"Attributes":` + fullItem + `}`),
		req("DeleteItem", `{"TableName":"$T","Key":`+keyA+`,"ReturnValues":"ALL_OLD"}`, "").doc(`{}`),
	}},

	// Query.
	{name: "query-partition", seed: qItems(), steps: []diffStep{
		query("pk = :p", vals(":p", S("q")), "", ""),
		query("pk = :p", vals(":p", S("r")), "", "").doc(`{"Items":[{"pk":{"S":"r"},"sk":{"N":"1"},"v":{"N":"5"},"odd":{"BOOL":true}}],"Count":1,"ScannedCount":1}`),
		query("pk = :p", vals(":p", S("none")), "", "").doc(`{"Items":[],"Count":0,"ScannedCount":0}`),
		query("#k = :p", vals(":p", S("r")), `,"ExpressionAttributeNames":{"#k":"pk"}`, ""),
	}},
	{name: "query-sort-key-operators", seed: qItems(), steps: []diffStep{
		query("pk = :p AND sk = :s", vals(":p", S("q"), ":s", N("3")), `,"ProjectionExpression":"sk"`, "").doc(`{"Items":[{"sk":{"N":"3"}}],"Count":1,"ScannedCount":1}`),
		query("pk = :p AND sk < :s", vals(":p", S("q"), ":s", N("3")), `,"ProjectionExpression":"sk"`, "").doc(`{"Items":[{"sk":{"N":"1"}},{"sk":{"N":"2"}}],"Count":2,"ScannedCount":2}`),
		query("pk = :p AND sk <= :s", vals(":p", S("q"), ":s", N("2")), `,"ProjectionExpression":"sk"`, ""),
		query("pk = :p AND sk > :s", vals(":p", S("q"), ":s", N("8")), `,"ProjectionExpression":"sk"`, "").doc(`{"Items":[{"sk":{"N":"9"}},{"sk":{"N":"10"}}],"Count":2,"ScannedCount":2}`),
		query("pk = :p AND sk >= :s", vals(":p", S("q"), ":s", N("9")), `,"ProjectionExpression":"sk"`, ""),
		query("pk = :p AND sk BETWEEN :a AND :b", vals(":p", S("q"), ":a", N("4"), ":b", N("6")), `,"ProjectionExpression":"sk"`, "").
			doc(`{"Items":[{"sk":{"N":"4"}},{"sk":{"N":"5"}},{"sk":{"N":"6"}}],"Count":3,"ScannedCount":3}`),
		query("sk > :s AND pk = :p", vals(":p", S("q"), ":s", N("8")), `,"ProjectionExpression":"sk"`, ""),
	}},
	{name: "query-direction-and-paging", seed: qItems(), steps: []diffStep{
		query("pk = :p", vals(":p", S("q")), `,"ScanIndexForward":false,"Limit":3,"ProjectionExpression":"sk"`, "").
			doc(`{"Items":[{"sk":{"N":"10"}},{"sk":{"N":"9"}},{"sk":{"N":"8"}}],"Count":3,"ScannedCount":3,"LastEvaluatedKey":` + qKey(8) + `}`),
		query("pk = :p", vals(":p", S("q")), `,"ScanIndexForward":false,"Limit":3,"ProjectionExpression":"sk","ExclusiveStartKey":`+qKey(8), "").
			doc(`{"Items":[{"sk":{"N":"7"}},{"sk":{"N":"6"}},{"sk":{"N":"5"}}],"Count":3,"ScannedCount":3,"LastEvaluatedKey":` + qKey(5) + `}`),
		query("pk = :p", vals(":p", S("q")), `,"Limit":4,"ProjectionExpression":"sk"`, ""),
		query("pk = :p", vals(":p", S("q")), `,"Limit":10,"ProjectionExpression":"sk","ExclusiveStartKey":`+qKey(4), "").
			doc(`{"Items":[{"sk":{"N":"5"}},{"sk":{"N":"6"}},{"sk":{"N":"7"}},{"sk":{"N":"8"}},{"sk":{"N":"9"}},{"sk":{"N":"10"}}],"Count":6,"ScannedCount":6}`),
		query("pk = :p AND sk > :s", vals(":p", S("q"), ":s", N("2")), `,"ScanIndexForward":false,"Limit":2,"ProjectionExpression":"sk","ExclusiveStartKey":`+qKey(5), "").
			doc(`{"Items":[{"sk":{"N":"4"}},{"sk":{"N":"3"}}],"Count":2,"ScannedCount":2,"LastEvaluatedKey":` + qKey(3) + `}`),
	}},
	{name: "query-limit-reached-exactly", note: "AWS returns LastEvaluatedKey whenever Limit items were evaluated, even if none follow",
		seed: qItems(), steps: []diffStep{
			query("pk = :p", vals(":p", S("q")), `,"Limit":6,"ProjectionExpression":"sk","ExclusiveStartKey":`+qKey(4), "").
				doc(`{"Items":[{"sk":{"N":"5"}},{"sk":{"N":"6"}},{"sk":{"N":"7"}},{"sk":{"N":"8"}},{"sk":{"N":"9"}},{"sk":{"N":"10"}}],"Count":6,"ScannedCount":6,"LastEvaluatedKey":` + qKey(10) + `}`).
				mismatch("moto returns no LastEvaluatedKey when the last item is the Limit-th"),
			query("pk = :p", vals(":p", S("r")), `,"Limit":1`, "").
				doc(`{"Items":[{"pk":{"S":"r"},"sk":{"N":"1"},"v":{"N":"5"},"odd":{"BOOL":true}}],"Count":1,"ScannedCount":1,"LastEvaluatedKey":{"pk":{"S":"r"},"sk":{"N":"1"}}}`).
				mismatch("moto returns no LastEvaluatedKey when the last item is the Limit-th"),
		}},
	{name: "query-string-sort-key", keys: "pk:S,sk:S",
		seed: []string{
			`{"pk":{"S":"p"},"sk":{"S":"a#1"}}`, `{"pk":{"S":"p"},"sk":{"S":"a#2"}}`, `{"pk":{"S":"p"},"sk":{"S":"ab"}}`,
			`{"pk":{"S":"p"},"sk":{"S":"b#1"}}`, `{"pk":{"S":"p"},"sk":{"S":"B"}}`,
		}, steps: []diffStep{
			query("pk = :p AND begins_with(sk, :s)", vals(":p", S("p"), ":s", S("a#")), "", "").
				doc(`{"Items":[{"pk":{"S":"p"},"sk":{"S":"a#1"}},{"pk":{"S":"p"},"sk":{"S":"a#2"}}],"Count":2,"ScannedCount":2}`),
			query("pk = :p AND sk BETWEEN :a AND :b", vals(":p", S("p"), ":a", S("a"), ":b", S("b")), `,"ProjectionExpression":"sk"`, "").
				doc(`{"Items":[{"sk":{"S":"a#1"}},{"sk":{"S":"a#2"}},{"sk":{"S":"ab"}}],"Count":3,"ScannedCount":3}`),
			query("pk = :p", vals(":p", S("p")), `,"ProjectionExpression":"sk"`, "").
				doc(`{"Items":[{"sk":{"S":"B"}},{"sk":{"S":"a#1"}},{"sk":{"S":"a#2"}},{"sk":{"S":"ab"}},{"sk":{"S":"b#1"}}],"Count":5,"ScannedCount":5}`),
			query("pk = :p AND sk > :s", vals(":p", S("p"), ":s", S("a#2")), `,"ProjectionExpression":"sk","ScanIndexForward":false`, ""),
		}},
	{name: "query-filter", seed: qItems(), steps: []diffStep{
		query("pk = :p", vals(":p", S("q"), ":x", N("70")), `,"FilterExpression":"v > :x","ProjectionExpression":"sk"`, "").
			doc(`{"Items":[{"sk":{"N":"8"}},{"sk":{"N":"9"}},{"sk":{"N":"10"}}],"Count":3,"ScannedCount":10}`),
		query("pk = :p", vals(":p", S("q"), ":t", `{"BOOL":true}`), `,"FilterExpression":"odd = :t","Limit":5,"ProjectionExpression":"sk"`, "").
			doc(`{"Items":[{"sk":{"N":"1"}},{"sk":{"N":"3"}},{"sk":{"N":"5"}}],"Count":3,"ScannedCount":5,"LastEvaluatedKey":` + qKey(5) + `}`),
		query("pk = :p", vals(":p", S("q"), ":x", N("1000")), `,"FilterExpression":"v > :x"`, "").doc(`{"Items":[],"Count":0,"ScannedCount":10}`),
		query("pk = :p AND sk > :s", vals(":p", S("q"), ":s", N("5"), ":t", `{"BOOL":true}`), `,"FilterExpression":"odd = :t AND attribute_exists(v)","ProjectionExpression":"sk"`, ""),
	}},
	{name: "query-select-count", seed: qItems(), steps: []diffStep{
		query("pk = :p", vals(":p", S("q")), `,"Select":"COUNT"`, "").doc(`{"Count":10,"ScannedCount":10}`),
		query("pk = :p", vals(":p", S("q"), ":t", `{"BOOL":true}`), `,"Select":"COUNT","FilterExpression":"odd = :t"`, "").doc(`{"Count":5,"ScannedCount":10}`),
		query("pk = :p", vals(":p", S("q")), `,"Select":"ALL_ATTRIBUTES","Limit":1`, ""),
		query("pk = :p", vals(":p", S("q")), `,"Select":"COUNT","ProjectionExpression":"sk"`, errValidation).
			mismatch("moto accepts Select COUNT with a ProjectionExpression"),
		query("pk = :p", vals(":p", S("q")), `,"Select":"SPECIFIC_ATTRIBUTES","ProjectionExpression":"sk","Limit":1`, ""),
	}},
	{name: "query-projection", seed: append(qItems(), `{"pk":{"S":"f"},"sk":{"N":"1"},"a":{"M":{"b":{"L":[{"N":"0"},{"N":"1"},{"M":{"c":{"S":"v"},"d":{"S":"w"}}}]}}},"l":{"L":[{"S":"x"},{"S":"y"}]}}`), steps: []diffStep{
		query("pk = :p", vals(":p", S("f")), `,"ProjectionExpression":"a.b[2].c, l[1], nope"`, "").
			doc(`{"Items":[{"a":{"M":{"b":{"L":[{"M":{"c":{"S":"v"}}}]}}},"l":{"L":[{"S":"y"}]}}],"Count":1,"ScannedCount":1}`),
		query("pk = :p", vals(":p", S("q")), `,"ProjectionExpression":"#v","ExpressionAttributeNames":{"#v":"v"},"Limit":2`, "").
			doc(`{"Items":[{"v":{"N":"10"}},{"v":{"N":"20"}}],"Count":2,"ScannedCount":2,"LastEvaluatedKey":` + qKey(2) + `}`),
	}},
	{name: "query-key-condition-errors", seed: qItems(), steps: []diffStep{
		query("v = :x", vals(":x", N("1")), "", errValidation),
		query("sk = :s", vals(":s", N("1")), "", errValidation),
		query("pk = :p OR sk = :s", vals(":p", S("q"), ":s", N("1")), "", errValidation).
			mismatch("moto answers 500 with an HTML page (an unhandled exception)"),
		query("pk = :p AND sk <> :s", vals(":p", S("q"), ":s", N("1")), "", errValidation).
			mismatch("moto answers 500 with an HTML page (an unhandled exception)"),
		query("pk = :p AND NOT sk = :s", vals(":p", S("q"), ":s", N("1")), "", errValidation).
			mismatch("moto answers 500 with an HTML page (an unhandled exception)"),
		query("pk = :p AND sk IN (:s)", vals(":p", S("q"), ":s", N("1")), "", errValidation).
			mismatch("moto answers 500 with an HTML page (an unhandled exception)"),
		query("pk = :p AND begins_with(sk, :s)", vals(":p", S("q"), ":s", N("1")), "", errValidation).
			mismatch("moto answers 500 with an HTML page (an unhandled exception)"),
		query("pk = :p AND sk > :a AND sk < :b", vals(":p", S("q"), ":a", N("1"), ":b", N("5")), "", errValidation).
			mismatch("moto accepts two conditions on the sort key and applies one"),
		query("pk < :p", vals(":p", S("q")), "", errValidation),
		query("pk = :p AND", vals(":p", S("q")), "", errValidation).
			mismatch("moto ignores a trailing AND"),
	}},
	{name: "query-request-errors", seed: qItems(), steps: []diffStep{
		query("pk = :p", vals(":p", N("1")), "", errValidation).
			mismatch("moto does not check the partition key value's type"),
		query("pk = :p AND sk = :s", vals(":p", S("q"), ":s", S("1")), "", errValidation).
			mismatch("moto does not check the sort key value's type"),
		query("pk = :p", vals(":p", S("q"), ":s", N("2")), `,"FilterExpression":"sk > :s"`, errValidation).
			mismatch("moto allows key attributes in a Query's FilterExpression"),
		query("pk = :p", vals(":p", S("q")), `,"Limit":0`, errValidation).docHead("1 validation error detected").
			mismatch("moto answers 500 with an HTML page (an unhandled exception)"),
		query("pk = :p", vals(":p", S("")), "", errValidation),
		req("Query", `{"TableName":"$T-missing","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"q"}}}`, errNotFound),
		req("Query", `{"TableName":"$T"}`, errValidation).
			docMsg("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.").
			mismatch("moto's message is \"Either KeyConditions or QueryFilter should be present\""),
	}},
	{name: "query-hash-only-table", keys: "pk:S",
		seed: []string{`{"pk":{"S":"h"},"x":{"N":"1"}}`, `{"pk":{"S":"i"},"x":{"N":"2"}}`},
		steps: []diffStep{
			query("pk = :p", vals(":p", S("h")), "", "").doc(`{"Items":[{"pk":{"S":"h"},"x":{"N":"1"}}],"Count":1,"ScannedCount":1}`),
			query("pk = :p AND x = :x", vals(":p", S("h"), ":x", N("1")), "", errValidation),
			get(`{"pk":{"S":"i"}}`, "", "").doc(`{"Item":{"pk":{"S":"i"},"x":{"N":"2"}}}`),
			get(`{"pk":{"S":"i"},"sk":{"N":"1"}}`, "", errValidation),
		}},

	// Scan.
	{name: "scan-filter-projection", seed: qItems(), steps: []diffStep{
		req("Scan", `{"TableName":"$T","FilterExpression":"v >= :x","ExpressionAttributeValues":{":x":{"N":"90"}},"ProjectionExpression":"pk, sk"}`, "").
			doc(`{"Items":[{"pk":{"S":"q"},"sk":{"N":"9"}},{"pk":{"S":"q"},"sk":{"N":"10"}}],"Count":2,"ScannedCount":11}`),
		req("Scan", `{"TableName":"$T","Select":"COUNT"}`, "").doc(`{"Count":11,"ScannedCount":11}`).
			mismatch("moto's Select COUNT returns the items too"),
		req("Scan", `{"TableName":"$T","FilterExpression":"sk > :s AND pk = :p","ExpressionAttributeValues":{":s":{"N":"8"},":p":{"S":"q"}},"ProjectionExpression":"sk"}`, ""),
		req("Scan", `{"TableName":"$T","FilterExpression":"odd = :t","ExpressionAttributeValues":{":t":{"BOOL":true}},"Select":"COUNT"}`, "").doc(`{"Count":6,"ScannedCount":11}`).
			mismatch("moto's Select COUNT returns the items too"),
		req("Scan", `{"TableName":"$T","FilterExpression":"v >= "}`, errValidation).docHead("Invalid FilterExpression").
			mismatch("moto's message starts \"Bad Filter Expression:\""),
	}},

	// GetItem, projections and key validation.
	{name: "get-projection", seed: full, steps: []diffStep{
		get(keyA, `,"ProjectionExpression":"a.b[2].c, #s, l[1], ss","ExpressionAttributeNames":{"#s":"s"}`, "").
			doc(`{"Item":{"a":{"M":{"b":{"L":[{"M":{"c":{"S":"v"}}}]}}},"s":{"S":"hello world"},"l":{"L":[{"S":"two"}]},"ss":{"SS":["x","y"]}}}`),
		get(keyA, `,"ProjectionExpression":"nope"`, "").doc(`{"Item":{}}`),
		get(keyA, `,"ProjectionExpression":"l[0], l[2].c"`, "").doc(`{"Item":{"l":{"L":[{"N":"1"},{"M":{"c":{"S":"deep"}}}]}}}`).
			mismatch("moto keeps only the last of two elements projected from one list"),
		get(keyA, `,"ProjectionExpression":"a, a.b"`, errValidation).
			mismatch("moto accepts overlapping projection paths"),
		get(keyA, `,"ProjectionExpression":"a..b"`, errValidation).
			mismatch("moto accepts a path with an empty element"),
		get(`{"pk":{"S":"none"},"sk":{"N":"1"}}`, `,"ConsistentRead":true`, "").doc(`{}`),
	}},
	{name: "key-validation", seed: full, steps: []diffStep{
		get(`{"pk":{"N":"1"},"sk":{"N":"1"}}`, "", errValidation).
			mismatch("moto does not check the key's types on GetItem"),
		get(`{"pk":{"S":"a"}}`, "", errValidation).
			docMsg("The provided key element does not match the schema").mismatch("moto's message is \"Validation Exception\""),
		get(`{"pk":{"S":"a"},"sk":{"N":"1"},"x":{"S":"y"}}`, "", errValidation),
		get(`{"pk":{"S":""},"sk":{"N":"1"}}`, "", errValidation),
		put(`{"pk":{"S":""},"sk":{"N":"1"}}`, "", errValidation).
			docMsg("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk").
			mismatch("moto's message is the one AWS used before empty strings were allowed in non-key attributes"),
		put(`{"pk":{"S":"a"}}`, "", errValidation),
		put(`{"pk":{"S":"a"},"sk":{"S":"1"}}`, "", errValidation),
		update("SET x = :v", vals(":v", N("1")), "", "", "").doc(`{}`),
		req("UpdateItem", `{"TableName":"$T","Key":{"pk":{"S":"a"},"sk":{"S":"1"}},"UpdateExpression":"SET x = :v","ExpressionAttributeValues":{":v":{"N":"1"}}}`, errValidation),
		req("DeleteItem", `{"TableName":"$T","Key":{"pk":{"S":"a"}}}`, errValidation).
			docMsg("The provided key element does not match the schema").mismatch("moto's message is \"Validation Exception\""),
	}},
	{name: "attribute-value-validation", steps: []diffStep{
		put(`{"pk":{"S":"a"},"sk":{"N":"1"},"x":{"SS":[]}}`, "", errValidation),
		put(`{"pk":{"S":"a"},"sk":{"N":"1"},"x":{"SS":["a","a"]}}`, "", errValidation).
			mismatch("moto accepts a set with duplicates"),
		put(`{"pk":{"S":"a"},"sk":{"N":"1"},"x":{"N":"abc"}}`, "", errValidation).docMsg("The parameter cannot be converted to a numeric value: abc").exact(),
		put(`{"pk":{"S":"a"},"sk":{"N":"1"},"x":{"N":"1E+126"}}`, "", errValidation).
			mismatch("moto accepts numbers beyond DynamoDB's range"),
		put(`{"pk":{"S":"a"},"sk":{"N":"1"},"x":{"N":"12345678901234567890123456789012345678901"}}`, "", errValidation).
			mismatch("moto accepts more than 38 significant digits"),
		put(`{"pk":{"S":"a"},"sk":{"N":"1"},"x":{"S":"a","N":"1"}}`, "", errValidation).
			mismatch("moto accepts an attribute value with two types"),
	}},
	{name: "numbers-canonical", note: "DynamoDB trims leading and trailing zeroes of numbers",
		steps: []diffStep{
			put(`{"pk":{"S":"a"},"sk":{"N":"1"},"x":{"N":"1.50"},"y":{"N":"0100"},"z":{"N":"10.0"},"w":{"N":"-0.5"}}`, "", ""),
			get(keyA, `,"ProjectionExpression":"x, y, z, w"`, "").doc(`{"Item":{"x":{"N":"1.5"},"y":{"N":"100"},"z":{"N":"10"},"w":{"N":"-0.5"}}}`).
				mismatch("moto returns numbers as they were written"),
			get(`{"pk":{"S":"a"},"sk":{"N":"1.0"}}`, `,"ProjectionExpression":"sk"`, "").doc(`{"Item":{"sk":{"N":"1"}}}`),
		}},
	{name: "item-size-limit", steps: []diffStep{
		put(`{"pk":{"S":"a"},"sk":{"N":"1"},"x":{"S":"`+strings.Repeat("x", 400*1024)+`"}}`, "", errValidation),
		put(`{"pk":{"S":"a"},"sk":{"N":"1"},"x":{"S":"`+strings.Repeat("x", 390*1024)+`"}}`, "", ""),
	}},

	// ExpressionAttributeNames and ExpressionAttributeValues.
	{name: "unused-values", seed: full, steps: []diffStep{
		update("SET x = :x", vals(":x", N("1"), ":y", N("2")), "", "", errValidation).
			docMsg("Value provided in ExpressionAttributeValues unused in expressions: keys: {:y}").exact(),
		cond("n = :v", vals(":v", N("10"), ":w", N("1")), errValidation),
	}},
	{name: "unused-names", seed: full, steps: []diffStep{
		req("UpdateItem", `{"TableName":"$T","Key":`+keyA+`,"UpdateExpression":"SET #n = :x","ExpressionAttributeNames":{"#n":"n","#u":"u"},"ExpressionAttributeValues":{":x":{"N":"1"}}}`, errValidation).
			docMsg("Value provided in ExpressionAttributeNames unused in expressions: keys: {#u}").exact(),
		get(keyA, `,"ProjectionExpression":"#s","ExpressionAttributeNames":{"#s":"s","#t":"t"}`, errValidation),
	}},
	{name: "undefined-values-and-names", seed: full, steps: []diffStep{
		update("SET x = :nope", vals(":x", N("1")), "", "", errValidation).
			docMsg("Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :nope").exact().
			mismatch("moto reports the unused :x before the undefined :nope; DynamoDB parses the expression first"),
		update("SET x = :nope", "", "", "", errValidation),
		update("SET #nope = :x", vals(":x", N("1")), "", "", errValidation).
			mismatch("moto answers 500 with an HTML page (an unhandled exception)"),
		cond("#nope = :v", vals(":v", N("1")), errValidation).
			mismatch("moto answers 500 with an HTML page (an unhandled exception)"),
		get(keyA, `,"ProjectionExpression":"#nope"`, errValidation).
			mismatch("moto ignores an undefined name in a ProjectionExpression"),
	}},
	{name: "reserved-words", seed: full, steps: []diffStep{
		update("SET name = :v", vals(":v", N("1")), "", "", errValidation).
			docMsg("Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: name").exact(),
		cond("status = :v", vals(":v", N("1")), errValidation),
		get(keyA, `,"ProjectionExpression":"data"`, errValidation).
			docMsg("Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: data").
			mismatch("moto's message starts \"ProjectionExpression:\""),
		query("pk = :p AND size > :v", vals(":p", S("a"), ":v", N("1")), "", errValidation).
			docMsg("Invalid KeyConditionExpression: Attribute name is a reserved keyword; reserved keyword: size").exact().
			mismatch("moto checks the key schema before reserved words"),
		req("UpdateItem", `{"TableName":"$T","Key":`+keyA+`,"UpdateExpression":"SET #n = :v","ExpressionAttributeNames":{"#n":"name"},"ExpressionAttributeValues":{":v":{"N":"1"}}}`, ""),
	}},
	{name: "syntax-errors", seed: full, steps: []diffStep{
		update("SET = :v", vals(":v", N("1")), "", "", errValidation),
		update("SET x = :v,", vals(":v", N("1")), "", "", errValidation),
		update("SET x :v", vals(":v", N("1")), "", "", errValidation),
		update("PUT x = :v", vals(":v", N("1")), "", "", errValidation),
		cond("n = ", "", errValidation).
			mismatch("moto answers 500 with an HTML page (an unhandled exception)"),
		cond("n == :v", vals(":v", N("1")), errValidation).
			mismatch("moto answers 500 with an HTML page (an unhandled exception)"),
		cond("n = :v AND", vals(":v", N("1")), errValidation).
			mismatch("moto answers 500 with an HTML page (an unhandled exception)"),
		cond("(n = :v", vals(":v", N("1")), errValidation).
			mismatch("moto answers 500 with an HTML page (an unhandled exception)"),
		update("SET x = :v", vals(":v", N("1")), "", `,"ConditionExpression":"a.b[x] = :v"`, errValidation).
			mismatch("moto answers 500 with an HTML page (an unhandled exception)"),
	}},
	{name: "empty-expressions-and-maps", seed: full, steps: []diffStep{
		update("", vals(":v", N("1")), "", "", errValidation),
		update("SET x = :v", vals(":v", N("1")), "", `,"ConditionExpression":""`, errValidation).
			mismatch("moto ignores an empty ConditionExpression"),
		update("REMOVE x", "", "", `,"ExpressionAttributeValues":{}`, errValidation).
			docMsg("ExpressionAttributeValues must not be empty").exact(),
		update("REMOVE x", "", "", `,"ExpressionAttributeNames":{}`, errValidation).
			docMsg("ExpressionAttributeNames must not be empty").exact().
			mismatch("moto accepts an empty ExpressionAttributeNames"),
		get(keyA, `,"ProjectionExpression":""`, errValidation),
	}},
	{name: "values-without-expressions", seed: full, steps: []diffStep{
		get(keyA, `,"ExpressionAttributeValues":{":v":{"N":"1"}}`, errValidation).
			mismatch("moto ignores ExpressionAttributeValues on GetItem"),
		get(keyA, `,"ExpressionAttributeNames":{"#n":"n"}`, errValidation),
		put(fullItem, `,"ExpressionAttributeValues":{":v":{"N":"1"}}`, errValidation).
			mismatch("moto ignores ExpressionAttributeValues without a ConditionExpression"),
	}},
	{name: "functions-misused", seed: full, steps: []diffStep{
		cond("foo(n)", "", errValidation).
			mismatch("moto answers 500 with an HTML page (an unhandled exception)"),
		update("SET x = size(l)", "", "", "", errValidation),
		update("SET x = foo(l)", "", "", "", errValidation),
		cond("attribute_exists(:v)", vals(":v", N("1")), errValidation).
			mismatch("moto answers 500 with an HTML page (an unhandled exception)"),
		cond("begins_with(s)", "", errValidation).
			mismatch("moto answers 500 with an HTML page (an unhandled exception)"),
		cond("size(s)", "", errValidation).
			mismatch("moto answers 500 with an HTML page (an unhandled exception)"),
		cond("attribute_exists(s) = :v", vals(":v", `{"BOOL":true}`), errValidation).
			mismatch("moto answers 500 with an HTML page (an unhandled exception)"),
	}},
	{name: "legacy-and-expression-mix", seed: full, steps: []diffStep{
		req("UpdateItem", `{"TableName":"$T","Key":`+keyA+`,"UpdateExpression":"SET x = :v","ExpressionAttributeValues":{":v":{"N":"1"}},"AttributeUpdates":{"y":{"Action":"PUT","Value":{"N":"1"}}}}`, errValidation),
		req("PutItem", `{"TableName":"$T","Item":`+fullItem+`,"ConditionExpression":"attribute_exists(pk)","Expected":{"pk":{"Exists":true}}}`, errValidation).
			mismatch("moto accepts Expected with ConditionExpression"),
		req("GetItem", `{"TableName":"$T","Key":`+keyA+`,"ProjectionExpression":"s","AttributesToGet":["s"]}`, errValidation),
	}},

	// Batches and missing tables.
	{name: "batch-write-get", steps: []diffStep{
		req("BatchWriteItem", `{"RequestItems":{"$T":[{"PutRequest":{"Item":{"pk":{"S":"a"},"sk":{"N":"1"},"x":{"N":"1"}}}},{"PutRequest":{"Item":{"pk":{"S":"a"},"sk":{"N":"2"}}}},{"PutRequest":{"Item":{"pk":{"S":"b"},"sk":{"N":"1"}}}}]}}`, "").
			doc(`{"UnprocessedItems":{}}`).
			mismatch("moto adds an empty ItemCollectionMetrics"),
		req("BatchGetItem", `{"RequestItems":{"$T":{"Keys":[{"pk":{"S":"a"},"sk":{"N":"1"}},{"pk":{"S":"b"},"sk":{"N":"1"}},{"pk":{"S":"c"},"sk":{"N":"1"}}]}}}`, ""),
		req("BatchGetItem", `{"RequestItems":{"$T":{"Keys":[{"pk":{"S":"a"},"sk":{"N":"1"}}],"ProjectionExpression":"x"}}}`, ""),
		req("BatchWriteItem", `{"RequestItems":{"$T":[{"DeleteRequest":{"Key":{"pk":{"S":"a"},"sk":{"N":"1"}}}},{"DeleteRequest":{"Key":{"pk":{"S":"a"},"sk":{"N":"1"}}}}]}}`, errValidation),
		req("BatchWriteItem", `{"RequestItems":{"$T":[{"DeleteRequest":{"Key":{"pk":{"S":"a"},"sk":{"N":"1"}}}}]}}`, "").doc(`{"UnprocessedItems":{}}`).
			mismatch("moto adds an empty ItemCollectionMetrics"),
		req("BatchGetItem", `{"RequestItems":{"$T":{"Keys":[{"pk":{"S":"a"},"sk":{"N":"1"}},{"pk":{"S":"a"},"sk":{"N":"1"}}]}}}`, errValidation),
	}},
	{name: "missing-table", steps: []diffStep{
		req("GetItem", `{"TableName":"$T-missing","Key":`+keyA+`}`, errNotFound),
		req("PutItem", `{"TableName":"$T-missing","Item":`+keyA+`}`, errNotFound),
		req("UpdateItem", `{"TableName":"$T-missing","Key":`+keyA+`,"UpdateExpression":"SET x = :v","ExpressionAttributeValues":{":v":{"N":"1"}}}`, errNotFound),
		req("DeleteItem", `{"TableName":"$T-missing","Key":`+keyA+`}`, errNotFound),
		req("Scan", `{"TableName":"$T-missing"}`, errNotFound),
	}},
}
