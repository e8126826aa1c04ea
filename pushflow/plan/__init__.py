"""Plan: compile campaigns into calls and show what will be sent (text, Markdown, JSON)."""
