"""The platform's core records: tenants, channels and the transit inbox."""
