"""Officials at the door: passwords, sign-in, server-side sessions, refusals."""
