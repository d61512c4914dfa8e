"""Stage 5, publish: tags, cover, feed, captions, chapters and pages in output/."""
