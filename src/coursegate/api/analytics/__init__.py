"""The analytics batch endpoint, written once and mounted by two families (not a family itself):
Appsembler's /appsembler_api/v0/analytics/ and Jitterbit's /api/jitterbit/v1/ (ARCHITECTURE.md,
"Analytics"; reference/edx_appsembler.md §2-3)."""
