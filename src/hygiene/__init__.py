"""hygiene: password-rotation and account-hygiene reminders, without storing passwords."""

__version__ = "0.1.0"
