"""The demo data set: an app above the domain, so `core` stays the ground floor."""
