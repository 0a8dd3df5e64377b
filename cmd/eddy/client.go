package main

import (
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/serverlessapplicationrepository"
	"github.com/spf13/cobra"
)

// clientFlags are the flags every client command takes.
type clientFlags struct {
	endpoint string
	region   string
}

func (c *clientFlags) add(cmd *cobra.Command) {
	def := os.Getenv("EDDY_ENDPOINT")
	if def == "" {
		def = "http://127.0.0.1:4566"
	}
	cmd.Flags().StringVar(&c.endpoint, "endpoint", def, "eddy's address (or EDDY_ENDPOINT)")
	cmd.Flags().StringVar(&c.region, "region", "us-east-1", "region")
}

func (c *clientFlags) config() aws.Config {
	return aws.Config{
		Region:       c.region,
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(c.endpoint),
	}
}

func (c *clientFlags) lambda() *lambda.Client {
	return lambda.NewFromConfig(c.config())
}

func (c *clientFlags) logs() *cloudwatchlogs.Client {
	return cloudwatchlogs.NewFromConfig(c.config())
}

// cloudformation returns a CloudFormation client of the server.
func (c *clientFlags) cloudformation() *cloudformation.Client {
	return cloudformation.NewFromConfig(c.config())
}

// s3 returns an S3 client of the server. It addresses buckets by path:
// eddy serves every bucket on one host.
func (c *clientFlags) s3() *s3.Client {
	return s3.NewFromConfig(c.config(), func(o *s3.Options) { o.UsePathStyle = true })
}

// repo returns a Serverless Application Repository client of the server.
func (c *clientFlags) repo() *serverlessapplicationrepository.Client {
	return serverlessapplicationrepository.NewFromConfig(c.config())
}
