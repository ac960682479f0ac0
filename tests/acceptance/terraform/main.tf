# Every CloudFront resource type and data source of AWS provider 5.100 that issues 10 and 11 cover, with a
# distribution that names each resource and a staging distribution under a continuous deployment policy.
# tests/acceptance/test_terraform.py applies it against cloudfront-local, checks that a second plan is
# empty, destroys it and checks that nothing is left.
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "5.100.0" }
  }
}

variable "endpoint" { type = string }

# Writes the OAC origin as many configurations do, with `s3_origin_config { origin_access_identity = "" }`.
# test_terraform.py only plans with it: provider 5.100 never reads that block back (see docs/behaviour.md,
# "Terraform"), so against AWS too such a configuration plans a change to `origin` every time.
variable "oac_empty_s3_origin_config" {
  type    = bool
  default = false
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
    cloudfront = var.endpoint
  }
}

data "aws_cloudfront_cache_policy" "optimized" {
  name = "Managed-CachingOptimized"
}

data "aws_cloudfront_log_delivery_canonical_user_id" "current" {}

resource "aws_cloudfront_cache_policy" "app" {
  name        = "app-cache"
  comment     = "cache key for the app"
  default_ttl = 3600
  max_ttl     = 86400
  min_ttl     = 1
  parameters_in_cache_key_and_forwarded_to_origin {
    enable_accept_encoding_gzip   = true
    enable_accept_encoding_brotli = true
    headers_config {
      header_behavior = "whitelist"
      headers { items = ["Origin"] }
    }
    cookies_config {
      cookie_behavior = "whitelist"
      cookies { items = ["session"] }
    }
    query_strings_config { query_string_behavior = "all" }
  }
}

data "aws_cloudfront_cache_policy" "app" {
  id = aws_cloudfront_cache_policy.app.id
}

resource "aws_cloudfront_origin_request_policy" "app" {
  name    = "app-origin-request"
  comment = "what reaches the origin"
  headers_config {
    header_behavior = "allViewerAndWhitelistCloudFront"
    headers { items = ["CloudFront-Viewer-Country"] }
  }
  cookies_config { cookie_behavior = "all" }
  query_strings_config { query_string_behavior = "none" }
}

data "aws_cloudfront_origin_request_policy" "app" {
  name = aws_cloudfront_origin_request_policy.app.name
}

resource "aws_cloudfront_response_headers_policy" "app" {
  name    = "app-response-headers"
  comment = "CORS and security headers"
  cors_config {
    access_control_allow_credentials = false
    access_control_allow_headers { items = ["*"] }
    access_control_allow_methods { items = ["GET", "HEAD"] }
    access_control_allow_origins { items = ["https://app.example.com"] }
    access_control_max_age_sec = 600
    origin_override            = true
  }
  security_headers_config {
    frame_options {
      frame_option = "DENY"
      override     = true
    }
    strict_transport_security {
      access_control_max_age_sec = 31536000
      include_subdomains         = true
      override                   = true
      preload                    = false
    }
  }
  custom_headers_config {
    items {
      header   = "X-App"
      override = true
      value    = "v1"
    }
  }
  remove_headers_config {
    items { header = "Server" }
  }
}

data "aws_cloudfront_response_headers_policy" "app" {
  id = aws_cloudfront_response_headers_policy.app.id
}

resource "aws_cloudfront_origin_access_control" "bucket" {
  name                              = "bucket-oac"
  description                       = "signed requests to the bucket"
  origin_access_control_origin_type = "s3"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

data "aws_cloudfront_origin_access_control" "bucket" {
  id = aws_cloudfront_origin_access_control.bucket.id
}

resource "aws_cloudfront_origin_access_identity" "legacy" {
  comment = "legacy bucket access"
}

data "aws_cloudfront_origin_access_identity" "legacy" {
  id = aws_cloudfront_origin_access_identity.legacy.id
}

data "aws_cloudfront_origin_access_identities" "all" {
  comments   = ["legacy bucket access"]
  depends_on = [aws_cloudfront_origin_access_identity.legacy]
}

resource "aws_cloudfront_public_key" "signing" {
  name        = "signing-key"
  comment     = "signed URLs"
  encoded_key = file("${path.module}/public_key.pem")
}

resource "aws_cloudfront_key_group" "signing" {
  name    = "signing-keys"
  comment = "keys for signed URLs"
  items   = [aws_cloudfront_public_key.signing.id]
}

resource "aws_cloudfront_field_level_encryption_profile" "cards" {
  name    = "card-numbers"
  comment = "encrypt card numbers"
  encryption_entities {
    items {
      public_key_id = aws_cloudfront_public_key.signing.id
      provider_id   = "payments"
      field_patterns { items = ["card-number"] }
    }
  }
}

resource "aws_cloudfront_field_level_encryption_config" "cards" {
  comment = "card forms"
  content_type_profile_config {
    forward_when_content_type_is_unknown = true
    content_type_profiles {
      items {
        content_type = "application/x-www-form-urlencoded"
        format       = "URLEncoded"
        profile_id   = aws_cloudfront_field_level_encryption_profile.cards.id
      }
    }
  }
  query_arg_profile_config {
    forward_when_query_arg_profile_is_unknown = true
    query_arg_profiles {
      items {
        profile_id = aws_cloudfront_field_level_encryption_profile.cards.id
        query_arg  = "card"
      }
    }
  }
}

resource "aws_cloudfront_realtime_log_config" "app" {
  name          = "app-realtime-logs"
  sampling_rate = 10
  fields        = ["timestamp", "c-ip", "sc-status"]
  endpoint {
    stream_type = "Kinesis"
    kinesis_stream_config {
      role_arn   = "arn:aws:iam::123456789012:role/cloudfront-realtime-logs"
      stream_arn = "arn:aws:kinesis:us-east-1:123456789012:stream/cloudfront-logs"
    }
  }
}

data "aws_cloudfront_realtime_log_config" "app" {
  name = aws_cloudfront_realtime_log_config.app.name
}

resource "aws_cloudfront_vpc_origin" "internal" {
  vpc_origin_endpoint_config {
    name                   = "internal-alb"
    arn                    = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/internal/1234567890abcdef"
    http_port              = 80
    https_port             = 443
    origin_protocol_policy = "https-only"
    origin_ssl_protocols {
      items    = ["TLSv1.2"]
      quantity = 1
    }
  }
}

resource "aws_cloudfront_key_value_store" "tenants" {
  name    = "tenants"
  comment = "tenant per host"
}

resource "aws_cloudfront_function" "rewrite" {
  name    = "rewrite-index"
  runtime = "cloudfront-js-2.0"
  comment = "directory URLs to index.html"
  publish = true
  code    = <<-EOT
    import cf from 'cloudfront';
    async function handler(event) {
      const request = event.request;
      if (request.uri.endsWith('/')) {
        request.uri += 'index.html';
      }
      return request;
    }
  EOT
  key_value_store_associations = [aws_cloudfront_key_value_store.tenants.arn]
}

resource "aws_cloudfront_distribution" "app" {
  enabled                         = true
  comment                         = "the app"
  continuous_deployment_policy_id = aws_cloudfront_continuous_deployment_policy.app.id

  origin {
    origin_id                = "bucket"
    domain_name              = "app-bucket.s3.us-east-1.amazonaws.com"
    origin_access_control_id = aws_cloudfront_origin_access_control.bucket.id
    dynamic "s3_origin_config" {
      for_each = var.oac_empty_s3_origin_config ? [""] : []
      content {
        origin_access_identity = s3_origin_config.value
      }
    }
  }
  origin {
    origin_id   = "legacy"
    domain_name = "legacy-bucket.s3.us-east-1.amazonaws.com"
    s3_origin_config {
      origin_access_identity = aws_cloudfront_origin_access_identity.legacy.cloudfront_access_identity_path
    }
  }
  origin {
    origin_id   = "internal"
    domain_name = "internal.example.com"
    vpc_origin_config {
      vpc_origin_id = aws_cloudfront_vpc_origin.internal.id
    }
  }
  origin {
    origin_id   = "api"
    domain_name = "api.example.com"
    custom_origin_config {
      http_port              = 80
      https_port             = 443
      origin_protocol_policy = "https-only"
      origin_ssl_protocols   = ["TLSv1.2"]
    }
  }
  origin_group {
    origin_id = "buckets"
    failover_criteria {
      status_codes = [500, 502, 503, 504]
    }
    member { origin_id = "bucket" }
    member { origin_id = "legacy" }
  }

  default_cache_behavior {
    target_origin_id           = "bucket"
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
    cached_methods             = ["GET", "HEAD"]
    cache_policy_id            = aws_cloudfront_cache_policy.app.id
    origin_request_policy_id   = aws_cloudfront_origin_request_policy.app.id
    response_headers_policy_id = aws_cloudfront_response_headers_policy.app.id
    realtime_log_config_arn    = aws_cloudfront_realtime_log_config.app.arn
    field_level_encryption_id  = aws_cloudfront_field_level_encryption_config.cards.id
    function_association {
      event_type   = "viewer-request"
      function_arn = aws_cloudfront_function.rewrite.arn
    }
  }
  ordered_cache_behavior {
    path_pattern           = "/private/*"
    target_origin_id       = "legacy"
    viewer_protocol_policy = "https-only"
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
    cache_policy_id        = data.aws_cloudfront_cache_policy.optimized.id
    trusted_key_groups     = [aws_cloudfront_key_group.signing.id]
  }
  ordered_cache_behavior {
    path_pattern           = "/api/*"
    target_origin_id       = "api"
    viewer_protocol_policy = "https-only"
    allowed_methods        = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
    cached_methods         = ["GET", "HEAD"]
    cache_policy_id        = data.aws_cloudfront_cache_policy.optimized.id
  }
  ordered_cache_behavior {
    path_pattern           = "/assets/*"
    target_origin_id       = "buckets"
    viewer_protocol_policy = "https-only"
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
    cache_policy_id        = data.aws_cloudfront_cache_policy.optimized.id
  }
  ordered_cache_behavior {
    path_pattern           = "/internal/*"
    target_origin_id       = "internal"
    viewer_protocol_policy = "https-only"
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
    cache_policy_id        = data.aws_cloudfront_cache_policy.optimized.id
  }

  restrictions {
    geo_restriction { restriction_type = "none" }
  }
  viewer_certificate { cloudfront_default_certificate = true }
}

resource "aws_cloudfront_distribution" "staging" {
  enabled = true
  staging = true
  comment = "the app, next version"

  origin {
    origin_id                = "bucket"
    domain_name              = "app-bucket.s3.us-east-1.amazonaws.com"
    origin_access_control_id = aws_cloudfront_origin_access_control.bucket.id
  }
  default_cache_behavior {
    target_origin_id       = "bucket"
    viewer_protocol_policy = "redirect-to-https"
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
    cache_policy_id        = data.aws_cloudfront_cache_policy.optimized.id
  }
  restrictions {
    geo_restriction { restriction_type = "none" }
  }
  viewer_certificate { cloudfront_default_certificate = true }
}

resource "aws_cloudfront_continuous_deployment_policy" "app" {
  enabled = true
  staging_distribution_dns_names {
    items    = [aws_cloudfront_distribution.staging.domain_name]
    quantity = 1
  }
  traffic_config {
    type = "SingleWeight"
    single_weight_config {
      weight = "0.05"
    }
  }
}

resource "aws_cloudfront_monitoring_subscription" "app" {
  distribution_id = aws_cloudfront_distribution.app.id
  monitoring_subscription {
    realtime_metrics_subscription_config {
      realtime_metrics_subscription_status = "Enabled"
    }
  }
}

data "aws_cloudfront_distribution" "app" {
  id = aws_cloudfront_distribution.app.id
}

output "managed_cache_policy" { value = data.aws_cloudfront_cache_policy.optimized.id }
output "distribution_domain" { value = data.aws_cloudfront_distribution.app.domain_name }
output "realtime_log_arn" { value = data.aws_cloudfront_realtime_log_config.app.arn }
output "oac_name" { value = data.aws_cloudfront_origin_access_control.bucket.name }
output "rhp_name" { value = data.aws_cloudfront_response_headers_policy.app.name }
output "oai_path" { value = data.aws_cloudfront_origin_access_identity.legacy.cloudfront_access_identity_path }
output "log_delivery_user" { value = data.aws_cloudfront_log_delivery_canonical_user_id.current.id }
