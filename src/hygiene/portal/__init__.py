"""The officials' portal: sign-in with a one-time code sent through the channels."""
