"""The web entry point: portal for officials, consoles for admins and the security officer, API."""
