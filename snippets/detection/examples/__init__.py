"""Page scripts: each article's code, run top to bottom by the page doc-tests."""
