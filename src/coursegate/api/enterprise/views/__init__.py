"""Enterprise API views, one module per area (each paired with serializers/ of the same name):
catalogs, subscriptions (licenses), assignments (policy allocation and assignment administration),
bulk license enrollment jobs, learner summary."""
