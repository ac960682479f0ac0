"""What CloudFront reports: real-time log configs and monitoring subscriptions."""
