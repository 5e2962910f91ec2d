"""Tools for developers and demos, not used by the pipeline: sample exports and returns, the benchmark."""
