"""The life every resource family shares: ids, ETags and If-Match, deployment, paging, tags, errors, the operation registry."""
