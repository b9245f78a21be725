"""Input and output shapes of the Enterprise API, one module per view module (views/): the input
serializers are the parsers, the output serializers render the bodies and describe them in the
OpenAPI document."""
