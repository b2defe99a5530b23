"""Page scripts: the code of the Performance page, run top to bottom by the page doc-tests."""
