"""Reports of extortion attempts and suspicious messages, for the security officer."""
