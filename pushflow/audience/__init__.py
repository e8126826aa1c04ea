"""Audiences: the targets of a campaign, read as streams of rows."""
