"""Real services declared with clientkit."""
