"""App Home: what the assistant does, example questions, register interest, the admin panel."""
