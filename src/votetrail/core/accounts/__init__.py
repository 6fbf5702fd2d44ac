"""Pure rules of accounts: password strength and one-time codes."""
