"""Message texts: one template set per kind and locale, rendered by one function."""
