"""Cast vote records and ballot manifests as the vendors' systems write them."""
