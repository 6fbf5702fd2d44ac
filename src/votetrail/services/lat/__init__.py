"""Public L&A tests: definitions, sessions, baselines, access and the public record."""
