"""Stage 2, script: Article -> Script (segments in reading order, pauses, text normalized for speech)."""
