"""Password validators beyond Django's own."""

from django.core.exceptions import ValidationError


class MaximumLengthValidator:
    """Passwords of at most ``max_length`` characters (Open edX: 75)."""

    def __init__(self, max_length: int = 75):
        self.max_length = max_length

    def validate(self, password, user=None):
        if len(password) > self.max_length:
            raise ValidationError(
                f"This password is too long. It must contain at most {self.max_length} characters.",
                code="password_too_long",
            )

    def get_help_text(self):
        return f"Your password must contain at most {self.max_length} characters."
