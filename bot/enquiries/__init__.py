"""Ask the mutuals team: enquiries handed to people, and the team answers that teach the assistant."""
