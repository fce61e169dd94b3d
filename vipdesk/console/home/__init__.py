"""The console's home page: the search box and a small dashboard of the viewer's scope."""
