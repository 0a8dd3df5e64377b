package sam

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// lambdaProps are the AWS::Serverless::Function properties copied as they
// are to the AWS::Lambda::Function.
var lambdaProps = []string{
	"Description", "FunctionName", "Handler", "MemorySize", "Runtime", "Timeout",
	"Environment", "KmsKeyArn", "ReservedConcurrentExecutions", "Architectures",
	"Layers", "VpcConfig", "EphemeralStorage", "PackageType", "ImageConfig",
	"FileSystemConfigs", "CodeSigningConfigArn", "SnapStart", "RuntimeManagementConfig",
	"LoggingConfig", "RecursiveLoop",
}

// function transforms an AWS::Serverless::Function.
func (t *transformer) function(id string, r map[string]any) error {
	p, err := props(id, r)
	if err != nil {
		return err
	}
	if err := checkProperties(id, "AWS::Serverless::Function", p); err != nil {
		return err
	}
	fn := map[string]any{}
	copyProps(fn, p, lambdaProps...)
	code, err := t.code(id, p)
	if err != nil {
		return err
	}
	fn["Code"] = code
	if tr, ok := p["Tracing"]; ok {
		fn["TracingConfig"] = map[string]any{"Mode": tr}
	}
	tags, err := tagList(id, p["Tags"])
	if err != nil {
		return err
	}
	fn["Tags"] = tags
	var dlqPolicy map[string]any
	if d, ok := p["DeadLetterQueue"]; ok {
		dm, ok := d.(map[string]any)
		typ, _ := dm["Type"].(string)
		actions := map[string]string{"SQS": "sqs:SendMessage", "SNS": "sns:Publish"}
		if !ok || actions[typ] == "" {
			return invalid(id, "'DeadLetterQueue' requires Type of SNS or SQS")
		}
		fn["DeadLetterConfig"] = map[string]any{"TargetArn": deepCopy(dm["TargetArn"])}
		dlqPolicy = map[string]any{
			"PolicyName": "DeadLetterQueuePolicy",
			"PolicyDocument": map[string]any{
				"Version":   "2012-10-17",
				"Statement": []any{map[string]any{"Action": actions[typ], "Resource": deepCopy(dm["TargetArn"]), "Effect": "Allow"}},
			},
		}
	}

	var role map[string]any
	if rv, ok := p["Role"]; ok && rv != nil {
		fn["Role"] = deepCopy(rv)
	} else {
		role, err = t.functionRole(id, r, p, dlqPolicy)
		if err != nil {
			return err
		}
		fn["Role"] = getAtt(id+"Role", "Arn")
	}
	lambda := resource("AWS::Lambda::Function", fn)
	passthrough(r, lambda)
	copyAttrs(r, lambda)
	if role != nil {
		t.out[id+"Role"] = role
	}
	t.out[id] = lambda

	// target is what events and invoke configs call: the alias when the
	// function auto-publishes one.
	target := ref(id)
	aliasID := ""
	if name, ok := p["AutoPublishAlias"]; ok {
		aliasID, err = t.alias(id, r, p, fn, name)
		if err != nil {
			return err
		}
		target = ref(aliasID)
	}
	f := &fnCtx{id: id, r: r, p: p, role: role, target: target, aliasID: aliasID}
	if err := t.events(f); err != nil {
		return err
	}
	if err := t.eventInvokeConfig(f); err != nil {
		return err
	}
	return t.functionURL(f)
}

// fnCtx is what a function's events need to know about it.
type fnCtx struct {
	id      string
	r, p    map[string]any
	role    map[string]any // nil when the template gives the Role
	target  map[string]any // Ref of the function or of its alias
	aliasID string
}

// addManagedPolicy adds arn to the function role's ManagedPolicyArns unless
// it is there.
func (f *fnCtx) addManagedPolicy(arn string) {
	if f.role == nil {
		return
	}
	rp := f.role["Properties"].(map[string]any)
	list, _ := rp["ManagedPolicyArns"].([]any)
	for _, a := range list {
		if a == arn {
			return
		}
	}
	rp["ManagedPolicyArns"] = append(list, arn)
}

// copyAttrs copies the resource attributes SAM keeps on the main resource.
func copyAttrs(r, to map[string]any) {
	for _, k := range []string{"DependsOn", "Metadata", "UpdatePolicy"} {
		if v, ok := r[k]; ok {
			to[k] = deepCopy(v)
		}
	}
}

// code returns the Code of a function: InlineCode becomes ZipFile, an S3
// CodeUri is used as given and a local one is uploaded.
func (t *transformer) code(id string, p map[string]any) (map[string]any, error) {
	inline, hasInline := p["InlineCode"]
	uri, hasURI := p["CodeUri"]
	_, hasImage := p["ImageUri"]
	switch {
	case hasInline:
		return map[string]any{"ZipFile": deepCopy(inline)}, nil
	case hasImage:
		return map[string]any{"ImageUri": deepCopy(p["ImageUri"])}, nil
	case !hasURI:
		return nil, invalid(id, "Only one of 'InlineCode' or 'CodeUri' can be set.")
	}
	return t.s3Location(id, "CodeUri", uri, "S3Bucket", "S3Key", "S3ObjectVersion")
}

// s3Location turns a CodeUri or ContentUri into an S3 location with the
// given key names.
func (t *transformer) s3Location(id, prop string, uri any, bucketKey, keyKey, versionKey string) (map[string]any, error) {
	switch u := uri.(type) {
	case map[string]any:
		if isIntrinsic(u) {
			break
		}
		loc := map[string]any{bucketKey: deepCopy(u["Bucket"]), keyKey: deepCopy(u["Key"])}
		if v, ok := u["Version"]; ok {
			loc[versionKey] = deepCopy(v)
		}
		return loc, nil
	case string:
		if strings.HasPrefix(u, "s3://") {
			parsed, err := url.Parse(u)
			if err != nil || parsed.Host == "" || strings.TrimPrefix(parsed.Path, "/") == "" {
				break
			}
			loc := map[string]any{bucketKey: parsed.Host, keyKey: strings.TrimPrefix(parsed.Path, "/")}
			if v := parsed.Query().Get("versionId"); v != "" {
				loc[versionKey] = v
			}
			return loc, nil
		}
		if t.opts.Upload != nil && !strings.Contains(u, "://") {
			bucket, key, err := t.opts.Upload(u)
			if err != nil {
				return nil, fmt.Errorf("upload %s of %s: %w", prop, id, err)
			}
			return map[string]any{bucketKey: bucket, keyKey: key}, nil
		}
	}
	return nil, invalid(id, "'%s' is not a valid S3 Uri of the form 's3://bucket/key' with optional versionId query parameter.", prop)
}

// tagList turns a SAM Tags map into a CloudFormation tag list headed by
// lambda:createdBy=SAM.
func tagList(id string, tags any) ([]any, error) {
	list := []any{map[string]any{"Key": "lambda:createdBy", "Value": "SAM"}}
	if tags == nil {
		return list, nil
	}
	m, ok := tags.(map[string]any)
	if !ok {
		return nil, invalid(id, "Property 'Tags' should be a map.")
	}
	if _, ok := m["lambda:createdBy"]; ok {
		return nil, invalid(id, "lambda:createdBy is a reserved Tag key name and cannot be set on your resource. Please change the tag key in the input.")
	}
	for _, k := range sortedKeys(m) {
		list = append(list, map[string]any{"Key": k, "Value": deepCopy(m[k])})
	}
	return list, nil
}

// functionRole builds the execution role SAM generates for a function
// without a Role.
func (t *transformer) functionRole(id string, r, p map[string]any, dlq map[string]any) (map[string]any, error) {
	rp := map[string]any{}
	if a, ok := p["AssumeRolePolicyDocument"]; ok {
		rp["AssumeRolePolicyDocument"] = deepCopy(a)
	} else {
		rp["AssumeRolePolicyDocument"] = assumeRole("lambda.amazonaws.com")
	}
	managed := []any{t.managedPolicy("service-role/AWSLambdaBasicExecutionRole")}
	if tr, ok := p["Tracing"]; ok && tr != "Disabled" {
		managed = append(managed, t.managedPolicy("AWSXrayWriteOnlyAccess"))
	}
	if _, ok := p["VpcConfig"]; ok {
		managed = append(managed, t.managedPolicy("service-role/AWSLambdaVPCAccessExecutionRole"))
	}
	var docs []any
	if dlq != nil {
		docs = append(docs, dlq)
	}
	docs = append(docs, t.eventInvokePolicies(id, p)...)
	var policies []any
	switch v := p["Policies"].(type) {
	case nil:
	case string:
		policies = []any{v}
	case []any:
		policies = v
	case map[string]any:
		policies = []any{v}
	default:
		return nil, invalid(id, "Type of property 'Policies' is invalid.")
	}
	for i, pol := range policies {
		switch pv := pol.(type) {
		case string:
			arn := pv
			if !strings.HasPrefix(pv, "arn:") {
				arn = t.managedPolicy(pv)
			}
			managed = appendUnique(managed, arn)
		case map[string]any:
			if _, ok := pv["Statement"]; ok {
				docs = append(docs, map[string]any{"PolicyName": fmt.Sprintf("%sRolePolicy%d", id, i), "PolicyDocument": deepCopy(pv)})
				continue
			}
			if isIntrinsic(pv) {
				managed = appendUnique(managed, deepCopy(pv))
				continue
			}
			doc, err := policyTemplate(id, i, pv)
			if err != nil {
				return nil, err
			}
			docs = append(docs, map[string]any{"PolicyName": fmt.Sprintf("%sRolePolicy%d", id, i), "PolicyDocument": doc})
		default:
			return nil, invalid(id, "Policy at index %d in the 'Policies' property is not valid", i)
		}
	}
	rp["ManagedPolicyArns"] = managed
	if len(docs) > 0 {
		rp["Policies"] = docs
	}
	copyRenamed(rp, p, "RolePath", "Path")
	copyRenamed(rp, p, "PermissionsBoundary", "PermissionsBoundary")
	tags, err := tagList(id, p["Tags"])
	if err != nil {
		return nil, err
	}
	rp["Tags"] = tags
	role := resource("AWS::IAM::Role", rp)
	passthrough(r, role)
	return role, nil
}

func copyRenamed(dst, src map[string]any, from, to string) {
	if v, ok := src[from]; ok && v != nil {
		dst[to] = deepCopy(v)
	}
}

func appendUnique(list []any, v any) []any {
	for _, e := range list {
		if fmt.Sprint(e) == fmt.Sprint(v) {
			return list
		}
	}
	return append(list, v)
}

// assumeRole is the trust policy that lets service assume a role.
func assumeRole(service string) map[string]any {
	return map[string]any{
		"Version": "2012-10-17",
		"Statement": []any{map[string]any{
			"Action":    []any{"sts:AssumeRole"},
			"Effect":    "Allow",
			"Principal": map[string]any{"Service": []any{service}},
		}},
	}
}

var aliasName = regexp.MustCompile(`^[a-zA-Z0-9\-_]+$`)
var digits = regexp.MustCompile(`^[0-9]+$`)

// alias generates the version and alias of AutoPublishAlias and returns the
// alias's logical id.
func (t *transformer) alias(id string, r, p, fn map[string]any, nameV any) (string, error) {
	name, ok := t.resolveParams(nameV).(string)
	if !ok || name == "" {
		return "", invalid(id, "Alias name is required to create an alias")
	}
	if !aliasName.MatchString(name) || digits.MatchString(name) {
		return "", invalid(id, "AutoPublishAlias name ('%s') must contain only alphanumeric characters, hyphens, or underscores matching (?!^[0-9]+$)([a-zA-Z0-9-_]+) pattern.", name)
	}
	logical := map[string]any{}
	for k, v := range t.resolveParams(fn["Code"]).(map[string]any) {
		logical[k] = v
	}
	if env, ok := fn["Environment"].(map[string]any); ok {
		for k, v := range env { // samtranslator merges Environment's keys in
			logical[k] = v
		}
	}
	if v, ok := fn["MemorySize"]; ok {
		logical["MemorySize"] = v
	}
	if v, ok := fn["SnapStart"].(map[string]any); ok {
		if apply, _ := v["ApplyOn"].(string); apply != "" && apply != "None" {
			logical["SnapStart"] = v
		}
	}
	hash, _ := p["AutoPublishCodeSha256"].(string)
	var versionID string
	if hash != "" {
		switch d := fn["Description"].(type) {
		case nil:
			fn["Description"] = hash
		case string:
			fn["Description"] = d + " " + hash
		default:
			fn["Description"] = map[string]any{"Fn::Join": []any{" ", []any{d, hash}}}
		}
		versionID = id + "Version" + truncate(hash, 10)
	} else {
		versionID = logicalID(id+"Version", logical)
	}
	version := map[string]any{"FunctionName": ref(id)}
	copyRenamed(version, p, "VersionDescription", "Description")
	vr := resource("AWS::Lambda::Version", version)
	passthrough(r, vr)
	if _, ok := vr["DeletionPolicy"]; !ok {
		vr["DeletionPolicy"] = "Retain"
	}
	if v, ok := p["VersionDeletionPolicy"]; ok {
		vr["DeletionPolicy"] = v
	}
	t.out[versionID] = vr
	aliasID := id + "Alias" + strings.NewReplacer("-", "D", "_", "U").Replace(name)
	alias := map[string]any{
		"Name":            name,
		"FunctionName":    ref(id),
		"FunctionVersion": getAtt(versionID, "Version"),
	}
	copyProps(alias, p, "ProvisionedConcurrencyConfig")
	ar := resource("AWS::Lambda::Alias", alias)
	passthrough(r, ar)
	t.out[aliasID] = ar
	return aliasID, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// eventInvokePolicies are the role policies an EventInvokeConfig
// destination needs.
func (t *transformer) eventInvokePolicies(id string, p map[string]any) []any {
	cfg, ok := p["EventInvokeConfig"].(map[string]any)
	if !ok {
		return nil
	}
	dc, _ := cfg["DestinationConfig"].(map[string]any)
	var docs []any
	for _, which := range []string{"OnSuccess", "OnFailure"} {
		d, ok := dc[which].(map[string]any)
		if !ok {
			continue
		}
		typ, _ := d["Type"].(string)
		dest := d["Destination"]
		var stmt map[string]any
		switch typ {
		case "SQS":
			stmt = map[string]any{"Action": "sqs:SendMessage", "Resource": deepCopy(dest), "Effect": "Allow"}
		case "SNS":
			stmt = map[string]any{"Action": "sns:publish", "Resource": deepCopy(dest), "Effect": "Allow"}
		case "Lambda":
			stmt = map[string]any{"Action": "lambda:InvokeFunction", "Resource": deepCopy(dest), "Effect": "Allow"}
		case "EventBridge":
			stmt = map[string]any{"Action": "events:PutEvents", "Resource": deepCopy(dest), "Effect": "Allow"}
		default:
			continue
		}
		if dest == nil {
			continue
		}
		docs = append(docs, map[string]any{
			"PolicyName":     id + "EventInvokeConfig" + which + typ + "Policy",
			"PolicyDocument": map[string]any{"Statement": []any{stmt}},
		})
	}
	return docs
}

// eventInvokeConfig generates <Fn>EventInvokeConfig.
func (t *transformer) eventInvokeConfig(f *fnCtx) error {
	cfg, ok := f.p["EventInvokeConfig"].(map[string]any)
	if !ok {
		return nil
	}
	p := map[string]any{"FunctionName": ref(f.id), "Qualifier": "$LATEST"}
	if f.aliasID != "" {
		p["Qualifier"] = f.p["AutoPublishAlias"]
	}
	copyProps(p, cfg, "MaximumEventAgeInSeconds", "MaximumRetryAttempts")
	out := map[string]any{}
	if dc, ok := cfg["DestinationConfig"].(map[string]any); ok {
		for _, which := range []string{"OnSuccess", "OnFailure"} {
			d, ok := dc[which].(map[string]any)
			if !ok {
				continue
			}
			out[which] = map[string]any{"Destination": deepCopy(d["Destination"])}
		}
	}
	p["DestinationConfig"] = out
	r := resource("AWS::Lambda::EventInvokeConfig", p)
	passthrough(f.r, r)
	if f.aliasID != "" {
		r["DependsOn"] = []any{f.aliasID}
	}
	t.out[f.id+"EventInvokeConfig"] = r
	return nil
}

// functionURL generates <Fn>Url and, for AuthType NONE, its public
// permission.
func (t *transformer) functionURL(f *fnCtx) error {
	cfg, ok := f.p["FunctionUrlConfig"].(map[string]any)
	if !ok {
		return nil
	}
	auth, _ := cfg["AuthType"].(string)
	if auth != "NONE" && auth != "AWS_IAM" {
		if _, ok := cfg["AuthType"]; !ok {
			return invalid(f.id, "AuthType is required to configure function property `FunctionUrlConfig`. Please provide either AWS_IAM or NONE.")
		}
	}
	p := map[string]any{"TargetFunctionArn": f.target, "AuthType": cfg["AuthType"]}
	copyProps(p, cfg, "Cors", "InvokeMode")
	r := resource("AWS::Lambda::Url", p)
	passthrough(f.r, r)
	t.out[f.id+"Url"] = r
	if auth == "NONE" {
		perm := map[string]any{
			"Action":              "lambda:InvokeFunctionUrl",
			"FunctionName":        f.target,
			"Principal":           "*",
			"FunctionUrlAuthType": "NONE",
		}
		pr := resource("AWS::Lambda::Permission", perm)
		passthrough(f.r, pr)
		t.out[f.id+"UrlPublicPermissions"] = pr
		invoke := map[string]any{
			"Action":                "lambda:InvokeFunction",
			"FunctionName":          f.target,
			"Principal":             "*",
			"InvokedViaFunctionUrl": true,
		}
		ir := resource("AWS::Lambda::Permission", invoke)
		passthrough(f.r, ir)
		t.out[f.id+"URLInvokeAllowPublicAccess"] = ir
	}
	return nil
}

// managedPolicy is the ARN of the AWS managed policy name.
func (t *transformer) managedPolicy(name string) string {
	return "arn:" + t.opts.Partition + ":iam::aws:policy/" + name
}
