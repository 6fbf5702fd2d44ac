"""Contest results written out for people and programs outside votetrail."""
