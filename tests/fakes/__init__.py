"""In-process fakes of third-party services our tests cannot reach."""
