"""Office PCs that run hygiene-probe: their tokens and the saved-login counts they report."""
