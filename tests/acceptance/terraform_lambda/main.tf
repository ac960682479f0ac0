# A Lambda@Edge function as Terraform users write one: aws_lambda_function from a zip, published, with the
# permission CloudFront's replicator needs. tests/acceptance/test_terraform_lambda.py writes the zip beside
# this file, applies against cloudfront-local, checks that a second plan is empty and destroys it.
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "5.100.0" }
  }
}

variable "endpoint" { type = string }

variable "handler_file" {
  type    = string
  default = "edge.zip"
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "123456789012"
  secret_key                  = "local"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  endpoints {
    lambda     = var.endpoint
    cloudfront = var.endpoint
  }
}

resource "aws_lambda_function" "edge" {
  function_name    = "edge-rewrite"
  role             = "arn:aws:iam::123456789012:role/edge-lambda"
  runtime          = "nodejs20.x"
  handler          = "index.handler"
  filename         = var.handler_file
  source_code_hash = filebase64sha256(var.handler_file)
  publish          = true
  memory_size      = 128
  timeout          = 5
  tags = {
    team = "edge"
  }
}

resource "aws_lambda_function" "python" {
  function_name    = "edge-headers"
  role             = "arn:aws:iam::123456789012:role/edge-lambda"
  runtime          = "python3.12"
  handler          = "app/main.handler"
  filename         = "python.zip"
  source_code_hash = filebase64sha256("python.zip")
  publish          = true
}

resource "aws_lambda_permission" "replicator" {
  statement_id  = "AllowCloudFrontReplicator"
  action        = "lambda:GetFunction"
  function_name = aws_lambda_function.edge.function_name
  qualifier     = aws_lambda_function.edge.version
  principal     = "replicator.lambda.amazonaws.com"
}

output "qualified_arn" { value = aws_lambda_function.edge.qualified_arn }
output "version" { value = aws_lambda_function.edge.version }
