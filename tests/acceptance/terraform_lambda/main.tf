# Lambda@Edge as Terraform users write it: aws_lambda_function from a zip, published, with the permission
# CloudFront's replicator needs, and a distribution whose behaviors attach the versions (qualified_arn) on all
# four event types. tests/acceptance/test_terraform_lambda.py writes the zips beside this file, applies against
# cloudfront-local, asks the distribution as a viewer, checks that a second plan is empty and destroys it.
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "5.100.0" }
  }
}

variable "endpoint" { type = string }

variable "origin_domain" { type = string }
variable "origin_port" { type = number }

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

data "aws_cloudfront_cache_policy" "disabled" {
  name = "Managed-CachingDisabled"
}

data "aws_cloudfront_origin_request_policy" "all_viewer" {
  name = "Managed-AllViewerExceptHostHeader"
}

resource "aws_cloudfront_distribution" "edge" {
  enabled = true
  comment = "Lambda@Edge"

  origin {
    origin_id   = "app"
    domain_name = var.origin_domain
    custom_origin_config {
      http_port              = var.origin_port
      https_port             = 443
      origin_protocol_policy = "http-only"
      origin_ssl_protocols   = ["TLSv1.2"]
    }
  }

  default_cache_behavior {
    target_origin_id         = "app"
    viewer_protocol_policy   = "allow-all"
    allowed_methods          = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
    cached_methods           = ["GET", "HEAD"]
    cache_policy_id          = data.aws_cloudfront_cache_policy.disabled.id
    origin_request_policy_id = data.aws_cloudfront_origin_request_policy.all_viewer.id
    lambda_function_association {
      event_type   = "viewer-request"
      lambda_arn   = aws_lambda_function.edge.qualified_arn
      include_body = true
    }
    lambda_function_association {
      event_type = "origin-response"
      lambda_arn = aws_lambda_function.python.qualified_arn
    }
    lambda_function_association {
      event_type = "viewer-response"
      lambda_arn = aws_lambda_function.edge.qualified_arn
    }
  }

  ordered_cache_behavior {
    path_pattern             = "/api/*"
    target_origin_id         = "app"
    viewer_protocol_policy   = "allow-all"
    allowed_methods          = ["GET", "HEAD"]
    cached_methods           = ["GET", "HEAD"]
    cache_policy_id          = data.aws_cloudfront_cache_policy.disabled.id
    origin_request_policy_id = data.aws_cloudfront_origin_request_policy.all_viewer.id
    lambda_function_association {
      event_type = "viewer-request"
      lambda_arn = aws_lambda_function.python.qualified_arn
    }
    lambda_function_association {
      event_type = "origin-request"
      lambda_arn = aws_lambda_function.edge.qualified_arn
    }
  }

  restrictions {
    geo_restriction { restriction_type = "none" }
  }
  viewer_certificate { cloudfront_default_certificate = true }
}

output "qualified_arn" { value = aws_lambda_function.edge.qualified_arn }
output "version" { value = aws_lambda_function.edge.version }
output "domain_name" { value = aws_cloudfront_distribution.edge.domain_name }
