"""Origins that are resources of their own: VPC origins."""
