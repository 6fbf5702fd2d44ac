"""A county's uploads, what counts now, and the results and accounting from them."""
