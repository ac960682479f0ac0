"""Edge code: CloudFront Functions, connection functions, and the KeyValueStores they read."""
