"""The contract-test kit shared by every family's tests: the permission matrix (permissions.py),
the thread race (races.py) and factory-boy factories (factories.py)."""
