"""AWS Lambda's API, the part Lambda@Edge needs: functions with .zip code, immutable published versions, resource
policies and tags, answered from botocore's `lambda` model on the same port as CloudFront's."""
