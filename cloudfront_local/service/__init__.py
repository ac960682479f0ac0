"""The service layer: one package per area of the CloudFront API, plain Python over the store."""
