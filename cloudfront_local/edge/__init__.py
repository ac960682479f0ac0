"""The edge: viewer requests answered as CloudFront would, from the configuration the API holds."""
