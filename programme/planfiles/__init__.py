"""Reading plan files (YAML with line marks, or the Python authoring API) and validating them into
the plan model, every mistake at once with where it is."""
