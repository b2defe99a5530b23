"""Page scripts: the code of each normalization article, run top to bottom by the page doc-tests."""
