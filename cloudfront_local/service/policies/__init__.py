"""Cache, origin request and response headers policies: AWS's managed ones and the account's own."""
