"""Security advisories published by the security officer and sent in weekly digests."""
