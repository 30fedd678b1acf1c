"""alliance_meta."""
