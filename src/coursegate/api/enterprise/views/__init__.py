"""Enterprise API views, one module per area: catalogs, subscriptions (licenses), bulk license
enrollment jobs, learner summary."""
