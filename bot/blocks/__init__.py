"""Block Kit builders: pure functions from data to views, and back from submitted state."""
