"""Who may reach origins and content: origin access controls and identities, public keys, key groups,
field-level encryption."""
