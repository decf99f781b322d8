"""Reading SpecBench results from Inspect logs: `specbench compare` (the release gate) and
`specbench report` (tables and figures)."""
