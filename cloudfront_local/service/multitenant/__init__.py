"""The multi-tenant neighbourhood: connection groups, Anycast static IP lists, distribution tenants, their domains."""
