"""Network logs read (``logs/``) and the monitor's reports and block lists (``outputs/``)."""
