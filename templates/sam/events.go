package sam

import (
	"reflect"
	"strings"
)

// events transforms a function's Events, in the order of their names.
func (t *transformer) events(f *fnCtx) error {
	ev, ok := f.p["Events"]
	if !ok || ev == nil {
		return nil
	}
	events, ok := ev.(map[string]any)
	if !ok {
		return invalid(f.id, "Type of property 'Events' is invalid.")
	}
	for _, name := range sortedKeys(events) {
		e, ok := events[name].(map[string]any)
		if !ok {
			return invalid(f.id, "Event '%s' must be an object.", name)
		}
		typ, _ := e["Type"].(string)
		ep, ok := e["Properties"].(map[string]any)
		if !ok {
			if e["Properties"] != nil {
				return invalid(f.id, "Event '%s' has invalid Properties.", name)
			}
			ep = map[string]any{}
		}
		id := f.id + name
		if err := checkProperties(id, typ, ep); err != nil {
			return err
		}
		var err error
		switch typ {
		case "SQS":
			err = t.pullEvent(f, id, name, ep, "Queue", t.managedPolicy("service-role/AWSLambdaSQSQueueExecutionRole"))
		case "DynamoDB":
			err = t.pullEvent(f, id, name, ep, "Stream", t.managedPolicy("service-role/AWSLambdaDynamoDBExecutionRole"))
		case "Kinesis":
			err = t.pullEvent(f, id, name, ep, "Stream", t.managedPolicy("service-role/AWSLambdaKinesisExecutionRole"))
		case "S3":
			err = t.s3Event(f, id, name, ep)
		case "Schedule":
			err = t.scheduleEvent(f, id, ep)
		case "ScheduleV2":
			err = t.scheduleV2Event(f, id, ep)
		case "CloudWatchEvent", "EventBridgeRule":
			err = t.ruleEvent(f, id, ep)
		case "Api":
			err = t.apiEvent(f, name, ep)
		case "HttpApi":
			err = t.httpAPIEvent(f, name, ep)
		default:
			return invalid(f.id, "Event with id [%s] is invalid. Resource dict has missing or invalid value for key Type. Event Type is: %s.", name, typ)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// pullEvent generates the AWS::Lambda::EventSourceMapping of an SQS,
// DynamoDB or Kinesis event.
func (t *transformer) pullEvent(f *fnCtx, id, name string, ep map[string]any, source, policy string) error {
	arn, ok := ep[source]
	if !ok {
		return invalid(id, "Missing required property '%s'.", source)
	}
	p := map[string]any{"EventSourceArn": deepCopy(arn), "FunctionName": f.target}
	copyProps(p, ep, "BatchSize", "StartingPosition", "StartingPositionTimestamp",
		"MaximumBatchingWindowInSeconds", "MaximumRetryAttempts", "BisectBatchOnFunctionError",
		"MaximumRecordAgeInSeconds", "ParallelizationFactor", "TumblingWindowInSeconds",
		"FunctionResponseTypes", "FilterCriteria", "ScalingConfig", "KmsKeyArn", "MetricsConfig")
	if v, ok := ep["Enabled"]; ok {
		p["Enabled"] = deepCopy(v)
	}
	if dc, ok := ep["DestinationConfig"].(map[string]any); ok {
		dc = deepCopy(dc).(map[string]any)
		p["DestinationConfig"] = dc
		if of, ok := dc["OnFailure"].(map[string]any); ok {
			if typ, ok := of["Type"]; ok {
				// Type only tells SAM which policy the role needs.
				delete(of, "Type")
				dest := of["Destination"]
				var pol map[string]any
				switch typ {
				case "SQS":
					pol = rolePolicy(id+"SQSPolicy", map[string]any{"Action": "sqs:SendMessage", "Effect": "Allow", "Resource": dest})
				case "SNS":
					pol = rolePolicy(id+"SNSPolicy", map[string]any{"Action": "sns:publish", "Effect": "Allow", "Resource": dest})
				case "S3":
					pol = rolePolicy(id+"S3Policy",
						map[string]any{"Action": "s3:PutObject", "Effect": "Allow", "Resource": map[string]any{"Fn::Join": []any{"/", []any{dest, "*"}}}},
						map[string]any{"Action": "s3:ListBucket", "Effect": "Allow", "Resource": dest})
				default:
					return invalid(id, "The only valid values for 'Type' are 'SQS', 'SNS', 'S3', and 'Kafka'")
				}
				f.addPolicy(pol)
			}
		}
	}
	if source == "Stream" {
		if _, ok := ep["StartingPosition"]; !ok {
			return invalid(id, "Missing required property 'StartingPosition'.")
		}
	}
	r := resource("AWS::Lambda::EventSourceMapping", p)
	passthrough(f.r, r)
	t.out[id] = r
	f.addManagedPolicy(policy)
	return nil
}

// permission generates <id> an AWS::Lambda::Permission for principal.
func (t *transformer) permission(f *fnCtx, id, principal string, sourceArn any, sourceAccount bool) map[string]any {
	p := map[string]any{
		"Action":       "lambda:InvokeFunction",
		"FunctionName": f.target,
		"Principal":    principal,
	}
	if sourceArn != nil {
		p["SourceArn"] = sourceArn
	}
	if sourceAccount {
		p["SourceAccount"] = ref("AWS::AccountId")
	}
	r := resource("AWS::Lambda::Permission", p)
	passthrough(f.r, r)
	t.out[id] = r
	return r
}

// s3Event adds the function to the notification configuration of the
// AWS::S3::Bucket the event names, which must be in the same template.
func (t *transformer) s3Event(f *fnCtx, id, name string, ep map[string]any) error {
	b, ok := ep["Bucket"].(map[string]any)
	bucketID, _ := b["Ref"].(string)
	if !ok || bucketID == "" || len(b) != 1 {
		return invalid(f.id, "Event with id [%s] is invalid. S3 events must reference an S3 bucket in the same template.", name)
	}
	bucket, ok := t.out[bucketID].(map[string]any)
	if !ok || bucket["Type"] != "AWS::S3::Bucket" {
		return invalid(f.id, "Event with id [%s] is invalid. S3 events must reference an S3 bucket in the same template.", name)
	}
	var events []any
	switch e := ep["Events"].(type) {
	case string:
		events = []any{e}
	case []any:
		events = e
	default:
		return invalid(f.id, "Event with id [%s] is invalid. Missing required property 'Events'.", name)
	}
	permID := id + "Permission"
	t.permission(f, permID, "s3.amazonaws.com", nil, true)

	deps := []any{}
	switch d := bucket["DependsOn"].(type) {
	case string:
		deps = append(deps, d)
	case []any:
		deps = d
	}
	bucket["DependsOn"] = appendUnique(deps, permID)

	bp, ok := bucket["Properties"].(map[string]any)
	if !ok {
		bp = map[string]any{}
		bucket["Properties"] = bp
	}
	nc, ok := bp["NotificationConfiguration"].(map[string]any)
	if !ok {
		nc = map[string]any{}
		bp["NotificationConfiguration"] = nc
	}
	lc, _ := nc["LambdaConfigurations"].([]any)
	for _, e := range events {
		c := map[string]any{"Event": deepCopy(e), "Function": f.arnOrAlias()}
		if fl, ok := ep["Filter"]; ok {
			c["Filter"] = deepCopy(fl)
		}
		lc = append(lc, c)
	}
	nc["LambdaConfigurations"] = lc
	return nil
}

// arnOrAlias is the function's ARN, or its alias's when it has one.
func (f *fnCtx) arnOrAlias() any {
	if f.aliasID != "" {
		return ref(f.aliasID)
	}
	return getAtt(f.id, "Arn")
}

// ruleTarget is the target of an Events rule that invokes the function.
func (f *fnCtx) ruleTarget(id string, ep map[string]any) map[string]any {
	tg := map[string]any{"Arn": f.arnOrAlias(), "Id": id + "LambdaTarget"}
	copyProps(tg, ep, "Input", "InputPath", "RetryPolicy", "InputTransformer")
	if dlq, ok := ep["DeadLetterConfig"].(map[string]any); ok {
		if arn, ok := dlq["Arn"]; ok {
			tg["DeadLetterConfig"] = map[string]any{"Arn": deepCopy(arn)}
		}
	}
	return tg
}

// scheduleEvent generates an AWS::Events::Rule with a schedule and the
// permission that lets it invoke the function.
func (t *transformer) scheduleEvent(f *fnCtx, id string, ep map[string]any) error {
	if _, ok := ep["Schedule"]; !ok {
		return invalid(id, "Missing required property 'Schedule'.")
	}
	p := map[string]any{"ScheduleExpression": deepCopy(ep["Schedule"])}
	copyProps(p, ep, "Name", "Description", "State")
	if en, ok := ep["Enabled"]; ok {
		if _, hasState := ep["State"]; hasState {
			return invalid(f.id, "Event with id [%s] is invalid. Cannot define both State and Enabled properties.", strings.TrimPrefix(id, f.id))
		}
		if truthy(en) {
			p["State"] = "ENABLED"
		} else {
			p["State"] = "DISABLED"
		}
	}
	p["Targets"] = []any{f.ruleTarget(id, ep)}
	r := resource("AWS::Events::Rule", p)
	passthrough(f.r, r)
	t.out[id] = r
	t.permission(f, id+"Permission", "events.amazonaws.com", getAtt(id, "Arn"), false)
	return nil
}

// ruleEvent generates an AWS::Events::Rule with an event pattern
// (CloudWatchEvent, EventBridgeRule) and its permission.
func (t *transformer) ruleEvent(f *fnCtx, id string, ep map[string]any) error {
	p := map[string]any{}
	copyRenamed(p, ep, "Pattern", "EventPattern")
	copyProps(p, ep, "EventBusName", "State")
	if en, ok := ep["Enabled"]; ok {
		if truthy(en) {
			p["State"] = "ENABLED"
		} else {
			p["State"] = "DISABLED"
		}
	}
	p["Targets"] = []any{f.ruleTarget(id, ep)}
	r := resource("AWS::Events::Rule", p)
	passthrough(f.r, r)
	t.out[id] = r
	t.permission(f, id+"Permission", "events.amazonaws.com", getAtt(id, "Arn"), false)
	return nil
}

// scheduleV2Event generates an AWS::Scheduler::Schedule and the role it
// invokes the function with.
func (t *transformer) scheduleV2Event(f *fnCtx, id string, ep map[string]any) error {
	p := map[string]any{}
	copyProps(p, ep, "ScheduleExpression", "Name", "Description", "GroupName", "StartDate", "EndDate",
		"ScheduleExpressionTimezone", "State", "KmsKeyArn", "FlexibleTimeWindow")
	if _, ok := p["Name"]; !ok {
		p["Name"] = id
	}
	if _, ok := p["FlexibleTimeWindow"]; !ok {
		p["FlexibleTimeWindow"] = map[string]any{"Mode": "OFF"}
	}
	target := map[string]any{"Arn": f.arnOrAlias()}
	roleID := id + "Role"
	if ra, ok := ep["RoleArn"]; ok {
		target["RoleArn"] = deepCopy(ra)
	} else {
		target["RoleArn"] = getAtt(roleID, "Arn")
		role := resource("AWS::IAM::Role", map[string]any{
			"AssumeRolePolicyDocument": assumeRole("scheduler.amazonaws.com"),
			"Policies": []any{map[string]any{
				"PolicyName": id + "LambdaPolicy",
				"PolicyDocument": map[string]any{
					"Statement": []any{map[string]any{
						"Action":   "lambda:InvokeFunction",
						"Effect":   "Allow",
						"Resource": f.arnOrAlias(),
					}},
				},
			}},
		})
		passthrough(f.r, role)
		t.out[roleID] = role
	}
	copyProps(target, ep, "Input", "RetryPolicy")
	if dlq, ok := ep["DeadLetterConfig"].(map[string]any); ok {
		if arn, ok := dlq["Arn"]; ok {
			target["DeadLetterConfig"] = map[string]any{"Arn": deepCopy(arn)}
		}
	}
	p["Target"] = target
	r := resource("AWS::Scheduler::Schedule", p)
	passthrough(f.r, r)
	t.out[id] = r
	return nil
}

func rolePolicy(name string, statements ...any) map[string]any {
	return map[string]any{"PolicyName": name, "PolicyDocument": map[string]any{"Statement": statements}}
}

// addPolicy adds an inline policy to the function's role unless one with
// the same document is there.
func (f *fnCtx) addPolicy(pol map[string]any) {
	if f.role == nil {
		return
	}
	rp := f.role["Properties"].(map[string]any)
	list, _ := rp["Policies"].([]any)
	for _, e := range list {
		if em, ok := e.(map[string]any); ok && reflect.DeepEqual(em["PolicyDocument"], pol["PolicyDocument"]) {
			return
		}
	}
	rp["Policies"] = append(list, pol)
}
