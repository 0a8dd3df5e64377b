package sam

import (
	"fmt"
	"strings"
)

// propertySet is what samtranslator accepts for a resource or event type
// (known) and what of it eddy transforms (done).
type propertySet struct {
	known, done string
}

var pullKnown = "BatchSize BisectBatchOnFunctionError ConsumerGroupId DestinationConfig Enabled FilterCriteria FunctionResponseTypes KafkaBootstrapServers KmsKeyArn LoggingConfig MaximumBatchingWindowInSeconds MaximumRecordAgeInSeconds MaximumRetryAttempts MetricsConfig ParallelizationFactor ProvisionedPollerConfig Queues ScalingConfig SchemaRegistryConfig SecretsManagerKmsKeyId SourceAccessConfigurations StartingPosition StartingPositionTimestamp Topics TumblingWindowInSeconds"
var pullDone = "BatchSize BisectBatchOnFunctionError DestinationConfig Enabled FilterCriteria FunctionResponseTypes KmsKeyArn MaximumBatchingWindowInSeconds MaximumRecordAgeInSeconds MaximumRetryAttempts MetricsConfig ParallelizationFactor ScalingConfig StartingPosition StartingPositionTimestamp TumblingWindowInSeconds"
var ruleKnown = "DeadLetterConfig Enabled EventBusName Input InputPath InputTransformer Pattern RetryPolicy RuleName State Target"
var ruleDone = "DeadLetterConfig Enabled EventBusName Input InputPath InputTransformer Pattern RetryPolicy State"

// properties are samtranslator's property lists (model/sam_resources.py and
// model/eventsources) and the part of each eddy transforms.
var properties = map[string]propertySet{
	"AWS::Serverless::Function": {
		known: "Architectures AssumeRolePolicyDocument AutoPublishAlias AutoPublishAliasAllProperties AutoPublishCodeSha256 CapacityProviderConfig CodeSigningConfigArn CodeUri DeadLetterQueue DeploymentPreference Description DurableConfig Environment EphemeralStorage EventInvokeConfig Events FileSystemConfigs FunctionName FunctionScalingConfig FunctionUrlConfig Handler ImageConfig ImageUri InlineCode KmsKeyArn Layers LoggingConfig MemorySize PackageType PermissionsBoundary Policies PropagateTags ProvisionedConcurrencyConfig PublishToLatestPublished RecursiveLoop ReservedConcurrentExecutions Role RolePath Runtime RuntimeManagementConfig SnapStart SourceKMSKeyArn Tags TenancyConfig Timeout Tracing VersionDeletionPolicy VersionDescription VpcConfig",
		done:  "Architectures AssumeRolePolicyDocument AutoPublishAlias AutoPublishCodeSha256 CodeSigningConfigArn CodeUri DeadLetterQueue Description Environment EphemeralStorage EventInvokeConfig Events FileSystemConfigs FunctionName FunctionUrlConfig Handler ImageConfig ImageUri InlineCode KmsKeyArn Layers LoggingConfig MemorySize PackageType PermissionsBoundary Policies ProvisionedConcurrencyConfig RecursiveLoop ReservedConcurrentExecutions Role RolePath Runtime RuntimeManagementConfig SnapStart Tags Timeout Tracing VersionDeletionPolicy VersionDescription VpcConfig",
	},
	"AWS::Serverless::Application": {
		known: "Location NotificationARNs Parameters Tags TimeoutInMinutes",
		done:  "Location NotificationARNs Parameters Tags TimeoutInMinutes",
	},
	"AWS::Serverless::SimpleTable": {
		known: "PointInTimeRecoverySpecification PrimaryKey ProvisionedThroughput SSESpecification TableName Tags",
		done:  "PointInTimeRecoverySpecification PrimaryKey ProvisionedThroughput SSESpecification TableName Tags",
	},
	"AWS::Serverless::Api": {
		known: "AccessLogSetting AlwaysDeploy ApiKeySourceType Auth BinaryMediaTypes CacheClusterEnabled CacheClusterSize CanarySetting Cors DefinitionBody DefinitionUri Description DisableExecuteApiEndpoint Domain EndpointAccessMode EndpointConfiguration FailOnWarnings GatewayResponses MergeDefinitions MethodSettings MinimumCompressionSize Mode Models Name OpenApiVersion Policy PropagateTags SecurityPolicy StageName Tags TracingEnabled Variables",
		done:  "AccessLogSetting BinaryMediaTypes CacheClusterEnabled CacheClusterSize Cors DefinitionBody DefinitionUri MethodSettings StageName TracingEnabled Variables",
	},
	"AWS::Serverless::HttpApi": {
		known: "AccessLogSettings Auth CorsConfiguration DefaultRouteSettings DefinitionBody DefinitionUri Description DisableExecuteApiEndpoint Domain FailOnWarnings Name PropagateTags RouteSettings StageName StageVariables Tags",
		done:  "AccessLogSettings CorsConfiguration DefaultRouteSettings DefinitionBody DefinitionUri RouteSettings StageName StageVariables",
	},
	"SQS":             {known: "Queue " + pullKnown, done: "Queue " + pullDone},
	"DynamoDB":        {known: "Stream " + pullKnown, done: "Stream " + pullDone},
	"Kinesis":         {known: "Stream " + pullKnown, done: "Stream " + pullDone},
	"S3":              {known: "Bucket Events Filter", done: "Bucket Events Filter"},
	"Schedule":        {known: "DeadLetterConfig Description Enabled Input Name RetryPolicy RuleName Schedule State", done: "DeadLetterConfig Description Enabled Input Name RetryPolicy Schedule State"},
	"CloudWatchEvent": {known: ruleKnown, done: ruleDone},
	"EventBridgeRule": {known: ruleKnown, done: ruleDone},
	"Api":             {known: "Auth Method Path RequestModel RequestParameters ResponseTransferMode RestApiId Stage TimeoutInMillis", done: "Method Path RestApiId"},
	"HttpApi":         {known: "ApiId Auth Method Path PayloadFormatVersion RouteSettings Stage TimeoutInMillis", done: "ApiId Method Path PayloadFormatVersion TimeoutInMillis"},
	"ScheduleV2": {
		known: "DeadLetterConfig Description EndDate FlexibleTimeWindow GroupName Input KmsKeyArn Name OmitName PermissionsBoundary RetryPolicy RoleArn ScheduleExpression ScheduleExpressionTimezone StartDate State",
		done:  "DeadLetterConfig Description EndDate FlexibleTimeWindow GroupName Input KmsKeyArn Name RetryPolicy RoleArn ScheduleExpression ScheduleExpressionTimezone StartDate State",
	},
}

func hasWord(list, w string) bool {
	for _, e := range strings.Fields(list) {
		if e == w {
			return true
		}
	}
	return false
}

// checkProperties rejects a property samtranslator does not know, as it
// words it, and one eddy does not transform yet.
func checkProperties(id, typ string, p map[string]any) error {
	set, ok := properties[typ]
	if !ok {
		return nil
	}
	for _, k := range sortedKeys(p) {
		if !hasWord(set.known, k) {
			return invalid(id, "property %s not defined for resource of type %s", k, typ)
		}
	}
	for _, k := range sortedKeys(p) {
		if !hasWord(set.done, k) {
			return fmt.Errorf("%s (%s): property %s is %w", typ, id, k, ErrUnsupported)
		}
	}
	return nil
}
