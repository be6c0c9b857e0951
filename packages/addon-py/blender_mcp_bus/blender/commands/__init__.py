"""Command handlers, one module per domain; importing them registers them."""
