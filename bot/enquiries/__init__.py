"""Ask the mutuals team: enquiries handed to people, and the answers that teach the assistant."""
